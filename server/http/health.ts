/** GET /api/health: whether this node can serve, which is whether its database answers. */
import { sql } from 'drizzle-orm';
import type { RequestHandler } from 'express';
import { fail, ok } from '../../shared/result.ts';
import type { Db } from '../db/client.ts';

/** A probe that waits longer than this counts as down: a load balancer must not hang on us. */
const PROBE_TIMEOUT_MS = 1000;
/** Load balancers and monitors may ask many times a second: at most one query per this long. */
export const PROBE_CACHE_MS = 1000;

/** Resolves to false when `check` fails or takes longer than PROBE_TIMEOUT_MS. */
export async function withinTimeout(check: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)));
  try {
    return await Promise.race([check().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the database answers `select 1` within 1 s, asked at most once a second (shared by /api/health, /readyz and /metrics). */
export function databaseProbe(db: Db): () => Promise<boolean> {
  let last: { at: number; up: Promise<boolean> } | undefined;
  return () => {
    if (!last || Date.now() - last.at >= PROBE_CACHE_MS) last = { at: Date.now(), up: withinTimeout(() => db.execute(sql`select 1`)) };
    return last.up;
  };
}

/**
 * 200 `{ ok: true, data: { status: 'ok', database: 'up' } }` while `select 1` answers within 1 s;
 * else 503 with Retry-After and `{ ok: false, error: { code: 'UNAVAILABLE', retryAfterMs } }`.
 */
export function healthHandler(databaseUp: () => Promise<boolean>): RequestHandler {
  return async (_req, res) => {
    if (await databaseUp()) {
      res.json(ok({ status: 'ok', database: 'up' }));
      return;
    }
    res.setHeader('Retry-After', String(PROBE_CACHE_MS / 1000));
    res.status(503).json(fail('UNAVAILABLE', PROBE_CACHE_MS));
  };
}
