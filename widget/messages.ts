/** Which prompts in the conversation still want an answer (merging is in shared/messages.ts). */
import type { MessageDTO } from '../shared/types.ts';

/** Whether an FAQ answer or a "did you mean" list still offers its buttons: not once answered (meta.outcome) or followed by anything. */
export const awaitsAnswer = (message: MessageDTO, messages: readonly MessageDTO[]): boolean =>
  !message.meta.outcome && !messages.some((m) => m.conversationId === message.conversationId && m.seq > message.seq);
