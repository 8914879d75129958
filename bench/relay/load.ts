/**
 * The load generator of `bench:relay`, a child process driven over IPC by bench/relay.ts. It holds
 * the conversations of both servers at once (visitor and agent sockets, socket.io-client, websocket
 * transport), sends at a given rate, and measures what arrived on the other side: send→delivery
 * latency, losses, duplicates, order, and every Socket.IO packet its sockets received.
 */
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';

type Target = string;
type Direction = 'toAgent' | 'toVisitor';

/** A visitor question no FAQ answers, so that the conversation goes to a person. */
const QUESTION = 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?';

interface Conversation {
  id: string;
  visitor: Socket;
  agent: Socket;
  /** Messages waiting for the previous one's ack, per side: the widget and the console each send one at a time, in order. */
  outbox: Record<'visitor' | 'agent', { queue: (() => void)[]; busy: boolean }>;
}

interface Sent {
  t: number;
  conv: number;
  dir: Direction;
  /** Position among the messages of this conversation and direction in this step: deliveries must keep it. */
  k: number;
  acked: boolean;
  delivered: boolean;
}

interface Step {
  sent: Map<string, Sent>;
  latencies: number[];
  /** Per 100 ms of the step (by send time): the slowest delivery and how many took 50 ms or more. */
  windows: Map<number, { max: number; slow: number }>;
  t0: number;
  acks: number;
  ackErrors: Map<string, number>;
  delivered: number;
  duplicated: number;
  reordered: number;
  reorderedToVisitor: number;
  seqInversions: number;
  lastK: Map<string, number>;
  lastSeq: Map<string, number>;
}

export interface StepResult {
  sent: number;
  acked: number;
  ackErrors: Record<string, number>;
  delivered: number;
  lost: number;
  duplicated: number;
  /** Delivered after a message its sender sent later. */
  reordered: number;
  /** Of those, agent → visitor. */
  reorderedToVisitor: number;
  /** Of those, pushed after a message with a higher seq (stored in order, delivered out of it). */
  seqInversions: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The 100 ms windows (by send time, from the step's start) whose slowest delivery took 50 ms or more: where a failing p99 came from. */
  slowWindows: string;
  packets: number;
  /** CPU the load generator used during the step, in % of one core: near 100 it, not the server, was the limit. */
  loadCpuPct: number;
  /**
   * Where the generator's sending loop (a 1 ms timer) stalled STALL_MS or more, from the step's
   * start, and how many messages it then sent at once: near its one core's limit it sends in bursts,
   * and the relay's steps near its top fail on them (2026-12-07: the relay failed 12,800 msg/s on
   * stalls of 20-42 ms in one run and passed 16,000 with stalls of 20-30 ms in another).
   */
  loadStalls: string;
  /** The longest of those stalls, ms (0: none). */
  loadStallMaxMs: number;
  /** The generator's garbage collector's pauses over the step, the longest and their sum (ms): whether its stalls were its GC. */
  loadGcMaxMs: number;
  loadGcMs: number;
  sendMs: number;
}

export interface IdleOutcome {
  connected: number;
  failed: number;
  errors: Record<string, number>;
  elapsedMs: number;
  loadCpuPct: number;
}

export type Command =
  | { cmd: 'open'; target: Target; url: string; conversations: { site: string; cookie?: string }[] }
  | { cmd: 'step'; target: Target; rate: number; durationMs: number; drainMs: number }
  | { cmd: 'outstanding'; target: Target }
  | { cmd: 'close'; target: Target }
  | { cmd: 'idle'; url: string; site: string; count: number; concurrency: number; timeLimitMs: number }
  | { cmd: 'closeIdle' };

const conversations = new Map<Target, Conversation[]>();
const packets = new Map<Target, number>();
const current = new Map<Target, Step>();
let idleSockets: Socket[] = [];
let stepNo = 0;

/** A gap this long (ms) between two runs of the sending loop's 1 ms timer is a stall. */
const STALL_MS = 20;
const gc = { max: 0, sum: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.max = Math.max(gc.max, e.duration);
    gc.sum += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

const options = { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 };

function countPackets(target: Target, s: Socket) {
  s.io.on('packet', () => packets.set(target, (packets.get(target) ?? 0) + 1));
}

function connected(s: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.connected) return resolve();
    s.once('connect', () => resolve());
    s.once('connect_error', (err) => reject(new Error(`connect: ${err.message}`)));
  });
}

async function call<T = any>(s: Socket, event: string, payload: unknown): Promise<T> {
  const res = await s.timeout(60_000).emitWithAck(event, payload);
  if (!res?.ok) throw new Error(`${event}: ${res?.error?.code ?? JSON.stringify(res)}`);
  return res.data as T;
}

function onDelivered(target: Target, dir: Direction, message: { clientId?: string | null; seq?: number }) {
  const step = current.get(target);
  const rec = step && message?.clientId ? step.sent.get(message.clientId) : undefined;
  // The sender's own copy (the product echoes to the sender's other tabs) is not a delivery.
  if (!step || !rec || rec.dir !== dir) return;
  if (rec.delivered) {
    step.duplicated += 1;
    return;
  }
  rec.delivered = true;
  step.delivered += 1;
  const ms = performance.now() - rec.t;
  step.latencies.push(ms);
  const w = Math.floor((rec.t - step.t0) / 100);
  const win = step.windows.get(w) ?? { max: 0, slow: 0 };
  win.max = Math.max(win.max, ms);
  if (ms >= 50) win.slow += 1;
  step.windows.set(w, win);
  const key = `${rec.conv}:${dir}`;
  if ((step.lastK.get(key) ?? -1) > rec.k) {
    step.reordered += 1;
    if (dir === 'toVisitor') step.reorderedToVisitor += 1;
  }
  else step.lastK.set(key, rec.k);
  const seq = Number(message.seq);
  if ((step.lastSeq.get(key) ?? -1) > seq) step.seqInversions += 1;
  else step.lastSeq.set(key, seq);
}

/** One conversation as the widget and the console make it: hello, a question, escalation, a claim. */
async function openConversation(target: Target, url: string, spec: { site: string; cookie?: string }, n: number): Promise<Conversation> {
  // Still 127.0.0.1 on the server's side, but one source address per person, as on the internet:
  // per-IP limits then count what they count in production, not the whole benchmark as one client.
  const from = (net: number) => ({ localAddress: `127.${net}.${Math.floor(n / 250)}.${(n % 250) + 1}` });
  const visitor = io(`${url}/widget`, { ...options, ...from(20), query: { site: spec.site } });
  const agent = io(`${url}/agent`, { ...options, ...from(21), extraHeaders: spec.cookie ? { cookie: spec.cookie } : {} });
  countPackets(target, visitor);
  countPackets(target, agent);
  await Promise.all([connected(visitor), connected(agent)]);
  await call(visitor, 'session:hello', {});
  const first = await call(visitor, 'message:send', { clientId: `open${process.pid}x${n}`, body: QUESTION });
  const id: string = first.conversation?.id ?? first.message?.conversationId;
  if (first.conversation?.status === 'bot') await call(visitor, 'conversation:escalate', { conversationId: id });
  await call(agent, 'conversation:claim', { conversationId: id });
  visitor.on('message:created', (m) => onDelivered(target, 'toVisitor', m));
  agent.on('message:created', (m) => onDelivered(target, 'toAgent', m));
  return { id, visitor, agent, outbox: { visitor: { queue: [], busy: false }, agent: { queue: [], busy: false } } };
}

async function open(target: Target, url: string, specs: { site: string; cookie?: string }[]) {
  const t0 = performance.now();
  const list: Conversation[] = new Array(specs.length);
  let next = 0;
  // A few at a time, as a day's visitors would arrive; all at once would measure a thundering herd.
  const worker = async () => {
    while (next < specs.length) {
      const i = next++;
      list[i] = await openConversation(target, url, specs[i], i);
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  conversations.set(target, list);
  return { conversations: list.length, setupMs: Math.round(performance.now() - t0) };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function step(target: Target, rate: number, durationMs: number, drainMs: number): Promise<StepResult> {
  const convs = conversations.get(target);
  if (!convs?.length) throw new Error(`no conversations open on ${target}`);
  const s: Step = { sent: new Map(), latencies: [], windows: new Map(), t0: 0, acks: 0, ackErrors: new Map(), delivered: 0, duplicated: 0, reordered: 0, reorderedToVisitor: 0, seqInversions: 0, lastK: new Map(), lastSeq: new Map() };
  current.set(target, s);
  const tag = `b${process.pid.toString(36)}s${(stepNo++).toString(36)}n`;
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const perConv = new Map<string, number>();
  const packets0 = packets.get(target) ?? 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const wall0 = Date.now();
  s.t0 = t0;
  gc.max = gc.sum = 0;

  const send = (i: number) => {
    const conv = i % convs.length;
    // Each conversation alternates: visitor → agent, then agent → visitor.
    const dir: Direction = Math.floor(i / convs.length) % 2 === 0 ? 'toAgent' : 'toVisitor';
    const key = `${conv}:${dir}`;
    const k = perConv.get(key) ?? 0;
    perConv.set(key, k + 1);
    // Padded: with a low pid the tag is short, and ids under 8 characters are refused (ClientId in shared/schemas.ts).
    const clientId = `${tag}${i.toString(36).padStart(6, '0')}`;
    const rec: Sent = { t: performance.now(), conv, dir, k, acked: false, delivered: false };
    s.sent.set(clientId, rec);
    const ack = (res: { ok?: boolean; error?: { code?: string } }) => {
      rec.acked = true;
      s.acks += 1;
      if (!res?.ok) {
        const code = res?.error?.code ?? 'NO_ACK_BODY';
        s.ackErrors.set(code, (s.ackErrors.get(code) ?? 0) + 1);
      }
    };
    const c = convs[conv];
    const body = `bench message ${clientId}`;
    // As the clients do: the widget's outbox (widget/chat-client.ts) and the console's
    // (console/shared/desk.ts) send one message at a time, in order. Latency counts from when the
    // message was written, so the wait in the outbox is part of it.
    const side = dir === 'toVisitor' ? 'agent' : 'visitor';
    const outbox = c.outbox[side];
    const payload = side === 'agent' ? { conversationId: c.id, clientId, body } : { clientId, body };
    const emit = () => {
      outbox.busy = true;
      c[side].emit('message:send', payload, (res: Parameters<typeof ack>[0]) => {
        ack(res);
        outbox.busy = false;
        outbox.queue.shift()?.();
      });
    };
    if (outbox.busy) outbox.queue.push(emit);
    else emit();
  };

  let n = 0;
  const stalls: string[] = [];
  let stallMax = 0;
  let lastTick = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000) + 1);
      if (now - lastTick >= STALL_MS) {
        stalls.push(`${((lastTick - t0) / 1000).toFixed(2)}s: ${Math.round(now - lastTick)} ms, ${due - n} at once`);
        stallMax = Math.max(stallMax, now - lastTick);
      }
      lastTick = now;
      while (n < due) send(n++);
      if (n >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendMs = performance.now() - t0;
  const drainUntil = performance.now() + drainMs;
  while (performance.now() < drainUntil && (s.delivered < total || s.acks < total)) await new Promise((r) => setTimeout(r, 5));
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const sorted = [...s.latencies].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    sent: total,
    acked: s.acks,
    ackErrors: Object.fromEntries(s.ackErrors),
    delivered: s.delivered,
    lost: total - s.delivered,
    duplicated: s.duplicated,
    reordered: s.reordered,
    reorderedToVisitor: s.reorderedToVisitor,
    seqInversions: s.seqInversions,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? NaN),
    // Wall-clock times, to match with the server's and the database's logs.
    slowWindows: [...s.windows]
      .filter(([, w]) => w.max >= 50)
      .sort(([a], [b]) => a - b)
      .map(([at, w]) => `${(at / 10).toFixed(1)}s (${new Date(wall0 + at * 100).toISOString().slice(11, 23)}): ${w.slow} slow, max ${Math.round(w.max)}`)
      .join('; '),
    packets: (packets.get(target) ?? 0) - packets0,
    loadCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / elapsed) * 100),
    loadStalls: stalls.length > 8 ? `${stalls.slice(0, 8).join('; ')}; and ${stalls.length - 8} more` : stalls.join('; '),
    loadStallMaxMs: Math.round(stallMax),
    loadGcMaxMs: round(gc.max),
    loadGcMs: round(gc.sum),
    sendMs: Math.round(sendMs),
  };
}

/** Messages of the last step not yet acknowledged or delivered: a server still working off a backlog. */
function outstanding(target: Target) {
  const s = current.get(target);
  if (!s) return { undelivered: 0, unacked: 0 };
  return { undelivered: s.sent.size - s.delivered, unacked: s.sent.size - s.acks };
}

function close(target: Target) {
  for (const c of conversations.get(target) ?? []) {
    c.visitor.disconnect();
    c.agent.disconnect();
  }
  conversations.delete(target);
  current.delete(target);
  return {};
}

/** Widget sockets that connect and then only answer pings; no new one is started after `timeLimitMs`. */
async function idle(url: string, site: string, count: number, concurrency: number, timeLimitMs: number) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let next = 0;
  let failed = 0;
  const errors = new Map<string, number>();
  const worker = async () => {
    while (next < count && performance.now() - t0 < timeLimitMs) {
      next += 1;
      const s = io(`${url}/widget`, { ...options, query: { site } });
      try {
        await connected(s);
        idleSockets.push(s);
      } catch (err) {
        failed += 1;
        const msg = (err as Error).message;
        errors.set(msg, (errors.get(msg) ?? 0) + 1);
        s.disconnect();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    connected: idleSockets.length,
    failed,
    errors: Object.fromEntries(errors),
    elapsedMs: Math.round(elapsedMs),
    loadCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100),
  };
}

function closeIdle() {
  for (const s of idleSockets) s.disconnect();
  idleSockets = [];
  return {};
}

async function handle(c: Command): Promise<unknown> {
  switch (c.cmd) {
    case 'open':
      return open(c.target, c.url, c.conversations);
    case 'step':
      return step(c.target, c.rate, c.durationMs, c.drainMs);
    case 'outstanding':
      return outstanding(c.target);
    case 'close':
      return close(c.target);
    case 'idle':
      return idle(c.url, c.site, c.count, c.concurrency, c.timeLimitMs);
    case 'closeIdle':
      return closeIdle();
  }
}

if (!process.send) throw new Error('bench/relay/load.ts runs as a child of bench/relay.ts (it needs an IPC channel)');
process.on('message', (msg: { id: number; command: Command }) => {
  handle(msg.command).then(
    (result) => process.send!({ id: msg.id, ok: true, result }),
    (err: Error) => process.send!({ id: msg.id, ok: false, error: err.stack ?? String(err) }),
  );
});
// The parent went away (Ctrl-C, crash): nothing is left to measure for.
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
