/** The metrics API: totals, series, breakdowns, a page's unanswered questions and what to write next (docs/metrics.md, shared/http.ts). */
import { Router, type Request } from 'express';
import { MetricsBreakdownQuery, MetricsPageQuery, MetricsQuery } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { json, parse, pgDate } from '../http/respond.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import type { Scope } from './figures.ts';
import { computeMetrics } from './metrics.service.ts';
import { series } from './series.ts';
import { breakdown, unansweredOnPage } from './breakdowns.ts';
import { demand } from '../faq/faq.admin.ts';

/** The agent's sites (one when asked; none outside theirs), the period and the language of a query. */
export function scopeOf(req: Request, q: MetricsQuery, ctx: Pick<Ctx, 'clock' | 'reports'>): Scope {
  const sites = q.siteId ? req.agent!.siteIds.filter((s) => s === q.siteId) : req.agent!.siteIds;
  // No site has an empty id: an agent without sites sees nothing.
  return { sites: sites.length ? sites : [''], from: pgDate(q.from), to: pgDate(q.to), language: q.language ?? null, now: ctx.clock(), sliceTickets: ctx.reports.sliceTickets };
}

/** The period of the same length just before (clamped: Postgres has no year 0). */
export const previousFrom = (s: Scope) => pgDate(new Date(s.from.getTime() - (s.to.getTime() - s.from.getTime())).toISOString());

export function metricsRouter(ctx: Ctx): Router {
  const r = Router();
  r.get(
    '/api/metrics',
    requireAgent(ctx),
    json(async (req) => {
      const s = scopeOf(req, parse(MetricsQuery, req.query), ctx);
      return computeMetrics(ctx.reports.raw, s, previousFrom(s));
    }),
  );
  r.get(
    '/api/metrics/series',
    requireAgent(ctx),
    json(async (req) => {
      const s = scopeOf(req, parse(MetricsQuery, req.query), ctx);
      return series(ctx.reports.raw, s, previousFrom(s));
    }),
  );
  r.get(
    '/api/metrics/breakdown',
    requireAgent(ctx),
    json(async (req) => {
      const q = parse(MetricsBreakdownQuery, req.query);
      return breakdown(ctx.reports.raw, scopeOf(req, q, ctx), q.by);
    }),
  );
  r.get(
    '/api/metrics/write-next',
    requireAgent(ctx),
    json(async (req) => {
      const s = scopeOf(req, parse(MetricsQuery, req.query), ctx);
      return demand(ctx, { ...s, previousFrom: previousFrom(s) });
    }),
  );
  r.get(
    '/api/metrics/unanswered',
    requireAgent(ctx),
    json(async (req) => {
      const q = parse(MetricsPageQuery, req.query);
      return unansweredOnPage(ctx.reports.raw, scopeOf(req, q, ctx), q.page);
    }),
  );
  return r;
}
