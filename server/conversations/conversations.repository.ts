/** SQL for conversations and their messages. Every function takes the db (or a transaction) first. */
import { and, asc, desc, eq, gt, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { ConversationDTO, MessageDTO } from '../../shared/types.ts';
import type { Db } from '../db/client.ts';
import { agents, conversations, messageColumns, messages, visitors, type Conversation, type Message } from '../db/schema.ts';
import { searchKeys } from '../search/search-keys.ts';

const assignee = alias(agents, 'assignee');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Conversations as the clients see them, with the visitor's and the assigned agent's names. */
export async function selectConversations(db: Db, where: SQL | undefined, order: 'oldest' | 'newest' = 'oldest', limit = 200): Promise<ConversationDTO[]> {
  const rows = await db
    .select({ c: conversations, visitorName: visitors.name, visitorEmail: visitors.email, agentName: assignee.name })
    .from(conversations)
    .innerJoin(visitors, eq(visitors.id, conversations.visitorId))
    .leftJoin(assignee, eq(assignee.id, conversations.assignedAgentId))
    .where(where)
    .orderBy(order === 'oldest' ? asc(sql`coalesce(${conversations.escalatedAt}, ${conversations.createdAt})`) : desc(conversations.updatedAt))
    .limit(limit);
  return rows.map((r) => toConversationDTO(r.c, r.visitorName, r.visitorEmail, r.agentName));
}

export async function getConversationDTO(db: Db, id: string): Promise<ConversationDTO | undefined> {
  const [dto] = await selectConversations(db, eq(conversations.id, id), 'oldest', 1);
  return dto;
}

export function toConversationDTO(c: Conversation, visitorName: string | null, visitorEmail: string | null, agentName: string | null): ConversationDTO {
  return {
    id: c.id,
    siteId: c.siteId,
    status: c.status,
    visitorId: c.visitorId,
    visitorName,
    visitorEmail,
    assignedAgentId: c.assignedAgentId,
    assignedAgentName: agentName,
    pageUrl: c.pageUrl,
    pageTitle: c.pageTitle,
    question: c.question,
    lastSeq: c.lastSeq,
    createdAt: c.createdAt.toISOString(),
    escalatedAt: iso(c.escalatedAt),
    firstResponseAt: iso(c.firstResponseAt),
    resolvedAt: iso(c.resolvedAt),
    updatedAt: c.updatedAt.toISOString(),
    csat: c.csatRating === null ? null : { rating: c.csatRating, comment: c.csatComment, at: iso(c.csatAt)! },
    labels: c.labels,
    reopenedAt: iso(c.reopenedAt),
    snoozedUntil: iso(c.snoozedUntil),
    previousConversationId: c.previousConversationId,
    visitorReadSeq: c.visitorReadSeq,
    agentReadSeq: c.agentReadSeq,
  };
}

export function toMessageDTO(m: Message, authorName: string | null): MessageDTO {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    author: m.author,
    authorName,
    body: m.body,
    kind: m.kind,
    clientId: m.clientId,
    meta: m.meta,
    createdAt: m.createdAt.toISOString(),
  };
}

export async function findConversation(db: Db, id: string): Promise<Conversation | undefined> {
  const [row] = await db.select().from(conversations).where(eq(conversations.id, id)).limit(1);
  return row;
}

/** The visitor's unresolved conversation, locked for the rest of the transaction. */
export async function lockActiveConversation(db: Db, visitorId: string): Promise<Conversation | undefined> {
  const [row] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.visitorId, visitorId), ne(conversations.status, 'resolved')))
    .for('update')
    .limit(1);
  return row;
}

export async function lockConversation(db: Db, id: string): Promise<Conversation | undefined> {
  const [row] = await db.select().from(conversations).where(eq(conversations.id, id)).for('update').limit(1);
  return row;
}

export async function insertConversation(db: Db, values: typeof conversations.$inferInsert): Promise<Conversation> {
  const [row] = await db.insert(conversations).values(values).returning();
  return row;
}

export async function updateConversation(db: Db, id: string, set: Partial<typeof conversations.$inferInsert>, extra?: SQL): Promise<Conversation | undefined> {
  const [row] = await db
    .update(conversations)
    .set(set)
    .where(extra ? and(eq(conversations.id, id), extra) : eq(conversations.id, id))
    .returning();
  return row;
}

/** Claims an unassigned ticket: a conditional update, so of two agents (on any nodes) one wins. */
export async function claimConversation(db: Db, id: string, agentId: string, now: Date): Promise<Conversation | undefined> {
  return updateConversation(
    db,
    id,
    { assignedAgentId: agentId, updatedAt: now },
    and(isNull(conversations.assignedAgentId), inArray(conversations.status, ['open', 'pending'])),
  );
}

/** Appends a message with the conversation's next seq (the row update serialises writers). */
export async function appendMessage(
  db: Db,
  conversationId: string,
  values: Omit<typeof messages.$inferInsert, 'conversationId' | 'seq' | 'searchKeys'>,
  now: Date,
): Promise<Message> {
  const [c] = await db
    .update(conversations)
    .set({ lastSeq: sql`${conversations.lastSeq} + 1`, updatedAt: now })
    .where(eq(conversations.id, conversationId))
    .returning({ seq: conversations.lastSeq });
  const [m] = await db.insert(messages).values({ ...values, conversationId, seq: c.seq, searchKeys: searchKeys(values.body), createdAt: now }).returning(messageColumns);
  return m;
}

export async function findMessage(db: Db, id: string): Promise<Message | undefined> {
  const [row] = await db.select(messageColumns).from(messages).where(eq(messages.id, id)).limit(1);
  return row;
}

/** A visitor's message by the id their widget gave it, in any of their conversations. */
export async function findVisitorMessageByClientId(db: Db, visitorId: string, clientId: string): Promise<Message | undefined> {
  const [row] = await db
    .select({ m: messageColumns })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(conversations.visitorId, visitorId), eq(messages.clientId, clientId), eq(messages.author, 'visitor')))
    .limit(1);
  return row?.m;
}

export async function findMessageByClientId(db: Db, conversationId: string, clientId: string): Promise<Message | undefined> {
  const [row] = await db
    .select(messageColumns)
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.clientId, clientId)))
    .limit(1);
  return row;
}

/** Records the user's reaction on the automatic answer (or suggestions) of one question, in one UPDATE. */
export async function setAnswerOutcome(db: Db, conversationId: string, questionId: string, outcome: 'solved' | 'human'): Promise<void> {
  await db
    .update(messages)
    .set({ meta: sql`${messages.meta} || ${JSON.stringify({ outcome })}::jsonb` })
    .where(
      and(
        eq(messages.conversationId, conversationId),
        inArray(messages.kind, ['faq_answer', 'faq_suggestions']),
        sql`${messages.meta}->>'questionId' = ${questionId}`,
      ),
    );
}

/** Messages after a seq, in order, with agents' names. */
export async function listMessages(db: Db, conversationId: string, afterSeq = 0, limit = 500): Promise<MessageDTO[]> {
  // seq is an int4: a client's afterSeq beyond its range means "after everything", not a query error.
  const after = Math.min(afterSeq, 2 ** 31 - 1);
  const rows = await db
    .select({ m: messageColumns, agentName: agents.name })
    .from(messages)
    .leftJoin(agents, eq(agents.id, messages.agentId))
    .where(and(eq(messages.conversationId, conversationId), gt(messages.seq, after)))
    .orderBy(asc(messages.seq))
    .limit(limit);
  return rows.map((r) => toMessageDTO(r.m, r.agentName));
}

/** The last `limit` messages, in order. */
export async function latestMessages(db: Db, conversationId: string, limit = 200): Promise<MessageDTO[]> {
  const [c] = await db.select({ lastSeq: conversations.lastSeq }).from(conversations).where(eq(conversations.id, conversationId));
  return listMessages(db, conversationId, Math.max(0, (c?.lastSeq ?? 0) - limit), limit);
}
