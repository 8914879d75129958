/**
 * The state of the widget's connection, as one Lit reactive controller that every part reads:
 * connecting → online ⇄ reconnecting / offline, or error when the server refuses us for good.
 * It owns the socket's lifecycle: connected while its host is on the page, refusals handled here.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Socket } from 'socket.io-client';
import { isTransient, retryDelay, type ErrorCode } from '../shared/result.ts';

export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'reconnecting' | 'error';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Why the server refused the connection (status error). */
  error?: ErrorCode;
}

/** What to do when the server's middleware refuses a handshake: give up with a code, or try again later. */
export type Refusal = { code: ErrorCode } | { retryInMs: number };

/**
 * The server refuses a handshake with an error whose message is an error code (and data.retryAfterMs).
 * That is final, unless it may pass later: a rate limit, the database away, a server error, a message that
 * is no code at all.
 * @example refusalOf({ message: 'RATE_LIMITED', data: { retryAfterMs: 5000 } }, 0) // { retryInMs: 5000 }
 */
export function refusalOf({ message, data }: { message: string; data?: unknown }, attempts: number): Refusal {
  const code = /^[A-Z_]+$/.test(message) ? (message as ErrorCode) : undefined;
  if (code && !isTransient(code)) return { code };
  const after = (data as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return { retryInMs: typeof after === 'number' ? after : retryDelay(attempts + 1) };
}

export class ConnectionController implements ReactiveController {
  state: ConnectionState = { status: 'connecting' };
  private _attempts = 0;
  private _timer?: ReturnType<typeof setTimeout>;

  /** @param refusal asks the server why it turns this page away (undefined: it does not, or it cannot be reached). */
  constructor(
    private readonly _host: ReactiveControllerHost,
    private readonly _socket: Socket,
    private readonly _refusal: () => Promise<ErrorCode | undefined>,
  ) {
    _host.addController(this);
  }

  hostConnected(): void {
    // Every failed attempt, first or reconnect, ends in connect_error: no need for the manager's events.
    this._socket.on('connect', this._onConnect).on('disconnect', this._onDisconnect).on('connect_error', this._onError);
    this.retry();
  }

  hostDisconnected(): void {
    this._socket.off('connect', this._onConnect).off('disconnect', this._onDisconnect).off('connect_error', this._onError);
    clearTimeout(this._timer);
    this._socket.disconnect();
  }

  /** Connects now (also what "Try again" does after an error). */
  retry(): void {
    clearTimeout(this._timer);
    if (this.state.status === 'error') this._set('connecting');
    this._socket.connect();
  }

  private _set(status: ConnectionStatus, error?: ErrorCode): void {
    this.state = { status, error };
    this._host.requestUpdate();
  }

  /** Not connected, and trying again: offline when the browser says so. */
  private _waiting(): void {
    this._set(navigator.onLine ? 'reconnecting' : 'offline');
  }

  private _later(delayMs: number): void {
    this._timer = setTimeout(() => this._socket.connect(), delayMs);
  }

  private _onConnect = () => {
    this._attempts = 0;
    this._set('online');
  };

  private _onDisconnect = (reason: string) => {
    if (reason === 'io client disconnect') return;
    this._waiting();
    // socket.io does not come back by itself after the server closed the socket.
    if (!this._socket.active) this._later(retryDelay(++this._attempts));
  };

  private _onError = async (err: Error & { data?: unknown }) => {
    this._waiting();
    // Inactive: the namespace said no, with a code. Active: a transport failure socket.io retries by itself,
    // unless it was the engine refusing the site or origin (a bare 403): ask why, and stop if it is final.
    const refusal = refusalOf(this._socket.active ? { message: (await this._refusal()) ?? '' } : err, this._attempts++);
    if ('code' in refusal) {
      this._socket.disconnect();
      this._set('error', refusal.code);
    } else if (!this._socket.active) {
      this._later(refusal.retryInMs);
    }
  };
}
