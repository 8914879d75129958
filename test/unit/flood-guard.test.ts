/**
 * The flood guard's in-flight slots (server/realtime/flood.ts) with sockets that stand in for
 * socket.io's: slots of one address are shared by its sockets and always freed, whether the handler
 * answers or the socket goes away first. The token buckets are tested on a real server
 * (test/integration/event-limits.test.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ack } from '../../shared/result.ts';
import type { Ctx } from '../../server/context.ts';
import { LIMITS } from '../../server/limits.ts';
import { FloodGuard } from '../../server/realtime/flood.ts';
import type { WidgetSocket } from '../../server/visitors/visitors.handlers.ts';

type Middleware = (packet: unknown[], next: () => void) => void;

class FakeSocket {
  connected = true;
  middleware: Middleware = () => {};
  private onDisconnect: (() => void)[] = [];
  constructor(
    public data: { ip: string; visitor: { id: string } },
  ) {}
  use(fn: Middleware) {
    this.middleware = fn;
  }
  once(event: string, fn: () => void) {
    if (event === 'disconnect') this.onDisconnect.push(fn);
  }
  disconnect() {
    this.connected = false;
    for (const fn of this.onDisconnect.splice(0)) fn();
  }
  /** Emits an event as socket.io would; resolves with the ack the client got, and the handler's ack when dispatched. */
  emit(event: string): { client: Ack<unknown>[]; handlerAck?: (res: Ack<unknown>) => void } {
    const got: { client: Ack<unknown>[]; handlerAck?: (res: Ack<unknown>) => void } = { client: [] };
    const packet: unknown[] = [event, {}, (res: Ack<unknown>) => got.client.push(res)];
    this.middleware(packet, () => {
      got.handlerAck = packet.pop() as (res: Ack<unknown>) => void;
    });
    return got;
  }
}

const tick = () => new Promise((r) => process.nextTick(r));
const saved = structuredClone(LIMITS.widgetEventsInFlight);
afterEach(() => Object.assign(LIMITS.widgetEventsInFlight, saved));

function setup() {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const log = { warn: (fields: Record<string, unknown>, message: string) => void warnings.push({ fields, message }) };
  const guard = new FloodGuard({ log, config: { trustProxy: 0 } } as unknown as Ctx);
  let n = 0;
  const socket = (ip = '203.0.113.7') => {
    const s = new FakeSocket({ ip, visitor: { id: `visitor-${n++}` } });
    guard.widget(s as unknown as WidgetSocket);
    return s;
  };
  return { socket, guard, warnings };
}

describe('flood guard slots', () => {
  it('shares an address’s slots among its sockets and frees each once its handler answers', () => {
    Object.assign(LIMITS.widgetEventsInFlight, { perSocket: 4, perIp: 2 });
    const { socket } = setup();
    const [a, b, c] = [socket(), socket(), socket()];
    const first = a.emit('typing');
    const second = b.emit('typing');
    expect([first.handlerAck, second.handlerAck].every(Boolean)).toBe(true);
    const third = c.emit('typing');
    expect(third.handlerAck).toBeUndefined();
    expect(third.client).toEqual([{ ok: false, error: expect.objectContaining({ code: 'RATE_LIMITED' }) }]);
    // Another address is not held up by this one.
    expect(socket('198.51.100.1').emit('typing').handlerAck).toBeDefined();

    first.handlerAck!({ ok: true, data: null });
    expect(first.client).toEqual([{ ok: true, data: null }]);
    // Answering twice frees the slot once.
    first.handlerAck!({ ok: true, data: null });
    expect(c.emit('typing').handlerAck).toBeDefined();
    expect(c.emit('typing').handlerAck).toBeUndefined();
  });

  it('frees every slot of a socket that went away, whether its events were answered, dropped or held by a later middleware', async () => {
    Object.assign(LIMITS.widgetEventsInFlight, { perSocket: 4, perIp: 2 });
    const { socket } = setup();
    const gone = socket();
    // One event whose handler is still running when the socket goes, one that a later middleware
    // (the visitor's row being written) holds until socket.io drops it: neither is ever answered.
    const running = gone.emit('typing');
    await tick();
    const held = gone.emit('typing');
    expect(held.handlerAck).toBeDefined();
    gone.disconnect();
    await tick();
    expect(held.client).toEqual([]);
    // Both slots are back at once: a new socket of the address has both.
    const next = socket();
    const [one, two] = [next.emit('typing'), next.emit('typing')];
    expect([one.handlerAck, two.handlerAck].every(Boolean)).toBe(true);
    // The running handler answers late: it frees nothing twice (the address still has only its two).
    running.handlerAck!({ ok: true, data: null });
    expect(next.emit('typing').handlerAck).toBeUndefined();
    one.handlerAck!({ ok: true, data: null });
    two.handlerAck!({ ok: true, data: null });
    const fresh = socket();
    expect([fresh.emit('typing').handlerAck, fresh.emit('typing').handlerAck].every(Boolean)).toBe(true);
  });

  it('does not lock an address out after many visitors left with an event held', () => {
    Object.assign(LIMITS.widgetEventsInFlight, { perSocket: 4, perIp: 32 });
    const { socket } = setup();
    for (let i = 0; i < 100; i++) {
      const s = socket();
      expect(s.emit('session:hello').handlerAck).toBeDefined();
      s.disconnect();
    }
    expect(socket().emit('session:hello').handlerAck).toBeDefined();
  });

  it('knows the events still unanswered and the oldest one’s wait, and logs each once after a minute', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    try {
      Object.assign(LIMITS.widgetEventsInFlight, { perSocket: 4, perIp: 32 });
      const { socket, guard, warnings } = setup();
      const [a, b] = [socket(), socket('198.51.100.1')];
      expect(guard.inFlight()).toEqual({ count: 0, oldestMs: 0 });
      const first = a.emit('typing');
      vi.advanceTimersByTime(5_000);
      const second = a.emit('session:hello');
      const third = b.emit('typing');
      vi.advanceTimersByTime(1_000);
      expect(guard.inFlight()).toEqual({ count: 3, oldestMs: 6_000 });
      // The oldest answers: the next one is the oldest now, whatever the order they answer in.
      first.handlerAck!({ ok: true, data: null });
      expect(guard.inFlight()).toEqual({ count: 2, oldestMs: 1_000 });
      third.handlerAck!({ ok: true, data: null });
      expect(guard.inFlight()).toEqual({ count: 1, oldestMs: 1_000 });
      expect(warnings).toEqual([]);

      // A minute unanswered: logged at the next scan (every 10 s), once, by name, with no payload;
      // not again at the scans after it.
      vi.advanceTimersByTime(50_000);
      expect(warnings).toEqual([]);
      vi.advanceTimersByTime(15_000);
      expect(warnings).toEqual([
        { message: 'socket event unanswered', fields: expect.objectContaining({ namespace: 'widget', event: 'session:hello', inFlight: 1, waitedMs: expect.any(Number) }) },
      ]);
      expect(warnings[0].fields.waitedMs).toBeGreaterThanOrEqual(60_000);
      expect(Object.keys(warnings[0].fields).sort()).toEqual(['event', 'inFlight', 'namespace', 'socket', 'waitedMs']);
      vi.advanceTimersByTime(60_000);
      expect(warnings).toHaveLength(1);

      // Its socket goes away: nothing of it is counted any more.
      a.disconnect();
      expect(guard.inFlight()).toEqual({ count: 0, oldestMs: 0 });
      second.handlerAck!({ ok: true, data: null });
      expect(guard.inFlight()).toEqual({ count: 0, oldestMs: 0 });
      guard.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
