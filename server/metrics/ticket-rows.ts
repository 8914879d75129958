/**
 * The tickets of a period, read in slices so that an export of any size holds one slice in memory:
 * a server-side cursor on PostgreSQL, keyset pages on PGlite (which has no cursor API, and whose
 * queries run on this thread: small pages keep each pause of the event loop short).
 */
import { PAGE } from './rollup.ts';
import type { Db } from '../db/client.ts';

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
interface PGliteLike {
  query<T>(text: string, params: unknown[]): Promise<{ rows: T[] }>;
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
  const client = (db as unknown as { $client: PostgresJs | PGliteLike }).$client;
  const sites = [...new Set(siteIds)].sort();
  if ('unsafe' in client) {
    const f = filterSql(filter, 3);
    const text = `${SELECT.replace('$SITE', 'any($1::text[])')}${f.text} order by c.site_id, c.escalated_at, c.id`;
    for await (const slice of client.unsafe(text, [sites, from.toISOString(), to.toISOString(), ...f.params]).cursor(SLICE)) yield* slice;
    return;
  }
  // Keyset pages, one site at a time: each page starts at the last (escalated_at, id) seen, which the
  // (site_id, escalated_at) index finds directly, so every page costs the same, about SLICE rows
  // (with all sites at once each page would sort the whole period again).
  const f = filterSql(filter, 5);
  const first = `${SELECT.replace('$SITE', '$1')}${f.text} and $4::text is null and $5::text is null order by c.escalated_at, c.id limit ${SLICE}`;
  const next = `${SELECT.replace('$SITE', '$1')}${f.text} and c.escalated_at >= $4::timestamptz and (c.escalated_at, c.id) > ($4::timestamptz, $5::uuid)
    order by c.escalated_at, c.id limit ${SLICE}`;
  for (const site of sites) {
    let after: [string, string] | undefined;
    for (;;) {
      const params = [site, from.toISOString(), to.toISOString()];
      // The first page has no keyset: $4 and $5 are null there, so the filter's parameters keep their numbers.
      const { rows } = await client.query<TicketRow>(after ? next : first, [...params, ...(after ?? [null, null]), ...f.params]);
      yield* rows;
      if (rows.length < SLICE) break;
      const last = rows[rows.length - 1];
      after = [last.escalated_key, last.id];
    }
  }
}
