/**
 * The client side of the delivery contract: a message is named by (conversation, seq), assigned
 * once by the server, so pushes and syncs that arrive twice, late or out of order merge into one
 * ordered list. The widget and the console both follow these rules.
 */
import type { MessageDTO } from './types.ts';

/** Same conversation: by seq; across conversations: by time (a resolved conversation sits above the next one). */
function compare(a: MessageDTO, b: MessageDTO): number {
  if (a.conversationId === b.conversationId) return a.seq - b.seq;
  return Date.parse(a.createdAt) - Date.parse(b.createdAt);
}

/** Adds messages to a list, each once; a newer copy (an FAQ answer with its outcome set) replaces the old one. */
export function mergeMessages(current: readonly MessageDTO[], incoming: readonly MessageDTO[]): MessageDTO[] {
  const byKey = new Map<string, MessageDTO>();
  for (const message of [...current, ...incoming]) byKey.set(`${message.conversationId}#${message.seq}`, message);
  return [...byKey.values()].sort(compare);
}

/** The highest seq held (for one conversation, when named); 0 for none: what `messages:sync` calls afterSeq. */
export function lastSeq(messages: readonly MessageDTO[], conversationId?: string): number {
  return messages.reduce((max, m) => ((conversationId === undefined || m.conversationId === conversationId) && m.seq > max ? m.seq : max), 0);
}

/**
 * What `messages:sync` should ask after: the last seq before the first hole in what is held of a
 * conversation (every seq from the first held one up to it is held), else the highest. A push can
 * be lost while later ones arrive (an outage between a commit and its push); asking after the
 * highest seq would then never fill the hole.
 *
 * `complete`: a seq up to which a sync has answered everything there is for this reader. A hole
 * below it is not a lost push but a message this reader never gets (an agents' private note, for a
 * visitor): asking for it again would bring nothing, each time.
 */
export function syncAfter(messages: readonly MessageDTO[], conversationId: string, complete = 0): number {
  let held = 0;
  for (const m of messages) {
    if (m.conversationId !== conversationId) continue;
    if (held && m.seq > held + 1 && m.seq - 1 > complete) return Math.max(held, complete);
    held = m.seq;
  }
  return held;
}

/** What a sync page proves: every seq up to the highest it returned that it did not return is not for this reader. */
export function completeAfter(complete: number, page: readonly MessageDTO[]): number {
  return page.reduce((max, m) => (m.seq > max ? m.seq : max), complete);
}
