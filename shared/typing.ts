/**
 * Both ends of `typing` (shared/protocol.ts), for the widget and the console alike: the sender's
 * throttle and the receiver's expiry. Nothing here sees the draft, only whether there is one.
 */
import { TYPING_EXPIRY_MS, TYPING_THROTTLE_MS } from './protocol.ts';
import type { TypingDTO } from './types.ts';

/**
 * Call the returned function on every change of the draft with whether there is one: `emit(true)`
 * follows at most once per TYPING_THROTTLE_MS, `emit(false)` once when the draft is emptied or sent.
 * @example const typing = typingSender((t) => socket.emit('typing', { conversationId, typing: t }));
 */
export function typingSender(emit: (typing: boolean) => void): (typing: boolean) => void {
  let at = 0;
  return (typing) => {
    const now = Date.now();
    if (typing ? now - at >= TYPING_THROTTLE_MS : at) {
      at = typing ? now : 0;
      emit(typing);
    }
  };
}

/**
 * Call the returned function with each `typing` push (null: a message from that side came, so it
 * stopped): `changed` gets the conversation the other side is typing in, or null once it stopped or
 * TYPING_EXPIRY_MS passed without a renewal (a closed tab never says it stopped).
 */
export function typingReceiver(changed: (conversationId: string | null) => void): (push: TypingDTO | null) => void {
  let timer: ReturnType<typeof setTimeout>;
  return (push) => {
    clearTimeout(timer);
    if (push?.typing) timer = setTimeout(() => changed(null), TYPING_EXPIRY_MS);
    changed(push?.typing ? push.conversationId : null);
  };
}
