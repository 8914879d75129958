/** FAQ work beyond CRUD: bulk import, an entry from a resolved conversation, and the demand view. */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { FaqEntryInput, FaqFromConversation, FaqFromDemand } from '../../shared/schemas.ts';
import type { DemandGroupDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { conversations, messageColumns, messages, questions, type FaqEntry } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { AgentContext } from '../agents/agents.service.ts';
import type { QuestionRow } from './demand.worker.ts';
import { ThreadClient } from './thread.ts';
import * as repo from './faq.repository.ts';
import { learn } from './learned.service.ts';
import { maskedExcerpt } from './mask.ts';

/** Imports entries in one transaction (all or nothing); `replace` drops the site's entries first. */
export async function importEntries(ctx: Ctx, siteId: string, entries: FaqEntryInput[], replace: boolean): Promise<number> {
  const now = ctx.clock();
  await ctx.db.transaction(async (tx) => {
    if (replace) await repo.deleteSiteEntries(tx, siteId);
    for (const e of entries) await repo.insertEntry(tx, siteId, e, now);
  });
  ctx.faq.invalidate(siteId);
  return entries.length;
}

const hasCjk = (s: string) => /[\u3400-\u9fff]/.test(s);

/**
 * "Turn into FAQ": a draft from a conversation, the visitor's question as its question and first variant,
 * the agent's reply as its answer, both masked. A draft answers nobody until an agent edits and
 * publishes it. With `entryId`, the question is instead learned as a variant of that entry ("this was FAQ X").
 */
export async function entryFromConversation(ctx: Ctx, auth: AgentContext, input: z.infer<typeof FaqFromConversation>): Promise<FaqEntry> {
  if (input.entryId) {
    await learn(ctx, auth, { conversationId: input.conversationId, entryId: input.entryId, source: 'marked', questionMessageId: input.questionMessageId });
    const entry = await repo.findEntry(ctx.db, input.entryId);
    if (!entry) throw new AppError('NOT_FOUND');
    return entry;
  }
  const [conv] = await ctx.db.select().from(conversations).where(eq(conversations.id, input.conversationId)).limit(1);
  if (!conv || !auth.siteIds.includes(conv.siteId)) throw new AppError('NOT_FOUND');
  const rows = await ctx.db.select(messageColumns).from(messages).where(eq(messages.conversationId, conv.id)).orderBy(asc(messages.seq));
  const pick = (id: string | undefined, author: 'visitor' | 'agent', fallback: () => string | undefined) => {
    if (id) {
      const m = rows.find((r) => r.id === id && r.author === author && r.kind === 'text');
      if (!m) throw new AppError('NOT_FOUND');
      return m.body;
    }
    return fallback();
  };
  const asked = pick(input.questionMessageId, 'visitor', () => conv.question || rows.find((r) => r.author === 'visitor')?.body);
  const replied = pick(input.answerMessageId, 'agent', () => rows.filter((r) => r.author === 'agent' && r.kind === 'text').at(-1)?.body);
  if (!asked || !replied) throw new AppError('CONFLICT');
  const question = maskedExcerpt(asked, 500);
  const entry = await repo.insertEntry(
    ctx.db,
    conv.siteId,
    {
      question,
      variants: [question],
      answer: maskedExcerpt(replied, 4000),
      language: input.language ?? (hasCjk(question) ? 'zh' : 'en'),
      tags: [],
      articleUrls: [],
      status: 'draft',
    },
    ctx.clock(),
    conv.id,
  );
  // Not in any index (a draft), but other nodes' consoles list it from the database: nothing to announce.
  return entry;
}

/**
 * Grouping takes seconds of CPU: on the main thread every socket and request of this node would wait for
 * it. One worker, started on first use; requests queue in it. Stopped after a minute idle: a worker
 * takes a few hundred ms to start and holds tens of MB.
 */
const demandThread = new ThreadClient<QuestionRow[], DemandGroupDTO[]>(new URL('./demand.worker.ts', import.meta.url), { idleMs: 60_000 });

/** Questions grouped: the latest this many. */
const DEMAND_ROWS = 5000;
/**
 * Read in pages: on PGlite a query runs on this thread, and 5,000 rows at once held it for 80–150 ms
 * at 100,000 tickets (npm run bench:stalls); a page of 1,000 still held it 40–70 ms (each row joins
 * its conversation), a page of 200 about 10 ms. Between pages the loop turns (setImmediate), so
 * sockets and requests waiting behind a page go first.
 */
const DEMAND_PAGE = 200;

/** Where demand reads its questions from: sites, the period, its previous period's start, the visitor's language. */
export interface DemandScope {
  sites: string[];
  from: Date;
  to: Date;
  /** The start of the period of the same length before `from` (the trend). */
  previousFrom: Date;
  /** The visitor's widget language, null for every language. */
  language: string | null;
}

/** The escalated questions of [from, to), newest first, at most DEMAND_ROWS, read in pages (on the reports' connections). */
async function escalatedQuestions(ctx: Ctx, s: DemandScope, from: Date, to: Date, previous: boolean): Promise<QuestionRow[]> {
  const rows: QuestionRow[] = [];
  let last: string | undefined;
  while (rows.length < DEMAND_ROWS) {
    const page = await ctx.reports.db
      .select({
        id: questions.id,
        conversationId: questions.conversationId,
        siteId: questions.siteId,
        text: questions.text,
        createdAt: questions.createdAt,
        page: sql<string | null>`split_part(split_part(${conversations.pageUrl}, '?', 1), '#', 1)`,
      })
      .from(questions)
      .innerJoin(conversations, eq(conversations.id, questions.conversationId))
      .where(
        and(
          inArray(questions.siteId, s.sites),
          isNotNull(questions.escalatedAt),
          gte(questions.createdAt, from),
          lt(questions.createdAt, to),
          s.language === null ? undefined : sql`${conversations.visitorId} in (select v.id from visitors v where v.locale = ${s.language})`,
          // After the previous page's last row, compared at the database's own precision.
          last ? sql`(${questions.createdAt}, ${questions.id}) < (SELECT q.created_at, q.id FROM questions q WHERE q.id = ${last})` : undefined,
        ),
      )
      .orderBy(desc(questions.createdAt), desc(questions.id))
      .limit(Math.min(DEMAND_PAGE, DEMAND_ROWS - rows.length));
    for (const r of page) rows.push({ siteId: r.siteId, text: r.text, createdAt: r.createdAt, page: r.page, ...(previous ? { previous } : { conversationId: r.conversationId }) });
    if (page.length < DEMAND_PAGE) break;
    last = page[page.length - 1].id;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return rows;
}

/**
 * The questions that most often reached a person, grouped by similarity: what to write next, with the
 * pages they came from and how often each group was asked in the period before (the trend).
 */
export async function demand(ctx: Ctx, s: DemandScope): Promise<DemandGroupDTO[]> {
  const now = await escalatedQuestions(ctx, s, s.from, s.to, false);
  if (now.length === 0) return [];
  const before = await escalatedQuestions(ctx, s, s.previousFrom, s.from, true);
  return demandThread.call([...now, ...before]);
}

/**
 * "Write an FAQ entry" from a demand group: a draft with the group's question and the other ways it was
 * asked as variants (masked: they are visitors' words), and no answer yet. A draft answers nobody, and
 * one without an answer cannot be published, so nothing reaches a visitor until an agent writes it.
 */
export async function entryFromDemand(ctx: Ctx, auth: AgentContext, input: FaqFromDemand): Promise<FaqEntry> {
  if (!auth.siteIds.includes(input.siteId)) throw new AppError('FORBIDDEN');
  const question = maskedExcerpt(input.question, 500);
  const variants = [...new Set([question, ...input.variants.map((v) => maskedExcerpt(v, 500))])].filter(Boolean);
  return repo.insertEntry(
    ctx.db,
    input.siteId,
    { question, variants, answer: '', language: hasCjk(question) ? 'zh' : 'en', tags: [], articleUrls: [], status: 'draft' },
    ctx.clock(),
  );
}
