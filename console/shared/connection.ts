/**
 * The console's one Socket.IO connection to `/agent`, and its state as the agent sees it.
 * Elements read `state` through a StoreController; the desk and the feedback list listen for
 * `connected` to catch up on what they missed while the socket was down.
 */
import { io, type Socket } from 'socket.io-client';
import { AGENT_NAMESPACE, type AgentClientToServerEvents, type AgentServerToClientEvents } from '../../shared/protocol.ts';
import { isTransient, retryDelay, type AckCallback } from '../../shared/result.ts';
import type { Result } from './api.ts';

export type AgentSocket = Socket<AgentServerToClientEvents, AgentClientToServerEvents>;
export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline';

type Requests = AgentClientToServerEvents;
type PayloadOf<E extends keyof Requests> = Parameters<Requests[E]>[0];
type AckOf<E extends keyof Requests> = Parameters<Requests[E]>[1] extends AckCallback<infer T> ? T : never;
type Pushes = AgentServerToClientEvents;

/** How long a request waits for its acknowledgement before it counts as failed. */
export const ACK_TIMEOUT_MS = 10_000;

/**
 * How long a request made while the socket is (re)connecting waits for the connection before it
 * counts as OFFLINE: an agent who acts in the first moments after signing in, or during a short
 * blip, gets their change made rather than an error and a control that snaps back.
 */
export const CONNECT_WAIT_MS = 5_000;

/**
 * Dispatches `change` on every state change, `connected` on every (re)connect, and `rejected`
 * when the server refused the handshake for good (the session may have ended). A refusal that says
 * "not now" (the database away, a rate limit) is tried again after a backoff, still `reconnecting`:
 * an outage of the database must not leave every console offline until its agent clicks.
 */
export class AgentConnection extends EventTarget {
  state: ConnectionState = 'connecting';
  /** Handshakes refused in a row for a transient reason. */
  private _refusals = 0;
  private _retry?: ReturnType<typeof setTimeout>;

  constructor(private readonly socket: AgentSocket) {
    super();
    socket.on('connect', () => {
      this._refusals = 0;
      this._set('online');
      this.dispatchEvent(new Event('connected'));
    });
    socket.on('disconnect', () => this._set(socket.active ? 'reconnecting' : 'offline'));
    socket.on('connect_error', (err: Error) => {
      // A refused handshake leaves the socket inactive: it will not retry on its own.
      if (socket.active) {
        this._set(this.state === 'connecting' ? 'connecting' : 'reconnecting');
      } else if (isTransient(err.message)) {
        this._set(this.state === 'connecting' ? 'connecting' : 'reconnecting');
        clearTimeout(this._retry);
        this._retry = setTimeout(() => socket.connect(), retryDelay(++this._refusals));
      } else {
        this._set('offline');
        this.dispatchEvent(new Event('rejected'));
      }
    });
    if (socket.connected) this._set('online');
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /**
   * Sends a request and resolves with its Ack: OFFLINE when there is no connection and none comes
   * within CONNECT_WAIT_MS (at once when the socket has stopped trying), TIMEOUT without an answer.
   */
  async request<E extends keyof Requests>(event: E, payload: PayloadOf<E>): Promise<Result<AckOf<E>>> {
    if (!this.socket.connected && !(await this._connection(CONNECT_WAIT_MS))) return { ok: false, error: { code: 'OFFLINE' } };
    return new Promise((resolve) => {
      // socket.io's typed emit cannot follow a generic event name; the event map above is the check.
      const timed = this.socket.timeout(ACK_TIMEOUT_MS) as unknown as {
        emit(ev: string, payload: unknown, cb: (err: Error | null, res: Result<AckOf<E>>) => void): void;
      };
      timed.emit(event, payload, (err, res) => {
        resolve(err ? { ok: false, error: { code: 'TIMEOUT' } } : res);
      });
    });
  }

  /** Resolves true once the socket is connected, false after `ms` or when it stops trying. */
  private _connection(ms: number): Promise<boolean> {
    if (!this.socket.active) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.removeEventListener('connected', onConnect);
        this.removeEventListener('change', onChange);
        resolve(ok);
      };
      const onConnect = () => done(true);
      const onChange = () => {
        if (this.state === 'offline') done(false);
      };
      const timer = setTimeout(() => done(false), ms);
      this.addEventListener('connected', onConnect);
      this.addEventListener('change', onChange);
    });
  }

  /** Listens to a push from the server; returns the function that stops listening. */
  on<E extends keyof Pushes>(event: E, listener: Pushes[E]): () => void {
    const s = this.socket as unknown as { on(e: string, l: unknown): void; off(e: string, l: unknown): void };
    s.on(event, listener);
    return () => s.off(event, listener);
  }

  /** Tries again after the server refused or the agent asked. */
  reconnect(): void {
    clearTimeout(this._retry);
    if (this.socket.connected) return;
    this._set('connecting');
    this.socket.connect();
  }

  close(): void {
    clearTimeout(this._retry);
    this.socket.disconnect();
    this._set('offline');
  }

  private _set(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.dispatchEvent(new Event('change'));
  }
}

/** Opens `/agent` on this origin; the session cookie goes with the handshake. */
export function connectAgent(): AgentConnection {
  const socket: AgentSocket = io(AGENT_NAMESPACE, { withCredentials: true });
  return new AgentConnection(socket);
}
