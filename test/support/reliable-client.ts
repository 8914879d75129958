/**
 * A chat client with the delivery discipline of the widget and the console, for tests that break
 * connections and servers: every message carries a clientId and waits in an outbox until the server
 * acks it (a retry reuses the clientId, so the server stores it once); every connect catches up with
 * `messages:sync`; live `message:created` events are merged by seq, duplicates dropped, gaps synced.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { AGENT_NAMESPACE, WIDGET_NAMESPACE } from '../../shared/protocol.ts';
import { isTransient, type Ack } from '../../shared/result.ts';
import type { ConversationDTO, MessageDTO, SessionDTO } from '../../shared/types.ts';

/** What `messages:sync` returns at most per call (listMessages' page). */
export const SYNC_PAGE = 500;
const ACK_TIMEOUT_MS = 5000;
const MAX_ATTEMPTS = 200;
const GAP_GRACE_MS = 50;

export interface ReliableClientOptions {
  role: 'visitor' | 'agent';
  /** Server addresses; after `failoverAfter` failed attempts in a row the client moves to the next, as a load balancer would. */
  urls: string[];
  /** Agent: the session cookie (`name=value`). */
  cookie?: string;
  /** Visitor: the site key. */
  site?: string;
  failoverAfter?: number;
}

interface OutboxItem {
  clientId: string;
  body: string;
  conversationId?: string;
  attempts: number;
}

interface ConversationState {
  /** Messages held, by seq. */
  held: Map<number, MessageDTO>;
  /** Every seq from 1 to this one is held. */
  contiguous: number;
  tail: Promise<void>;
  queued?: Promise<void>;
  gapTimer?: NodeJS.Timeout;
}

export interface DeliveryStats {
  connects: number;
  drops: number;
  failovers: number;
  resends: number;
  duplicatesIgnored: number;
  gapsDetected: number;
  syncs: number;
  /** Refusals the client retried (RATE_LIMITED, INTERNAL, UNAVAILABLE), by code, handshakes included. */
  retriedErrors: Record<string, number>;
}

let counter = 0;
/** A clientId as the widget makes them: unique, 8 to 64 URL-safe characters. */
export const newClientId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36).padStart(5, '0')}`;

export class ReliableClient {
  socket: Socket | undefined;
  token: string | undefined;
  /** The visitor's current conversation (from session:hello or the latest ack). */
  conversation: ConversationDTO | undefined;
  /** The latest session:hello answer (visitor). */
  session: SessionDTO | undefined;
  /** The clientIds of the messages given to `send`, in order. */
  readonly sent: string[] = [];
  /** What the server acked for each clientId. */
  readonly acked = new Map<string, MessageDTO>();
  /** Anything that should never happen: a refused message, two messages with one seq. */
  readonly problems: string[] = [];
  readonly stats: DeliveryStats = { connects: 0, drops: 0, failovers: 0, resends: 0, duplicatesIgnored: 0, gapsDetected: 0, syncs: 0, retriedErrors: {} };

  private readonly outbox: OutboxItem[] = [];
  private readonly conversations = new Map<string, ConversationState>();
  private readonly watched = new Set<string>();
  private readonly listeners: [string, (...args: any[]) => void][] = [];
  private urlIndex = 0;
  private failures = 0;
  /** The socket whose catch-up is done: sending waits for it (a visitor's token comes with session:hello). */
  private ready: Socket | undefined;
  private draining = false;
  private drainAgain = false;
  private closed = false;
  private readyWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];

  constructor(private readonly opts: ReliableClientOptions) {
    this.open();
  }

  /** A visitor on site `demo` (or opts.site), connected and said hello. */
  static async visitor(urls: string[], opts: Partial<ReliableClientOptions> = {}): Promise<ReliableClient> {
    return ReliableClient.started(new ReliableClient({ role: 'visitor', urls, site: 'demo', ...opts }));
  }

  /** An agent with a session cookie from POST /api/auth/login. */
  static async agent(urls: string[], cookie: string, opts: Partial<ReliableClientOptions> = {}): Promise<ReliableClient> {
    return ReliableClient.started(new ReliableClient({ role: 'agent', urls, cookie, ...opts }));
  }

  /** A client that never got ready must not keep reconnecting behind the test's back. */
  private static async started(c: ReliableClient): Promise<ReliableClient> {
    try {
      await c.whenReady();
      return c;
    } catch (err) {
      c.close();
      throw err;
    }
  }

  get url(): string {
    return this.opts.urls[this.urlIndex];
  }

  /** Queues a message; it is sent, and re-sent, until the server acks it. Returns its clientId. */
  send(body: string, conversationId?: string): string {
    const clientId = newClientId(this.opts.role === 'visitor' ? 'v' : 'a');
    this.sent.push(clientId);
    this.outbox.push({ clientId, body, conversationId, attempts: 0 });
    this.kick();
    return clientId;
  }

  get pending(): number {
    return this.outbox.length;
  }

  /** Agent: follow a conversation (open it now and after every reconnect). */
  async watch(conversationId: string): Promise<void> {
    this.watched.add(conversationId);
    this.state(conversationId);
    if (this.ready && this.socket === this.ready) await this.catchUp(this.ready);
  }

  /** The messages held, in seq order, up to the first one missing. */
  timeline(conversationId: string): MessageDTO[] {
    const c = this.state(conversationId);
    return Array.from({ length: c.contiguous }, (_, i) => c.held.get(i + 1)!);
  }

  /** The highest seq held with nothing missing before it. */
  lastSeq(conversationId: string): number {
    return this.state(conversationId).contiguous;
  }

  /** Listens to a server event on this and every later socket. */
  on(event: string, handler: (...args: any[]) => void): void {
    this.listeners.push([event, handler]);
    this.socket?.on(event, handler);
  }

  off(event: string, handler: (...args: any[]) => void): void {
    const i = this.listeners.findIndex(([e, h]) => e === event && h === handler);
    if (i >= 0) this.listeners.splice(i, 1);
    this.socket?.off(event, handler);
  }

  /** Resolves with the next `event` matching `match`, on whichever socket it arrives. */
  next<T = any>(event: string, match: (v: T) => boolean = () => true, timeoutMs = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off(event, handler);
        reject(new Error(`timed out waiting for ${event}`));
      }, timeoutMs);
      const handler = (v: T) => {
        if (!match(v)) return;
        clearTimeout(timer);
        this.off(event, handler);
        resolve(v);
      };
      this.on(event, handler);
    });
  }

  /** Emits on the current socket and resolves with the ack; throws unless connected. */
  async call<T = any>(event: string, payload: unknown): Promise<Ack<T>> {
    if (!this.socket?.connected) throw new Error(`${event}: not connected`);
    return (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload)) as Ack<T>;
  }

  /** Cuts the connection under the client, like a network drop; socket.io reconnects by itself. */
  drop(): boolean {
    if (!this.socket?.connected) return false;
    this.stats.drops += 1;
    this.socket.io.engine.close();
    return true;
  }

  /** Resolves once connected and caught up; rejects if the server refuses the handshake or time runs out. */
  whenReady(timeoutMs = 30_000): Promise<void> {
    if (this.ready && this.ready === this.socket && this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (err: Error) => (clearTimeout(timer), reject(err)),
      };
      const timer = setTimeout(() => {
        this.readyWaiters.splice(this.readyWaiters.indexOf(waiter), 1);
        reject(new Error(`${this.opts.role} not connected to ${this.url} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.readyWaiters.push(waiter);
    });
  }

  /** Every message from seq 1, page by page, as the server has it now. */
  async history(conversationId: string): Promise<MessageDTO[]> {
    const all: MessageDTO[] = [];
    for (let page = 0; page < 1000; page++) {
      // A drop may still be healing: wait for the connection instead of failing on it.
      await this.whenReady();
      const res = await this.call<MessageDTO[]>('messages:sync', { conversationId, afterSeq: all.at(-1)?.seq ?? 0 }).catch(async () => {
        await this.whenReady();
        return this.call<MessageDTO[]>('messages:sync', { conversationId, afterSeq: all.at(-1)?.seq ?? 0 });
      });
      if (!res.ok) throw new Error(`messages:sync failed: ${res.error.code}`);
      all.push(...res.data);
      if (res.data.length < SYNC_PAGE) return all;
    }
    throw new Error('messages:sync did not end');
  }

  close(): void {
    this.closed = true;
    for (const c of this.conversations.values()) clearTimeout(c.gapTimer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
  }

  // ---- connection ----

  private open(): void {
    const { role, cookie, site } = this.opts;
    const socket = connect(`${this.url}${role === 'visitor' ? WIDGET_NAMESPACE : AGENT_NAMESPACE}`, {
      forceNew: true,
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 500,
      ...(role === 'visitor'
        ? { query: { site: site ?? 'demo' }, auth: (cb: (auth: object) => void) => cb(this.token ? { token: this.token } : {}) }
        : { extraHeaders: { cookie: cookie ?? '' } }),
    });
    this.socket = socket;
    for (const [event, handler] of this.listeners) socket.on(event, handler);
    socket.on('connect', () => {
      this.failures = 0;
      this.stats.connects += 1;
      void this.catchUp(socket).catch(() => {
        // Dropped during the catch-up: the next connect starts it again.
      });
    });
    socket.on('disconnect', () => {
      if (this.ready === socket) this.ready = undefined;
    });
    socket.on('connect_error', (err: Error) => {
      // A handshake the server refused is not retried by socket.io. "Not now" (the database away, a
      // rate limit) is tried again after a while, as the widget and the console do; anything else is
      // said at once instead of waited for.
      if (!socket.active && isTransient(err.message) && !this.closed) {
        this.stats.retriedErrors[err.message] = (this.stats.retriedErrors[err.message] ?? 0) + 1;
        setTimeout(() => !this.closed && this.socket === socket && socket.connect(), 250);
        return;
      }
      if (!socket.active) {
        this.problems.push(`handshake refused: ${err.message}`);
        for (const w of this.readyWaiters.splice(0)) w.reject(new Error(`${this.opts.role} refused by ${this.url}: ${err.message}`));
        return;
      }
      this.failures += 1;
      if (this.opts.urls.length > 1 && this.failures >= (this.opts.failoverAfter ?? 2)) this.failover();
    });
    socket.on('message:created', (m: MessageDTO) => this.merge(m));
  }

  private failover(): void {
    if (this.closed) return;
    this.stats.failovers += 1;
    const old = this.socket!;
    old.removeAllListeners();
    old.disconnect();
    this.ready = undefined;
    this.failures = 0;
    this.urlIndex = (this.urlIndex + 1) % this.opts.urls.length;
    this.open();
  }

  /** After every connect: who we are (visitor), rejoin what we follow (agent), then fetch what was missed. */
  private async catchUp(socket: Socket): Promise<void> {
    if (this.opts.role === 'visitor') {
      const res = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('session:hello', {})) as Ack<SessionDTO>;
      if (!res.ok) throw new Error(`session:hello failed: ${res.error.code}`);
      this.token = res.data.token ?? this.token;
      this.session = res.data;
      if (res.data.conversation) this.setConversation(res.data.conversation);
      for (const m of res.data.messages) this.merge(m);
    } else {
      for (const id of this.watched) {
        const res = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('conversation:open', { conversationId: id })) as Ack<{ messages: MessageDTO[] }>;
        if (!res.ok) throw new Error(`conversation:open failed: ${res.error.code}`);
        for (const m of res.data.messages) this.merge(m);
      }
    }
    for (const id of this.conversations.keys()) await this.requestSync(id);
    if (socket !== this.socket || !socket.connected) return;
    this.ready = socket;
    for (const w of this.readyWaiters.splice(0)) w.resolve();
    this.kick();
  }

  private setConversation(conv: ConversationDTO): void {
    this.conversation = conv;
    this.state(conv.id);
  }

  // ---- outbox ----

  private kick(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    void this.drain();
  }

  /** One message in flight at a time, oldest first: a sender's messages keep their order. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        while (this.outbox.length && !this.closed) {
          const socket = this.socket;
          if (!socket?.connected || this.ready !== socket) break;
          const item = this.outbox[0];
          if (++item.attempts > MAX_ATTEMPTS) {
            this.outbox.shift();
            this.problems.push(`${item.clientId}: gave up after ${MAX_ATTEMPTS} attempts`);
            continue;
          }
          if (item.attempts > 1) this.stats.resends += 1;
          const payload = item.conversationId
            ? { conversationId: item.conversationId, clientId: item.clientId, body: item.body }
            : { clientId: item.clientId, body: item.body };
          let res: Ack<{ message: MessageDTO; conversation?: ConversationDTO }>;
          try {
            res = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', payload);
          } catch {
            continue; // disconnected or no answer: the same clientId goes again
          }
          if (res.ok) {
            this.outbox.shift();
            this.acked.set(item.clientId, res.data.message);
            if (res.data.conversation) this.setConversation(res.data.conversation);
            this.merge(res.data.message);
          } else if (res.error.code === 'RATE_LIMITED' || res.error.code === 'INTERNAL' || res.error.code === 'UNAVAILABLE') {
            this.stats.retriedErrors[res.error.code] = (this.stats.retriedErrors[res.error.code] ?? 0) + 1;
            await new Promise((r) => setTimeout(r, Math.min(res.error.retryAfterMs ?? 200, 1000)));
          } else {
            this.outbox.shift();
            this.problems.push(`${item.clientId}: refused with ${res.error.code}`);
          }
        }
      } while (this.drainAgain && !this.closed);
    } finally {
      this.draining = false;
    }
  }

  // ---- merging and catching up ----

  private state(id: string): ConversationState {
    let c = this.conversations.get(id);
    if (!c) {
      c = { held: new Map(), contiguous: 0, tail: Promise.resolve() };
      this.conversations.set(id, c);
    }
    return c;
  }

  private merge(m: MessageDTO): void {
    const c = this.state(m.conversationId);
    const have = c.held.get(m.seq);
    if (have) {
      if (have.id !== m.id) this.problems.push(`seq ${m.seq} of ${m.conversationId} is both ${have.id} and ${m.id}`);
      else this.stats.duplicatesIgnored += 1;
      return;
    }
    c.held.set(m.seq, m);
    while (c.held.has(c.contiguous + 1)) c.contiguous += 1;
    if (c.held.size > c.contiguous && !c.gapTimer) {
      // Two writes can commit in one order and be pushed in the other: give the late one a moment.
      this.stats.gapsDetected += 1;
      c.gapTimer = setTimeout(() => {
        c.gapTimer = undefined;
        if (c.held.size > c.contiguous && !this.closed) void this.requestSync(m.conversationId).catch(() => {});
      }, GAP_GRACE_MS);
    }
  }

  /** Syncs run one after another per conversation; asking while one waits to start joins that one. */
  private requestSync(id: string): Promise<void> {
    const c = this.state(id);
    if (!c.queued) {
      c.queued = c.tail.then(() => {
        c.queued = undefined;
        return this.syncOnce(id);
      });
      c.tail = c.queued.catch(() => {});
    }
    return c.queued;
  }

  private async syncOnce(id: string): Promise<void> {
    const c = this.state(id);
    for (let page = 0; page < 1000; page++) {
      const socket = this.socket;
      if (!socket?.connected) throw new Error('not connected');
      this.stats.syncs += 1;
      const res = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('messages:sync', { conversationId: id, afterSeq: c.contiguous })) as Ack<MessageDTO[]>;
      if (!res.ok) throw new Error(`messages:sync failed: ${res.error.code}`);
      for (const m of res.data) this.merge(m);
      if (res.data.length < SYNC_PAGE) return;
    }
  }
}
