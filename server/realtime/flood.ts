/**
 * Flood protection for every socket event, from visitors and agents. Before any handler runs, an
 * event pays its cost (EVENT_COSTS) from three token buckets, per socket, per visitor or agent and per
 * IP, and takes one of a few in-flight slots of its socket and of its IP. A refused event is acked
 * RATE_LIMITED at once, with how long to wait, and does no work; a socket refused many times in a row
 * without waiting as told is disconnected. The events holding slots are known, for `/metrics`
 * (support_socket_events_in_flight and the oldest one's wait) and for a warning about any that goes
 * unanswered for a minute.
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
import { countRefusal, watchEventsInFlight } from '../ops/counters.ts';
import type { WidgetSocket } from '../visitors/visitors.handlers.ts';

type Rule = { limit: number; windowMs: number };
type Namespace = 'widget' | 'agent';
type AnyAck = (res: Ack<unknown>) => void;
/** The names in LIMITS of a namespace's rules: read per event, since tests change LIMITS while sockets are open. */
type RuleName = { [K in keyof typeof LIMITS]: (typeof LIMITS)[K] extends Rule ? K : never }[keyof typeof LIMITS];
type InFlightName = 'widgetEventsInFlight' | 'agentEventsInFlight';

/** What a refusal for lack of a free slot tells the client: a handler usually ends within this. */
const IN_FLIGHT_RETRY_MS = 100;
/**
 * How early a retry may come and still count as having waited: a timer fires by its event loop's
 * cached clock, which can lag the real one by a few ms, so a client that waited as told may arrive
 * just before the time it was given.
 */
const WAIT_SLACK_MS = 10;
/**
 * An event whose handler has not answered for this long is logged, once: handlers answer within the
 * database's limits (a statement is cancelled after 30 s, connections fail within 5 s), so one that
 * has not is waiting on something that will never answer, and its slot with it. A driver bug held a
 * message lane that way (patches/postgres+3.4.9.patch): sockets then saw only RATE_LIMITED, and
 * nothing in the logs said why.
 */
const UNANSWERED_MS = 60_000;
/** How often the events in flight are looked over for one past UNANSWERED_MS. */
const UNANSWERED_SCAN_MS = 10_000;
/** Visitor, agent and IP buckets kept at most; the least recently used go first. */
const MAX_KEYS = 50_000;
/**
 * A bucket used again within this time keeps its place in the least-recently-used order instead of
 * moving to the end: moving is a delete and an insert in the map on every event, a third of the
 * guard's cost measured alone. Eviction stays least recently used to this precision.
 */
const REORDER_MS = 1_000;

interface Bucket {
  tokens: number;
  at: number;
  /** When the bucket last moved to the end of its map's order. */
  placed: number;
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

/** Takes `cost` from `b` (which `level` allowed). */
function spend(b: Bucket, rule: Rule, cost: number, now: number): void {
  b.tokens = level(b, rule, now) - Math.min(cost, rule.limit);
  b.at = now;
}

/**
 * Token buckets by key, bounded: a Map keeps insertion order, so re-inserting on use (at most once per
 * REORDER_MS) makes the first key the least recently used, and the one most likely to have refilled anyway.
 */
class Buckets {
  private readonly map = new Map<string, Bucket>();

  get(key: string): Bucket | undefined {
    return this.map.get(key);
  }

  take(key: string, b: Bucket | undefined, rule: Rule, cost: number, now: number): void {
    if (b && now - b.placed < REORDER_MS) return spend(b, rule, cost, now);
    const next: Bucket = b ?? { tokens: rule.limit, at: now, placed: now };
    spend(next, rule, cost, now);
    next.placed = now;
    this.map.delete(key);
    this.map.set(key, next);
    for (const oldest of this.map.keys()) {
      if (this.map.size <= MAX_KEYS) break;
      this.map.delete(oldest);
    }
  }
}

/** Handlers running for the sockets of one address; kept while it has sockets or work running. */
interface Running {
  n: number;
  sockets: number;
}

/** A socket's state, shared by its events. */
interface Gate {
  socket: Socket;
  namespace: Namespace;
  inFlight: number;
  /**
   * Its events whose handlers have not answered yet, oldest first: a list through the flights
   * themselves (`older`, `newer`), two pointer writes to add or remove one. A Set cost the guard about
   * 1 µs more per event (bench:flood-guard), more than all the rest of its work.
   */
  oldest: Flight | null;
  newest: Flight | null;
  ip: Running;
  /** The socket is gone: its slots were all freed then, so a handler that answers later frees none again. */
  closed: boolean;
}

/** One event's slot: freed once, by its ack or, if the socket goes away first, with the socket's other slots. */
interface Flight {
  gate: Gate;
  event: string;
  /** When it took its slot (performance.now()). */
  since: number;
  /** Logged as unanswered already. */
  reported: boolean;
  older: Flight | null;
  newer: Flight | null;
  released: boolean;
  /** Pushed as the packet's ack: frees the slot, then answers the client. */
  release: (res: Ack<unknown>) => void;
}

interface Guarded {
  namespace: Namespace;
  ip: string;
  /** The visitor's or agent's id, read per event (an identified visitor may change). */
  owner: () => string;
  rules: { socket: RuleName; owner: RuleName; ip: RuleName };
  inFlight: InFlightName;
}

/** One per app: buckets for visitors, agents and addresses outlive their sockets. */
export class FloodGuard {
  private readonly owners = new Buckets();
  private readonly ips = new Buckets();
  private readonly running = new Map<string, Running>();
  /** Every socket's gate, while it is connected. */
  private readonly gates = new Set<Gate>();
  private readonly unwatch: () => void;
  private readonly scan: NodeJS.Timeout;

  constructor(private readonly ctx: Ctx) {
    this.unwatch = watchEventsInFlight(() => this.inFlight());
    this.scan = setInterval(() => this.reportUnanswered(), UNANSWERED_SCAN_MS);
    this.scan.unref();
  }

  /** Stops the scan and the metrics' reading of this guard (the app is closing). */
  stop(): void {
    clearInterval(this.scan);
    this.unwatch();
  }

  /** Events whose handlers have not answered, and how long the oldest has waited (ms). */
  inFlight(now = performance.now()): { count: number; oldestMs: number } {
    let count = 0;
    let oldestMs = 0;
    for (const gate of this.gates) {
      count += gate.inFlight;
      if (gate.oldest) oldestMs = Math.max(oldestMs, now - gate.oldest.since);
    }
    return { count, oldestMs };
  }

  /** Logs each event unanswered for UNANSWERED_MS, once: its name and socket, never its payload. */
  private reportUnanswered(now = performance.now()): void {
    for (const gate of this.gates) {
      for (let f = gate.oldest; f && now - f.since >= UNANSWERED_MS; f = f.newer) {
        if (f.reported) continue;
        f.reported = true;
        this.ctx.log.warn({ namespace: gate.namespace, event: f.event, socket: gate.socket.id, waitedMs: Math.round(now - f.since), inFlight: gate.inFlight }, 'socket event unanswered');
      }
    }
  }

  /** Installs the guard on a `/widget` socket; call it before the handlers are registered. */
  widget(socket: WidgetSocket): void {
    this.install(socket, {
      namespace: 'widget',
      ip: socket.data.ip,
      owner: () => socket.data.visitor.id,
      rules: { socket: 'widgetEventsPerSocket', owner: 'widgetEventsPerVisitor', ip: 'widgetEventsPerIp' },
      inFlight: 'widgetEventsInFlight',
    });
  }

  /** Installs the guard on an `/agent` socket; call it before the handlers are registered. */
  agent(socket: AgentSocket): void {
    this.install(socket, {
      namespace: 'agent',
      ip: clientIp(socket.handshake.address, socket.handshake.headers, this.ctx.config.trustProxy),
      owner: () => socket.data.auth.agent.id,
      rules: { socket: 'agentEventsPerSocket', owner: 'agentEventsPerAgent', ip: 'agentEventsPerIp' },
      inFlight: 'agentEventsInFlight',
    });
  }

  private install(socket: Socket, g: Guarded): void {
    // A new socket's bucket is full: `level` caps the infinite start at the bucket's size.
    const own: Bucket = { tokens: Number.POSITIVE_INFINITY, at: 0, placed: 0 };
    let refusals = 0;
    const { namespace } = g;
    // Keys built once per socket (and per owner): a string used again keeps its hash.
    const ipKey = `${namespace}:${g.ip}`;
    let ownerId = '';
    let ownerKey = '';
    const costs: Record<string, number> = EVENT_COSTS[namespace];
    const gate: Gate = { socket, namespace, inFlight: 0, oldest: null, newest: null, ip: this.join(ipKey), closed: false };
    this.gates.add(gate);
    // Every slot still taken is freed with the socket. An event may never be answered once it has
    // gone: socket.io drops a packet whose socket disconnected before its dispatch (Socket#dispatch),
    // and a later middleware (a visitor's row being written, the agent's rights re-read) can hold
    // it past the disconnect, so no handler runs and no ack frees its slot. Freed only by acks,
    // such slots added up, and after 32 of them every event from the address was refused until a
    // restart: a whole office or carrier address, by visitors who closed a tab at the wrong moment.
    socket.once('disconnect', () => {
      gate.closed = true;
      gate.ip.n -= gate.inFlight;
      gate.inFlight = 0;
      gate.oldest = gate.newest = null;
      this.gates.delete(gate);
      this.leave(ipKey, gate.ip, -1);
    });

    // When the wait that the refusal opening the current run named is over. A client that waits as
    // told is never disconnected, however long the server stays busy: during a database outage every
    // handler holds its slot for seconds, the address's slots fill, and a well-behaved widget (or an
    // office of them behind one address) is refused again and again. Only events sent before the
    // named wait has passed count towards the disconnect; one sent after it starts a new run.
    let waitUntil = 0;
    const refuse = (event: unknown, ack: AnyAck | undefined, waitMs: number, rule: 'in_flight' | 'events') => {
      ack?.(fail('RATE_LIMITED', waitMs));
      countRefusal(`${namespace}_${rule}`);
      const now = Date.now();
      if (now + WAIT_SLACK_MS >= waitUntil) {
        waitUntil = now + waitMs;
        refusals = 0;
        return;
      }
      refusals += 1;
      if (refusals === LIMITS.eventRefusalsBeforeDisconnect) {
        // Who and what, never a payload or a token.
        this.ctx.log.warn({ namespace, ip: g.ip, owner: g.owner(), event: String(event).slice(0, 64), refusals }, 'socket disconnected for flooding');
        socket.disconnect(true);
      }
    };

    socket.use((packet, next) => {
      // socket.io passes [event, ...args, ack?]; an ack is always the last element and a function.
      const ack = typeof packet[packet.length - 1] === 'function' ? (packet.pop() as AnyAck) : undefined;
      const event = packet[0];
      if (!socket.connected) return;
      const known = typeof event === 'string' && Object.hasOwn(costs, event);
      const slots = LIMITS[g.inFlight];
      if (known && (gate.inFlight >= slots.perSocket || gate.ip.n >= slots.perIp)) return refuse(event, ack, IN_FLIGHT_RETRY_MS, 'in_flight');
      const id = g.owner();
      if (id !== ownerId) {
        ownerId = id;
        ownerKey = `${namespace}:${id}`;
      }
      const now = performance.now();
      const wait = this.pay(g, own, ownerKey, ipKey, known ? costs[event] : 1, now);
      if (wait > 0) return refuse(event, ack, wait, 'events');
      refusals = 0;
      // Not in the protocol: nobody listens, so it would never be answered.
      if (!known) return ack?.(fail('INVALID_PAYLOAD'));

      gate.inFlight += 1;
      gate.ip.n += 1;
      const flight: Flight = {
        gate,
        event,
        since: now,
        reported: false,
        older: gate.newest,
        newer: null,
        released: false,
        // socketHandler pops a trailing function as its ack and always calls it: that frees the slot.
        release: (res) => {
          this.land(flight, ipKey);
          ack?.(res);
        },
      };
      if (gate.newest) gate.newest.newer = flight;
      else gate.oldest = flight;
      gate.newest = flight;
      packet.push(flight.release);
      next();
    });
  }

  /** The running count of an address, for one more socket of it. */
  private join(ipKey: string): Running {
    let r = this.running.get(ipKey);
    if (!r) this.running.set(ipKey, (r = { n: 0, sockets: 0 }));
    r.sockets += 1;
    return r;
  }

  /** One socket of the address gone (`sockets` -1) or one event done (0): forgets the address once it has neither. */
  private leave(ipKey: string, r: Running, sockets: number): void {
    r.sockets += sockets;
    if (r.sockets <= 0 && r.n <= 0 && this.running.get(ipKey) === r) this.running.delete(ipKey);
  }

  /** Frees an event's slot, once. */
  land(flight: Flight, ipKey: string): void {
    if (flight.released) return;
    flight.released = true;
    if (flight.gate.closed) return;
    const { gate, older, newer } = flight;
    if (older) older.newer = newer;
    else gate.oldest = newer;
    if (newer) newer.older = older;
    else gate.newest = older;
    gate.inFlight -= 1;
    gate.ip.n -= 1;
    this.leave(ipKey, gate.ip, 0);
  }

  /**
   * Takes `cost` from the socket's, the owner's and the address's buckets, or from none of them.
   * Returns 0 when paid, else how long until all three could pay.
   */
  private pay(g: Guarded, own: Bucket, ownerKey: string, ipKey: string, cost: number, now: number): number {
    const socketRule = LIMITS[g.rules.socket];
    const ownerRule = LIMITS[g.rules.owner];
    const ipRule = LIMITS[g.rules.ip];
    const owner = this.owners.get(ownerKey);
    const ip = this.ips.get(ipKey);
    const wait = Math.max(waitFor(own, socketRule, cost, now), waitFor(owner, ownerRule, cost, now), waitFor(ip, ipRule, cost, now));
    if (wait > 0) return wait;
    spend(own, socketRule, cost, now);
    this.owners.take(ownerKey, owner, ownerRule, cost, now);
    this.ips.take(ipKey, ip, ipRule, cost, now);
    return 0;
  }
}

