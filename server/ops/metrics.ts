/**
 * `GET /metrics` in Prometheus' text format: the process metrics and event-loop delay of this node
 * (prom-client's default set), read by monitoring and by `npm run bench:relay`.
 */
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { safeEqual } from '../crypto.ts';

// One registry per process: the metrics describe the process, and collecting them twice (several
// apps in one test process) would register every metric twice.
let registry: Registry | undefined;
function processRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * With `token` (default: the METRICS_TOKEN variable) only `Authorization: Bearer <token>` is answered. Without one, only a
 * direct connection from this host: a request a proxy forwarded also arrives from loopback, so one
 * that carries forwarding headers is refused.
 */
export function metricsHandler(token: string | undefined = process.env.METRICS_TOKEN || undefined): RequestHandler {
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
      res.type(reg.contentType).send(await reg.metrics());
    } catch (err) {
      next(err);
    }
  };
}
