/**
 * How often the queue is read and who is told (server/conversations/queue.service.ts), on a fake clock
 * and a fake database: a burst of changes makes one query, a site is read at most once a second on a
 * node, and a visitor hears only what changed for them, unless their widget just said hello.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ctx } from '../../server/context.ts';
import { estimateWaitSec, QueueNotifier, type QueueRow } from '../../server/conversations/queue.service.ts';

function harness() {
  let rows: QueueRow[] = [];
  const queries: string[] = [];
  const told: { room: string; payload: unknown }[] = [];
  const ctx = {
    raw: async (_text: string, params: unknown[]) => {
      queries.push(String(params[0]));
      return rows;
    },
    clock: () => new Date(),
    log: { warn: () => {} },
    realtime: { widget: { to: (room: string) => ({ emit: (_event: string, payload: unknown) => told.push({ room, payload }) }) } },
  } as unknown as Ctx;
  return { notifier: new QueueNotifier(ctx), queries, told, setRows: (r: QueueRow[]) => (rows = r) };
}

const row = (n: number): QueueRow => ({ id: `c${n}`, visitor_id: `v${n}`, position: n, last_hour: 0, median_sec: null });

describe('the queue notifier', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reads a site once for a burst of changes, and at most once a second however many follow', async () => {
    const { notifier, queries } = harness();
    for (let i = 0; i < 20; i++) notifier.changed('s');
    await vi.advanceTimersByTimeAsync(499);
    expect(queries).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(queries).toEqual(['s']);
    // Changes every 50 ms for three seconds: one read per second, the last change always read after it.
    for (let t = 0; t < 3000; t += 50) {
      notifier.changed('s');
      await vi.advanceTimersByTimeAsync(50);
    }
    await vi.advanceTimersByTimeAsync(2000);
    expect(queries.length).toBe(4);
    // Another site is read on its own schedule.
    notifier.changed('t');
    await vi.advanceTimersByTimeAsync(500);
    expect(queries.at(-1)).toBe('t');
    notifier.stop();
  });

  it('tells each waiting visitor only when their place or estimate changed, and a visitor who said hello again', async () => {
    const { notifier, told, setRows } = harness();
    setRows([row(1), row(2)]);
    notifier.changed('s');
    await vi.advanceTimersByTimeAsync(1000);
    expect(told.map((t) => t.room)).toEqual(['visitor:v1', 'visitor:v2']);
    told.length = 0;
    setRows([row(1), row(2)]);
    notifier.changed('s');
    await vi.advanceTimersByTimeAsync(1000);
    expect(told).toEqual([]);
    notifier.hello('s', 'c2');
    await vi.advanceTimersByTimeAsync(1000);
    expect(told).toEqual([{ room: 'visitor:v2', payload: { conversationId: 'c2', position: 2, estimatedWaitSec: null } }]);
    told.length = 0;
    // The first is claimed: the second moves up; another node then speaks, and this one forgets what it said.
    setRows([{ ...row(2), position: 1 }]);
    notifier.changed('s');
    await vi.advanceTimersByTimeAsync(1000);
    expect(told).toEqual([{ room: 'visitor:v2', payload: { conversationId: 'c2', position: 1, estimatedWaitSec: null } }]);
    notifier.forget('s');
    notifier.changed('s');
    await vi.advanceTimersByTimeAsync(1000);
    expect(told.length).toBe(2);
    notifier.stop();
  });
});

describe('the wait estimate', () => {
  it('serves the queue at the last hour’s rate with three answers or more, else gives the recent median, else nothing', () => {
    expect(estimateWaitSec(1, 4, 250)).toBe(900);
    expect(estimateWaitSec(3, 4, 250)).toBe(2700);
    expect(estimateWaitSec(3, 2, 250)).toBe(250);
    expect(estimateWaitSec(1, 0, null)).toBeNull();
  });
});
