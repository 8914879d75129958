import { Router } from 'express';
import { MetricsQuery } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { json, parse, pgDate } from '../http/respond.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { computeMetrics } from './metrics.service.ts';

export function metricsRouter(ctx: Ctx): Router {
  const r = Router();
  r.get(
    '/api/metrics',
    requireAgent(ctx),
    json(async (req) => {
      const q = parse(MetricsQuery, req.query);
      const sites = q.siteId ? req.agent!.siteIds.filter((s) => s === q.siteId) : req.agent!.siteIds;
      return computeMetrics(ctx.db, ctx.raw, sites, pgDate(q.from), pgDate(q.to), { language: q.language, now: ctx.clock() });
    }),
  );
  return r;
}
