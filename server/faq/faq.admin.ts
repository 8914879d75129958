/** FAQ work beyond CRUD: bulk import, an entry from a resolved conversation, and the demand view. */
import { and, asc, desc, eq, gte, isNotNull, lt } from 'drizzle-orm';
import type { z } from 'zod';
import type { FaqEntryInput, FaqFromConversation } from '../../shared/schemas.ts';
import type { DemandGroupDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { conversations, messages, questions, type FaqEntry } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { AgentContext } from '../agents/agents.service.ts';
import { FaqIndex } from './engine/index.ts';
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

/** Similar questions merge into one group when the matcher is this sure they ask the same thing. */
const SAME_QUESTION = 0.5;

/** The questions that most often reached a person, grouped by similarity: what to write next. */
export async function demand(ctx: Ctx, siteId: string, from: Date, to: Date): Promise<DemandGroupDTO[]> {
  const rows = await ctx.db
    .select({ text: questions.text, createdAt: questions.createdAt })
    .from(questions)
    .where(and(eq(questions.siteId, siteId), isNotNull(questions.escalatedAt), gte(questions.createdAt, from), lt(questions.createdAt, to)))
    .orderBy(desc(questions.createdAt))
    .limit(5000);
  const index = new FaqIndex();
  const groups = new Map<string, { texts: string[]; last: Date }>();
  for (const row of rows) {
    const text = row.text.trim();
    if (!text) continue;
    const [hit] = index.search(text, 1);
    const group = hit && hit.confidence >= SAME_QUESTION ? groups.get(hit.id) : undefined;
    if (group) {
      group.texts.push(text);
      if (row.createdAt > group.last) group.last = row.createdAt;
      continue;
    }
    const id = String(groups.size);
    groups.set(id, { texts: [text], last: row.createdAt });
    index.upsert({ id, question: text, variants: [], language: hasCjk(text) ? 'zh' : 'en' });
  }
  return [...groups.values()]
    .sort((a, b) => b.texts.length - a.texts.length || b.last.getTime() - a.last.getTime())
    .slice(0, 50)
    .map((g) => ({ question: g.texts[g.texts.length - 1], count: g.texts.length, examples: [...new Set(g.texts)].slice(0, 5), lastAskedAt: g.last.toISOString() }));
}

