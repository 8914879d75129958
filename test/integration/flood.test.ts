/**
 * Floods of socket events on a real server process (issue 7): sockets fire 100,000 events of every
 * kind the protocol has, on both namespaces, valid and invalid, with and without acks, while another
 * visitor and an agent keep talking. The server runs in a child process, so the flooding client and
 * the server do not share an event loop. Every loop is bounded in count and in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import type { Ack } from '../../shared/result.ts';
import type { ConversationDTO, MessageDTO, SessionDTO } from '../../shared/types.ts';
import { createAgent } from '../../server/agents/agents.service.ts';
import { createTestDatabase, type Backend, type TestDatabase } from '../support/db.ts';
import type { FloodConfig, FloodTarget, LaneResult } from '../support/flooder.ts';
import { startServerProcess, type ServerProcess } from '../support/process.ts';
import { ADMIN, clientId, connected, login } from '../support/server.ts';
import { visitorFrom } from '../support/limits.ts';

/** The number: events of each kind. Refused ones cost the server almost nothing, so they go fast. */
const PER_KIND = Number(process.env.FLOOD_PER_KIND ?? 100_000);
/**
 * A bound on the flooder, not a target: earlier clean-clone CI runs had every lane's 100,000 out within
 * 60 s, but one beside other work (load average 6–8) had only 84–99% of them out by then.
 */
const LANE_DEADLINE_MS = 110_000;
const MAX_SOCKETS_PER_LANE = 500;
const PROBE_EVERY_MS = 500;
/** A probe not answered within this counts as unanswered. */
const PROBE_TIMEOUT_MS = 5_000;

const WIDGET_EVENTS = ['session:hello', 'session:identify', 'message:send', 'messages:sync', 'faq:respond', 'faq:choose', 'conversation:escalate', 'feedback:submit', 'feedback:list', 'feedback:seen'] as const;
const AGENT_EVENTS = ['queue:list', 'conversation:open', 'conversation:close', 'conversation:claim', 'conversation:resolve', 'message:send', 'messages:sync'] as const;

const QUESTION = 'My certificate shows the wrong spelling of my grandmother’s village, can a person fix it?';
const FLOODER = { email: 'flooder@test.local', password: 'flooder-password-1' };
/** PostgreSQL when there is one (as in CI): its pool is what a flood used to exhaust. */
const backend: Backend = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NIL = '00000000-0000-4000-8000-000000000000';

/** The server's resident memory in MB, from the kernel. */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** Some of the server's own numbers from GET /metrics (prom-client); a scrape restarts the event-loop histogram. */
async function serverMetrics(url: string): Promise<{ loopMaxMs?: number; loopP99Ms?: number; heapMb?: number }> {
  const res = await fetch(`${url}/metrics`).catch(() => undefined);
  if (!res?.ok) return {};
  const text = await res.text();
  const value = (name: string) => {
    const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const ms = (v?: number) => (v === undefined ? undefined : Math.round(v * 1000));
  const heap = value('nodejs_heap_size_used_bytes');
  return { loopMaxMs: ms(value('nodejs_eventloop_lag_max_seconds')), loopP99Ms: ms(value('nodejs_eventloop_lag_p99_seconds')), heapMb: heap === undefined ? undefined : Math.round(heap / 2 ** 20) };
}

function agentSocket(url: string, cookie: string, ip: string): Socket {
  return connect(`${url}/agent`, { extraHeaders: { cookie, 'x-forwarded-for': ip }, transports: ['websocket'], reconnection: false, forceNew: true });
}

async function call<T>(s: Socket, event: string, payload: unknown): Promise<Ack<T>> {
  return (await s.timeout(PROBE_TIMEOUT_MS).emitWithAck(event, payload)) as Ack<T>;
}

async function must<T>(s: Socket, event: string, payload: unknown): Promise<T> {
  const res = await call<T>(s, event, payload);
  if (!res.ok) throw new Error(`${event} failed: ${res.error.code}`);
  return res.data;
}

type Flooder = FloodTarget & { token: string };

async function makeFlooder(url: string, ip: string): Promise<Flooder> {
  const s = visitorFrom(url, ip);
  await connected(s);
  const session = await must<SessionDTO>(s, 'session:hello', { locale: 'en' });
  const sent = await must<{ conversation: ConversationDTO }>(s, 'message:send', { clientId: clientId(), body: 'How do I get a refund?' });
  const messages = await must<MessageDTO[]>(s, 'messages:sync', { conversationId: sent.conversation.id, afterSeq: 0 });
  const feedback = await must<{ id: string }>(s, 'feedback:submit', { content: 'Flood test feedback' });
  s.disconnect();
  const questionId = messages.map((m) => (m.meta as { questionId?: string }).questionId).find(Boolean) ?? NIL;
  return { token: session.token!, conversationId: sent.conversation.id, questionId, feedbackId: feedback.id };
}

/** Runs the flooder in a process of its own and resolves with its results. */
function runFlooder(config: FloodConfig, onChild: (child: ChildProcess) => void): Promise<LaneResult[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/flooder.ts', JSON.stringify(config)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  onChild(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('[')) resolve(JSON.parse(last) as LaneResult[]);
      else reject(new Error(`flooder exited with ${code}:\n${err}`));
    });
  });
}

describe(`floods of socket events on ${backend}`, () => {
  let database: TestDatabase | undefined;
  let server: ServerProcess | undefined;
  let flooder: ChildProcess | undefined;
  const open: Socket[] = [];
  afterAll(async () => {
    if (flooder?.exitCode === null) flooder.kill('SIGKILL');
    for (const s of open) s.disconnect();
    await server?.stop();
    await database?.drop();
  });

  it('keeps answering another visitor and an agent while every event kind floods in, and disconnects the flooders', async () => {
    database = await createTestDatabase(backend);
    // The admin the server would seed, and a second admin (it sees every site) to flood from.
    await createAgent(database.db, { email: ADMIN.email, password: ADMIN.password, name: 'Admin', role: 'admin' });
    await createAgent(database.db, { email: FLOODER.email, password: FLOODER.password, name: 'Flooder', role: 'admin' });
    await database.close();
    // Production's event limits (process tests raise them by default), behind one trusted proxy.
    server = await startServerProcess({ database: database.env, env: { TRUST_PROXY: '1', RATE_EVENTS_SCALE: undefined, LOG_LEVEL: 'warn' } });
    const srv = server;
    onTestFailed(() => console.warn(`server (pid ${srv.pid}) wrote:\n${srv.output()}`));
    const url = srv.url;

    // ---- the people who must keep being served ----
    const visitor = visitorFrom(url, '10.1.0.1');
    open.push(visitor);
    await connected(visitor);
    await must<SessionDTO>(visitor, 'session:hello', { locale: 'en' });
    let conversation = (await must<{ conversation: ConversationDTO }>(visitor, 'message:send', { clientId: clientId(), body: QUESTION })).conversation;
    if (conversation.status === 'bot') conversation = (await must<{ conversation: ConversationDTO }>(visitor, 'conversation:escalate', { conversationId: conversation.id })).conversation;
    const adminCookie = await login(url);
    const agent = agentSocket(url, adminCookie, '10.1.0.2');
    open.push(agent);
    await connected(agent);
    await must(agent, 'conversation:claim', { conversationId: conversation.id });
    await must(agent, 'conversation:open', { conversationId: conversation.id });
    const heardByAgent = new Set<string>();
    const heardByVisitor = new Set<string>();
    agent.on('message:created', (m: MessageDTO) => m.conversationId === conversation.id && heardByAgent.add(m.body));
    visitor.on('message:created', (m: MessageDTO) => m.conversationId === conversation.id && heardByVisitor.add(m.body));

    // ---- the flooders: their own visitors, an agent of their own, an address per lane ----
    const flooders = await Promise.all(WIDGET_EVENTS.map((_, k) => makeFlooder(url, `10.66.${k}.1`)));
    const flooderCookie = await login(url, FLOODER.email, FLOODER.password);
    const target = flooders[0];

    const baselineMb = await rssMb(srv.pid);
    const before = await serverMetrics(url);
    let peakMb = baselineMb;
    let flooding = true;
    const sampler = (async () => {
      while (flooding) {
        peakMb = Math.max(peakMb, await rssMb(srv.pid));
        await sleep(200);
      }
    })();

    // ---- probes, from start to end of the flood ----
    const worst: Record<string, number> = {};
    const problems: string[] = [];
    const sentByVisitor: string[] = [];
    const sentByAgent: string[] = [];
    let rounds = 0;
    const probe = async (name: string, fn: () => Promise<boolean>) => {
      const t0 = performance.now();
      const answered = await fn().catch((err: Error) => (problems.push(`${name}: ${err.message}`), true));
      worst[name] = Math.max(worst[name] ?? 0, performance.now() - t0);
      if (!answered) problems.push(`${name} refused in round ${rounds}`);
    };
    const probes = (async () => {
      while (flooding) {
        rounds += 1;
        const vBody = `visitor probe ${rounds}`;
        const aBody = `agent probe ${rounds}`;
        sentByVisitor.push(vBody);
        sentByAgent.push(aBody);
        await Promise.all([
          probe('visitor message:send', async () => (await call(visitor, 'message:send', { clientId: clientId(), body: vBody })).ok),
          probe('agent message:send', async () => (await call(agent, 'message:send', { conversationId: conversation.id, clientId: clientId(), body: aBody })).ok),
          probe('agent queue:list', async () => (await call(agent, 'queue:list', {})).ok),
          probe('GET /api/auth/me', async () => (await fetch(`${url}/api/auth/me`, { headers: { cookie: adminCookie }, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })).ok),
        ]);
        await sleep(PROBE_EVERY_MS);
      }
    })();

    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const started = Date.now();
    const lanes = await runFlooder(
      {
        url,
        perKind: PER_KIND,
        deadlineMs: LANE_DEADLINE_MS,
        maxSocketsPerLane: MAX_SOCKETS_PER_LANE,
        lanes: [
          ...WIDGET_EVENTS.map((event, k) => ({ namespace: 'widget' as const, event, ip: `10.66.${k}.1`, token: flooders[k].token, target: flooders[k] })),
          ...AGENT_EVENTS.map((event, k) => ({ namespace: 'agent' as const, event, ip: `10.67.${k}.1`, cookie: flooderCookie, target })),
        ],
      },
      (child) => (flooder = child),
    );
    const floodMs = Date.now() - started;
    loopDelay.disable();
    const during = await serverMetrics(url);
    flooding = false;
    await Promise.all([probes, sampler]);

    // Everything each side sent reached the other side (bounded wait for the last pushes).
    for (let i = 0; i < 100 && !(sentByVisitor.every((b) => heardByAgent.has(b)) && sentByAgent.every((b) => heardByVisitor.has(b))); i++) await sleep(100);
    // Memory after the flood, once the server has had a few seconds to collect.
    let afterMb = await rssMb(srv.pid);
    for (let i = 0; i < 20 && afterMb > baselineMb + 100; i++) {
      await sleep(500);
      afterMb = await rssMb(srv.pid);
    }
    const after = await serverMetrics(url);

    console.log(
      [
        `flood on ${backend}: ${lanes.reduce((n, l) => n + l.sent, 0)} events in ${floodMs} ms, ${rounds} probe rounds`,
        ...lanes.map((l) => `  ${l.lane}: sent ${l.sent} on ${l.sockets} sockets (${l.kicked} disconnected by the server, ${l.handshakeRefused} handshakes refused); answers ${JSON.stringify(l.answers)}`),
        `  worst probe latency (ms): ${JSON.stringify(Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, Math.round(v)])))}`,
        `  server event-loop delay during the flood (ms): max ${during.loopMaxMs}, p99 ${during.loopP99Ms}`,
        `  this test's own event-loop delay, max ${Math.round(loopDelay.max / 1e6)} ms (part of the latencies above)`,
        `  server RSS (MB): before ${baselineMb.toFixed(0)}, peak ${peakMb.toFixed(0)}, after ${afterMb.toFixed(0)}; heap used (MB): before ${before.heapMb}, after the flood ${during.heapMb}, settled ${after.heapMb}`,
      ].join('\n'),
    );

    expect(problems).toEqual([]);
    expect(rounds).toBeGreaterThan(3);
    expect(sentByVisitor.filter((b) => !heardByAgent.has(b))).toEqual([]);
    expect(sentByAgent.filter((b) => !heardByVisitor.has(b))).toEqual([]);
    expect(visitor.connected && agent.connected).toBe(true);
    for (const l of lanes) {
      expect(l.sent, l.lane).toBe(PER_KIND);
      expect(l.answers.RATE_LIMITED ?? 0, l.lane).toBeGreaterThan(0);
      expect(l.kicked, l.lane).toBeGreaterThan(0);
    }
    expect(srv.output()).toContain('socket disconnected for flooding');
    // Generous: the point is that a flood leaves no lasting growth (it used to reach GBs).
    expect(peakMb).toBeLessThan(baselineMb + 400);
    expect(afterMb).toBeLessThan(baselineMb + 150);
  }, 240_000);
});
