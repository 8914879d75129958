/**
 * Pure state rules for the live desk: how pushed and fetched data merge into what the agent sees.
 * Pushes can arrive twice, late or out of order (a reconnect replays what a sync also returns).
 */
import type { ConversationDTO, MessageDTO, QueueDTO } from '../shared/types.ts';

/**
 * `current` plus `incoming`, one copy per message (by id, and by seq within a conversation),
 * in seq order. A later copy of the same message replaces the earlier one (meta can change,
 * e.g. an automatic answer's outcome).
 */
export function mergeMessages(current: readonly MessageDTO[], incoming: readonly MessageDTO[]): MessageDTO[] {
  const bySeq = new Map<number, MessageDTO>();
  const seqOfId = new Map<string, number>();
  for (const m of [...current, ...incoming]) {
    const held = seqOfId.get(m.id);
    if (held !== undefined && held !== m.seq) bySeq.delete(held);
    const displaced = bySeq.get(m.seq);
    if (displaced && displaced.id !== m.id) seqOfId.delete(displaced.id);
    bySeq.set(m.seq, m);
    seqOfId.set(m.id, m.seq);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The highest seq held, 0 for none: what `messages:sync` asks to continue after. */
export function lastSeq(messages: readonly MessageDTO[]): number {
  return messages.reduce((max, m) => Math.max(max, m.seq), 0);
}

/** When the conversation started waiting for a person. */
export function waitingSince(c: ConversationDTO): string {
  return c.escalatedAt ?? c.createdAt;
}

const oldestFirst = (a: ConversationDTO, b: ConversationDTO) =>
  Date.parse(waitingSince(a)) - Date.parse(waitingSince(b));

/** Escalated, open and claimed by nobody. */
export function isWaiting(c: ConversationDTO): boolean {
  return c.status === 'open' && c.assignedAgentId === null;
}

/** Claimed by this agent and not resolved. */
export function isMine(c: ConversationDTO, agentId: string): boolean {
  return c.assignedAgentId === agentId && c.status !== 'resolved';
}

function upsert(list: readonly ConversationDTO[], c: ConversationDTO, keep: boolean): ConversationDTO[] {
  const rest = list.filter((x) => x.id !== c.id);
  return (keep ? [...rest, c] : rest).sort(oldestFirst);
}

/** The queue after one `conversation:updated`: inserted, replaced or removed by status and assignee. */
export function applyConversationUpdate(queue: QueueDTO, c: ConversationDTO, agentId: string): QueueDTO {
  return {
    waiting: upsert(queue.waiting, c, isWaiting(c)),
    mine: upsert(queue.mine, c, isMine(c, agentId)),
  };
}

/** A queue from the server, sorted the way the console shows it. */
export function normalizeQueue(queue: QueueDTO): QueueDTO {
  return { waiting: [...queue.waiting].sort(oldestFirst), mine: [...queue.mine].sort(oldestFirst) };
}
