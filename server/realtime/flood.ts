/**
 * Flood protection for every socket event, from visitors and agents. Before any handler runs, an
 * event pays its cost (EVENT_COSTS) from three token buckets, per socket, per visitor or agent and per
 * IP, and takes one of a few in-flight slots of its socket and of its IP. A refused event is acked
 * RATE_LIMITED at once and does no work; a socket refused many times in a row is disconnected.
 *
 * Counted in this process: a socket lives on one node, and a Redis round trip per event would make
 * every flooded event cost more, not less. The per-message limits shared through Redis stay in the
 * handlers (server/limits.ts, ctx.limiter).
 */
import type { Socket } from 'socket.io';
import { fail, type Ack } from '../../shared/result.ts';
import type { AgentSocket } from '../agents/agents.handlers.ts';
import type { Ctx } from '../context.ts';
import { clientIp, EVENT_COSTS, LIMITS } from '../limits.ts';
import { countRefusal } from '../ops/counters.ts';
import type { WidgetSocket } from '../visitors/visitors.handlers.ts';

type Rule = { limit: number; windowMs: number };
type Namespace = 'widget' | 'agent';
type AnyAck = (res: Ack<unknown>) => void;

/** What a refusal for lack of a free slot tells the client: a handler usually ends within this. */
const IN_FLIGHT_RETRY_MS = 100;
/** Visitor, agent and IP buckets kept at most; the least recently used go first. */
const MAX_KEYS = 50_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** Units available in `b` now under `rule`; the cost is capped at the bucket's size so it stays payable. */
function level(b: Bucket | undefined, rule: Rule, now: number): number {
  if (!b) return rule.limit;
  return Math.min(rule.limit, b.tokens + ((now - b.at) * rule.limit) / rule.windowMs);
}

function waitFor(b: Bucket | undefined, rule: Rule, cost: number, now: number): number {
  const missing = Math.min(cost, rule.limit) - level(b, rule, now);
  return missing <= 0 ? 0 : Math.ceil((missing * rule.windowMs) / rule.limit);
}

/**
 * Token buckets by key, bounded: a Map keeps insertion order, so re-inserting on use makes the first
 * key the least recently used, and the one most likely to have refilled anyway.
 */
class Buckets {
  private readonly map = new Map<string, Bucket>();

  wait(key: string, rule: Rule, cost: number, now: number): number {
    return waitFor(this.map.get(key), rule, cost, now);
  }

  take(key: string, rule: Rule, cost: number, now: number): void {
    const tokens = level(this.map.get(key), rule, now) - Math.min(cost, rule.limit);
    this.map.delete(key);
    this.map.set(key, { tokens, at: now });
    for (const oldest of this.map.keys()) {
      if (this.map.size <= MAX_KEYS) break;
      this.map.delete(oldest);
    }
  }
}

/** Counters that forget a key at zero, so the map holds only the addresses with work running. */
class Counts {
  private readonly map = new Map<string, number>();
  get(key: string): number {
    return this.map.get(key) ?? 0;
  }
  add(key: string, n: number): void {
    const v = this.get(key) + n;
    if (v > 0) this.map.set(key, v);
    else this.map.delete(key);
  }
}

interface Guarded {
  namespace: Namespace;
  ip: string;
  /** The visitor or agent, read per event (an identified visitor may change). */
  owner: () => string;
  rules: { socket: Rule; owner: Rule; ip: Rule };
  inFlight: { perSocket: number; perIp: number };
}

/** One per app: buckets for visitors, agents and addresses outlive their sockets. */
export class FloodGuard {
  private readonly owners = new Buckets();
  private readonly ips = new Buckets();
  private readonly running = new Counts();

  constructor(private readonly ctx: Ctx) {}

  /** Installs the guard on a `/widget` socket; call it before the handlers are registered. */
  widget(socket: WidgetSocket): void {
    this.install(socket, () => ({
      namespace: 'widget',
      ip: socket.data.ip,
      owner: () => `v:${socket.data.visitor.id}`,
      rules: { socket: LIMITS.widgetEventsPerSocket, owner: LIMITS.widgetEventsPerVisitor, ip: LIMITS.widgetEventsPerIp },
      inFlight: LIMITS.widgetEventsInFlight,
    }));
  }

  /** Installs the guard on an `/agent` socket; call it before the handlers are registered. */
  agent(socket: AgentSocket): void {
    const ip = clientIp(socket.handshake.address, socket.handshake.headers, this.ctx.config.trustProxy);
    this.install(socket, () => ({
      namespace: 'agent',
      ip,
      owner: () => `a:${socket.data.auth.agent.id}`,
      rules: { socket: LIMITS.agentEventsPerSocket, owner: LIMITS.agentEventsPerAgent, ip: LIMITS.agentEventsPerIp },
      inFlight: LIMITS.agentEventsInFlight,
    }));
  }

  /** `settings` is read per event: tests change LIMITS while sockets are open. */
  private install(socket: Socket, settings: () => Guarded): void {
    // A new socket's bucket is full: `level` caps the infinite start at the bucket's size.
    const own: Bucket = { tokens: Number.POSITIVE_INFINITY, at: 0 };
    let inFlight = 0;
    let refusals = 0;
    const { namespace, ip } = settings();
    const ipKey = `${namespace}:${ip}`;
    const costs: Record<string, number> = EVENT_COSTS[namespace];

    const refuse = (event: unknown, ack: AnyAck | undefined, waitMs: number, rule: 'in_flight' | 'events') => {
      ack?.(fail('RATE_LIMITED', waitMs));
      countRefusal(`${namespace}_${rule}`);
      refusals += 1;
      if (refusals === LIMITS.eventRefusalsBeforeDisconnect) {
        // Who and what, never a payload or a token.
        this.ctx.log.warn({ namespace, ip, owner: settings().owner(), event: String(event).slice(0, 64), refusals }, 'socket disconnected for flooding');
        socket.disconnect(true);
      }
    };

    socket.use((packet, next) => {
      // socket.io passes [event, ...args, ack?]; an ack is always the last element and a function.
      const ack = typeof packet.at(-1) === 'function' ? (packet.pop() as AnyAck) : undefined;
      const [event] = packet;
      if (!socket.connected) return;
      const s = settings();
      const known = typeof event === 'string' && Object.hasOwn(costs, event);
      if (known && (inFlight >= s.inFlight.perSocket || this.running.get(ipKey) >= s.inFlight.perIp)) return refuse(event, ack, IN_FLIGHT_RETRY_MS, 'in_flight');
      const wait = this.pay(s, own, known ? costs[event] : 1);
      if (wait > 0) return refuse(event, ack, wait, 'events');
      refusals = 0;
      // Not in the protocol: nobody listens, so it would never be answered.
      if (!known) return ack?.(fail('INVALID_PAYLOAD'));

      inFlight += 1;
      this.running.add(ipKey, 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inFlight -= 1;
        this.running.add(ipKey, -1);
      };
      // socketHandler pops a trailing function as its ack and always calls it: that frees the slot.
      packet.push((res: Ack<unknown>) => {
        release();
        ack?.(res);
      });
      next();
      // socket.io dispatches on the next tick and drops the packet if the socket has disconnected
      // by then (Socket#dispatch): no handler runs, so no ack would free the slot.
      process.nextTick(() => {
        if (!socket.connected) release();
      });
    });
  }

  /**
   * Takes `cost` from the socket's, the owner's and the address's buckets, or from none of them.
   * Returns 0 when paid, else how long until all three could pay.
   */
  private pay(s: Guarded, own: Bucket, cost: number): number {
    const now = performance.now();
    const ownerKey = `${s.namespace}:${s.owner()}`;
    const ipKey = `${s.namespace}:${s.ip}`;
    const wait = Math.max(waitFor(own, s.rules.socket, cost, now), this.owners.wait(ownerKey, s.rules.owner, cost, now), this.ips.wait(ipKey, s.rules.ip, cost, now));
    if (wait > 0) return wait;
    own.tokens = level(own, s.rules.socket, now) - Math.min(cost, s.rules.socket.limit);
    own.at = now;
    this.owners.take(ownerKey, s.rules.owner, cost, now);
    this.ips.take(ipKey, s.rules.ip, cost, now);
    return 0;
  }
}
