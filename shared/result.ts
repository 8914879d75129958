/** The closed set of error codes a browser can receive. Never an exception message, never a stack. */
export const ERROR_CODES = [
  'INVALID_PAYLOAD',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'UNKNOWN_SITE',
  'ORIGIN_NOT_ALLOWED',
  'INVALID_CREDENTIALS',
  'LOCKED_OUT',
  'ALREADY_CLAIMED',
  'CONVERSATION_CLOSED',
  /** The conversation is not in a state this action applies to (snoozing an unescalated one, reopening beside another open ticket). */
  'INVALID_STATE',
  /** A transfer to an agent who is inactive or has no rights on the conversation's site. */
  'AGENT_NOT_ON_SITE',
  /** A snooze time in the past or too far ahead. */
  'INVALID_TIME',
  'IDENTITY_REQUIRED',
  'INVALID_IDENTITY',
  /** The site asks for a name or email first (pre-chat form), or an email is needed for what was asked. */
  'CONTACT_REQUIRED',
  /** An attachment larger than the site accepts (attachment limits in SessionDTO.attachments). */
  'FILE_TOO_LARGE',
  /** An attachment whose bytes are not of a type the site accepts (whatever its name says). */
  'FILE_TYPE_NOT_ALLOWED',
  /** The database (or another service the request needs) is unreachable for now: retry after retryAfterMs. */
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Codes that say "not now" rather than "no": a retry later may pass. A client refused a handshake
 * with one of them tries again by itself (the database back after an outage, a rate limit passed).
 */
export const TRANSIENT_CODES: readonly ErrorCode[] = ['RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL'];
export const isTransient = (code: string): boolean => (TRANSIENT_CODES as readonly string[]).includes(code);

/**
 * Exponential backoff with jitter: about 1 s, 2 s, 4 s … capped at 30 s.
 * @example retryDelay(3, () => 1) // 4000
 */
export function retryDelay(attempts: number, random: () => number = Math.random): number {
  return Math.round(Math.min(30_000, 1000 * 2 ** Math.max(0, attempts - 1)) * (0.5 + random() / 2));
}

export interface AppErrorBody {
  code: ErrorCode;
  /** Milliseconds after which a retry may succeed (rate limits, lockouts, UNAVAILABLE). */
  retryAfterMs?: number;
}

/** Every socket acknowledgement and every JSON error body has this shape. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AppErrorBody };

export type AckCallback<T> = (res: Ack<T>) => void;

export const ok = <T>(data: T): Ack<T> => ({ ok: true, data });
export const fail = (code: ErrorCode, retryAfterMs?: number): Ack<never> => ({
  ok: false,
  error: retryAfterMs === undefined ? { code } : { code, retryAfterMs },
});
