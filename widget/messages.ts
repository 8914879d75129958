/** Which prompts in the conversation still want an answer (merging is in shared/messages.ts). */
import type { MessageDTO, VisitorContactDTO } from '../shared/types.ts';

/** Whether an FAQ answer or a "did you mean" list still offers its buttons: not once answered (meta.outcome) or followed by anything. */
export const awaitsAnswer = (message: MessageDTO, messages: readonly MessageDTO[]): boolean =>
  !message.meta.outcome && !messages.some((m) => m.conversationId === message.conversationId && m.seq > message.seq);

/** The site's pre-chat form still wants something of this visitor (server/mail/contact.ts contactMissing). */
export const prechatMissing = (c: VisitorContactDTO | null): boolean =>
  !!c && !c.signed && c.prechatForm !== 'off' && (!c.email || (c.prechatForm === 'name_email' && !c.name));
