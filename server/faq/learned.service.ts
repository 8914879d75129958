/**
 * Learning from agents: the entries closest to a visitor's question (agent assist), and the visitor's
 * question kept as a learned variant of the entry an agent answered with. Variants are masked
 * (mask.ts) before they are stored, count at once on every node (faq.service.ts re-indexes the entry
 * and tells the others), or wait for an agent's approval when the site asks for review.
 */
import { and, asc, desc, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { FaqAssist, FaqLearn } from '../../shared/schemas.ts';
import type { FaqAssistDTO, LearnedVariantDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { conversations, messageColumns, messages, type Conversation, type Message } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { AgentContext } from '../agents/agents.service.ts';
import { LIMITS } from '../limits.ts';
import { maskedExcerpt } from './mask.ts';
import * as repo from './faq.repository.ts';
import * as learned from './learned.repository.ts';

/** Entries offered to the agent. */
const ASSIST_HITS = 3;

async function conversationFor(ctx: Ctx, auth: AgentContext, id: string): Promise<Conversation> {
  const [conv] = await ctx.db.select().from(conversations).where(eq(conversations.id, id)).limit(1);
  if (!conv || !auth.siteIds.includes(conv.siteId)) throw new AppError('NOT_FOUND');
  return conv;
}

/** A visitor's text message of the conversation: the one named, else the last (or first) one. */
async function visitorMessage(ctx: Ctx, convId: string, opts: { id?: string; last?: boolean }): Promise<Message | undefined> {
  const [m] = await ctx.db
    .select(messageColumns)
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, convId),
        eq(messages.author, 'visitor'),
        eq(messages.kind, 'text'),
        opts.id ? eq(messages.id, opts.id) : undefined,
      ),
    )
    .orderBy(opts.last ? desc(messages.seq) : asc(messages.seq))
    .limit(1);
  if (opts.id && !m) throw new AppError('NOT_FOUND');
  return m;
}

/** The published entries closest to the visitor's last question (or to what the agent typed), with confidence. */
export async function assist(ctx: Ctx, auth: AgentContext, input: z.infer<typeof FaqAssist>): Promise<FaqAssistDTO> {
  const wait = await ctx.limiter.hit(`faq-assist:${auth.agent.id}`, LIMITS.faqAssistPerAgent.limit, LIMITS.faqAssistPerAgent.windowMs);
  if (wait) throw new AppError('RATE_LIMITED', wait);
  const conv = await conversationFor(ctx, auth, input.conversationId);
  const asked = input.text ? undefined : await visitorMessage(ctx, conv.id, { last: true });
  const question = input.text ?? asked?.body ?? null;
  if (!question) return { question: null, questionMessageId: null, hits: [] };
  const hits = await ctx.faq.closest(conv.siteId, question, ASSIST_HITS);
  return {
    question,
    questionMessageId: asked?.id ?? null,
    hits: hits.map((h) => ({ entryId: h.entry.id, question: h.entry.question, answer: h.entry.answer, confidence: h.confidence })),
  };
}

/**
 * Keeps the visitor's question, masked, as a learned variant of an entry: after an agent replied with
 * the entry's answer (assist), or said "this was FAQ X" (marked). Learning the same words twice keeps one.
 */
export async function learn(ctx: Ctx, auth: AgentContext, input: z.infer<typeof FaqLearn>): Promise<LearnedVariantDTO> {
  const conv = await conversationFor(ctx, auth, input.conversationId);
  const entry = await repo.findEntry(ctx.db, input.entryId);
  if (!entry || entry.siteId !== conv.siteId) throw new AppError('NOT_FOUND');
  const message = await visitorMessage(ctx, conv.id, { id: input.questionMessageId, last: input.source === 'assist' });
  const asked = input.questionMessageId || input.source === 'assist' ? message?.body : (conv.question ?? message?.body);
  const text = asked ? maskedExcerpt(asked, 500) : '';
  // Nothing left once masked (a bare phone number): no way of asking to learn.
  if (!/[\p{L}\p{N}]/u.test(text)) throw new AppError('CONFLICT');
  const known = await learned.findLearnedText(ctx.db, entry.id, text);
  if (known) return learned.toLearnedDTO(known);
  const site = await ctx.sites.get(conv.siteId);
  const row = await learned.insertLearned(ctx.db, {
    siteId: conv.siteId,
    entryId: entry.id,
    text,
    source: input.source,
    status: site?.faqReviewLearned ? 'pending' : 'active',
    conversationId: conv.id,
    agentId: auth.agent.id,
    createdAt: ctx.clock(),
  });
  if (row.status === 'active') await ctx.faq.changed({ siteId: conv.siteId, kind: 'faq', id: entry.id });
  return learned.toLearnedDTO({ ...row, agentName: auth.agent.name });
}

async function learnedFor(ctx: Ctx, auth: AgentContext, id: string) {
  const row = await learned.findLearned(ctx.db, id);
  if (!row || !auth.siteIds.includes(row.siteId)) throw new AppError('NOT_FOUND');
  return row;
}

/** An agent approves a pending variant: the matcher uses it from now on. */
export async function approve(ctx: Ctx, auth: AgentContext, id: string): Promise<LearnedVariantDTO> {
  const row = await learnedFor(ctx, auth, id);
  if (row.status !== 'active') {
    await learned.activateLearned(ctx.db, id);
    await ctx.faq.changed({ siteId: row.siteId, kind: 'faq', id: row.entryId });
  }
  return learned.toLearnedDTO({ ...row, status: 'active' });
}

/** Removes a learned variant; the matcher forgets it at once. */
export async function remove(ctx: Ctx, auth: AgentContext, id: string): Promise<void> {
  const row = await learnedFor(ctx, auth, id);
  await learned.deleteLearned(ctx.db, id);
  if (row.status === 'active') await ctx.faq.changed({ siteId: row.siteId, kind: 'faq', id: row.entryId });
}
