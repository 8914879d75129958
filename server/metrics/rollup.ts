/**
 * The metrics rollups (schema: metrics_question_days, metrics_page_days, metrics_entry_days,
 * metrics_tickets with metrics_ticket_days, metrics_visitor_days), refreshed by a periodic job instead of by the message path: every minute
 * each node runs `refresh`, which takes a transaction-scoped advisory lock, so two nodes take turns and
 * the second finds little to do (every statement is idempotent). What a run recomputes:
 * - the UTC days from yesterday on (questions, entries, visitor days),
 * - every conversation changed since the last run, less 73 hours (`updated_at` moves on every message,
 *   assignment and resolution; a resolution's 72-hour verdict is due 72 h after it), with its tickets
 *   and the days of its questions,
 * - on the first run of a process with empty rollups, everything (a backfill).
 * Readers add the partial days at a period's edges from the live rows (figures.ts), questions and tickets
 * alike, so "today" is never stale; a whole day's ticket changed since the last run is up to a minute behind.
 */
import type { Ctx } from '../context.ts';
import type { BusinessHours } from '../db/schema.ts';
import { businessSeconds } from './business-hours.ts';
import { VERIFY_HOURS } from './satisfaction.ts';

/** Any 64-bit number no other job uses: the lock that makes one node refresh at a time. */
const LOCK = 1_212_0001;
const EVERY_MS = 60_000;
const START_DELAY_MS = 5_000;
/** Changes are looked for this far behind the last run: the 72 h verdict plus an hour of clock skew. */
const LOOKBACK_MS = (VERIFY_HOURS + 1) * 3_600_000;

/** The page of a URL as metrics group it: without query and fragment. */
export const PAGE = (col: string) => `coalesce(split_part(split_part(${col}, '?', 1), '#', 1), '')`;

/** Questions of [day] buckets: the aggregate the rollup stores and the readers compute live at the edges. */
export const QUESTION_COUNTS = `
  count(*)::int as questions,
  count(*) filter (where q.answered_at is not null)::int as answered,
  count(*) filter (where q.outcome = 'solved')::int as solved,
  count(*) filter (where q.escalated_at is not null)::int as escalated,
  count(*) filter (where q.answered_at is not null and q.escalated_at is null)::int as deflected,
  count(*) filter (where q.answered_at is not null
                     and (q.outcome = 'solved' or (q.outcome is null and q.escalated_at is null and c.escalated_at is null)))::int as met`;

const DAY = (col: string) => `(${col} at time zone 'UTC')::date`;

/** The columns of metrics_tickets, in the order `ticketRow` selects them. */
export const TICKET_COLUMNS = [
  'conversation_id', 'site_id', 'escalated_at', 'locale', 'page', 'agent_id', 'first_response_sec',
  'resolution_sec', 'resolved', 'weight', 'verified', 'surveyed', 'csat_rating',
];

/**
 * A ticket's metrics_tickets row computed from its conversation `c` (with its site and visitor): what
 * the rollup stores, and what readers compute live for the partial days of a period. `now` is a
 * timestamptz expression (a resolution is verified 72 h after it). `live`: times of a site with
 * business hours are taken from the rollup, where they are counted in those hours (in JS), until the
 * ticket reaches it (within a minute) they are wall-clock seconds.
 */
export function ticketRow(now: string, live: boolean): string {
  const businessOr = (col: string, wall: string) =>
    live ? `case when s.business_hours is null then ${wall} else coalesce((select m.${col} from metrics_tickets m where m.conversation_id = c.id), ${wall}) end` : wall;
  return `c.id, c.site_id, c.escalated_at, coalesce(v.locale, ''), ${PAGE('c.page_url')}, c.assigned_agent_id,
          ${businessOr('first_response_sec', 'f.sec')}, ${businessOr('resolution_sec', 'extract(epoch from c.resolved_at - c.escalated_at)::float8')},
          c.resolved_at is not null,
          case when c.resolved_at is not null and f.sec is not null then f.target / greatest(f.target, f.sec) else 0 end,
          case when c.resolved_at is null or c.resolved_at + interval '${VERIFY_HOURS} hours' > ${now} then null
               else not exists (select 1 from conversations again where again.visitor_id = c.visitor_id and again.id <> c.id
                                and again.escalated_at > c.resolved_at and again.escalated_at <= c.resolved_at + interval '${VERIFY_HOURS} hours') end,
          c.resolved_at is not null and s.csat_enabled,
          c.csat_rating
   from conversations c
   join sites s on s.id = c.site_id
   join visitors v on v.id = c.visitor_id
   cross join lateral (select greatest(s.first_response_target_sec, 1)::float8 as target,
                              extract(epoch from c.first_response_at - c.escalated_at)::float8 as sec) f`;
}

/**
 * A day's tickets counted (over metrics_tickets columns): what metrics_ticket_days stores, and what readers
 * count live at a period's edges. Ratings as a sum, so that days add up to an average.
 */
export const TICKET_DAY_COUNTS = `
  count(*)::int as tickets,
  count(first_response_sec)::int as responded,
  count(*) filter (where resolved)::int as resolved,
  coalesce(sum(weight), 0)::float8 as weighted,
  count(verified)::int as verifiable,
  count(*) filter (where verified)::int as verified,
  count(*) filter (where resolved and verified is null)::int as unverified_yet,
  count(*) filter (where surveyed)::int as surveyed,
  count(*) filter (where surveyed and csat_rating is not null)::int as surveyed_rated,
  count(csat_rating)::int as ratings,
  coalesce(sum(csat_rating), 0)::int as rating_sum,
  count(*) filter (where csat_rating = 1)::int as r1,
  count(*) filter (where csat_rating = 2)::int as r2,
  count(*) filter (where csat_rating = 3)::int as r3,
  count(*) filter (where csat_rating = 4)::int as r4,
  count(*) filter (where csat_rating = 5)::int as r5`;

/** The count columns of metrics_ticket_days, in TICKET_DAY_COUNTS' order. */
export const TICKET_DAY_COLUMNS = [...TICKET_DAY_COUNTS.matchAll(/ as (\w+)/g)].map((m) => m[1]);

/** $1 changed since, $2 window start (a UTC midnight), $3 now. */
const dirtyConversations = `select id from conversations where updated_at >= $1::timestamptz`;

const TABLES = ['metrics_tickets', 'metrics_ticket_days', 'metrics_question_days', 'metrics_page_days', 'metrics_entry_days', 'metrics_visitor_days'];

const STATEMENTS = [
  `select pg_advisory_xact_lock(${LOCK})`,
  // The days of the tickets about to change, before (their rows now) and after (their conversations).
  `create temp table metrics_dirty_ticket_days on commit drop as
   select site_id, ${DAY('escalated_at')} as day from metrics_tickets where conversation_id in (${dirtyConversations})
   union
   select c.site_id, ${DAY('c.escalated_at')} from conversations c
   where c.escalated_at is not null and (c.id in (${dirtyConversations}) or (c.site_id = any(select id from sites) and c.escalated_at >= $2::timestamptz))`,
  `insert into metrics_tickets (${TICKET_COLUMNS.join(', ')})
   select ${ticketRow('$3::timestamptz', false)}
   where c.escalated_at is not null
     and c.id in (${dirtyConversations} union all select id from conversations where site_id = any(select id from sites) and escalated_at >= $2::timestamptz)
   on conflict (conversation_id) do update set
     locale = excluded.locale, page = excluded.page, agent_id = excluded.agent_id, escalated_at = excluded.escalated_at,
     first_response_sec = excluded.first_response_sec, resolution_sec = excluded.resolution_sec, resolved = excluded.resolved,
     weight = excluded.weight, verified = excluded.verified, surveyed = excluded.surveyed, csat_rating = excluded.csat_rating`,
  `delete from metrics_ticket_days m using metrics_dirty_ticket_days d where m.site_id = d.site_id and m.day = d.day`,
  `insert into metrics_ticket_days (site_id, day, locale, ${TICKET_DAY_COLUMNS.join(', ')})
   select m.site_id, d.day, m.locale, ${TICKET_DAY_COUNTS}
   from metrics_dirty_ticket_days d
   join metrics_tickets m on m.site_id = d.site_id and m.escalated_at >= (d.day::timestamp at time zone 'UTC') and m.escalated_at < ((d.day + 1)::timestamp at time zone 'UTC')
   group by 1, 2, 3`,
  // The (site, day) buckets to recompute, once, for the statements after it.
  `create temp table metrics_dirty_days on commit drop as
   select q.site_id, ${DAY('q.created_at')} as day from questions q
   where q.site_id = any(select id from sites) and q.created_at >= $2::timestamptz
   union
   select q.site_id, ${DAY('q.created_at')} from questions q where q.conversation_id in (${dirtyConversations})`,
  // Their questions per page, read once for both tables.
  `create temp table metrics_dirty_pages on commit drop as
   select q.site_id, ${DAY('q.created_at')} as day, coalesce(v.locale, '') as locale, ${PAGE('c.page_url')} as page, ${QUESTION_COUNTS}
   from metrics_dirty_days d
   join questions q on q.site_id = d.site_id and q.created_at >= (d.day::timestamp at time zone 'UTC') and q.created_at < ((d.day + 1)::timestamp at time zone 'UTC')
   join conversations c on c.id = q.conversation_id join visitors v on v.id = c.visitor_id
   where q.decision <> 'smalltalk'
   group by 1, 2, 3, 4`,
  ...['metrics_question_days', 'metrics_page_days', 'metrics_entry_days'].map(
    (table) => `delete from ${table} m using metrics_dirty_days d where m.site_id = d.site_id and m.day = d.day`,
  ),
  `insert into metrics_page_days select * from metrics_dirty_pages`,
  `insert into metrics_question_days (site_id, day, locale, questions, answered, solved, escalated, deflected, met)
   select site_id, day, locale, sum(questions), sum(answered), sum(solved), sum(escalated), sum(deflected), sum(met)
   from metrics_dirty_pages group by 1, 2, 3`,
  `insert into metrics_entry_days (site_id, day, locale, entry_id, answered, solved, escalated)
   select q.site_id, ${DAY('q.created_at')}, coalesce(v.locale, ''), q.entry_id,
          count(*)::int, count(*) filter (where q.outcome = 'solved')::int, count(*) filter (where q.escalated_at is not null)::int
   from metrics_dirty_days d
   join questions q on q.site_id = d.site_id and q.created_at >= (d.day::timestamp at time zone 'UTC') and q.created_at < ((d.day + 1)::timestamp at time zone 'UTC')
   join conversations c on c.id = q.conversation_id join visitors v on v.id = c.visitor_id
   where q.answered_at is not null and q.entry_id is not null
   group by 1, 2, 3, 4`,
  `delete from metrics_visitor_days where day >= ${DAY('$1::timestamptz')}`,
  // Each new visitor day with the last activity of the visitor's two active days before it.
  `insert into metrics_visitor_days (visitor_id, day, site_id, locale, first_at, last_at, prev_last_at, prev2_last_at)
   with act as (
     select c.visitor_id, c.created_at as at from conversations c
     where c.site_id = any(select id from sites) and c.created_at >= $1::timestamptz
     union all
     select c.visitor_id, q.created_at from questions q join conversations c on c.id = q.conversation_id
     where q.site_id = any(select id from sites) and q.created_at >= $1::timestamptz
   ),
   fresh as (select visitor_id, ${DAY('at')} as day, min(at) as first_at, max(at) as last_at, false as old from act group by 1, 2),
   seq as (
     select visitor_id, day, first_at, last_at, old from fresh
     union all
     select m.visitor_id, m.day, m.first_at, m.last_at, true from metrics_visitor_days m
     where m.visitor_id in (select visitor_id from fresh)
   ),
   lagged as (
     select *, lag(last_at) over w as prev_last_at, lag(last_at, 2) over w as prev2_last_at
     from seq window w as (partition by visitor_id order by day)
   )
   select l.visitor_id, l.day, v.site_id, coalesce(v.locale, ''), l.first_at, l.last_at, l.prev_last_at, l.prev2_last_at
   from lagged l join visitors v on v.id = l.visitor_id
   where not l.old`,
];

/** The sites whose times count in business hours. */
const BUSINESS_SITES = `select id, business_hours from sites where business_hours is not null`;
const CHANGED_TICKETS = `
  select c.id, c.escalated_at, c.first_response_at, c.resolved_at from conversations c
  where c.site_id = $3 and c.escalated_at is not null
    and (c.id in (${dirtyConversations}) or c.escalated_at >= $2::timestamptz)`;
const SET_TIMES = `
  update metrics_tickets m set first_response_sec = t.f, resolution_sec = t.r
  from unnest($1::uuid[], $2::float8[], $3::float8[]) as t(id, f, r) where m.conversation_id = t.id`;

export interface MetricsRollup {
  /** Brings the rollups up to date (everything when `full`); resolves when done. */
  refresh(opts?: { full?: boolean }): Promise<void>;
  /** Refreshes in a few seconds (a backfill when the rollups are empty), then every minute. */
  start(): void;
  stop(): void;
}

export function metricsRollup(ctx: Pick<Ctx, 'raw' | 'clock' | 'log'> & { transaction: (s: { text: string; params: unknown[] }[]) => Promise<object[][]> }): MetricsRollup {
  let lastRun: Date | null = null;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let first: NodeJS.Timeout | undefined;

  async function run(full: boolean): Promise<void> {
    const now = ctx.clock();
    if (!full && lastRun === null) {
      const [{ empty }] = await ctx.raw<{ empty: boolean }>(`select not exists (select 1 from metrics_visitor_days) and not exists (select 1 from metrics_tickets) as empty`, []);
      full = empty;
    }
    const since = full || lastRun === null ? (full ? new Date(0) : new Date(now.getTime() - LOOKBACK_MS)) : new Date(lastRun.getTime() - LOOKBACK_MS);
    const start = full ? new Date(0) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1));
    const params = [since.toISOString(), start.toISOString(), now.toISOString()];
    // The visitor-day statements take the window start as $1; the others (since, start, now) as far as they use them.
    const statements = STATEMENTS.map((text) =>
      text.includes('metrics_visitor_days') ? { text, params: [params[1]] } : { text, params: params.slice(0, maxParam(text)) },
    );
    if (full) statements.splice(1, 0, ...TABLES.map((t) => ({ text: `delete from ${t}`, params: [] })));
    await ctx.transaction(statements);
    await businessTimes(params);
    lastRun = now;
  }

  /** Sites with business hours: their tickets' times again, counted in those hours (in JS: zones and weekdays). */
  async function businessTimes(params: string[]): Promise<void> {
    for (const site of await ctx.raw<{ id: string; business_hours: BusinessHours }>(BUSINESS_SITES, [])) {
      const rows = await ctx.raw<{ id: string; escalated_at: Date; first_response_at: Date | null; resolved_at: Date | null }>(CHANGED_TICKETS, [params[0], params[1], site.id]);
      if (rows.length === 0) continue;
      const secs = (end: Date | null, start: Date) => (end === null ? null : businessSeconds(site.business_hours, new Date(start), new Date(end)));
      await ctx.raw(SET_TIMES, [rows.map((r) => r.id), rows.map((r) => secs(r.first_response_at, r.escalated_at)), rows.map((r) => secs(r.resolved_at, r.escalated_at))]);
    }
  }

  const rollup: MetricsRollup = {
    refresh(opts = {}) {
      // One run at a time per process; a caller arriving during a run waits for it and then runs its own.
      // `running` never rejects (the caller gets the failure from `next`), so a failed run is no unhandled rejection.
      const next = (running ?? Promise.resolve()).then(() => run(opts.full ?? false));
      const settled: Promise<void> = next.then(
        () => undefined,
        () => undefined,
      ).then(() => {
        if (running === settled) running = null;
      });
      running = settled;
      return next;
    },
    start() {
      const tick = () => void rollup.refresh().catch((err) => ctx.log.warn({ err }, 'metrics rollup failed'));
      // Not at once: a node's first seconds go to its pools' warm-up and its first requests (a restarted
      // node's first run recomputes the last 73 hours: 2.8 s at 100,000 tickets a year, on a reports connection).
      first = setTimeout(tick, START_DELAY_MS);
      timer = setInterval(tick, EVERY_MS);
      first.unref();
      timer.unref();
    },
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
  return rollup;
}

const maxParam = (text: string) => Math.max(0, ...[...text.matchAll(/\$(\d)/g)].map((m) => Number(m[1])));
