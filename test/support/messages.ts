/** Messages as the server sends them, for unit tests of what clients do with them. */
import type { MessageDTO } from '../../shared/types.ts';

/** A bot's text message `m<seq>` in conversation c1, sent `seq` seconds into 2025; `patch` changes any field. */
export const message = (seq: number, patch: Partial<MessageDTO> = {}): MessageDTO => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  author: 'bot',
  authorName: null,
  body: `message ${seq}`,
  kind: 'text',
  clientId: null,
  meta: {},
  createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
  ...patch,
});
