/**
 * A flooding client, run as its own process (`node --import tsx test/support/flooder.ts CONFIG`) so
 * that the test's probes do not wait behind it on one event loop. Each lane fires `perKind` events of
 * one kind, valid and invalid, most with an ack; when the server closes a socket, the lane opens
 * another. Prints one line of JSON: a LaneResult per lane.
 */
import { io as connect, type Socket } from 'socket.io-client';
import type { Ack } from '../../shared/result.ts';

/** What a flooding visitor owns, so that valid payloads reach real work. */
export interface FloodTarget {
  conversationId: string;
  questionId: string;
  feedbackId: string;
}

export interface FloodLane {
  namespace: 'widget' | 'agent';
  event: string;
  /** Sent as X-Forwarded-For: the server trusts one proxy. */
  ip: string;
  /** Visitor token (widget) or session cookie (agent). */
  token?: string;
  cookie?: string;
  target: FloodTarget;
}

export interface FloodConfig {
  url: string;
  perKind: number;
  deadlineMs: number;
  maxSocketsPerLane: number;
  lanes: FloodLane[];
}

export interface LaneResult {
  lane: string;
  /** Events emitted while the socket was connected, as far as this client knew. */
  sent: number;
  sockets: number;
  /** Sockets the server disconnected. */
  kicked: number;
  handshakeRefused: number;
  answers: Record<string, number>;
}

/** Events emitted between two turns of the event loop, so that answers and disconnects are read. */
const CHUNK = 1_000;
const NIL = '00000000-0000-4000-8000-000000000000';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let n = 0;
const clientId = () => `f${process.pid.toString(36)}${(n++).toString(36).padStart(8, '0')}`;

/** A payload the shared schema accepts for each event; every third one is broken instead. */
function payloadFor(lane: FloodLane, i: number): unknown {
  if (i % 3 === 2) return [null, 'junk', { conversationId: 42 }, { afterSeq: -1 }, {}][i % 5];
  const t = lane.target;
  const conv = { conversationId: t.conversationId };
  if (lane.namespace === 'widget') {
    switch (lane.event) {
      case 'session:hello': return { locale: 'en', pageUrl: 'https://example.com/a', pageTitle: 'A' };
      case 'session:identify': return { id: 'flood-user', ts: Math.floor(Date.now() / 1000), hash: '0'.repeat(64) };
      case 'message:send': return { clientId: clientId(), body: `flood ${i}` };
      case 'messages:sync': return { ...conv, afterSeq: 0 };
      case 'faq:respond': return { questionId: t.questionId, action: 'solved' };
      case 'faq:choose': return { questionId: t.questionId, entryId: NIL };
      case 'conversation:escalate': return conv;
      case 'feedback:submit': return { content: `flood feedback ${i}` };
      case 'feedback:seen': return { ids: [t.feedbackId] };
      default: return {};
    }
  }
  switch (lane.event) {
    case 'queue:list': return {};
    case 'message:send': return { ...conv, clientId: clientId(), body: `flood reply ${i}` };
    case 'messages:sync': return { ...conv, afterSeq: 0 };
    default: return conv;
  }
}

function open(url: string, lane: FloodLane): Socket {
  const common = { transports: ['websocket'], reconnection: false, forceNew: true };
  return lane.namespace === 'widget'
    ? connect(`${url}/widget`, { ...common, query: { site: 'demo' }, auth: { token: lane.token }, extraHeaders: { 'x-forwarded-for': lane.ip } })
    : connect(`${url}/agent`, { ...common, extraHeaders: { cookie: lane.cookie ?? '', 'x-forwarded-for': lane.ip } });
}

function connected(s: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
}

async function flood(config: FloodConfig, lane: FloodLane): Promise<LaneResult> {
  const r: LaneResult = { lane: `${lane.namespace} ${lane.event}`, sent: 0, sockets: 0, kicked: 0, handshakeRefused: 0, answers: {} };
  const tally = (res: Ack<unknown>) => {
    const key = res.ok ? 'ok' : res.error.code;
    r.answers[key] = (r.answers[key] ?? 0) + 1;
  };
  const deadline = Date.now() + config.deadlineMs;
  while (r.sent < config.perKind && Date.now() < deadline && r.sockets < config.maxSocketsPerLane) {
    const s = open(config.url, lane);
    r.sockets += 1;
    let kicked = false;
    s.on('disconnect', (reason) => (kicked ||= reason === 'io server disconnect'));
    try {
      await connected(s);
    } catch {
      r.handshakeRefused += 1;
      s.disconnect();
      await sleep(50);
      continue;
    }
    while (s.connected && r.sent < config.perKind) {
      for (let k = 0; k < CHUNK && r.sent < config.perKind; k++, r.sent++) {
        // Every fourth event goes without an ack: the server must count and finish those too.
        if (r.sent % 4 === 3) s.emit(lane.event, payloadFor(lane, r.sent));
        else s.emit(lane.event, payloadFor(lane, r.sent), tally);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The last socket: give the server a moment to close it, as it closed the others.
    for (let wait = 0; s.connected && wait < 100; wait++) await sleep(50);
    if (kicked) r.kicked += 1;
    s.removeAllListeners();
    s.disconnect();
  }
  return r;
}

const config = JSON.parse(process.argv[2]) as FloodConfig;
const results = await Promise.all(config.lanes.map((lane) => flood(config, lane)));
process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);
