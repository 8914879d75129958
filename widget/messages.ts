/** Pure rules about the conversation's messages: merging what arrives, and which prompts still want an answer. */
import type { MessageDTO } from '../shared/types.ts';

/** Same conversation: by seq; across conversations: by time (a resolved conversation sits above the next one). */
function compare(a: MessageDTO, b: MessageDTO): number {
  if (a.conversationId === b.conversationId) return a.seq - b.seq;
  return Date.parse(a.createdAt) - Date.parse(b.createdAt);
}

/**
 * Adds messages to a list, each shown once: a message already held replaces the old copy, so a newer version (e.g. an FAQ answer with its outcome set) wins.
 */
export function mergeMessages(current: readonly MessageDTO[], incoming: readonly MessageDTO[]): MessageDTO[] {
  // A message's id and its (conversation, seq) name the same message, so one key dedupes both ways.
  const byKey = new Map<string, MessageDTO>();
  for (const message of [...current, ...incoming]) byKey.set(`${message.conversationId}#${message.seq}`, message);
  return [...byKey.values()].sort(compare);
}

/** The highest seq held for a conversation; 0 when none (what `messages:sync` calls afterSeq). */
export function lastSeq(messages: readonly MessageDTO[], conversationId: string): number {
  return messages.reduce((max, m) => (m.conversationId === conversationId && m.seq > max ? m.seq : max), 0);
}

/** Whether an FAQ answer or a "did you mean" list still offers its buttons: not once answered (meta.outcome) or followed by anything. */
export const awaitsAnswer = (message: MessageDTO, messages: readonly MessageDTO[]): boolean =>
  !message.meta.outcome && !messages.some((m) => m.conversationId === message.conversationId && m.seq > message.seq);
