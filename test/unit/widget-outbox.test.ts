import { describe, expect, it } from 'vitest';
import { retryDelay } from '../../shared/result.ts';
import { newClientId, Outbox } from '../../widget/outbox.ts';

/** A localStorage stand-in that two outboxes (two page loads) can share. */
function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
    removeItem: (key: string) => void data.delete(key),
  };
}

const KEY = 'support-chat:demo:outbox';

describe('widget outbox', () => {
  it('gives every message a client id the contract accepts', () => {
    const ids = new Set(Array.from({ length: 50 }, newClientId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });

  it('keeps unsent messages across a reload, in the order they were written', () => {
    const storage = memoryStorage();
    const before = new Outbox(storage, KEY);
    const first = before.add('first question');
    before.add('second question');
    before.update(first.clientId, { status: 'sending' });

    const after = new Outbox(storage, KEY);
    expect(after.items.map((i) => i.body)).toEqual(['first question', 'second question']);
    // What was in flight when the page went away is simply queued again.
    expect(after.items[0].status).toBe('queued');
    expect(after.head()?.clientId).toBe(first.clientId);
  });

  it('lets an item go only when it is removed, and forgets the key once empty', () => {
    const storage = memoryStorage();
    const outbox = new Outbox(storage, KEY);
    const item = outbox.add('hello');
    expect(outbox.remove('someone-else')).toBe(false);
    expect(outbox.remove(item.clientId)).toBe(true);
    expect(outbox.items).toEqual([]);
    expect(storage.data.has(KEY)).toBe(false);
  });

  it('retries a timeout with backoff, and waits as long as a rate limit asks', () => {
    const outbox = new Outbox(null, KEY);
    const item = outbox.add('hello', 1000);
    outbox.fail(item.clientId, undefined, undefined, 1000);
    expect(outbox.items[0]).toMatchObject({ status: 'queued', attempts: 1 });
    expect(outbox.items[0].nextAt).toBeGreaterThan(1000);

    outbox.fail(item.clientId, 'RATE_LIMITED', 7000, 2000);
    expect(outbox.items[0]).toMatchObject({ status: 'queued', attempts: 2, error: 'RATE_LIMITED', nextAt: 9000 });
    // A reconnect does not cut a rate limit short…
    outbox.wake(3000);
    expect(outbox.items[0].nextAt).toBe(9000);
  });

  it('sends everything again right after a reconnect', () => {
    const outbox = new Outbox(null, KEY);
    const item = outbox.add('hello', 0);
    outbox.fail(item.clientId, 'INTERNAL', undefined, 0);
    outbox.wake(50);
    expect(outbox.items[0]).toMatchObject({ status: 'queued', nextAt: 50 });
  });

  it('marks a message failed, with the reason, when a retry cannot help, and moves on to the next', () => {
    const outbox = new Outbox(null, KEY);
    const bad = outbox.add('x'.repeat(5000));
    const good = outbox.add('fine');
    outbox.fail(bad.clientId, 'INVALID_PAYLOAD');
    expect(outbox.items[0]).toMatchObject({ status: 'failed', error: 'INVALID_PAYLOAD' });
    expect(outbox.head()?.clientId).toBe(good.clientId);
    outbox.retry(bad.clientId);
    expect(outbox.head()?.clientId).toBe(bad.clientId);
  });

  it('keeps what every tab queued when two tabs share one storage, and lets each message go once it is stored', () => {
    // Two tabs of the site, both opened before either wrote: each holds what it read then.
    const storage = memoryStorage();
    const a = new Outbox(storage, KEY);
    const b = new Outbox(storage, KEY);
    const pending = () => new Outbox(storage, KEY).items.map((i) => i.body);
    // Both tabs hear of every stored message (the sender from its ack, the other from the push), as the chat client does.
    const stored = (clientId: string) => [a, b].forEach((tab) => tab.remove(clientId));

    const a1 = a.add('a1');
    const b1 = b.add('b1');
    const a2 = a.add('a2');
    expect(pending()).toEqual(['a1', 'b1', 'a2']);
    a.update(a1.clientId, { status: 'sending' });
    b.add('b2');
    expect(pending()).toEqual(['a1', 'b1', 'a2', 'b2']);
    stored(a1.clientId);
    b.fail(b1.clientId, 'INTERNAL');
    expect(pending()).toEqual(['b1', 'a2', 'b2']);
    stored(b1.clientId);
    a.add('a3');
    expect(pending()).toEqual(['a2', 'b2', 'a3']);
    // Each tab now sends the whole queue in the order written, whoever wrote it; the server keeps one copy.
    expect(a.head()?.clientId).toBe(a2.clientId);
    b.wake();
    expect(b.items.map((i) => i.body)).toEqual(['a2', 'b2', 'a3']);
    for (const item of b.items) stored(item.clientId);
    expect(pending()).toEqual([]);
    expect(storage.data.has(KEY)).toBe(false);
  });

  it('backs off exponentially up to half a minute', () => {
    expect(retryDelay(1, () => 1)).toBe(1000);
    expect(retryDelay(3, () => 1)).toBe(4000);
    expect(retryDelay(20, () => 1)).toBe(30_000);
    expect(retryDelay(3, () => 0)).toBe(2000);
  });

  it('starts empty when storage holds something unreadable', () => {
    const storage = memoryStorage();
    storage.setItem(KEY, '{not json');
    expect(new Outbox(storage, KEY).items).toEqual([]);
    storage.setItem(KEY, JSON.stringify([{ nope: 1 }, { clientId: 'abcdefgh12', body: 'kept', attempts: 0, status: 'queued', nextAt: 0 }]));
    expect(new Outbox(storage, KEY).items.map((i) => i.body)).toEqual(['kept']);
  });

  it('still works when storage throws (private mode, sandboxed iframe)', () => {
    const throwing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    const outbox = new Outbox(throwing, KEY);
    outbox.add('hello');
    expect(outbox.items).toHaveLength(1);
  });
});
