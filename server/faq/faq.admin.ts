/** FAQ work beyond CRUD: bulk import, an entry from a resolved conversation, and the demand view. */
import { and, asc, desc, eq, gte, isNotNull, lt } from 'drizzle-orm';
import { Worker } from 'node:worker_threads';
import type { z } from 'zod';
import type { FaqEntryInput, FaqFromConversation } from '../../shared/schemas.ts';
import type { DemandGroupDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { conversations, messages, questions, type FaqEntry } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { AgentContext } from '../agents/agents.service.ts';
import { DEMAND_WORKER, type DemandReply, type DemandRequest, type QuestionRow } from './demand.worker.ts';
import * as repo from './faq.repository.ts';

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

/** The agent's reply becomes the answer and the visitor's question the entry's question. */
export async function entryFromConversation(ctx: Ctx, auth: AgentContext, input: z.infer<typeof FaqFromConversation>): Promise<FaqEntry> {
  const [conv] = await ctx.db.select().from(conversations).where(eq(conversations.id, input.conversationId)).limit(1);
  if (!conv || !auth.siteIds.includes(conv.siteId)) throw new AppError('NOT_FOUND');
  const rows = await ctx.db.select().from(messages).where(eq(messages.conversationId, conv.id)).orderBy(asc(messages.seq));
  const pick = (id: string | undefined, author: 'visitor' | 'agent', fallback: () => string | undefined) => {
    if (id) {
      const m = rows.find((r) => r.id === id && r.author === author && r.kind === 'text');
      if (!m) throw new AppError('NOT_FOUND');
      return m.body;
    }
    return fallback();
  };
  const question = pick(input.questionMessageId, 'visitor', () => conv.question || rows.find((r) => r.author === 'visitor')?.body);
  const answer = pick(input.answerMessageId, 'agent', () => rows.filter((r) => r.author === 'agent' && r.kind === 'text').at(-1)?.body);
  if (!question) throw new AppError('CONFLICT');
  if (input.entryId) {
    // The visitor's words become one more way of asking an entry that already answers it.
    const existing = await repo.findEntry(ctx.db, input.entryId);
    if (!existing || existing.siteId !== conv.siteId) throw new AppError('NOT_FOUND');
    const updated = await repo.updateEntry(ctx.db, existing.id, existing.siteId, { ...existing, variants: [...existing.variants, question.slice(0, 500)] }, ctx.clock());
    await ctx.faq.changed({ siteId: conv.siteId, kind: 'faq', id: updated.id });
    return updated;
  }
  if (!answer) throw new AppError('CONFLICT');
  // A new entry: the agent's reply is its answer, the visitor's words its first way of asking
  // (the question, which the agent can then reword in the editor, and a variant kept verbatim).
  const entry = await repo.insertEntry(
    ctx.db,
    conv.siteId,
    {
      question: question.slice(0, 500),
      variants: [question.slice(0, 500)],
      answer,
      language: input.language ?? (hasCjk(question) ? 'zh' : 'en'),
      tags: [],
      articleUrls: [],
    },
    ctx.clock(),
  );
  await ctx.faq.changed({ siteId: conv.siteId, kind: 'faq', id: entry.id });
  return entry;
}

/**
 * One worker thread for the demand view, started on first use and stopped when idle: grouping takes
 * seconds, and on the main thread every socket and request of this node would wait for it.
 * Requests queue in the worker (one at a time: the machine has few cores to spare).
 */
class DemandWorker {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (g: DemandGroupDTO[]) => void; reject: (err: Error) => void }>();
  private idle?: NodeJS.Timeout;

  group(rows: QuestionRow[]): Promise<DemandGroupDTO[]> {
    clearTimeout(this.idle);
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, rows } satisfies DemandRequest);
    });
  }

  private start(): Worker {
    const worker = new Worker(new URL('./demand.worker.mjs', import.meta.url), { workerData: { role: DEMAND_WORKER } });
    worker.unref();
    worker.on('message', (reply: DemandReply) => {
      const job = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) job?.reject(new Error(`demand grouping failed: ${reply.error}`));
      else job?.resolve(reply.groups);
      if (this.pending.size === 0) this.idle = setTimeout(() => void this.stop(worker), WORKER_IDLE_MS).unref();
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const job of this.pending.values()) job.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`demand worker exited with code ${code}`)));
    return worker;
  }

  private async stop(worker: Worker): Promise<void> {
    if (this.worker !== worker || this.pending.size > 0) return;
    this.worker = undefined;
    await worker.terminate();
  }
}

/** A worker started for nothing costs about a second; one kept forever holds tens of MB. */
const WORKER_IDLE_MS = 60_000;
const demandWorker = new DemandWorker();

/** The questions that most often reached a person, grouped by similarity: what to write next. */
export async function demand(ctx: Ctx, siteId: string, from: Date, to: Date): Promise<DemandGroupDTO[]> {
  const rows = await ctx.db
    .select({ text: questions.text, createdAt: questions.createdAt })
    .from(questions)
    .where(and(eq(questions.siteId, siteId), isNotNull(questions.escalatedAt), gte(questions.createdAt, from), lt(questions.createdAt, to)))
    .orderBy(desc(questions.createdAt))
    .limit(5000);
  return rows.length === 0 ? [] : demandWorker.group(rows);
}
