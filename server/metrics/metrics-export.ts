/**
 * `GET /api/metrics/export.csv?table=…&from&to[&siteId][&language]`: each table and chart of the
 * metrics view as RFC 4180 CSV, UTF-8 with a byte-order mark, streamed through csv-stringify.
 * The tickets themselves: tickets-export.ts.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { Router } from 'express';
import type { BreakdownRowDTO, SeriesPointDTO } from '../../shared/types.ts';
import { MetricsExportQuery } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { parse } from '../http/respond.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { CSV_WRITE_OPTIONS } from '../faq/engine/csv.ts';
import { asText } from './tickets-export.ts';
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
async function* records(ctx: Ctx, table: MetricsExportQuery['table'], s: ReturnType<typeof scopeOf>): AsyncGenerator<Cell[]> {
  if (table === 'series') {
    const data = await series(ctx.raw, s, previousFrom(s));
    yield [...SERIES_CSV_HEADER];
    for (const p of data.points) yield seriesRecord('current', p);
    for (const p of data.previous) yield seriesRecord('previous', p);
    return;
  }
  if (table === 'summary' || table === 'entries') {
    const m = await computeMetrics(ctx.raw, s, previousFrom(s));
    if (table === 'entries') {
      yield ['entry_id', 'question', 'answered', 'solved', 'escalated'];
      for (const e of m.topEntries) yield [e.entryId, asText(e.question), e.answered, e.solved, e.escalated];
      return;
    }
    yield ['figure', 'value', 'previous_period'];
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
    for (const [k, v, prev] of rows) yield [k, cell(v), cell(prev)];
    return;
  }
  if (table === 'write-next') {
    const groups = await demand(ctx, { ...s, previousFrom: previousFrom(s) });
    yield [...WRITE_NEXT_CSV_HEADER];
    // One cell per list, an item per line (as the FAQ CSV keeps variants).
    for (const g of groups) {
      yield [g.siteId, asText(g.question), g.count, g.previousCount, g.lastAskedAt, g.pages.map((p) => `${asText(p.url)} (${p.count})`).join('\n'), g.examples.map(asText).join('\n')];
    }
    return;
  }
  const rows = await breakdown(ctx.raw, s, table);
  yield [...BREAKDOWN_CSV_HEADER];
  for (const r of rows) yield breakdownRecord(r);
}

export function metricsExportRouter(ctx: Ctx): Router {
  const r = Router();
  r.get('/api/metrics/export.csv', requireAgent(ctx), async (req, res, next) => {
    let q: MetricsExportQuery;
    let rows: AsyncGenerator<Cell[]>;
    let first: IteratorResult<Cell[]>;
    try {
      q = parse(MetricsExportQuery, req.query);
      rows = records(ctx, q.table, scopeOf(req, q, ctx.clock()));
      // The figures before the first byte: an error is still a status code, not a cut download.
      first = await rows.next();
    } catch (err) {
      next(err);
      return;
    }
    res.type('text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="metrics-${q.table}-${q.from.slice(0, 10)}-${q.to.slice(0, 10)}.csv"`);
    const all = async function* () {
      if (!first.done) yield first.value;
      yield* rows;
    };
    try {
      await pipeline(Readable.from(all()), stringify({ ...CSV_WRITE_OPTIONS, bom: true }), res);
    } catch (err) {
      if (!res.destroyed || (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') ctx.log.warn({ err }, 'metrics export interrupted');
      res.destroy();
    }
  });
  return r;
}
