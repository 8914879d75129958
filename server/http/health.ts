/** GET /api/health: whether this node can serve, which is whether its database answers. */
import { sql } from 'drizzle-orm';
import type { RequestHandler } from 'express';
import { fail, ok } from '../../shared/result.ts';
import type { Db } from '../db/client.ts';

/** A probe that waits longer than this counts as down: a load balancer must not hang on us. */
const PROBE_TIMEOUT_MS = 1000;
/** Load balancers and monitors may ask many times a second: at most one query per this long. */
const CACHE_MS = 1000;

/**
 * 200 `{ ok: true, data: { status: 'ok', database: 'up' } }` while `select 1` answers within 1 s;
 * else 503 with Retry-After and `{ ok: false, error: { code: 'UNAVAILABLE', retryAfterMs } }`.
 */
export function healthHandler(db: Db): RequestHandler {
  let last: { at: number; up: Promise<boolean> } | undefined;
  const probe = async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)));
    try {
      return await Promise.race([db.execute(sql`select 1`).then(() => true, () => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  return async (_req, res) => {
    if (!last || Date.now() - last.at >= CACHE_MS) last = { at: Date.now(), up: probe() };
    if (await last.up) {
      res.json(ok({ status: 'ok', database: 'up' }));
      return;
    }
    res.setHeader('Retry-After', String(CACHE_MS / 1000));
    res.status(503).json(fail('UNAVAILABLE', CACHE_MS));
  };
}
