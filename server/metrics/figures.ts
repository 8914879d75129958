/**
 * Reading the rollups (rollup.ts) for a scope: sites, a half-open period and a language. Whole UTC days
 * come from the daily rollups; the partial days at a period's edges, and every period of one day or
 * less, are aggregated from the live rows with the same expressions, so a period need not start at
 * midnight and today is never stale. Ticket counts likewise (metrics_ticket_days); their percentiles, and
 * visitor days, from one row each, filtered exactly.
 */
import type { RawQuery } from '../db/raw.ts';
import { isSliced, percentilesMs, slicedVisitorCounts, slicesOf, ticketGroups } from './sliced.ts';
import { PAGE, QUESTION_COUNTS, TICKET_COLUMNS, TICKET_DAY_COLUMNS, TICKET_DAY_COUNTS, ticketRow } from './rollup.ts';

export interface Scope {
  sites: string[];
  from: Date;
  to: Date;
  /** The visitor's language, null for every language. */
  language: string | null;
  /** The server's clock: a resolution is verified 72 h after it. */
  now: Date;
  /** Read in slices of days of about this many tickets (sliced.ts): on PGlite, whose statements run on this thread. */
  sliceTickets?: number | null;
}

export type Bucket = 'day' | 'hour';

/** Positional parameters for one statement. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown, type: string): string {
    this.values.push(v);
    return `$${this.values.length}::${type}`;
  }
}

const DAY_MS = 86_400_000;
const dayOf = (d: Date) => new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
const iso = (d: Date) => d.toISOString();
/** A UTC day, as a `date` parameter. */
export const date = (d: Date) => d.toISOString().slice(0, 10);

/** Whole UTC days inside [from, to) (null when none, or when hours are asked for), and the live ranges around them. */
function split(s: Scope, bucket: Bucket | null): { days: [string, string] | null; live: [Date, Date][] } {
  const first = new Date(dayOf(s.from).getTime() + (s.from.getTime() % DAY_MS === 0 ? 0 : DAY_MS));
  const end = dayOf(s.to);
  if (bucket === 'hour' || first >= end) return { days: null, live: [[s.from, s.to]] };
  return { days: [date(first), date(end)], live: ([[s.from, first], [end, s.to]] as [Date, Date][]).filter(([a, b]) => a < b) };
}

const bucketOf = (col: string, bucket: Bucket | null) => (bucket ? `date_trunc('${bucket}', ${col} at time zone 'UTC') at time zone 'UTC'` : 'null::timestamptz');

/**
 * Rows (site_id, locale, page, at, questions, answered, solved, escalated, deflected, met), `at` the
 * bucket's start, to be summed by the caller; the language filter is applied.
 */
export function questionRows(s: Scope, p: Params, bucket: Bucket | null, byPage = false): string {
  const { days, live } = split(s, bucket);
  const sites = p.add(s.sites, 'text[]');
  const parts: string[] = [];
  if (days) {
    // Per page only when asked: a year has a few rows per day per site without pages, thousands with.
    parts.push(`select site_id, locale, ${byPage ? 'page' : `''`} as page, ${bucket ? `(day::timestamp at time zone 'UTC')` : 'null::timestamptz'} as at,
      questions, answered, solved, escalated, deflected, met
      from ${byPage ? 'metrics_page_days' : 'metrics_question_days'} where site_id = any(${sites}) and day >= ${p.add(days[0], 'date')} and day < ${p.add(days[1], 'date')}`);
  }
  if (live.length) {
    const ranges = live.map(([a, b]) => `(q.created_at >= ${p.add(iso(a), 'timestamptz')} and q.created_at < ${p.add(iso(b), 'timestamptz')})`).join(' or ');
    parts.push(`select q.site_id, coalesce(v.locale, '') as locale, ${byPage ? PAGE('c.page_url') : `''`} as page, ${bucketOf('q.created_at', bucket)} as at, ${QUESTION_COUNTS}
      from questions q join conversations c on c.id = q.conversation_id join visitors v on v.id = c.visitor_id
      where q.site_id = any(${sites}) and q.decision <> 'smalltalk' and (${ranges})
      group by 1, 2, 3, 4`);
  }
  const lang = s.language === null ? '' : ` where locale = ${p.add(s.language, 'text')}`;
  return `(select * from (${parts.join(' union all ')}) u${lang})`;
}

/** Rows (site_id, locale, entry_id, answered, solved, escalated) of FAQ answers, to be summed by entry. */
export function entryRows(s: Scope, p: Params): string {
  const { days, live } = split(s, null);
  const sites = p.add(s.sites, 'text[]');
  const parts: string[] = [];
  if (days) {
    parts.push(`select site_id, locale, entry_id, answered, solved, escalated from metrics_entry_days
      where site_id = any(${sites}) and day >= ${p.add(days[0], 'date')} and day < ${p.add(days[1], 'date')}`);
  }
  if (live.length) {
    const ranges = live.map(([a, b]) => `(q.created_at >= ${p.add(iso(a), 'timestamptz')} and q.created_at < ${p.add(iso(b), 'timestamptz')})`).join(' or ');
    parts.push(`select q.site_id, coalesce(v.locale, '') as locale, q.entry_id, count(*)::int as answered, count(*) filter (where q.outcome = 'solved')::int as solved,
        count(*) filter (where q.escalated_at is not null)::int as escalated
      from questions q join conversations c on c.id = q.conversation_id join visitors v on v.id = c.visitor_id
      where q.site_id = any(${sites}) and q.answered_at is not null and q.entry_id is not null and (${ranges})
      group by 1, 2, 3`);
  }
  const lang = s.language === null ? '' : ` where locale = ${p.add(s.language, 'text')}`;
  return `(select * from (${parts.join(' union all ')}) u${lang})`;
}

/**
 * The tickets raised in the scope (metrics_tickets columns, `at` their bucket): whole days from the
 * rollup, the partial days at the edges computed live from their conversations, as questions are.
 */
export function ticketRows(s: Scope, p: Params, bucket: Bucket | null): string {
  const { days, live } = split(s, bucket);
  const sites = p.add(s.sites, 'text[]');
  const columns = TICKET_COLUMNS.join(', ');
  const parts: string[] = [];
  if (days) {
    parts.push(`select ${columns} from metrics_tickets where site_id = any(${sites})
      and escalated_at >= (${p.add(days[0], 'date')}::timestamp at time zone 'UTC') and escalated_at < (${p.add(days[1], 'date')}::timestamp at time zone 'UTC')`);
  }
  if (live.length) parts.push(liveTickets(s, p, sites, live));
  const lang = s.language === null ? '' : ` where locale = ${p.add(s.language, 'text')}`;
  return `(select *, ${bucketOf('escalated_at', bucket)} as at from (${parts.join(' union all ')}) u (${columns})${lang})`;
}

/** The tickets raised in `live` ranges, computed from their conversations (TICKET_COLUMNS, positional). */
function liveTickets(s: Scope, p: Params, sites: string, live: [Date, Date][]): string {
  const ranges = live.map(([a, b]) => `(c.escalated_at >= ${p.add(iso(a), 'timestamptz')} and c.escalated_at < ${p.add(iso(b), 'timestamptz')})`).join(' or ');
  return `select ${ticketRow(p.add(iso(s.now), 'timestamptz'), true)} where c.site_id = any(${sites}) and (${ranges})`;
}

/**
 * Ticket counts of the scope, rows (locale, at, TICKET_DAY_COLUMNS…) to be summed (TICKET_SUMS), `at`
 * the bucket's start: whole days from metrics_ticket_days, the partial days at the edges (and hours)
 * counted live, as questions are.
 */
export function ticketCountRows(s: Scope, p: Params, bucket: Bucket | null): string {
  const { days, live } = split(s, bucket);
  const sites = p.add(s.sites, 'text[]');
  const columns = TICKET_DAY_COLUMNS.join(', ');
  const parts: string[] = [];
  if (days) {
    parts.push(`select locale, ${bucket ? `(day::timestamp at time zone 'UTC')` : 'null::timestamptz'} as at, ${columns} from metrics_ticket_days
      where site_id = any(${sites}) and day >= ${p.add(days[0], 'date')} and day < ${p.add(days[1], 'date')}`);
  }
  if (live.length) {
    parts.push(`select locale, ${bucketOf('escalated_at', bucket)} as at, ${TICKET_DAY_COUNTS}
      from (${liveTickets(s, p, sites, live)}) t (${TICKET_COLUMNS.join(', ')}) group by 1, 2`);
  }
  const lang = s.language === null ? '' : ` where locale = ${p.add(s.language, 'text')}`;
  return `(select * from (${parts.join(' union all ')}) u${lang})`;
}

/** p50 and p90 in ms from one sort: identical aggregate calls are computed once. */
const percentiles = (col: string, name: string) =>
  [1, 2].map((i) => `round((percentile_cont(array[0.5, 0.9]) within group (order by ${col}))[${i}] * 1000)::float8 as ${name}_p${i === 1 ? 50 : 90}`).join(', ');

/** First-response p50 and p90 in ms over `t` (ticketRows). */
export const FIRST_RESPONSE_PERCENTILES = percentiles('first_response_sec', 'frt');

/** Resolution p50 and p90 in ms over `t` (ticketRows). */
const RESOLUTION_PERCENTILES = percentiles('resolution_sec', 'rt');

/** The ticket counts (TICKET_DAY_COUNTS) summed over ticketCountRows, with the average rating. */
export const TICKET_SUMS = `${TICKET_DAY_COLUMNS.map((c) => `coalesce(sum(${c}), 0)::${c === 'weighted' ? 'float8' : 'int'} as ${c}`).join(', ')},
  sum(rating_sum)::float8 / nullif(sum(ratings), 0) as rating_avg`;

export interface TicketAgg {
  tickets: number;
  responded: number;
  resolved: number;
  weighted: number;
  verifiable: number;
  verified: number;
  unverified_yet: number;
  frt_p50: number | null;
  frt_p90: number | null;
  rt_p50: number | null;
  rt_p90: number | null;
  surveyed: number;
  surveyed_rated: number;
  ratings: number;
  rating_avg: number | null;
  r1: number;
  r2: number;
  r3: number;
  r4: number;
  r5: number;
}

export const QUESTION_SUMS = `
  coalesce(sum(questions), 0)::int as questions, coalesce(sum(answered), 0)::int as answered, coalesce(sum(solved), 0)::int as solved,
  coalesce(sum(escalated), 0)::int as escalated, coalesce(sum(deflected), 0)::int as deflected, coalesce(sum(met), 0)::int as met`;

export interface QuestionAgg {
  questions: number;
  answered: number;
  solved: number;
  escalated: number;
  deflected: number;
  met: number;
}

/**
 * Visitors seen and visitors who came back (active on two UTC days of the period), as counts over
 * visitor days: a day is in the period when its activity overlaps it; a visitor is seen on their first
 * day in the period (the active day before it ended before the period) and came back on their second.
 */
export function visitorCounts(s: Scope, p: Params, days?: [Date, Date | null]): string {
  const from = p.add(iso(s.from), 'timestamptz');
  const lang = s.language === null ? '' : ` and locale = ${p.add(s.language, 'text')}`;
  // Only the visitor days from days[0]'s to before days[1]'s (sliced.ts).
  const slice = days ? ` and day >= ${p.add(date(days[0]), 'date')}${days[1] ? ` and day < ${p.add(date(days[1]), 'date')}` : ''}` : '';
  return `select count(*) filter (where prev_last_at is null or prev_last_at < ${from})::int as seen,
      count(*) filter (where prev_last_at >= ${from} and (prev2_last_at is null or prev2_last_at < ${from}))::int as returned
    from metrics_visitor_days
    where site_id = any(${p.add(s.sites, 'text[]')}) and day >= ${p.add(date(s.from), 'date')} and day <= ${p.add(date(s.to), 'date')}
      and last_at >= ${from} and first_at < ${p.add(iso(s.to), 'timestamptz')}${lang}${slice}`;
}

/** Runs a statement built with `p`. */
export const query = <T extends object>(raw: RawQuery, text: string, p: Params) => raw<T>(text, p.values);

/** A number from the driver, which may send numeric and bigint as strings. */
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export interface PeriodFigures {
  q: QuestionAgg;
  t: TicketAgg;
  a: { seen: number; returned: number };
}

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;
const nums = <T>(v: unknown) => Object.fromEntries(Object.entries(json(v)).map(([k, x]) => [k, num(x)])) as T;

/**
 * Questions, tickets (counts and percentiles) and visitors of a scope: five statements sent at once (the
 * reports' pool runs four at a time, db/client.ts).
 * As one statement PostgreSQL ran its parts one after the other, so a year cost the tickets' scan and
 * percentile sorts (100,000 rows) plus the visitor days' scan (200,000 rows); apart, about the longer of the two.
 * Without `percentiles` (a previous period, whose S and factors are all that is shown), the times are
 * null and their two sorts are not run.
 */
export async function periodFigures(raw: RawQuery, s: Scope, { percentiles = true } = {}): Promise<PeriodFigures> {
  const one = async <T>(build: (p: Params) => string): Promise<T> => {
    const p = new Params();
    const [row] = await query<{ r: unknown }>(raw, `select to_json(x) as r from (${build(p)}) x`, p);
    return nums<T>(row.r);
  };
  const none = { frt_p50: null, frt_p90: null, rt_p50: null, rt_p90: null };
  if (isSliced(s)) {
    // One slice of days at a time (sliced.ts); the counts come from the daily rollups as below.
    const [q, counts] = await Promise.all([
      one<QuestionAgg>((p) => `select ${QUESTION_SUMS} from ${questionRows(s, p, null)} r`),
      one<Omit<TicketAgg, 'frt_p50' | 'frt_p90' | 'rt_p50' | 'rt_p90'>>((p) => `select ${TICKET_SUMS} from ${ticketCountRows(s, p, null)} t`),
    ]);
    const slices = await slicesOf(raw, s);
    let times: Pick<TicketAgg, 'frt_p50' | 'frt_p90' | 'rt_p50' | 'rt_p90'> = none;
    if (percentiles) {
      const all = (await ticketGroups(raw, slices, 'null', null)).get('');
      const [frt_p50, frt_p90] = percentilesMs(all?.frt ?? new Float64Array());
      const [rt_p50, rt_p90] = percentilesMs(all?.rt ?? new Float64Array());
      times = { frt_p50, frt_p90, rt_p50, rt_p90 };
    }
    return { q, t: { ...counts, ...times }, a: await slicedVisitorCounts(raw, s, slices) };
  }
  const [q, counts, frt, rt, a] = await Promise.all([
    one<QuestionAgg>((p) => `select ${QUESTION_SUMS} from ${questionRows(s, p, null)} r`),
    one<Omit<TicketAgg, 'frt_p50' | 'frt_p90' | 'rt_p50' | 'rt_p90'>>((p) => `select ${TICKET_SUMS} from ${ticketCountRows(s, p, null)} t`),
    // Each percentile sorts every ticket of the period: two statements, so that the two sorts run at once.
    percentiles ? one<Pick<TicketAgg, 'frt_p50' | 'frt_p90'>>((p) => `select ${FIRST_RESPONSE_PERCENTILES} from ${ticketRows(s, p, null)} t`) : none,
    percentiles ? one<Pick<TicketAgg, 'rt_p50' | 'rt_p90'>>((p) => `select ${RESOLUTION_PERCENTILES} from ${ticketRows(s, p, null)} t`) : none,
    one<{ seen: number; returned: number }>((p) => visitorCounts(s, p)),
  ]);
  return { q, t: { ...counts, ...frt, ...rt }, a };
}
