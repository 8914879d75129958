/**
 * The hot path: a message stored in a conversation a person already has, in ONE statement and one
 * round trip, shared with the other messages of its group (db/group-commit.ts). The statement checks for a stored copy (a retry with the same clientId), takes the
 * next seq by updating the conversation row (the row lock orders concurrent writers), inserts the
 * message and returns both rows with the names clients show, so nothing is read again to push it.
 * Anything it does not cover (no conversation yet, FAQ still answering, resolved, someone else's
 * ticket) returns no row and the caller takes the transactional path in conversations.service.ts.
 *
 * A duplicate that races past the check (two tabs sending one outbox item at once) fails the whole
 * statement on the (conversation, client_id) unique index: no seq is consumed, the caller replays.
 */
import type { ConversationDTO, ConversationStatus, MessageDTO } from '../../shared/types.ts';
import type { GroupedStore } from '../db/group-commit.ts';
import type { RawQuery } from '../db/raw.ts';
import { searchKeys } from '../search/search-keys.ts';

/**
 * A timestamp as epoch milliseconds (float8): both drivers return a number, whatever text format
 * or parser the driver under drizzle is set up with (drizzle's postgres-js setup keeps timestamps as text).
 */
const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

/** Columns of a conversation as ConversationDTO names them, from alias `c` (+ visitor `v`, agent `a`). */
const CONVERSATION_COLUMNS = `
  c.id AS "c_id", c.site_id AS "c_siteId", c.status AS "c_status", c.visitor_id AS "c_visitorId",
  v.name AS "c_visitorName", v.email AS "c_visitorEmail", c.assigned_agent_id AS "c_assignedAgentId",
  a.name AS "c_assignedAgentName", c.page_url AS "c_pageUrl", c.page_title AS "c_pageTitle", c.question AS "c_question",
  c.last_seq AS "c_lastSeq", ${ms('c.created_at')} AS "c_createdAt", ${ms('c.escalated_at')} AS "c_escalatedAt",
  ${ms('c.first_response_at')} AS "c_firstResponseAt", ${ms('c.resolved_at')} AS "c_resolvedAt", ${ms('c.updated_at')} AS "c_updatedAt",
  c.csat_rating AS "c_csatRating", c.csat_comment AS "c_csatComment", ${ms('c.csat_at')} AS "c_csatAt", c.labels AS "c_labels",
  ${ms('c.reopened_at')} AS "c_reopenedAt", ${ms('c.snoozed_until')} AS "c_snoozedUntil", c.previous_conversation_id AS "c_previousConversationId",
  c.visitor_read_seq AS "c_visitorReadSeq", c.agent_read_seq AS "c_agentReadSeq"`;

const MESSAGE_COLUMNS = `
  m.id AS "m_id", m.conversation_id AS "m_conversationId", m.seq AS "m_seq", m.author AS "m_author",
  m.body AS "m_body", m.kind AS "m_kind", m.client_id AS "m_clientId", m.meta AS "m_meta", ${ms('m.created_at')} AS "m_createdAt"`;

/**
 * The end of both store statements: one row per input `i`, with the message and conversation
 * stored (the CTEs `m` and `c`), or only the id of a stored copy (`dup`), or neither (not a case
 * for them).
 */
const STORED = `
SELECT input.i AS "i", ${MESSAGE_COLUMNS}, ${CONVERSATION_COLUMNS}, c.prev_status, dup.id AS dup_id
FROM input JOIN dup ON dup.i = input.i
LEFT JOIN c ON c.i = input.i LEFT JOIN m ON m.conversation_id = c.id
LEFT JOIN visitors v ON v.id = c.visitor_id LEFT JOIN agents a ON a.id = c.assigned_agent_id`;

type Row = Record<string, unknown>;

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

function conversationOf(r: Row): ConversationDTO {
  return {
    id: r.c_id as string,
    siteId: r.c_siteId as string,
    status: r.c_status as ConversationStatus,
    visitorId: r.c_visitorId as string,
    visitorName: (r.c_visitorName as string | null) ?? null,
    visitorEmail: (r.c_visitorEmail as string | null) ?? null,
    assignedAgentId: (r.c_assignedAgentId as string | null) ?? null,
    assignedAgentName: (r.c_assignedAgentName as string | null) ?? null,
    pageUrl: (r.c_pageUrl as string | null) ?? null,
    pageTitle: (r.c_pageTitle as string | null) ?? null,
    question: (r.c_question as string | null) ?? null,
    lastSeq: Number(r.c_lastSeq),
    createdAt: iso(r.c_createdAt)!,
    escalatedAt: iso(r.c_escalatedAt),
    firstResponseAt: iso(r.c_firstResponseAt),
    resolvedAt: iso(r.c_resolvedAt),
    updatedAt: iso(r.c_updatedAt)!,
    csat: r.c_csatRating == null ? null : { rating: Number(r.c_csatRating), comment: (r.c_csatComment as string | null) ?? null, at: iso(r.c_csatAt)! },
    labels: (r.c_labels as string[] | null) ?? [],
    reopenedAt: iso(r.c_reopenedAt),
    snoozedUntil: iso(r.c_snoozedUntil),
    previousConversationId: (r.c_previousConversationId as string | null) ?? null,
    visitorReadSeq: Number(r.c_visitorReadSeq),
    agentReadSeq: Number(r.c_agentReadSeq),
  };
}

function messageOf(r: Row, authorName: string | null): MessageDTO {
  return {
    id: r.m_id as string,
    conversationId: r.m_conversationId as string,
    seq: Number(r.m_seq),
    author: r.m_author as MessageDTO['author'],
    authorName,
    body: r.m_body as string,
    kind: r.m_kind as MessageDTO['kind'],
    clientId: (r.m_clientId as string | null) ?? null,
    meta: (typeof r.m_meta === 'string' ? JSON.parse(r.m_meta) : r.m_meta) ?? {},
    createdAt: iso(r.m_createdAt)!,
  };
}

export type Stored =
  | { kind: 'stored'; message: MessageDTO; conversation: ConversationDTO; previousStatus: ConversationStatus }
  /** A message with this clientId is stored already: its id, for a replay. */
  | { kind: 'duplicate'; messageId: string }
  /** Not a case for the one-statement path. */
  | { kind: 'other' };

function outcome(r: Row | undefined, authorName: string | null): Stored {
  if (!r) return { kind: 'other' };
  if (r.m_id) return { kind: 'stored', message: messageOf(r, authorName), conversation: conversationOf(r), previousStatus: r.prev_status as ConversationStatus };
  if (r.dup_id) return { kind: 'duplicate', messageId: r.dup_id as string };
  return { kind: 'other' };
}

/**
 * Visitors' texts and agents' replies, in one statement for a whole group (db/group-commit.ts), at
 * most one input per visitor and per conversation. One statement for both kinds, not one each: a
 * group of both (most groups, since replies follow questions) was a transaction of four statements
 * and three round trips (BEGIN; the two, pipelined; COMMIT), each a socket write and a wake-up of the
 * database's backend, 150 µs more of this thread's CPU per group and 50 of the backend's than one
 * statement, measured alone (2026-12-03, postgres.js on this machine). In bench:relay the CPU per
 * message came out the same within the noise: at 3,200 msg/s a group holds 7-10 messages, so the
 * saving is a few µs a message. Kept for the fewer statements and commits (a third fewer).
 *
 * A visitor's text is stored only while the visitor row still has the token hash the socket knew it
 * by (a primary-key lookup): an erase replaces it, and a text still on its way after the erase returns
 * no row here, so the transactional path refuses it (visitors.service.ts holdVisitor).
 *
 * An input with `agent_id` is an agent's reply, in a ticket assigned to that agent, of one of their
 * sites (`site_ids`): the ticket becomes pending (waiting for the visitor); the first reply sets
 * first_response_at. Without, it is a visitor's text, in the visitor's unresolved conversation that
 * is with (or waiting for) a person: a visitor writing after the agent's reply moves the ticket from
 * pending to open.
 *
 * Every row is reached through an index, whatever the tables held when a connection planned the
 * statement: a prepared statement keeps its generic plan for the connection's life (until an
 * ANALYZE), and one planned while the tables were small chose sequential scans, then paid for on
 * every message. Joined plainly, the visitor's retry check read every stored message and the update
 * every open conversation: in bench:relay's one-site scenario, the first on a fresh database, 6 of the
 * 10 connections did so, reading 1,400-2,400 message rows per visitor message with 2,000 stored.
 * Hence the visitor's check asks each of the visitor's conversations for the clientId (LATERAL: by
 * the (conversation, client_id) index, as the agent's check does), the visitor's conversation is
 * found by the partial index of their unresolved one, and the update reaches each row by its id.
 * test/integration/store-plans.test.ts holds the plan to it.
 *
 * A visitor's text and a reply in the same conversation never share a statement when the group
 * commit knows the visitor's conversation (its lane key). When it does not (a visitor's first text on
 * this node), the update takes one of the two and the other returns no row: the caller's
 * transactional path stores it.
 */
const SEND = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::text::jsonb)
    AS t(i int, visitor_id uuid, token_hash text, conversation_id uuid, agent_id uuid, site_ids jsonb, client_id text, body text, search_keys int4[], at timestamptz)
), dup AS (
  SELECT input.i, CASE WHEN input.agent_id IS NULL THEN (
    SELECT d.id FROM conversations dc CROSS JOIN LATERAL (
      SELECT d.id FROM messages d WHERE d.conversation_id = dc.id AND d.client_id = input.client_id AND d.author = 'visitor' LIMIT 1
    ) d WHERE dc.visitor_id = input.visitor_id LIMIT 1
  ) ELSE (
    SELECT d.id FROM messages d WHERE d.conversation_id = input.conversation_id AND d.client_id = input.client_id AND d.agent_id = input.agent_id LIMIT 1
  ) END AS id FROM input
), cur AS (
  SELECT dup.i, x.id, x.status FROM dup JOIN input ON input.i = dup.i JOIN conversations x ON x.id = coalesce(
    input.conversation_id,
    (SELECT y.id FROM conversations y WHERE y.visitor_id = input.visitor_id AND y.status IN ('open', 'pending'))
  )
  WHERE dup.id IS NULL
), c AS (
  UPDATE conversations u SET last_seq = u.last_seq + 1, updated_at = input.at,
    status = CASE WHEN input.agent_id IS NULL THEN 'open' ELSE 'pending' END,
    first_response_at = CASE WHEN input.agent_id IS NULL THEN u.first_response_at ELSE coalesce(u.first_response_at, input.at) END,
    escalated_at = CASE WHEN input.agent_id IS NULL THEN u.escalated_at ELSE coalesce(u.escalated_at, input.at) END
  FROM cur JOIN input ON input.i = cur.i
  WHERE u.id = cur.id AND u.status IN ('open', 'pending') AND CASE WHEN input.agent_id IS NULL THEN u.visitor_id = input.visitor_id
      AND (SELECT v.token_hash FROM visitors v WHERE v.id = input.visitor_id LIMIT 1) = input.token_hash
    ELSE u.assigned_agent_id = input.agent_id AND input.site_ids ? u.site_id END
  RETURNING u.*, cur.status AS prev_status, input.i, input.agent_id AS in_agent_id, input.body AS in_body, input.search_keys AS in_search_keys, input.client_id AS in_client_id, input.at AS in_at
), m AS (
  INSERT INTO messages (conversation_id, seq, author, agent_id, kind, body, search_keys, client_id, created_at)
  SELECT c.id, c.last_seq, CASE WHEN c.in_agent_id IS NULL THEN 'visitor' ELSE 'agent' END, c.in_agent_id, 'text', c.in_body, c.in_search_keys, c.in_client_id, c.in_at FROM c
  RETURNING *
)
${STORED}`;

export async function storeVisitorText(
  store: GroupedStore,
  /** The visitor's conversation when known (the lane its agent's replies take), else the visitor. */
  laneKey: string,
  input: { visitorId: string; visitorName: string | null; tokenHash: string; clientId: string; body: string; now: Date },
): Promise<Stored> {
  const row = await store<Row>(
    SEND,
    input.visitorId,
    {
      visitor_id: input.visitorId,
      token_hash: input.tokenHash,
      client_id: input.clientId,
      body: input.body,
      search_keys: searchKeys(input.body),
      at: input.now.toISOString(),
    },
    laneKey,
  );
  return outcome(row, input.visitorName);
}

export async function storeAgentText(
  store: GroupedStore,
  input: { conversationId: string; agentId: string; agentName: string; siteIds: string[]; clientId: string; body: string; now: Date },
): Promise<Stored> {
  const row = await store<Row>(SEND, input.conversationId, {
    conversation_id: input.conversationId,
    agent_id: input.agentId,
    site_ids: input.siteIds,
    client_id: input.clientId,
    body: input.body,
    search_keys: searchKeys(input.body),
    at: input.now.toISOString(),
  });
  return outcome(row, input.agentName);
}

/**
 * `messages:sync` in one round trip: the messages after a seq, if the conversation is the visitor's
 * (visitorId) or of one of the agent's sites (siteIds). No row at all: not theirs (NOT_FOUND); one row
 * with no message: theirs, and nothing new. A visitor never gets agents' private notes ($2 set).
 */
const SYNC = `
SELECT ${MESSAGE_COLUMNS}, ag.name AS "m_agentName"
FROM (SELECT id FROM conversations WHERE id = $1 AND (visitor_id = $2 OR site_id = ANY($3::text[]))) c
LEFT JOIN LATERAL (
  SELECT * FROM messages WHERE conversation_id = c.id AND seq > $4 AND ($2::uuid IS NULL OR kind <> 'note') ORDER BY seq LIMIT $5
) m ON true
LEFT JOIN agents ag ON ag.id = m.agent_id
ORDER BY m.seq`;

export async function messagesAfter(
  raw: RawQuery,
  input: { conversationId: string; afterSeq: number; visitorId?: string; siteIds?: string[]; limit: number },
): Promise<MessageDTO[] | undefined> {
  // seq is an int4: a client's afterSeq beyond its range means "after everything", not a query error.
  const after = Math.min(input.afterSeq, 2 ** 31 - 1);
  const rows = await raw<Row>(SYNC, [input.conversationId, input.visitorId ?? null, input.siteIds ?? [], after, input.limit]);
  if (!rows.length) return undefined;
  return rows.filter((r) => r.m_id).map((r) => messageOf(r, (r.m_agentName as string | null) ?? null));
}

/**
 * What the widget opens on (session:hello, session:identify): the visitor's unresolved conversation,
 * else the latest, with its last `limit` messages but agents' private notes, in one round trip. Undefined: no conversation yet.
 */
const CURRENT = `
WITH c AS (
  SELECT * FROM conversations WHERE visitor_id = $1 ORDER BY (status <> 'resolved') DESC, created_at DESC LIMIT 1
)
SELECT ${CONVERSATION_COLUMNS}, ${MESSAGE_COLUMNS}, ag.name AS "m_agentName"
FROM c
JOIN visitors v ON v.id = c.visitor_id LEFT JOIN agents a ON a.id = c.assigned_agent_id
LEFT JOIN LATERAL (SELECT * FROM messages WHERE conversation_id = c.id AND seq > c.last_seq - $2 AND kind <> 'note' ORDER BY seq) m ON true
LEFT JOIN agents ag ON ag.id = m.agent_id
ORDER BY m.seq`;

export async function currentConversation(raw: RawQuery, visitorId: string, limit: number): Promise<{ conversation: ConversationDTO; messages: MessageDTO[] } | undefined> {
  const rows = await raw<Row>(CURRENT, [visitorId, limit]);
  if (!rows.length) return undefined;
  return {
    conversation: conversationOf(rows[0]),
    messages: rows.filter((r) => r.m_id).map((r) => messageOf(r, (r.m_agentName as string | null) ?? null)),
  };
}

/** The store statement's text, for the test that checks its plan (store-plans.test.ts). */
export const STORE_STATEMENT = SEND;
