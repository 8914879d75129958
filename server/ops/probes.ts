/**
 * Probes for load balancers and orchestrators. `/healthz`: the process is up and its event loop
 * turns (no I/O, so a database outage does not get every node restarted). `/readyz`: this node can
 * serve, i.e. the database answers and, when configured, Redis too; else 503, so traffic goes elsewhere.
 */
import type { RequestHandler } from 'express';
import { fail, ok } from '../../shared/result.ts';
import { PROBE_CACHE_MS, withinTimeout } from '../http/health.ts';

export const livenessHandler: RequestHandler = (_req, res) => {
  res.json(ok({ status: 'up' }));
};

/** Like the database probe: at most one PING per second, down after 1 s without an answer. */
export function redisProbe(ping: () => Promise<unknown>): () => Promise<boolean> {
  let last: { at: number; up: Promise<boolean> } | undefined;
  return () => {
    if (!last || Date.now() - last.at >= PROBE_CACHE_MS) last = { at: Date.now(), up: withinTimeout(ping) };
    return last.up;
  };
}

/**
 * 200 `{ ok: true, data: { status: 'ready', database: 'up', redis: 'up' | 'unused' } }`, else 503
 * with Retry-After and `{ ok: false, error: { code: 'UNAVAILABLE', retryAfterMs } }`.
 */
export function readinessHandler(databaseUp: () => Promise<boolean>, redisUp?: () => Promise<boolean>): RequestHandler {
  return async (_req, res) => {
    const [database, redis] = await Promise.all([databaseUp(), redisUp ? redisUp() : true]);
    if (database && redis) {
      res.json(ok({ status: 'ready', database: 'up', redis: redisUp ? 'up' : 'unused' }));
      return;
    }
    res.setHeader('Retry-After', String(PROBE_CACHE_MS / 1000));
    res.status(503).json(fail('UNAVAILABLE', PROBE_CACHE_MS));
  };
}
