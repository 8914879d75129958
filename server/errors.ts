import type { ErrorCode } from '../shared/result.ts';

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
  IDENTITY_REQUIRED: 403,
  INVALID_IDENTITY: 403,
  INTERNAL: 500,
};

/** Postgres unique violation (both drivers expose the SQLSTATE as `code`). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code === '23505' || e?.cause?.code === '23505';
}
