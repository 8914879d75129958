/**
 * `GET /metrics` in Prometheus' text format: this process's counters and default metrics (ops/counters.ts)
 * followed by the app's gauges (ops/gauges.ts), read by monitoring and by `npm run bench:relay`.
 * Series and alerts: docs/operations.md.
 */
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { safeEqual } from '../crypto.ts';
import { processRegistry } from './counters.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * With `token` (config.metricsToken, METRICS_TOKEN) only `Authorization: Bearer <token>` is answered.
 * Without one, only a direct connection from this host: a request a proxy forwarded also arrives
 * from loopback, so one that carries forwarding headers is refused.
 */
export function metricsHandler(token: string | undefined, app: Registry): RequestHandler {
  return async (req, res, next) => {
    const allowed = token
      ? safeEqual(req.headers.authorization ?? '', `Bearer ${token}`)
      : LOOPBACK.has(req.socket.remoteAddress ?? '') && !req.headers['x-forwarded-for'] && !req.headers.forwarded;
    if (!allowed) {
      res.status(token ? 401 : 403).type('text/plain').send(token ? 'unauthorized\n' : 'forbidden\n');
      return;
    }
    try {
      const reg = processRegistry();
      // Collecting also resets the event-loop delay histogram: each scrape covers the time since the last.
      // Two registries: the process's is one per process, the app's reads its own sockets and database.
      const [own, ofApp] = await Promise.all([reg.metrics(), app.metrics()]);
      res.type(reg.contentType).send(`${own.trimEnd()}\n${ofApp}`);
    } catch (err) {
      next(err);
    }
  };
}
