/**
 * `GET /api/metrics/export.csv?table=…&from&to[&siteId][&language]`: each table and chart of the
 * metrics view as RFC 4180 CSV, UTF-8 with a byte-order mark, through csv-stringify. Each table is
 * computed whole (as for the JSON) and bounded (a series has two points per day of the period, a
 * breakdown one row per key), so it is written in one piece; the tickets, which are not bounded,
 * stream (tickets-export.ts).
 */
import { stringify } from 'csv-stringify/sync';
import { Router } from 'express';
import type { BreakdownRowDTO, SeriesPointDTO } from '../../shared/types.ts';
import { MetricsExportQuery } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { parse } from '../http/respond.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { asText, CSV_WRITE_OPTIONS } from '../faq/engine/csv.ts';
import { computeMetrics } from './metrics.service.ts';
import { series } from './series.ts';
import { breakdown } from './breakdowns.ts';
import { previousFrom, scopeOf } from './metrics.handlers.ts';
import { demand } from '../faq/faq.admin.ts';

type Cell = string | number | null;
const cell = (v: number | null | undefined): Cell => (v === null || v === undefined ? '' : v);

export const SERIES_CSV_HEADER = [
  'period', 'at', 'questions', 'faq_answered', 'deflection_rate', 'tickets', 'first_response_p50_ms', 'first_response_p90_ms',
  'resolution_rate', 'rating_average', 'C', 'R', 'S',
] as const;
export const BREAKDOWN_CSV_HEADER = [
  'key', 'label', 'questions', 'faq_answered', 'needed_a_person', 'tickets', 'resolved', 'resolution_rate',
  'first_response_p50_ms', 'first_response_p90_ms', 'rating_average', 'ratings',
] as const;

export const WRITE_NEXT_CSV_HEADER = ['site', 'question', 'count', 'previous_period', 'last_asked_at', 'pages', 'examples'] as const;

const seriesRecord = (period: string, p: SeriesPointDTO): Cell[] => [
  period, p.at, p.questions, p.faqAnswered, cell(p.deflectionRate), p.tickets, cell(p.firstResponseP50Ms), cell(p.firstResponseP90Ms),
  cell(p.resolutionRate), cell(p.ratingAverage), cell(p.C), cell(p.R), cell(p.S),
];
const breakdownRecord = (r: BreakdownRowDTO): Cell[] => [
  asText(r.key), asText(r.label), cell(r.questions), cell(r.faqAnswered), cell(r.escalated), r.tickets, r.resolved, cell(r.resolutionRate),
  cell(r.firstResponseP50Ms), cell(r.firstResponseP90Ms), cell(r.ratingAverage), r.ratings,
];

/** The records of one table, header first. */
async function records(ctx: Ctx, table: MetricsExportQuery['table'], s: ReturnType<typeof scopeOf>): Promise<Cell[][]> {
  if (table === 'series') {
    const data = await series(ctx.reports.raw, s, previousFrom(s));
    return [[...SERIES_CSV_HEADER], ...data.points.map((p) => seriesRecord('current', p)), ...data.previous.map((p) => seriesRecord('previous', p))];
  }
  if (table === 'summary' || table === 'entries') {
    const m = await computeMetrics(ctx.reports.raw, s, previousFrom(s));
    if (table === 'entries') {
      return [['entry_id', 'question', 'answered', 'solved', 'escalated'], ...m.topEntries.map((e) => [e.entryId, asText(e.question), e.answered, e.solved, e.escalated])];
    }
    const sat = m.satisfaction;
    const rows: [string, number | null, number | null][] = [
      ['S', sat.S, sat.previous.S], ['C', sat.C, sat.previous.C], ['R', sat.R, sat.previous.R], ['A', sat.A, sat.previous.A],
      ['questions', m.questions, null], ['faq_answered', m.faqAnswered, null], ['faq_solved', m.faqSolved, null],
      ['escalated', m.escalated, null], ['deflection_rate', m.deflectionRate, null], ['tickets', m.tickets, null],
      ['responded', m.responded, null], ['response_rate', m.responseRate, null], ['resolved', m.resolved, null],
      ['resolution_rate', m.resolutionRate, null], ['verified_resolution_rate', m.verifiedResolutionRate, null],
      ['first_response_p50_ms', m.firstResponseMs.median, null], ['first_response_p90_ms', m.firstResponseMs.p90, null],
      ['resolution_p50_ms', m.resolutionMs.median, null], ['resolution_p90_ms', m.resolutionMs.p90, null],
      ['rating_average', m.ratings.average, null], ['ratings', m.ratings.count, null], ['survey_response_rate', m.ratings.responseRate, null],
      ...m.ratings.distribution.map((n, i): [string, number, null] => [`rating_${i + 1}`, n, null]),
      ['feedback_received', m.feedback.received, null], ['feedback_processed', m.feedback.processed, null],
    ];
    return [['figure', 'value', 'previous_period'], ...rows.map(([k, v, prev]) => [k, cell(v), cell(prev)])];
  }
  if (table === 'write-next') {
    const groups = await demand(ctx, { ...s, previousFrom: previousFrom(s) });
    // One cell per list, an item per line (as the FAQ CSV keeps variants).
    return [
      [...WRITE_NEXT_CSV_HEADER],
      ...groups.map((g) => [g.siteId, asText(g.question), g.count, g.previousCount, g.lastAskedAt, g.pages.map((p) => `${asText(p.url)} (${p.count})`).join('\n'), g.examples.map(asText).join('\n')]),
    ];
  }
  const rows = await breakdown(ctx.reports.raw, s, table);
  return [[...BREAKDOWN_CSV_HEADER], ...rows.map(breakdownRecord)];
}

export function metricsExportRouter(ctx: Ctx): Router {
  const r = Router();
  r.get('/api/metrics/export.csv', requireAgent(ctx), async (req, res) => {
    const q = parse(MetricsExportQuery, req.query);
    const rows = await records(ctx, q.table, scopeOf(req, q, ctx));
    // One string, one write: streamed record by record, a year's series (732 records) spent about
    // 30 ms in the stream machinery and as many small writes, for a table already whole in memory.
    const text = stringify(rows, { ...CSV_WRITE_OPTIONS, bom: true });
    res.type('text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="metrics-${q.table}-${q.from.slice(0, 10)}-${q.to.slice(0, 10)}.csv"`);
    res.send(text);
  });
  return r;
}
