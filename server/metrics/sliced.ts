/**
 * Ticket aggregates of a period read one slice of days at a time, for PGlite. There every statement
 * runs on the event loop's thread, and one over a year's tickets (100,000 rows: a percentile's sort, a
 * breakdown's grouped sorts, the visitor days' count) held it 43-100 ms (npm run bench:stalls). Sliced,
 * each statement reads a few thousand tickets' rows: counts are added up here, and each percentile is
 * computed here from the slices' sorted values, as `percentile_cont` computes it. PostgreSQL runs the
 * single statements, on the reports' pool, off this thread.
 */
import type { RawQuery } from '../db/raw.ts';
import { date, Params, query, ticketRows, visitorCounts, type Bucket, type Scope } from './figures.ts';

/**
 * Tickets per slice on PGlite. With 3,000, the metrics view, chart and breakdowns of a year of 100,000
 * tickets held this thread 25-35 ms at most (bench:stalls), where single statements held it 62-107 ms
 * (with 5,000, once 50 ms).
 */
export const SLICE_TICKETS = 3_000;

/** Whether a scope is read in slices: on PGlite (Scope.sliceTickets). */
export const isSliced = (s: Scope): boolean => s.sliceTickets != null;

/**
 * [from, to) cut at UTC midnights into slices of about `most` tickets at most (`s.sliceTickets`), by the
 * daily rollup's counts (a day is never cut: whole days are read from the rollups, partial ones live).
 */
export async function slicesOf(raw: RawQuery, s: Scope, most = s.sliceTickets ?? Infinity): Promise<Scope[]> {
  const p = new Params();
  const days = await query<{ day: string; n: number }>(
    raw,
    `select day::text as day, sum(tickets)::int as n from metrics_ticket_days
     where site_id = any(${p.add(s.sites, 'text[]')}) and day >= ${p.add(date(s.from), 'date')} and day < ${p.add(date(s.to), 'date')}
     group by day order by day`,
    p,
  );
  const out: Scope[] = [];
  let start = s.from;
  let n = 0;
  for (const d of days) {
    const at = Date.parse(`${d.day}T00:00:00Z`);
    if (n > 0 && n + Number(d.n) > most && at > start.getTime()) {
      out.push({ ...s, from: start, to: new Date(at) });
      start = new Date(at);
      n = 0;
    }
    n += Number(d.n);
  }
  out.push({ ...s, from: start, to: s.to });
  return out;
}

/** A group's tickets: counts, and its first-response and resolution times sorted (seconds). */
export interface TicketGroup {
  tickets: number;
  resolved: number;
  ratings: number;
  ratingSum: number;
  frt: Float64Array;
  rt: Float64Array;
}

/**
 * The tickets of `slices` (slicesOf) grouped by `key` (an expression over ticketRows' columns, `at` the
 * bucket), one statement per slice. A slice's values come sorted; the groups' are sorted again once all are in.
 */
export async function ticketGroups(raw: RawQuery, slices: Scope[], key: string, bucket: Bucket | null): Promise<Map<string, TicketGroup>> {
  type Row = { k: string | number | null; tickets: number; resolved: number; ratings: number; rating_sum: number; frt: number[] | null; rt: number[] | null };
  const parts = new Map<string, { tickets: number; resolved: number; ratings: number; ratingSum: number; frt: number[][]; rt: number[][] }>();
  for (const slice of slices) {
    const p = new Params();
    const rows = await query<Row>(
      raw,
      `select ${key} as k, count(*)::int as tickets, count(*) filter (where resolved)::int as resolved,
         count(csat_rating)::int as ratings, coalesce(sum(csat_rating), 0)::int as rating_sum,
         array_agg(first_response_sec order by first_response_sec) filter (where first_response_sec is not null) as frt,
         array_agg(resolution_sec order by resolution_sec) filter (where resolution_sec is not null) as rt
       from ${ticketRows(slice, p, bucket)} t group by 1`,
      p,
    );
    for (const r of rows) {
      const k = r.k === null ? '' : String(r.k);
      const g = parts.get(k) ?? { tickets: 0, resolved: 0, ratings: 0, ratingSum: 0, frt: [], rt: [] };
      g.tickets += Number(r.tickets);
      g.resolved += Number(r.resolved);
      g.ratings += Number(r.ratings);
      g.ratingSum += Number(r.rating_sum);
      if (r.frt) g.frt.push(r.frt.map(Number));
      if (r.rt) g.rt.push(r.rt.map(Number));
      parts.set(k, g);
    }
  }
  const sorted = (lists: number[][]) => Float64Array.from(lists.flat()).sort();
  return new Map([...parts].map(([k, g]) => [k, { tickets: g.tickets, resolved: g.resolved, ratings: g.ratings, ratingSum: g.ratingSum, frt: sorted(g.frt), rt: sorted(g.rt) }]));
}

/**
 * What `round((percentile_cont(array[0.5, 0.9]) within group (order by v))[i] * 1000)::float8` gives
 * over `sorted` seconds, in ms: the same interpolation, and PostgreSQL's round() of a float8, which
 * rounds halves to even.
 * @example percentilesMs(Float64Array.of(30, 180, 240, 600)) // [210000, 492000]
 */
export function percentilesMs(sorted: Float64Array): [number | null, number | null] {
  const at = (f: number): number | null => {
    const n = sorted.length;
    if (n === 0) return null;
    const pos = f * (n - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    const v = sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    return roundHalfEven(v * 1000);
  };
  return [at(0.5), at(0.9)];
}

const roundHalfEven = (x: number): number => {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
};

/** The scope's visitors seen and returned (figures.ts visitorCounts), one statement per slice of days (slicesOf), added up. */
export async function slicedVisitorCounts(raw: RawQuery, s: Scope, slices: Scope[]): Promise<{ seen: number; returned: number }> {
  const total = { seen: 0, returned: 0 };
  for (const [i, slice] of slices.entries()) {
    const p = new Params();
    // Each visitor day once: in the slice its day starts in (the last slice keeps the period's end).
    const days: [Date, Date | null] = [slice.from, i === slices.length - 1 ? null : slice.to];
    const [row] = await query<{ seen: number; returned: number }>(raw, visitorCounts(s, p, days), p);
    total.seen += Number(row.seen);
    total.returned += Number(row.returned);
  }
  return total;
}
