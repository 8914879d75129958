/**
 * `GET /api/conversations.csv?from=ISO&to=ISO[&siteId=][&agent=][&locale=][&page=][&ids=]`: the tickets of a period with their
 * timestamps, for the agent's sites, streamed from the database through csv-stringify: 100,000
 * tickets never sit in memory, and a slow download pauses the reading (stream backpressure).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { ConversationIds, MetricsQuery } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { parse, pgDate } from '../http/respond.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { asText, CSV_WRITE_OPTIONS } from '../faq/engine/csv.ts';
import { ticketRows, type TicketRow } from './ticket-rows.ts';
import { AppError } from '../errors.ts';
import { countRefusal } from '../ops/counters.ts';

/**
 * The period and sites of GET /api/metrics, and optionally one row of a breakdown (ticket-rows.ts):
 * `agent` (an agent's id, empty: unassigned), `locale` (zh, en, empty: unknown), `page` (URL without query); or the conversations of a group of "what to write next" (`ids`, comma-separated, at most 20).
 */
export const TicketsExportQuery = z.intersection(
  MetricsQuery,
  z.object({ agent: z.string().max(64).optional(), locale: z.enum(['zh', 'en', '']).optional(), page: z.string().max(2048).optional(), ids: ConversationIds.optional() }),
);

export const TICKET_CSV_HEADER = [
  'id',
  'site',
  'status',
  'language',
  'created_at',
  'escalated_at',
  'first_response_at',
  'resolved_at',
  'first_response_seconds',
  'resolution_seconds',
  'agent',
  'page_url',
  'page_title',
  'question',
] as const;

const iso = (v: Date | string | null) => (v === null ? '' : new Date(v).toISOString());
const seconds = (end: Date | string | null, start: Date | string) => (end === null ? '' : String(Math.round((new Date(end).getTime() - new Date(start).getTime()) / 1000)));

export function ticketCsvRecord(t: TicketRow): string[] {
  return [
    t.id,
    t.site_id,
    t.status,
    t.locale ?? '',
    iso(t.created_at),
    iso(t.escalated_at),
    iso(t.first_response_at),
    iso(t.resolved_at),
    seconds(t.first_response_at, t.escalated_at),
    seconds(t.resolved_at, t.escalated_at),
    t.agent_email ?? '',
    asText(t.page_url),
    asText(t.page_title),
    asText(t.question),
  ];
}

/**
 * Tickets exports at once on a node. On PostgreSQL each reads through a cursor, which holds one of the
 * reports' four connections (db/client.ts) for its whole download: two leave the others to the
 * metrics view and the rollup. One more is refused RATE_LIMITED, to be retried.
 */
const EXPORTS_AT_ONCE = 2;
/** A download its client has not read from for this long is cut, which frees its connection. */
const STALLED_MS = 60_000;

export function ticketsExportRouter(ctx: Ctx): Router {
  const r = Router();
  let running = 0;
  r.get('/api/conversations.csv', requireAgent(ctx), async (req, res, next) => {
    if (running >= EXPORTS_AT_ONCE) {
      countRefusal('tickets_exports_at_once');
      next(new AppError('RATE_LIMITED', 5_000));
      return;
    }
    running++;
    try {
      res.setTimeout(STALLED_MS, () => res.destroy());
      await exportTickets(req, res, next);
    } finally {
      running--;
    }
  });
  return r;

  async function exportTickets(req: Request, res: Response, next: NextFunction): Promise<void> {
    let q: z.infer<typeof TicketsExportQuery>;
    let rows: AsyncGenerator<TicketRow>;
    let first: IteratorResult<TicketRow>;
    try {
      q = parse(TicketsExportQuery, req.query);
      const sites = q.siteId ? req.agent!.siteIds.filter((s) => s === q.siteId) : req.agent!.siteIds;
      rows = ticketRows(ctx.reports.db, sites.length ? sites : [''], pgDate(q.from), pgDate(q.to), { agent: q.agent, language: q.locale ?? q.language, page: q.page, ids: q.ids });
      // The first slice before the first byte: a database that does not answer is still a 503, not a cut download.
      first = await rows.next();
    } catch (err) {
      next(err);
      return;
    }
    const records = async function* () {
      if (!first.done) yield ticketCsvRecord(first.value);
      for await (const t of rows) yield ticketCsvRecord(t);
    };
    res.type('text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="tickets-${q.from.slice(0, 10)}-${q.to.slice(0, 10)}.csv"`);
    try {
      await pipeline(Readable.from(records()), stringify({ ...CSV_WRITE_OPTIONS, bom: true, header: true, columns: [...TICKET_CSV_HEADER] }), res);
    } catch (err) {
      // Headers are sent: the client sees a cut download. A client that went away is no error.
      if (!res.destroyed || (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') ctx.log.warn({ err }, 'tickets export interrupted');
      res.destroy();
    }
  }
}
