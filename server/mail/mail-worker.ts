/**
 * Sends what the mail_jobs table holds. Every node runs one: every scan interval (± a quarter, so
 * nodes started together drift apart) it adds the reply jobs that fell due (mail-jobs.repository.ts)
 * and sends due jobs a few at a time. Each job re-checks just before sending that it is still
 * wanted (a reply the visitor has seen since is dropped). A failed send is retried with exponential
 * backoff; a node that dies mid-send leaves the job locked only until its locked_until.
 *
 * Delivery is at least once in one case only: a node that dies after the SMTP server accepted a
 * mail and before it marked the job sent, or that cannot mark it for as long as the job stays locked
 * (it keeps trying, and never sends that job again itself). Anything else is sent once, however many
 * nodes run.
 */
import { and, asc, eq, gt, inArray, lte } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { agents, conversations, messages, sites, visitors, type MailJob } from '../db/schema.ts';
import { createVisitorLink } from '../visitors/links.ts';
import { holdVisitor } from '../visitors/visitors.service.ts';
import { AppError } from '../errors.ts';
import type { Mailer } from './mailer.ts';
import { buildMail, type MailMessage } from './mail-content.ts';
import { claimJobs, lastMailedSeq, markFailed, markSent, scanUnseenReplies } from './mail-jobs.repository.ts';

/** A claimed job is this node's for this long: far longer than an SMTP exchange takes (see mailer.ts for a batch's). */
const LOCK_MS = 120_000;
const BATCH = 10;
/** Attempts before a job is given up: the backoff doubles from 30 s, so about an hour in all. */
export const MAX_ATTEMPTS = 8;
export const backoffMs = (attempts: number): number => Math.min(30_000 * 2 ** (attempts - 1), 3600_000);

/** Why a job is no longer wanted, kept in last_error. */
class Dropped extends Error {}

export class MailWorker {
  private _timer?: ReturnType<typeof setTimeout>;
  private _running?: Promise<void>;
  private _again = false;
  private _stopped = true;
  /**
   * Jobs whose mail the SMTP server accepted but that could not be marked sent (the database did not
   * answer), with when they were sent: each run marks them first, and they are never mailed again.
   */
  private readonly _unmarked = new Map<string, Date>();

  constructor(
    private readonly _ctx: Ctx,
    readonly mailer: Mailer,
  ) {}

  start(): void {
    this._stopped = false;
    this._schedule();
  }

  async stop(): Promise<void> {
    this._stopped = true;
    clearTimeout(this._timer);
    await this._running;
    this.mailer.close();
  }

  /** Runs a scan and sends what is due now (after a transcript was asked for, and each interval). */
  poke(): Promise<void> {
    if (this._running) {
      this._again = true;
      return this._running;
    }
    this._running = this._run().finally(() => (this._running = undefined));
    return this._running;
  }

  private _schedule(): void {
    if (this._stopped) return;
    const interval = this._ctx.config.mail.scanIntervalMs;
    this._timer = setTimeout(() => void this.poke().finally(() => this._schedule()), interval * (0.75 + Math.random() * 0.5));
    this._timer.unref?.();
  }

  private async _run(): Promise<void> {
    const ctx = this._ctx;
    try {
      do {
        this._again = false;
        // Still locked by this node (a scan interval is far shorter than the lock): marked before
        // another node could claim them again.
        for (const [id, sentAt] of this._unmarked) await this._markSent(id, sentAt);
        await scanUnseenReplies(ctx.raw, ctx.clock());
        for (let claimed = BATCH; claimed === BATCH && !this._stopped; ) {
          const jobs = await claimJobs(ctx.db, ctx.clock(), LOCK_MS, BATCH);
          claimed = jobs.length;
          for (const job of jobs) await this._send(job);
        }
      } while (this._again && !this._stopped);
    } catch (err) {
      ctx.log.warn({ err }, 'mail run failed; next interval tries again');
    }
  }

  private async _send(job: MailJob): Promise<void> {
    const ctx = this._ctx;
    // Claimed again after its lock ran out while it could not be marked: it was mailed already.
    const mailed = this._unmarked.get(job.id);
    if (mailed) {
      await this._markSent(job.id, mailed);
      return;
    }
    try {
      const mail = await this._compose(job);
      await this.mailer.send(mail);
      if (!this.mailer.enabled) throw new Dropped('email off');
    } catch (err) {
      const now = ctx.clock();
      if (err instanceof Dropped) return markFailed(ctx.db, job.id, err.message, now, null);
      // A relay's refusal often quotes the recipient ("550 <jane@…>: Recipient address rejected"): kept out of the log and the row.
      const reason = (err instanceof Error ? err.message : String(err)).replace(/[^\s<>"'@]+@[^\s<>"'@]+/g, '[address]').slice(0, 300);
      const retry = job.attempts < MAX_ATTEMPTS ? new Date(now.getTime() + backoffMs(job.attempts)) : null;
      ctx.log.warn({ job: job.id, kind: job.kind, attempts: job.attempts, reason, retryAt: retry }, 'mail not sent');
      await markFailed(ctx.db, job.id, reason, now, retry);
      return;
    }
    // Out of the try above: a failure to mark it is no failure to send, which would mail it again.
    if (await this._markSent(job.id, ctx.clock())) ctx.log.info({ job: job.id, kind: job.kind, attempts: job.attempts }, 'mail sent');
  }

  /** Marks a mailed job sent; resolves false, and keeps it to mark at the next run, when the database fails. */
  private async _markSent(id: string, sentAt: Date): Promise<boolean> {
    try {
      await markSent(this._ctx.db, id, sentAt);
      this._unmarked.delete(id);
      return true;
    } catch (err) {
      if (!this._unmarked.has(id)) this._ctx.log.error({ err, job: id }, 'mail sent but not marked sent: marked at the next run, not sent again');
      this._unmarked.set(id, sentAt);
      return false;
    }
  }

  /** The mail a job stands for now, with a new one-time link; throws Dropped when it is no longer wanted. */
  private async _compose(job: MailJob) {
    const ctx = this._ctx;
    const [row] = await ctx.db
      .select({ c: conversations, email: visitors.email, tokenHash: visitors.tokenHash, locale: visitors.locale, siteName: sites.name, origins: sites.origins })
      .from(conversations)
      .innerJoin(visitors, eq(visitors.id, conversations.visitorId))
      .innerJoin(sites, eq(sites.id, conversations.siteId))
      .where(eq(conversations.id, job.conversationId ?? ''));
    if (!row?.email) throw new Dropped('no email address');
    let from = 0;
    let to: number;
    let authors: MailMessage['author'][];
    if (job.kind === 'reply') {
      to = Number(job.payload.seq);
      from = Math.max(row.c.visitorReadSeq, await lastMailedSeq(ctx.raw, row.c.id));
      if (from >= to) throw new Dropped('seen');
      authors = ['agent'];
    } else {
      to = Number(job.payload.upToSeq);
      authors = ['visitor', 'agent', 'bot'];
    }
    const list = await ctx.db
      .select({ author: messages.author, authorName: agents.name, body: messages.body })
      .from(messages)
      .leftJoin(agents, eq(agents.id, messages.agentId))
      .where(and(eq(messages.conversationId, row.c.id), gt(messages.seq, from), lte(messages.seq, to), inArray(messages.author, authors), inArray(messages.kind, ['text', 'faq_answer'])))
      .orderBy(asc(messages.seq));
    // Written after the reply: the visitor has seen it.
    if (job.kind === 'reply' && (await visitorWroteAfter(ctx, row.c.id, to))) throw new Dropped('seen');
    if (!list.length) throw new Dropped('nothing to send');
    const page = linkPage(row.c.pageUrl, row.origins);
    // Only to a visitor not erased since the row was read (the erase replaces the token hash under a row
    // lock): neither the mail to the erased address nor a new way back in for the erased visitor.
    const link = await ctx.db
      .transaction(async (tx) => {
        await holdVisitor(tx, { id: row.c.visitorId, tokenHash: row.tokenHash });
        if (!this.mailer.enabled || !page) return null;
        const expiresAt = new Date(ctx.clock().getTime() + ctx.config.mail.linkTtlMs);
        return { url: linkUrl(page, await createVisitorLink(tx, row.c.visitorId, row.c.id, expiresAt)), expiresAt };
      })
      .catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'UNAUTHORIZED') throw new Dropped('visitor erased');
        throw err;
      });
    return buildMail({ kind: job.kind, to: row.email, locale: row.locale, siteName: row.siteName, messages: list, link });
  }
}

async function visitorWroteAfter(ctx: Ctx, conversationId: string, seq: number): Promise<boolean> {
  const [m] = await ctx.db
    .select({ seq: messages.seq })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.author, 'visitor'), gt(messages.seq, seq)))
    .limit(1);
  return Boolean(m);
}

/**
 * Where a mail's link leads: the page the visitor asked from (its widget redeems the link) when it is
 * on one of the site's origins, else the first origin's home page, else nowhere (no link). The page
 * is what the visitor's widget said it was: a mail sent from the site's address must not carry a
 * link, with a live token, to wherever a visitor pointed it.
 */
export function linkPage(pageUrl: string | null, origins: string[]): string | undefined {
  if (pageUrl && URL.canParse(pageUrl) && origins.includes(new URL(pageUrl).origin)) return pageUrl;
  return origins[0] && `${origins[0]}/`;
}

/** The link itself: the token goes in the fragment, which browsers do not send to the site's server or in a Referer. */
export function linkUrl(page: string, token: string): string {
  const url = new URL(page);
  url.hash = `support-chat-link=${token}`;
  return url.href;
}
