/**
 * LIMITS (server/limits.ts) in tests. For tests whose subject is not the limits (what gets stored,
 * what a browser renders): every per-visitor, per-IP and per-socket rate lifted out of the way, and
 * a function that puts them back. For tests of the limits: client addresses of their own, sockets
 * that come from them, and the refusal they expect.
 */
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import { LIMITS } from '../../server/limits.ts';

/** LIMITS as they were before any test changed them. */
export const ORIGINAL_LIMITS = structuredClone(LIMITS);

/** Puts back every limit a test made small. */
export const restoreLimits = () => void Object.assign(LIMITS, structuredClone(ORIGINAL_LIMITS));

/** A client address no other test (or run) uses: counters never leak between them. */
export const freshIp = () => `10.${[...randomBytes(3)].join('.')}`;

/** A widget socket from `ip`, as it reaches a server that trusts one proxy (TRUST_PROXY=1). */
export function visitorFrom(url: string, ip: string, token?: string): Socket {
  return connect(`${url}/widget`, {
    query: { site: 'demo' },
    auth: token ? { token } : {},
    extraHeaders: { 'x-forwarded-for': ip },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
}

/** Expects a refusal with that code that says when to retry, within the rule's window. */
export function expectRateLimited(res: unknown, windowMs: number, code: 'RATE_LIMITED' | 'LOCKED_OUT' = 'RATE_LIMITED'): void {
  expect(res).toMatchObject({ ok: false, error: { code } });
  const retry = (res as { error: { retryAfterMs: number } }).error.retryAfterMs;
  expect(retry).toBeGreaterThan(0);
  expect(retry).toBeLessThanOrEqual(windowMs);
}

export function liftRateLimits(): () => void {
  const original = structuredClone(LIMITS);
  for (const rule of [
    LIMITS.messagesPerVisitor,
    LIMITS.messagesPerIp,
    LIMITS.feedbackPerVisitor,
    LIMITS.newVisitorsPerIp,
    LIMITS.loginPerIp,
    LIMITS.widgetEventsPerSocket,
    LIMITS.widgetEventsPerVisitor,
    LIMITS.widgetEventsPerIp,
    LIMITS.agentEventsPerSocket,
    LIMITS.agentEventsPerAgent,
    LIMITS.agentEventsPerIp,
  ]) {
    rule.limit = 1e9;
  }
  return () => Object.assign(LIMITS, structuredClone(original));
}
