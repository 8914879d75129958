/**
 * The tickets of a period, read in slices so that an export of any size holds one slice in memory:
 * a server-side cursor on PostgreSQL, keyset pages on PGlite (which has no cursor API, and whose
 * queries run on this thread: small pages keep each pause of the event loop short).
 */
import { NO_ID, PAGE } from './rollup.ts';
import type { Db } from '../db/client.ts';
import { rawClient } from '../db/raw.ts';

/** Rows per slice: large enough that round trips do not dominate, small enough to stream at once. */
const SLICE = 500;

export interface TicketRow {
  id: string;
  site_id: string;
  status: string;
  locale: string | null;
  created_at: Date | string;
  escalated_at: Date | string;
  first_response_at: Date | string | null;
  resolved_at: Date | string | null;
  agent_email: string | null;
  page_url: string | null;
  page_title: string | null;
  question: string | null;
  escalated_key: string;
}

/** Tickets are conversations that reached a person; a period selects them by when they did, as GET /api/metrics counts them. */
const SELECT = `
  select c.id, c.site_id, c.status, v.locale, c.created_at, c.escalated_at, c.first_response_at, c.resolved_at,
         a.email as agent_email, c.page_url, c.page_title, c.question,
         -- The keyset as text: microseconds included, which a JS Date would drop.
         c.escalated_at::text as escalated_key
  from conversations c
  join visitors v on v.id = c.visitor_id
  left join agents a on a.id = c.assigned_agent_id
  where c.site_id = $SITE and c.escalated_at >= $2 and c.escalated_at < $3`;

interface PostgresJs {
  unsafe(text: string, params: unknown[]): { cursor(rows: number): AsyncIterable<TicketRow[]> };
}

/**
 * Narrows the tickets to one row of a metrics breakdown (breakdowns.ts keys them the same way): the
 * assigned agent's id ('' unassigned), the visitor's language ('' unknown), the page (URL without
 * query and fragment, '' none); or to the conversations of a group of "what to write next" (`ids`).
 */
export interface TicketFilter { agent?: string; language?: string; page?: string; ids?: string[] }

/** The filter as SQL after the statement's own `first` parameters, and its values. */
function filterSql(f: TicketFilter, first: number): { text: string; params: (string | string[])[] } {
  const parts: string[] = [];
  const params: (string | string[])[] = [];
  const add = (sql: string, v: string | undefined) => {
    if (v === undefined) return;
    params.push(v);
    parts.push(`${sql} = $${first + params.length}`);
  };
  add(`coalesce(c.assigned_agent_id::text, '')`, f.agent);
  add(`coalesce(v.locale, '')`, f.language);
  add(PAGE('c.page_url'), f.page);
  if (f.ids) {
    params.push(f.ids);
    parts.push(`c.id = any($${first + params.length}::uuid[])`);
  }
  return { text: parts.map((p) => ` and ${p}`).join(''), params };
}

/**
 * Yields the tickets of `siteIds` escalated in [from, to), site by site (in id order), oldest first
 * within a site, narrowed by `filter`; stop early by breaking out of the loop.
 */
export async function* ticketRows(db: Db, siteIds: string[], from: Date, to: Date, filter: TicketFilter = {}): AsyncGenerator<TicketRow> {
  const client = (db as unknown as { $client: PostgresJs | object }).$client;
  const sites = [...new Set(siteIds)].sort();
  if ('unsafe' in client) {
    const f = filterSql(filter, 3);
    const text = `${SELECT.replace('$SITE', 'any($1::text[])')}${f.text} order by c.site_id, c.escalated_at, c.id`;
    for await (const slice of client.unsafe(text, [sites, from.toISOString(), to.toISOString(), ...f.params]).cursor(SLICE)) yield* slice;
    return;
  }
  // Keyset pages, one site at a time: each page starts after the last (escalated_at, id) seen (the first
  // after the period's start and the lowest id), which the (site_id, escalated_at) index finds directly,
  // so every page costs the same, about SLICE rows (with all sites at once each page would sort the whole
  // period again). PGlite has no statistics (no autovacuum), so its planner guesses a couple of rows
  // and, for the first page, joined and sorted the whole period instead (0.4 s of this thread at
  // 100,000 tickets; bench:export): each page is planned with the index's order as the only way.
  const raw = rawClient(db);
  const f = filterSql(filter, 5);
  const page = `${SELECT.replace('$SITE', '$1')}${f.text} and c.escalated_at >= $4::timestamptz and (c.escalated_at, c.id) > ($4::timestamptz, $5::uuid)
    order by c.escalated_at, c.id limit ${SLICE}`;
  for (const site of sites) {
    let after = [from.toISOString(), NO_ID];
    for (;;) {
      const results = await raw.transaction([...INDEX_ORDER, { text: page, params: [site, from.toISOString(), to.toISOString(), ...after, ...f.params] }]);
      const rows = results[INDEX_ORDER.length] as TicketRow[];
      yield* rows;
      if (rows.length < SLICE) break;
      const last = rows[rows.length - 1];
      after = [last.escalated_key, last.id];
    }
  }
}

/** A PGlite page's plan: an index scan in the keyset's order, then the joins by primary key. */
const INDEX_ORDER = ['set local enable_seqscan = off', 'set local enable_bitmapscan = off', 'set local enable_sort = off', 'set local enable_hashjoin = off'].map(
  (text) => ({ text, params: [] }),
);
