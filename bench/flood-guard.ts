/**
 * npm run bench:flood-guard — what the flood guard (server/realtime/flood.ts) costs each socket event
 * that passes it, alone: 200 widget sockets of 200 addresses take turns sending `message:send`, each
 * acknowledged at once; the queued next-tick checks run every 200 events, as a live server's would.
 * Sockets are stand-ins for socket.io's (the guard sees only `use`, `once`, `connected` and `data`),
 * and the limits are raised so that every event passes: the refusal path does no more work than this.
 * In bench:relay's CPU profile (README, Numbers) the guard was about 5% of the server's busy samples.
 */
import os from 'node:os';
import type { Ctx } from '../server/context.ts';
import { LIMITS } from '../server/limits.ts';
import { FloodGuard } from '../server/realtime/flood.ts';
import type { WidgetSocket } from '../server/visitors/visitors.handlers.ts';

type Middleware = (packet: unknown[], next: () => void) => void;
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const SOCKETS = 200;

const open = { limit: 1e12, windowMs: 1_000 };
Object.assign(LIMITS, { widgetEventsPerSocket: open, widgetEventsPerVisitor: open, widgetEventsPerIp: open });
const guard = new FloodGuard({ log: console, config: { trustProxy: 0 } } as unknown as Ctx);
const middleware: Middleware[] = [];
for (let i = 0; i < SOCKETS; i++) {
  const socket = {
    connected: true,
    data: { ip: `10.0.${i >> 8}.${i & 255}`, visitor: { id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` } },
    use: (fn: Middleware) => void middleware.push(fn),
    once: () => undefined,
    disconnect: () => undefined,
  };
  guard.widget(socket as unknown as WidgetSocket);
}
const next = () => undefined;
const ack = () => undefined;
const payload = { clientId: 'c', body: 'b' };

async function round(): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < EVENTS; i++) {
    const packet: unknown[] = ['message:send', payload, ack];
    middleware[i % SOCKETS](packet, next);
    (packet[packet.length - 1] as (res: unknown) => void)({ ok: true, data: null });
    if (i % SOCKETS === SOCKETS - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  return Number(process.hrtime.bigint() - started) / EVENTS;
}

const rounds: number[] = [];
for (let r = 0; r < 3; r++) rounds.push(await round());
console.log(`flood guard, ${EVENTS.toLocaleString('en')} events per round over ${SOCKETS} sockets: ${rounds.map((ns) => `${(ns / 1000).toFixed(2)} µs`).join(', ')} per event (including a setImmediate every ${SOCKETS})`);
console.log(`node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
