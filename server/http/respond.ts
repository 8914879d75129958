/** Express helpers: parse with the shared schema, answer with an Ack, map errors to codes. */
import type { ErrorRequestHandler, Request, Response, NextFunction } from 'express';
import type { z } from 'zod';
import { fail, ok } from '../../shared/result.ts';
import { AppError, HTTP_STATUS, knownError, publicError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success || !storable(parsed.data)) throw new AppError('INVALID_PAYLOAD');
  return parsed.data;
}

/**
 * Whether every string in a parsed payload can be stored as it was sent: Postgres refuses NUL in
 * text and jsonb, refuses a lone surrogate in jsonb and silently replaces it in text. The shared
 * string schemas let both through.
 */
export function storable(value: unknown): boolean {
  if (typeof value === 'string') return !/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
  if (Array.isArray(value)) return value.every(storable);
  if (value !== null && typeof value === 'object') return Object.values(value).every(storable);
  return true;
}

/** A date from a query for Postgres, which has no year 0: anything earlier means "since year 1". */
export const pgDate = (iso: string): Date => new Date(Math.max(Date.parse(iso), Date.parse('0001-01-01T00:00:00Z')));

/** Wraps an async route: its result is sent as `{ ok: true, data }`. */
export function json<T>(fn: (req: Request, res: Response) => Promise<T>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const data = await fn(req, res);
      if (!res.headersSent) res.json(ok(data));
    } catch (err) {
      next(err);
    }
  };
}

/** The one error middleware: a closed set of codes, never a stack; a lost database is UNAVAILABLE (503, Retry-After). */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    let code: AppError['code'];
    let retryAfterMs: number | undefined;
    if (knownError(err)) {
      ({ code, retryAfterMs } = publicError(log, 'http', err));
    } else if (err?.type === 'entity.parse.failed' || err?.type === 'entity.too.large' || err?.status === 400 || err?.status === 413 || err?.status === 415) {
      // 415: a body in a charset or content encoding the parser does not know.
      code = 'INVALID_PAYLOAD';
    } else if (err?.status === 404) {
      // A missing static file (express.static with fallthrough: false).
      code = 'NOT_FOUND';
    } else {
      code = publicError(log, 'http', err).code;
    }
    if (retryAfterMs !== undefined) res.setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
    res.status(HTTP_STATUS[code]).json(fail(code, retryAfterMs));
  };
}
