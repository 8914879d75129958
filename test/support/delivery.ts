/**
 * What the outage tests check about a conversation, for several conversations at once: every
 * message given to a client stored exactly once, in the order it was sent, and held by both sides
 * in the stored order. Like resilience.test.ts, whose single-conversation helpers these generalise
 * (an agent here writes in many conversations, so its clientIds are counted per conversation).
 */
import { asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { ConversationDTO, MessageDTO } from '../../shared/types.ts';
import { openDatabase } from '../../server/db/client.ts';
import { messages, type Message } from '../../server/db/schema.ts';
import type { ReliableClient } from './reliable-client.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for `check`, failing with `what` and `detail()` after `timeoutMs`. */
export async function until(what: string, check: () => boolean, timeoutMs: number, detail: () => unknown = () => '') {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what} ${JSON.stringify(detail())}`);
    await sleep(25);
  }
}

export const QUESTION = 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?';

/** The visitor's first message goes to a person (escalated by hand should a matcher answer it anyway). */
export async function escalate(visitor: ReliableClient): Promise<ConversationDTO> {
  const first = visitor.send(QUESTION);
  await until('the first message is acked', () => visitor.acked.has(first), 30_000);
  let conv = visitor.conversation!;
  if (conv.status === 'bot') {
    const res = await visitor.call<{ conversation: ConversationDTO }>('conversation:escalate', { conversationId: conv.id });
    if (!res.ok) throw new Error(`escalate failed: ${res.error.code}`);
    conv = res.data.conversation;
  }
  expect(conv.status).toBe('open');
  return conv;
}

export async function claim(agent: ReliableClient, conversationId: string): Promise<void> {
  const res = await agent.call<ConversationDTO>('conversation:claim', { conversationId });
  if (!res.ok) throw new Error(`claim failed: ${res.error.code}`);
  await agent.watch(conversationId);
}

/** Until every outbox is empty and both sides of each conversation hold everything the server has; returns the histories. */
export async function settle(clients: ReliableClient[], conversations: { id: string; sides: ReliableClient[] }[], timeoutMs: number) {
  const detail = () => clients.map((s) => ({ url: s.url, pending: s.pending, ...s.stats }));
  await until('outboxes drained', () => clients.every((s) => s.pending === 0), timeoutMs, detail);
  const histories = new Map<string, MessageDTO[]>();
  for (const conv of conversations) {
    const history = await conv.sides[0].history(conv.id);
    histories.set(conv.id, history);
    const last = history.at(-1)!.seq;
    await until(`both sides of ${conv.id} hold seq 1..${last}`, () => conv.sides.every((s) => s.lastSeq(conv.id) >= last), 30_000, () =>
      conv.sides.map((s) => ({ url: s.url, lastSeq: s.lastSeq(conv.id), ...s.stats })),
    );
  }
  return histories;
}

/** A conversation's stored messages, read with a connection of our own. */
export async function storedMessages(databaseUrl: string, conversationId: string): Promise<Message[]> {
  const database = await openDatabase({ url: databaseUrl });
  try {
    return await database.db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(asc(messages.seq));
  } finally {
    await database.close();
  }
}

/**
 * Exactly once and in order: seqs 1..N without holes; each clientId a side sent in this
 * conversation (`sent`, in sending order; a bare client: all it sent) stored once, nothing else from a person stored; each
 * sender's messages in the order sent; each side and a full sync hold exactly the stored messages.
 */
export function expectExactlyOnce(rows: Message[], history: MessageDTO[], given: (ReliableClient | { client: ReliableClient; sent: string[] })[], conversationId: string) {
  const sides = given.map((s) => ('client' in s ? s : { client: s, sent: s.sent }));
  expect(rows.map((m) => m.seq)).toEqual(rows.map((_, i) => i + 1));
  const sent = new Set(sides.flatMap((s) => s.sent));
  const counts = new Map<string, number>();
  for (const m of rows) if (m.clientId) counts.set(m.clientId, (counts.get(m.clientId) ?? 0) + 1);
  expect([...sent].filter((id) => counts.get(id) !== 1)).toEqual([]);
  expect(rows.filter((m) => m.author === 'visitor' || m.author === 'agent').filter((m) => !sent.has(m.clientId ?? ''))).toEqual([]);
  const ids = rows.map((m) => m.id);
  expect(history.map((m) => m.id)).toEqual(ids);
  for (const side of sides) {
    expect(side.client.problems).toEqual([]);
    expect(side.client.timeline(conversationId).map((m) => m.id)).toEqual(ids);
    const mine = new Set(side.sent);
    expect(rows.filter((m) => mine.has(m.clientId ?? '')).map((m) => m.clientId)).toEqual(side.sent);
  }
}
