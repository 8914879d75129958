import type { ErrorCode } from '../shared/result.ts';
import type { Logger } from './logger.ts';

/** A failure the client may know about: only its code (and a retry time) ever leaves the server. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly retryAfterMs?: number,
  ) {
    super(code);
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_PAYLOAD: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNKNOWN_SITE: 404,
  ORIGIN_NOT_ALLOWED: 403,
  INVALID_CREDENTIALS: 401,
  LOCKED_OUT: 429,
  ALREADY_CLAIMED: 409,
  CONVERSATION_CLOSED: 409,
  INVALID_STATE: 409,
  AGENT_NOT_ON_SITE: 422,
  INVALID_TIME: 400,
  IDENTITY_REQUIRED: 403,
  INVALID_IDENTITY: 403,
  CONTACT_REQUIRED: 403,
  FILE_TOO_LARGE: 413,
  FILE_TYPE_NOT_ALLOWED: 415,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** Postgres unique violation (both drivers expose the SQLSTATE as `code`). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code === '23505' || e?.cause?.code === '23505';
}

/** A write whose unique constraint another row holds answers CONFLICT (a code or name already taken). */
export async function conflictOnUnique<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('CONFLICT');
    throw err;
  }
}

/** How long a client should wait before retrying after UNAVAILABLE: about one reconnect attempt of the pool. */
export const UNAVAILABLE_RETRY_MS = 2000;

/**
 * What a lost or refused database connection looks like. The `postgres` driver: CONNECTION_CLOSED
 * (the server closed the socket), CONNECTION_ENDED and CONNECTION_DESTROYED (the pool was ended),
 * CONNECT_TIMEOUT, and the socket's errno; PostgreSQL itself: class 08 (connection exception),
 * 57P01 admin_shutdown (a fast stop ends every session), 57P02 crash_shutdown, 57P03
 * cannot_connect_now (starting up or shutting down), 53300 too_many_connections.
 */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
/** PGlite runs in this process: it is only unreachable while it closes, on shutdown. */
const PGLITE_CLOSED = /^PGlite is clos(ed|ing)$/;

/** Whether `err`, or an error it wraps (drizzle puts the driver's in `cause`), is a lost or refused database connection. */
export function isUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | null, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return true;
    if (typeof e.message === 'string' && PGLITE_CLOSED.test(e.message)) return true;
  }
  return false;
}

/**
 * The one mapping from an exception to what a client may learn: an AppError as it is, a lost
 * database connection as UNAVAILABLE with a retry time; undefined for anything else (a bug: the
 * caller answers INTERNAL and logs it). Used by the HTTP error middleware, socket acks and handshakes.
 */
export function knownError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (isUnavailable(err)) return new AppError('UNAVAILABLE', UNAVAILABLE_RETRY_MS);
  return undefined;
}

let lastOutageWarning = 0;

/**
 * knownError for a reply, logging what the client is not told: a bug in full (answered INTERNAL),
 * an outage at most once every 5 s (while the database is down every request fails, and the log
 * must stay readable).
 */
export function publicError(log: Logger, where: string, err: unknown): AppError {
  const known = knownError(err);
  if (!known) {
    log.error({ err, where }, 'unexpected error');
    return new AppError('INTERNAL');
  }
  if (known !== err && Date.now() - lastOutageWarning > 5000) {
    lastOutageWarning = Date.now();
    log.warn({ err, where }, 'database unavailable: answering UNAVAILABLE');
  }
  return known;
}
