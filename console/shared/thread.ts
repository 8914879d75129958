/**
 * Pure state rules for the live desk: how pushed and fetched data merge into what the agent sees.
 * Pushes can arrive twice, late or out of order (a reconnect replays what a sync also returns).
 */
import type { ConversationDTO, MessageDTO, QueueDTO } from '../../shared/types.ts';

/** When the conversation started waiting for a person. */
export function waitingSince(c: ConversationDTO): string {
  return c.escalatedAt ?? c.createdAt;
}

/**
 * How long a ticket has waited past its site's first-response target without an agent's first reply,
 * in ms; null when it is not overdue (answered, not a ticket, not open, or still within the target).
 * @example overdueBy({ status: 'open', escalatedAt: '…10:00', firstResponseAt: null }, 300, at10h06) // 60_000
 */
export function overdueBy(c: Pick<ConversationDTO, 'status' | 'escalatedAt' | 'firstResponseAt'>, targetSec: number | undefined, now: number): number | null {
  if (c.status !== 'open' || !c.escalatedAt || c.firstResponseAt || targetSec === undefined) return null;
  const late = now - Date.parse(c.escalatedAt) - targetSec * 1000;
  return late > 0 ? late : null;
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

/**
 * Whose turn it is follows each message, and the server sends no update of its own for it: a
 * visitor's message makes a ticket with a person open again, an agent's reply makes it pending.
 */
export function withMessage(c: ConversationDTO, m: Pick<MessageDTO, 'conversationId' | 'author' | 'seq' | 'createdAt'> & { kind?: MessageDTO['kind'] }): ConversationDTO {
  if (c.id !== m.conversationId || (c.status !== 'open' && c.status !== 'pending') || m.seq <= c.lastSeq) return c;
  // A private note is not a reply: the visitor still waits.
  const status = m.author === 'visitor' ? 'open' : m.author === 'agent' && m.kind !== 'note' ? 'pending' : c.status;
  return { ...c, status, lastSeq: m.seq, updatedAt: m.createdAt > c.updatedAt ? m.createdAt : c.updatedAt };
}

/**
 * What `c` is to the agent, against the queue they held: 'waiting' when it just started waiting,
 * 'assigned' when it just became theirs by someone else's doing (not `acting`, the conversation their
 * own action is changing), else null.
 */
export function arrival(before: QueueDTO, c: ConversationDTO, agentId: string, acting: string | null): 'waiting' | 'assigned' | null {
  if (isWaiting(c)) return before.waiting.some((x) => x.id === c.id) ? null : 'waiting';
  if (isMine(c, agentId) && c.id !== acting && !before.mine.some((x) => x.id === c.id)) return 'assigned';
  return null;
}

/** A queue from the server, sorted the way the console shows it. */
export function normalizeQueue(queue: QueueDTO): QueueDTO {
  return { waiting: [...queue.waiting].sort(oldestFirst), mine: [...queue.mine].sort(oldestFirst) };
}
