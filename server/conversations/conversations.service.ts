/**
 * The conversation rules: a visitor's question goes to the FAQ first and to a person when no
 * answer is confident; agents claim, reply and resolve. Writes happen in one transaction, then
 * the change is pushed to everyone concerned.
 */
import { and, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { VisitorMessageSend, AgentMessageSend } from '../../shared/schemas.ts';
import type { ConversationDTO, MessageDTO, MessageMeta, NoticeCode } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { holdVisitor } from '../visitors/visitors.service.ts';
import type { Db } from '../db/client.ts';
import { conversations, questions, type SessionAgent, type Conversation, type FaqEntry, type Message, type Site, type Visitor } from '../db/schema.ts';
import { AppError, isUniqueViolation } from '../errors.ts';
import type { Decision } from '../faq/engine/index.ts';
import * as repo from './conversations.repository.ts';
import { enforceLimits, LIMITS } from '../limits.ts';
import { pageUrlToStore } from '../sites/page-url.ts';
import type { ConversationChange } from '../realtime/realtime.ts';
import { messagesAfter, storeAgentText, storeVisitorText, type Stored } from './message-store.ts';
import { countFaqDecision, countStored } from '../ops/counters.ts';
import { priorOf, resumeForVisitor } from './lifecycle.service.ts';

/** What one `messages:sync` answers at most (clients ask again while a full page comes back). */
const SYNC_PAGE = 500;

export type New = { message: Message; authorName: string | null };

/** What a write produced, pushed to clients once the transaction has committed. */
export interface Outcome {
  conversationId: string;
  created: New[];
  /** Status and assignee before the write (null: the write created the conversation). */
  before: ConversationChange | null;
}

export const changeOf = (c: Conversation): ConversationChange => ({ status: c.status, assignedAgentId: c.assignedAgentId });

/** Reads the conversation as clients see it and pushes what the write created to those concerned; `except` is the sending socket. */
export async function publish(ctx: Ctx, outcome: Outcome, except?: string): Promise<ConversationDTO> {
  const conv = await repo.getConversationDTO(ctx.db, outcome.conversationId);
  if (!conv) throw new AppError('NOT_FOUND');
  countStored(outcome.created.map((n) => n.message.author));
  // The sender's own message (the one with a clientId) is in its ack; what the write added besides reaches it too.
  for (const n of outcome.created) ctx.realtime.messageCreated(conv, repo.toMessageDTO(n.message, n.authorName), n.message.clientId ? except : undefined);
  ctx.realtime.conversationUpdated(conv, outcome.before);
  return conv;
}

export const notice = (code: NoticeCode, extra: Omit<MessageMeta, 'notice'> = {}) => ({
  author: 'system' as const,
  kind: 'notice' as const,
  body: code,
  meta: { notice: code, ...extra },
});

/**
 * Marks a conversation as waiting for a person and tells the visitor what happens next. `online`
 * (whether an agent of the site is present) is asked before the transaction: across nodes it is a
 * request to the others, which must not hold the conversation's lock and a connection while it waits.
 */
export async function escalate(tx: Db, conv: Conversation, question: string, now: Date, created: New[], online: boolean): Promise<void> {
  await repo.updateConversation(tx, conv.id, {
    status: 'open',
    escalatedAt: conv.escalatedAt ?? now,
    question: conv.question ?? question.slice(0, 4000),
  });
  created.push({ message: await repo.appendMessage(tx, conv.id, notice(online ? 'waiting_for_agent' : 'no_agent_online'), now), authorName: null });
}

/**
 * What the FAQ's decision on a question comes to, with everything it needs from outside the
 * database: the entries (an entry removed since the decision is no answer), the articles to link and
 * whether an agent is online when a person takes over. Resolved before the transaction, which then
 * awaits nothing but its own statements (the articles are a worker thread's search, presence a
 * request to the other nodes).
 */
type Plan =
  | { kind: 'answer'; entry: FaqEntry; confidence: number }
  | { kind: 'suggest'; suggestions: { entryId: string; question: string }[]; confidence: number }
  | { kind: 'smalltalk'; code: NoticeCode; online?: boolean }
  | { kind: 'human'; links: { url: string; title: string }[]; online: boolean };

async function planAnswer(ctx: Ctx, site: Site, text: string, decision: Decision): Promise<Plan> {
  if (decision.kind === 'smalltalk') {
    const code: NoticeCode = decision.type === 'thanks' ? 'thanks' : decision.type === 'goodbye' ? 'goodbye' : decision.type === 'greeting' ? 'greeting' : 'dont_know';
    // Small talk that is not a pleasantry ("are you a robot?") is handed to a person.
    return decision.type === 'smalltalk' ? { kind: 'smalltalk', code, online: await ctx.realtime.agentsOnline(site.id) } : { kind: 'smalltalk', code };
  }
  if (decision.kind === 'answer') {
    const entry = await ctx.faq.entry(site.id, decision.hit.id);
    if (entry) return { kind: 'answer', entry, confidence: decision.hit.confidence };
  }
  if (decision.kind === 'suggest') {
    const suggestions = [];
    for (const h of decision.hits.slice(0, 3)) {
      const e = await ctx.faq.entry(site.id, h.id);
      if (e) suggestions.push({ entryId: e.id, question: e.question });
    }
    if (suggestions.length) return { kind: 'suggest', suggestions, confidence: decision.hits[0].confidence };
  }
  const [links, online] = await Promise.all([ctx.faq.articlesFor(site.id, text), ctx.realtime.agentsOnline(site.id)]);
  return { kind: 'human', links, online };
}

/** Stores the planned answer to a question the visitor asked while no person is in the conversation. */
async function answerQuestion(ctx: Ctx, tx: Db, site: Site, conv: Conversation, msg: Message, plan: Plan, now: Date, created: New[]) {
  const text = msg.body;
  countFaqDecision(plan.kind === 'human' ? 'none' : plan.kind);
  const asked = { siteId: site.id, conversationId: conv.id, messageId: msg.id, text, createdAt: now };
  if (plan.kind === 'smalltalk') {
    await tx.insert(questions).values({ ...asked, decision: 'smalltalk' });
    created.push({ message: await repo.appendMessage(tx, conv.id, notice(plan.code), now), authorName: null });
    if (plan.online !== undefined) await escalate(tx, conv, text, now, created, plan.online);
    return;
  }
  if (plan.kind === 'answer') {
    const { entry } = plan;
    const [q] = await tx
      .insert(questions)
      .values({ ...asked, decision: 'answer', entryId: entry.id, confidence: plan.confidence, answeredAt: now })
      .returning();
    const meta: MessageMeta = { questionId: q.id, entryId: entry.id, confidence: round(plan.confidence) };
    created.push({ message: await repo.appendMessage(tx, conv.id, { author: 'bot', kind: 'faq_answer', body: entry.answer, meta }, now), authorName: null });
    return;
  }
  if (plan.kind === 'suggest') {
    const [q] = await tx
      .insert(questions)
      .values({ ...asked, decision: 'suggest', confidence: plan.confidence })
      .returning();
    created.push({
      message: await repo.appendMessage(tx, conv.id, { author: 'bot', kind: 'faq_suggestions', body: '', meta: { questionId: q.id, suggestions: plan.suggestions } }, now),
      authorName: null,
    });
    return;
  }
  // No confident answer: a person takes over; meanwhile, articles that may help.
  await tx.insert(questions).values({ ...asked, decision: 'human', escalatedAt: now });
  if (plan.links.length) {
    created.push({ message: await repo.appendMessage(tx, conv.id, { author: 'bot', kind: 'articles', body: '', meta: { articles: plan.links } }, now), authorName: null });
  }
  await escalate(tx, conv, text, now, created, plan.online);
}

/** New conversations are limited per visitor and per IP (shared across nodes with Redis). */
export function limitNewConversations(ctx: Ctx, visitorId: string, ip: string): Promise<void> {
  return enforceLimits(ctx.limiter, [
    [`conv:v:${visitorId}`, LIMITS.conversationsPerVisitor],
    [`conv:ip:${ip}`, LIMITS.conversationsPerIp],
  ]);
}

/**
 * What a visitor adds to a conversation (a typed message, or an FAQ entry picked while typing, which
 * stores a question and an answer) is limited per visitor and per IP, shared across nodes with Redis.
 */
export function limitVisitorMessages(ctx: Ctx, visitorId: string, ip: string): Promise<void> {
  return enforceLimits(ctx.limiter, [
    [`msg:v:${visitorId}`, LIMITS.messagesPerVisitor],
    [`msg:ip:${ip}`, LIMITS.messagesPerIp],
  ]);
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The conversation a visitor (their socket's object) last wrote in: their next message takes that
 * conversation's lane of the group commit, as the agent's replies do. Only a hint: a stale one
 * costs nothing but the lane's guarantee against the rare deadlock, which the database breaks.
 */
const lastConversation = new WeakMap<Visitor, string>();

/** Pushes what the one-statement path stored: the rows it returned, nothing read again. */
function deliver(ctx: Ctx, stored: Extract<Stored, { kind: 'stored' }>, except?: string): void {
  countStored([stored.message.author]);
  ctx.realtime.messageCreated(stored.conversation, stored.message, except);
  ctx.realtime.conversationUpdated(stored.conversation, { status: stored.previousStatus, assignedAgentId: stored.conversation.assignedAgentId });
}

/**
 * Stores a visitor's message exactly once (a retry with the same clientId returns the stored one,
 * and pushes it again: the push after the first store may have been lost), then answers it from
 * the FAQ or hands it to a person.
 *
 * Round trips: when a person has the conversation (open or pending), one statement stores and
 * returns everything pushed (message-store.ts), committed together with the other messages of the
 * same turn of the event loop (db/group-commit.ts), and the FAQ is not consulted. Otherwise (first
 * message, the FAQ still answers, a snoozed ticket, or one resolved: reopened within the site's
 * window, else followed by a new one, lifecycle.service.ts) a short transaction: lock, append,
 * answer, commit, read.
 * `except` is the sending socket, which gets the message in its ack rather than as a push.
 */
export async function sendVisitorMessage(ctx: Ctx, site: Site, visitor: Visitor, input: VisitorMessageSend, ip = 'unknown', except?: string) {
  const now = ctx.clock();
  try {
    const fast = await storeVisitorText(ctx.store, lastConversation.get(visitor) ?? visitor.id, { visitorId: visitor.id, visitorName: visitor.name, tokenHash: visitor.tokenHash, clientId: input.clientId, body: input.body, now });
    if (fast.kind === 'stored') {
      lastConversation.set(visitor, fast.conversation.id);
      deliver(ctx, fast, except);
      return { message: fast.message, conversation: fast.conversation };
    }
    if (fast.kind === 'duplicate') {
      const stored = await repo.findMessage(ctx.db, fast.messageId);
      if (stored) return replay(ctx, stored, visitor.name);
    }
  } catch (err) {
    // Two sends of one message raced: fall through to the path below, which finds the stored one.
    if (!isUniqueViolation(err)) throw err;
  }
  const existing = await repo.findVisitorMessageByClientId(ctx.db, visitor.id, input.clientId);
  if (existing) return replay(ctx, existing, visitor.name);
  // Matching, and what its answer needs, done before the transaction so that it holds no lock while they run.
  const plan = await planAnswer(ctx, site, input.body, await ctx.faq.decide(site.id, input.body, site.faqThreshold));
  // Asked before too: the limits of a new conversation (Redis, with several nodes), who is ready to take a ticket back.
  const prior = await priorOf(ctx, site, visitor.id, now);
  if (prior.opens) await limitNewConversations(ctx, visitor.id, ip);
  let outcome: Outcome;
  try {
    outcome = await ctx.db.transaction(async (tx) => {
      const created: New[] = [];
      await holdVisitor(tx, visitor);
      const active = await repo.lockActiveConversation(tx, visitor.id);
      const before = active ? changeOf(active) : null;
      // Not on the hot path: a visitor with an open or pending ticket never comes here.
      const resumed = active?.status === 'bot' ? { conv: active, previousId: null } : await resumeForVisitor(tx, site, visitor.id, active, now, prior.ready);
      let conv = resumed.conv;
      // Read otherwise before the transaction (another tab's message meanwhile): counted here, rarely.
      if (!conv && !prior.opens) await limitNewConversations(ctx, visitor.id, ip);
      conv ??= await repo.insertConversation(tx, {
        siteId: site.id,
        visitorId: visitor.id,
        pageUrl: pageUrlToStore(site, input.pageUrl),
        pageTitle: input.pageTitle,
        previousConversationId: resumed.previousId,
        createdAt: now,
        updatedAt: now,
      });
      const msg = await repo.appendMessage(tx, conv.id, { author: 'visitor', kind: 'text', body: input.body, clientId: input.clientId }, now);
      created.push({ message: msg, authorName: visitor.name });
      if (resumed.reopened) created.push({ message: await repo.appendMessage(tx, conv.id, notice('reopened', resumed.agentName ? { agentName: resumed.agentName } : {}), now), authorName: null });
      if (conv.status === 'bot') await answerQuestion(ctx, tx, site, conv, msg, plan, now, created);
      else if (conv.status === 'pending') await repo.updateConversation(tx, conv.id, { status: 'open' });
      return { conversationId: conv.id, created, before: resumed.before ?? before };
    });
  } catch (err) {
    // Two sends of one message raced (two tabs, a retry): the other one stored it.
    if (isUniqueViolation(err)) {
      const stored = await repo.findVisitorMessageByClientId(ctx.db, visitor.id, input.clientId);
      if (stored) return replay(ctx, stored, visitor.name);
    }
    throw err;
  }
  lastConversation.set(visitor, outcome.conversationId);
  const conversation = await publish(ctx, outcome, except);
  return { message: repo.toMessageDTO(outcome.created[0].message, visitor.name), conversation };
}

/**
 * A retry of a message that is stored already: answered with the stored copy, and pushed again to
 * the conversation's participants, since the push that followed the first store may have been lost
 * (a database or Redis outage between commit and push). Clients merge by seq, so a second copy is harmless.
 */
async function replay(ctx: Ctx, message: Message, authorName: string | null) {
  const conversation = await repo.getConversationDTO(ctx.db, message.conversationId);
  if (!conversation) throw new AppError('NOT_FOUND');
  const dto = repo.toMessageDTO(message, authorName);
  ctx.realtime.messageCreated(conversation, dto);
  return { message: dto, conversation };
}

/** The question row of a visitor, with the conversation it belongs to, locked. */
async function lockQuestion(tx: Db, visitor: Visitor, questionId: string) {
  const [q] = await tx.select().from(questions).where(eq(questions.id, questionId)).for('update').limit(1);
  if (!q) throw new AppError('NOT_FOUND');
  const conv = await repo.lockConversation(tx, q.conversationId);
  if (!conv || conv.visitorId !== visitor.id) throw new AppError('NOT_FOUND');
  return { q, conv };
}

/** "This solved it" or "talk to a person" after an automatic answer or suggestions. */
export async function respondToFaq(ctx: Ctx, visitor: Visitor, questionId: string, action: 'solved' | 'human') {
  const now = ctx.clock();
  // Asked before the transaction (see escalate): the conversation is the visitor's, so of their site.
  const online = action === 'human' && (await ctx.realtime.agentsOnline(visitor.siteId));
  const outcome = await ctx.db.transaction(async (tx) => {
    const { q, conv } = await lockQuestion(tx, visitor, questionId);
    const created: New[] = [];
    if (q.outcome) return { conversationId: conv.id, created, before: changeOf(conv) };
    if (action === 'solved' && !q.answeredAt) throw new AppError('CONFLICT');
    await tx
      .update(questions)
      .set(action === 'solved' ? { outcome: 'solved' } : { outcome: 'human', escalatedAt: now })
      .where(eq(questions.id, q.id));
    await repo.setAnswerOutcome(tx, conv.id, q.id, action);
    if (action === 'solved') {
      created.push({ message: await repo.appendMessage(tx, conv.id, notice('solved_thanks'), now), authorName: null });
      return { conversationId: conv.id, created, before: changeOf(conv) };
    }
    if (conv.status === 'resolved') throw new AppError('CONVERSATION_CLOSED');
    const wasBot = conv.status === 'bot';
    if (wasBot) await escalate(tx, conv, q.text, now, created, online);
    // Escalated already: only the question changed, and the metrics rollup finds it by its conversation's updated_at.
    else await repo.updateConversation(tx, conv.id, { updatedAt: now });
    return { conversationId: conv.id, created, before: changeOf(conv) };
  });
  return { conversation: await publish(ctx, outcome) };
}


/** The visitor picked one of the "did you mean…?" choices: answer with that entry. */
export async function chooseSuggestion(ctx: Ctx, visitor: Visitor, questionId: string, entryId: string) {
  const now = ctx.clock();
  const outcome = await ctx.db.transaction(async (tx) => {
    const { q, conv } = await lockQuestion(tx, visitor, questionId);
    if (q.decision !== 'suggest' || q.answeredAt || q.outcome) throw new AppError('CONFLICT');
    const entry = await ctx.faq.entry(conv.siteId, entryId);
    if (!entry) throw new AppError('NOT_FOUND');
    await tx.update(questions).set({ entryId: entry.id, answeredAt: now }).where(eq(questions.id, q.id));
    const meta: MessageMeta = { questionId: q.id, entryId: entry.id };
    const message = await repo.appendMessage(tx, conv.id, { author: 'bot', kind: 'faq_answer', body: entry.answer, meta }, now);
    return { conversationId: conv.id, created: [{ message, authorName: null }], before: changeOf(conv) };
  });
  await publish(ctx, outcome);
  return { message: repo.toMessageDTO(outcome.created[0].message, null) };
}

/** "Talk to a person" without a question to point at. */
export async function escalateConversation(ctx: Ctx, visitor: Visitor, conversationId: string) {
  const now = ctx.clock();
  const online = await ctx.realtime.agentsOnline(visitor.siteId);
  const outcome = await ctx.db.transaction(async (tx) => {
    const conv = await repo.lockConversation(tx, conversationId);
    if (!conv || conv.visitorId !== visitor.id) throw new AppError('NOT_FOUND');
    if (conv.status === 'resolved') throw new AppError('CONVERSATION_CLOSED');
    const created: New[] = [];
    if (conv.status !== 'bot') return { conversationId: conv.id, created, before: changeOf(conv) };
    const [lastQ] = await tx.select().from(questions).where(and(eq(questions.conversationId, conv.id), isNull(questions.outcome))).orderBy(desc(questions.createdAt)).limit(1);
    if (lastQ) await tx.update(questions).set({ outcome: 'human', escalatedAt: now }).where(eq(questions.id, lastQ.id));
    await escalate(tx, conv, lastQ?.text ?? '', now, created, online);
    return { conversationId: conv.id, created, before: changeOf(conv) };
  });
  return { conversation: await publish(ctx, outcome) };
}

// ---- agents ----

async function lockTicketFor(tx: Db, agentSiteIds: string[], id: string) {
  const conv = await repo.lockConversation(tx, id);
  if (!conv || !agentSiteIds.includes(conv.siteId)) throw new AppError('NOT_FOUND');
  return conv;
}

export async function claim(ctx: Ctx, agent: SessionAgent, siteIds: string[], id: string): Promise<ConversationDTO> {
  const now = ctx.clock();
  const outcome = await ctx.db.transaction(async (tx) => {
    const conv = await repo.findConversation(tx, id);
    if (!conv || !siteIds.includes(conv.siteId)) throw new AppError('NOT_FOUND');
    if (conv.status === 'resolved' || conv.status === 'bot') throw new AppError('CONVERSATION_CLOSED');
    if (conv.assignedAgentId === agent.id) return { conversationId: id, created: [], before: changeOf(conv) };
    const won = await repo.claimConversation(tx, id, agent.id, now);
    if (!won) throw new AppError('ALREADY_CLAIMED');
    const message = await repo.appendMessage(tx, id, notice('agent_joined', { agentName: agent.name }), now);
    return { conversationId: id, created: [{ message, authorName: null }], before: changeOf(conv) };
  });
  return publish(ctx, outcome);
}

/** An agent's reply: stored once per clientId; replying to an unclaimed ticket claims it. */
/**
 * Round trips: in a ticket the agent already has, one statement (message-store.ts); otherwise
 * (claiming by replying, a retry, a refusal to explain) the transactional path below.
 */
export async function sendAgentMessage(ctx: Ctx, agent: SessionAgent, siteIds: string[], input: AgentMessageSend, except?: string): Promise<MessageDTO> {
  const now = ctx.clock();
  try {
    const fast = await storeAgentText(ctx.store, { ...input, agentId: agent.id, agentName: agent.name, siteIds, now });
    if (fast.kind === 'stored') {
      deliver(ctx, fast, except);
      return fast.message;
    }
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  const dup = await repo.findMessageByClientId(ctx.db, input.conversationId, input.clientId);
  if (dup) {
    // The site before the duplicate: an agent of another site must not learn that the message exists.
    const conv = await repo.findConversation(ctx.db, input.conversationId);
    if (!conv || !siteIds.includes(conv.siteId)) throw new AppError('NOT_FOUND');
    if (dup.agentId !== agent.id) throw new AppError('CONFLICT');
    return (await replay(ctx, dup, agent.name)).message;
  }
  let outcome: Outcome;
  try {
    outcome = await ctx.db.transaction(async (tx) => {
      const conv = await lockTicketFor(tx, siteIds, input.conversationId);
      if (conv.status === 'resolved') throw new AppError('CONVERSATION_CLOSED');
      if (conv.assignedAgentId && conv.assignedAgentId !== agent.id) throw new AppError('ALREADY_CLAIMED');
      const created: New[] = [];
      if (!conv.assignedAgentId) {
        created.push({ message: await repo.appendMessage(tx, conv.id, notice('agent_joined', { agentName: agent.name }), now), authorName: null });
      }
      const message = await repo.appendMessage(tx, conv.id, { author: 'agent', agentId: agent.id, kind: 'text', body: input.body, clientId: input.clientId }, now);
      created.push({ message, authorName: agent.name });
      await repo.updateConversation(tx, conv.id, {
        status: 'pending',
        assignedAgentId: agent.id,
        escalatedAt: conv.escalatedAt ?? now,
        firstResponseAt: conv.firstResponseAt ?? now,
      });
      return { conversationId: conv.id, created, before: changeOf(conv) };
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      const stored = await repo.findMessageByClientId(ctx.db, input.conversationId, input.clientId);
      if (stored) return (await replay(ctx, stored, agent.name)).message;
    }
    throw err;
  }
  await publish(ctx, outcome, except);
  return repo.toMessageDTO(outcome.created.at(-1)!.message, agent.name);
}

export async function resolve(ctx: Ctx, agent: SessionAgent, siteIds: string[], id: string): Promise<ConversationDTO> {
  const now = ctx.clock();
  const outcome = await ctx.db.transaction(async (tx) => {
    const conv = await lockTicketFor(tx, siteIds, id);
    if (conv.status === 'resolved') return { conversationId: id, created: [], before: changeOf(conv) };
    if (conv.assignedAgentId && conv.assignedAgentId !== agent.id && agent.role !== 'admin') throw new AppError('ALREADY_CLAIMED');
    await repo.updateConversation(tx, id, { status: 'resolved', resolvedAt: now, assignedAgentId: conv.assignedAgentId ?? agent.id });
    const message = await repo.appendMessage(tx, id, notice('resolved', { agentName: agent.name }), now);
    return { conversationId: id, created: [{ message, authorName: null }], before: changeOf(conv) };
  });
  return publish(ctx, outcome);
}

/** Waiting (escalated, unclaimed) tickets of the agent's sites, and the agent's own unresolved ones (snoozed included). */
export async function queue(ctx: Ctx, agent: SessionAgent, siteIds: string[]) {
  if (!siteIds.length) return { waiting: [], mine: [] };
  const sites = inArray(conversations.siteId, siteIds);
  const [waiting, mine] = await Promise.all([
    repo.selectConversations(ctx.db, and(sites, inArray(conversations.status, ['open', 'pending']), isNull(conversations.assignedAgentId))),
    repo.selectConversations(ctx.db, and(sites, inArray(conversations.status, ['open', 'pending', 'snoozed']), eq(conversations.assignedAgentId, agent.id))),
  ]);
  return { waiting, mine };
}

export async function listTickets(ctx: Ctx, siteIds: string[], status?: Conversation['status'], label?: string) {
  if (!siteIds.length) return [];
  const where = and(
    inArray(conversations.siteId, siteIds),
    status ? eq(conversations.status, status) : or(inArray(conversations.status, ['open', 'pending', 'snoozed', 'resolved'])),
    label ? sql`${conversations.labels} @> ${JSON.stringify([label])}::jsonb` : undefined,
  );
  return repo.selectConversations(ctx.db, where, 'newest', 200);
}

export async function openForAgent(ctx: Ctx, siteIds: string[], id: string) {
  const conversation = await repo.getConversationDTO(ctx.db, id);
  if (!conversation || !siteIds.includes(conversation.siteId)) throw new AppError('NOT_FOUND');
  return { conversation, messages: await repo.latestMessages(ctx.db, id, 500) };
}

/** What an agent's console missed: one round trip (message-store.ts messagesAfter). */
export async function syncForAgent(ctx: Ctx, siteIds: string[], id: string, afterSeq: number) {
  const messages = await messagesAfter(ctx.raw, { conversationId: id, afterSeq, siteIds, limit: SYNC_PAGE });
  if (!messages) throw new AppError('NOT_FOUND');
  return messages;
}

/** What a visitor's widget missed: one round trip. */
export async function syncForVisitor(ctx: Ctx, visitor: Visitor, id: string, afterSeq: number) {
  const messages = await messagesAfter(ctx.raw, { conversationId: id, afterSeq, visitorId: visitor.id, limit: SYNC_PAGE });
  if (!messages) throw new AppError('NOT_FOUND');
  return messages;
}
