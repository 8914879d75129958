import { describe, expect, it } from 'vitest';
import { withMessages } from '../../server/visitors/privacy.ts';

/** `items` behind a proxy that counts how many of its elements are read. */
function counted<T>(items: T[]): { list: T[]; reads: () => number } {
  let reads = 0;
  const list = new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { list, reads: () => reads };
}

describe('a visitor’s export', () => {
  const convs = Array.from({ length: 40 }, (_, i) => ({ id: `c${i}`, status: i % 3 ? 'resolved' : 'open' }));
  // Interleaved as the query returns them (ordered by seq across conversations), and a conversation with none.
  const msgs = Array.from({ length: 400 }, (_, i) => ({ id: `m${i}`, conversationId: `c${(i * 7) % 39}`, seq: Math.floor(i / 39), body: `message ${i}` }));

  it('lists each conversation with its own messages, in the order they came, and an empty list for one without', () => {
    const out = withMessages(convs, msgs);
    // What the export always said: each conversation as it is, with the messages that name it, in their order.
    expect(out).toEqual(convs.map((c) => ({ ...c, messages: msgs.filter((m) => m.conversationId === c.id) })));
    expect(out.at(-1)).toEqual({ id: 'c39', status: 'open', messages: [] });
    expect(withMessages([], msgs)).toEqual([]);
    expect(withMessages(convs, [])).toEqual(convs.map((c) => ({ ...c, messages: [] })));
  });

  it('reads each message once, not once per conversation: a long history does not hold the event loop', () => {
    const { list, reads } = counted(msgs);
    withMessages(convs, list);
    expect(reads()).toBeLessThanOrEqual(msgs.length);
  });
});
