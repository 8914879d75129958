/** A lost database connection is told to clients as UNAVAILABLE with a retry time, everywhere, and nothing else is. */
import express from 'express';
import { describe, expect, it } from 'vitest';
import { AppError, isUnavailable, knownError, publicError, UNAVAILABLE_RETRY_MS } from '../../server/errors.ts';
import { errorMiddleware } from '../../server/http/respond.ts';
import { toFailure } from '../../server/realtime/handler.ts';
import { createLogger } from '../../server/logger.ts';

const log = createLogger('silent');
const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
/** What drizzle throws: the driver's error as `cause`. */
const wrapped = (cause: Error) => Object.assign(new Error('Failed query: select 1\nparams: '), { cause });

describe('which failures mean the database is unreachable', () => {
  it.each([
    ['the postgres driver lost its socket', coded('CONNECTION_CLOSED')],
    ['the pool was ended', coded('CONNECTION_ENDED')],
    ['the pool was destroyed', coded('CONNECTION_DESTROYED')],
    ['connecting timed out', coded('CONNECT_TIMEOUT')],
    ['the server refused the connection', wrapped(coded('ECONNREFUSED'))],
    ['the connection was reset', wrapped(coded('ECONNRESET'))],
    ['a fast shutdown ended the session (57P01)', wrapped(coded('57P01'))],
    ['the server is starting or stopping (57P03)', coded('57P03')],
    ['a connection exception (class 08)', coded('08006')],
    ['PGlite is closing', new Error('PGlite is closed')],
  ])('%s', (_what, err) => {
    expect(isUnavailable(err)).toBe(true);
    expect(knownError(err)).toMatchObject({ code: 'UNAVAILABLE', retryAfterMs: UNAVAILABLE_RETRY_MS });
  });

  it.each([
    ['a unique violation', wrapped(coded('23505'))],
    ['a syntax error', coded('42601')],
    ['a plain bug', new TypeError('x is undefined')],
  ])('not %s', (_what, err) => {
    expect(isUnavailable(err)).toBe(false);
    expect(knownError(err)).toBeUndefined();
    expect(publicError(log, 'test', err).code).toBe('INTERNAL');
  });

  it('keeps an AppError as it is', () => {
    const err = new AppError('RATE_LIMITED', 1234);
    expect(knownError(err)).toBe(err);
  });
});

describe('how UNAVAILABLE reaches a client', () => {
  it('as a socket ack with its retry time', () => {
    expect(toFailure(log, 'message:send', wrapped(coded('ECONNREFUSED')))).toEqual({ ok: false, error: { code: 'UNAVAILABLE', retryAfterMs: UNAVAILABLE_RETRY_MS } });
  });

  it('as HTTP 503 with Retry-After', async () => {
    const app = express();
    app.get('/x', (_req, _res, next) => next(wrapped(coded('57P01'))));
    app.use(errorMiddleware(log));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/x`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(String(UNAVAILABLE_RETRY_MS / 1000));
      expect(await res.json()).toEqual({ ok: false, error: { code: 'UNAVAILABLE', retryAfterMs: UNAVAILABLE_RETRY_MS } });
    } finally {
      server.close();
    }
  });
});
