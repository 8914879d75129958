import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TYPING_EXPIRY_MS, TYPING_THROTTLE_MS } from '../../shared/protocol.ts';
import { typingReceiver, typingSender } from '../../shared/typing.ts';

describe('typing signals', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('says "typing" at most once per throttle period while the draft changes, and "stopped" once when it is emptied', () => {
    const sent: boolean[] = [];
    const typing = typingSender((t) => sent.push(t));
    typing(false);
    expect(sent).toEqual([]);
    for (let i = 0; i < 10; i++) {
      typing(true);
      vi.advanceTimersByTime(100);
    }
    expect(sent).toEqual([true]);
    vi.advanceTimersByTime(TYPING_THROTTLE_MS);
    typing(true);
    expect(sent).toEqual([true, true]);
    typing(false);
    typing(false);
    expect(sent).toEqual([true, true, false]);
    // A new draft right after a send is said at once.
    typing(true);
    expect(sent).toEqual([true, true, false, true]);
  });

  it('forgets the other side typing after the expiry without a renewal, at a stop, or when their message comes', () => {
    const states: (string | null)[] = [];
    const receive = typingReceiver((id) => states.push(id));
    receive({ conversationId: 'c1', typing: true });
    vi.advanceTimersByTime(TYPING_EXPIRY_MS - 1);
    receive({ conversationId: 'c1', typing: true });
    vi.advanceTimersByTime(TYPING_EXPIRY_MS - 1);
    expect(states).toEqual(['c1', 'c1']);
    vi.advanceTimersByTime(1);
    expect(states).toEqual(['c1', 'c1', null]);
    receive({ conversationId: 'c1', typing: true });
    receive({ conversationId: 'c1', typing: false });
    receive({ conversationId: 'c2', typing: true });
    receive(null);
    vi.advanceTimersByTime(TYPING_EXPIRY_MS * 2);
    expect(states).toEqual(['c1', 'c1', null, 'c1', null, 'c2', null]);
  });
});
