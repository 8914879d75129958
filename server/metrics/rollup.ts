/**
 * The metrics rollups (schema: metrics_question_days, metrics_page_days, metrics_entry_days,
 * metrics_tickets with metrics_ticket_days, metrics_visitor_days), refreshed by a periodic job instead of
 * by the message path: every minute each node runs `refresh`. A run looks at the conversations that
 * changed since its last run (less SKEW_MS; `updated_at` moves on every message, question, assignment,
 * resolution and rating) and those whose resolution's 72-hour verdict fell due since, and recomputes,
 * in units of one short transaction each (UNITS):
 * - their tickets (metrics_tickets), TICKETS_PER_UNIT conversations at a time;
 * - once each, the (site, day) buckets these tickets were and are on and their questions are on;
 * - their visitors' days from yesterday on, CHUNK visitors at a time.
 * A process's first run looks back 73 hours (what changed while no node ran); on empty rollups it is a
 * backfill of every conversation. Each unit takes a transaction-scoped advisory lock, so two nodes take
 * turns, and every statement is idempotent.
 * Readers add the partial days at a period's edges from the live rows (figures.ts), questions and tickets
 * alike, so "today" is never stale; a whole day's ticket changed since the last run is up to a minute behind.
 * The job's runs give way to the message path: after each unit they pause PACE times as long as the unit
 * took, so that a run is busy a fifth of its time at most, whatever it has to do.
 */
import type { Ctx } from '../context.ts';
import type { BusinessHours } from '../db/schema.ts';
import { businessSeconds } from './business-hours.ts';
import { VERIFY_HOURS } from './satisfaction.ts';

/** Any 64-bit number no other job uses: the lock that makes one node refresh at a time. */
const LOCK = 1_212_0001;
const EVERY_MS = 60_000;
const START_DELAY_MS = 5_000;
/**
 * After each unit of a job's run, a pause of PACE times what the unit took. Unpaced, a run that had 200
 * sites' buckets of the day to recompute (bench:relay's 200 sites, each with a ticket) was 0.6-0.9 s of
 * one database backend's CPU at once, every minute: on a machine near its capacity, a burst that the
 * message path queued behind (its p99 over 50 ms in the steps it fell on). Paced, the same work takes
 * five times as long at a fifth of a core. On PGlite the pause is also the event loop's, between units.
 */
const PACE = 4;
/** A process's first run looks this far back: the 72 h verdict plus an hour of clock skew. */
const LOOKBACK_MS = (VERIFY_HOURS + 1) * 3_600_000;
/** The next runs look this far behind the last: clocks of nodes apart, a change committed after a run began. */
const SKEW_MS = 10 * 60_000;
/** Conversations read per page, and visitors per chunk: each chunk is one short transaction (see UNITS). */
const CHUNK = 200;
/**
 * Conversations per tickets unit: computing a ticket's row is the rollup's costliest statement, about
 * 0.15 ms a ticket on PGlite (200 at a time held the event loop 25-78 ms during a backfill; bench:stalls).
 */
const TICKETS_PER_UNIT = 50;

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

/**
 * Every unit's first statements: the lock, and a plan for each statement made for the tables as they are
 * now. A prepared statement's plan turns generic after five runs and stays: one chosen early in a
 * backfill, on a nearly empty metrics_visitor_days (a seq scan), took 140 ms a chunk once it was full.
 */
const BEGIN = [`select pg_advisory_xact_lock(${LOCK})`, `set local plan_cache_mode = force_custom_plan`];
const DAY_RANGE = (col: string) => `${col} >= (:day::date::timestamp at time zone 'UTC') and ${col} < ((:day::date + 1)::timestamp at time zone 'UTC')`;

/**
 * A run's units of work, each one short transaction whose statements read a bounded number of rows,
 * whatever the size of the database: on PGlite every statement runs on the event loop's thread, and a
 * transaction holds the only connection, the message path's too. Placeholders: `:ids` a chunk of
 * conversations, `:now`, `:visitors` a chunk of visitors, `:from` from when visitor days are recomputed,
 * `:site` and `:day` one (site, UTC day) bucket.
 * Rows of a chunk are looked up one key at a time (`unnest` of the keys, then a LATERAL subquery kept
 * apart by OFFSET 0): PGlite has no autovacuum and ANALYZE held its thread 0.1-0.4 s a table at 100,000
 * tickets, so its planner has no statistics, takes `= any(200 keys)` of a non-unique column for the whole
 * table and scanned all of it (170 ms a chunk of visitor days).
 */
const UNITS = {
  /**
   * A chunk of conversations: their tickets. Returns (first and third statements after BEGIN) the (site, day)
   * buckets to recompute: those of the tickets before and after, and those of their questions.
   */
  tickets: [
    ...BEGIN,
    `select distinct m.site_id, ${DAY('m.escalated_at')}::text as day from unnest(:ids::uuid[]) as u(id) join metrics_tickets m on m.conversation_id = u.id`,
    `insert into metrics_tickets (${TICKET_COLUMNS.join(', ')})
     select ${ticketRow(':now::timestamptz', false)}
     where c.id = any(:ids::uuid[]) and c.escalated_at is not null
     on conflict (conversation_id) do update set
       locale = excluded.locale, page = excluded.page, agent_id = excluded.agent_id, escalated_at = excluded.escalated_at,
       first_response_sec = excluded.first_response_sec, resolution_sec = excluded.resolution_sec, resolved = excluded.resolved,
       weight = excluded.weight, verified = excluded.verified, surveyed = excluded.surveyed, csat_rating = excluded.csat_rating`,
    `select c.site_id, ${DAY('c.escalated_at')}::text as day from unnest(:ids::uuid[]) as u(id) join conversations c on c.id = u.id where c.escalated_at is not null
     union
     select q.site_id, ${DAY('q.created_at')}::text from unnest(:ids::uuid[]) as u(id)
     cross join lateral (select site_id, created_at from questions where conversation_id = u.id offset 0) q`,
    // The times of business-hours sites' tickets, counted in those hours before the unit (in JS), written
    // in the same transaction as the wall-clock ones above, so that no reader sees the latter: only for a
    // ticket whose times are still those counted. Returns the business-hours sites' tickets left in
    // wall-clock seconds (their times moved since, or they were escalated since), to count again.
    `with written as (
       update metrics_tickets m set first_response_sec = t.f, resolution_sec = t.r
       from jsonb_to_recordset(:times::jsonb) as t(id uuid, f float8, r float8, e timestamptz, fa timestamptz, ra timestamptz)
       join conversations c on c.id = t.id
       where m.conversation_id = t.id and c.escalated_at = t.e
         and c.first_response_at is not distinct from t.fa and c.resolved_at is not distinct from t.ra
       returning m.conversation_id as id)
     select c.id from conversations c
     where c.id = any(:ids::uuid[]) and c.site_id = any(:business::text[]) and c.escalated_at is not null
       and c.id not in (select id from written)`,
  ].map(named),
  /** One (site, day) bucket: its tickets, questions, pages and entries counted again. */
  day: [
    ...BEGIN,
    `delete from metrics_ticket_days where site_id = :site and day = :day::date`,
    `insert into metrics_ticket_days (site_id, day, locale, ${TICKET_DAY_COLUMNS.join(', ')})
     select :site::text, :day::date, m.locale, ${TICKET_DAY_COUNTS}
     from metrics_tickets m where m.site_id = :site and ${DAY_RANGE('m.escalated_at')}
     group by m.locale`,
    ...['metrics_question_days', 'metrics_page_days', 'metrics_entry_days'].map((table) => `delete from ${table} where site_id = :site and day = :day::date`),
    // The day's questions per page, read once for both tables: a CTE, not a temporary table, whose
    // creation and drop wrote the catalogs and sent every backend invalidations, per bucket and minute.
    `with pages as (
       select q.site_id, ${DAY('q.created_at')} as day, coalesce(v.locale, '') as locale, ${PAGE('c.page_url')} as page, ${QUESTION_COUNTS}
       from questions q join conversations c on c.id = q.conversation_id join visitors v on v.id = c.visitor_id
       where q.site_id = :site and ${DAY_RANGE('q.created_at')} and q.decision <> 'smalltalk'
       group by 1, 2, 3, 4
     ), by_page as (insert into metrics_page_days select * from pages)
     insert into metrics_question_days (site_id, day, locale, questions, answered, solved, escalated, deflected, met)
     select site_id, day, locale, sum(questions), sum(answered), sum(solved), sum(escalated), sum(deflected), sum(met)
     from pages group by 1, 2, 3`,
    `insert into metrics_entry_days (site_id, day, locale, entry_id, answered, solved, escalated)
     select q.site_id, ${DAY('q.created_at')}, coalesce(v.locale, ''), q.entry_id,
            count(*)::int, count(*) filter (where q.outcome = 'solved')::int, count(*) filter (where q.escalated_at is not null)::int
     from questions q join conversations c on c.id = q.conversation_id join visitors v on v.id = c.visitor_id
     where q.site_id = :site and ${DAY_RANGE('q.created_at')} and q.answered_at is not null and q.entry_id is not null
     group by 1, 2, 3, 4`,
  ].map(named),
  /** A chunk of visitors: their days from :from on, each with the last activity of the visitor's two active days before it. */
  visitors: [
    ...BEGIN,
    `delete from metrics_visitor_days where ctid = any(array(
       select m.ctid from unnest(:visitors::uuid[]) as u(id)
       cross join lateral (select ctid from metrics_visitor_days where visitor_id = u.id and day >= ${DAY(':from::timestamptz')} offset 0) m))`,
    `insert into metrics_visitor_days (visitor_id, day, site_id, locale, first_at, last_at, prev_last_at, prev2_last_at)
     with vis as (
       select v.id, v.site_id, coalesce(v.locale, '') as locale from unnest(:visitors::uuid[]) as u(id) join visitors v on v.id = u.id
     ),
     convs as (
       select vis.id as visitor_id, c.id, c.created_at from vis
       cross join lateral (select id, created_at from conversations where visitor_id = vis.id offset 0) c
     ),
     act as (
       select visitor_id, created_at as at from convs where created_at >= :from::timestamptz
       union all
       select convs.visitor_id, q.created_at from convs
       cross join lateral (select created_at from questions where conversation_id = convs.id and created_at >= :from::timestamptz offset 0) q
     ),
     fresh as (select visitor_id, ${DAY('at')} as day, min(at) as first_at, max(at) as last_at, false as old from act group by 1, 2),
     seq as (
       select visitor_id, day, first_at, last_at, old from fresh
       union all
       select vis.id, m.day, m.first_at, m.last_at, true from vis
       cross join lateral (select day, first_at, last_at from metrics_visitor_days where visitor_id = vis.id offset 0) m
     ),
     lagged as (
       select *, lag(last_at) over w as prev_last_at, lag(last_at, 2) over w as prev2_last_at
       from seq window w as (partition by visitor_id order by day)
     )
     select l.visitor_id, l.day, vis.site_id, vis.locale, l.first_at, l.last_at, l.prev_last_at, l.prev2_last_at
     from lagged l join vis on vis.id = l.visitor_id
     where not l.old`,
  ].map(named),
};

interface Params {
  ids: string[];
  now: string;
  /** Business-hours times counted in JS, a JSON array of { id, f, r, e, fa, ra } (tickets unit). */
  times: string;
  /** The sites whose times count in business hours (tickets unit). */
  business: string[];
  visitors: string[];
  from: string;
  site: string;
  day: string;
}

/** A statement written with `:name` placeholders, numbered $1, $2… in order of first use, with the names in that order. */
function named(text: string): { text: string; names: (keyof Params)[] } {
  const names: (keyof Params)[] = [];
  const numbered = text.replace(/(?<!:):(ids|now|times|business|visitors|from|site|day)\b/g, (_, name: keyof Params) => {
    if (!names.includes(name)) names.push(name);
    return `$${names.indexOf(name) + 1}`;
  });
  return { text: numbered, names };
}

/**
 * The conversations a run looks at, a page at a time in (key, id) order: those changed since the run's
 * lower bound (by `updated_at`: every message, question, assignment, resolution and rating moves it)
 * and those whose resolution's 72-hour verdict fell due since (by `resolved_at`; nothing moves
 * `updated_at` then). $1 and $2 the last page's key and id (the first page starts at the lower bound), $3 now.
 */
const PAGES = {
  changed: `
    select id, visitor_id, updated_at::text as key from conversations
    where updated_at >= $1::timestamptz and (updated_at > $1::timestamptz or id > $2::uuid)
    order by updated_at, id limit ${CHUNK}`,
  due: `
    select id, visitor_id, resolved_at::text as key from conversations
    where resolved_at >= $1::timestamptz and (resolved_at > $1::timestamptz or id > $2::uuid)
      and resolved_at <= $3::timestamptz - interval '${VERIFY_HOURS} hours'
    order by resolved_at, id limit ${CHUNK}`,
};
/** Below every uuid: a keyset's first page starts after it. */
export const NO_ID = '00000000-0000-0000-0000-000000000000';

/** The sites whose times count in business hours. */
const BUSINESS_SITES = `select id, business_hours from sites where business_hours is not null`;
/** Tickets of these sites ($2), with their times as text too (microseconds kept) for the tickets unit to tell whether they moved since. */
const CHANGED_TICKETS = `
  select c.id, c.site_id, c.escalated_at, c.first_response_at, c.resolved_at,
         c.escalated_at::text as e, c.first_response_at::text as fa, c.resolved_at::text as ra
  from conversations c
  where c.id = any($1::uuid[]) and c.site_id = any($2::text[]) and c.escalated_at is not null`;
const SET_TIMES = `
  update metrics_tickets m set first_response_sec = t.f, resolution_sec = t.r
  from unnest($1::uuid[], $2::float8[], $3::float8[]) as t(id, f, r) where m.conversation_id = t.id`;

/** A paced run given up because the job was stopped (not a failure). */
class Stopped extends Error {
  constructor() {
    super('metrics rollup stopped');
  }
}

export interface MetricsRollup {
  /**
   * Brings the rollups up to date (everything when `full`); resolves when done. `paced`: as the job's
   * runs, with a pause after each unit (PACE), and given up at the next unit once the job is stopped.
   */
  refresh(opts?: { full?: boolean; paced?: boolean }): Promise<void>;
  /** Refreshes in a few seconds (a backfill when the rollups are empty), then every minute, paced. */
  start(): void;
  /** Stops the job; resolves when its run in progress, if any, has given up (at its next unit). */
  stop(): Promise<void>;
}

export function metricsRollup(
  ctx: Pick<Ctx, 'raw' | 'clock' | 'log'> & {
    transaction: (s: { text: string; params: unknown[] }[]) => Promise<object[][]>;
    /** How a paced run waits after a unit (a test sees the pauses instead). */
    pause?: (ms: number) => Promise<void>;
  },
): MetricsRollup {
  const pause = ctx.pause ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let lastRun: Date | null = null;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let first: NodeJS.Timeout | undefined;
  /** Set by stop(): the job's run in progress gives up at its next unit. */
  let stopped = false;

  async function run(full: boolean, paced: boolean): Promise<void> {
    const now = ctx.clock();
    if (!full && lastRun === null) {
      const [{ empty }] = await ctx.raw<{ empty: boolean }>(`select not exists (select 1 from metrics_visitor_days) and not exists (select 1 from metrics_tickets) as empty`, []);
      full = empty;
    }
    // A process's first run looks back as far as a verdict can wait (what changed while no node ran);
    // the next ones from their last run, less a margin for clocks and for transactions committed late.
    const since = full ? new Date(0) : lastRun === null ? new Date(now.getTime() - LOOKBACK_MS) : new Date(lastRun.getTime() - SKEW_MS);
    const at = { now: now.toISOString(), from: (full ? new Date(0) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1))).toISOString() };
    const sites = await ctx.raw<{ id: string; business_hours: BusinessHours }>(BUSINESS_SITES, []);
    const days = new Set<string>();
    const visitors = new Set<string>();
    // A backfill reads every conversation, each with its verdict as of now: no resolution is due apart.
    const pages = [{ text: PAGES.changed, key: since, params: [] as string[] }];
    if (!full) pages.push({ text: PAGES.due, key: new Date(since.getTime() - VERIFY_HOURS * 3_600_000), params: [at.now] });
    for (const page of pages) {
      let key = page.key.toISOString();
      let after = NO_ID;
      for (;;) {
        const rows = await ctx.raw<{ id: string; visitor_id: string; key: string }>(page.text, [key, after, ...page.params]);
        if (rows.length === 0) break;
        for (let i = 0; i < rows.length; i += TICKETS_PER_UNIT) {
          const ids = rows.slice(i, i + TICKETS_PER_UNIT).map((r) => r.id);
          for (const bucket of await tickets(ids, at.now, sites, paced)) days.add(`${bucket.site_id}\n${bucket.day}`);
        }
        for (const r of rows) visitors.add(r.visitor_id);
        if (rows.length < CHUNK) break;
        ({ key, id: after } = rows[rows.length - 1]);
      }
    }
    for (const bucket of days) {
      const [site, day] = bucket.split('\n');
      await unit(UNITS.day, { site, day }, paced);
    }
    const all = [...visitors];
    for (let i = 0; i < all.length; i += CHUNK) await unit(UNITS.visitors, { visitors: all.slice(i, i + CHUNK), from: at.from }, paced);
    lastRun = now;
  }

  /** Runs a unit's statements in one transaction with these values for their placeholders; `paced`: then pauses (PACE). */
  async function unit(statements: { text: string; names: (keyof Params)[] }[], params: Partial<Params>, paced: boolean): Promise<object[][]> {
    if (paced && stopped) throw new Stopped();
    const started = performance.now();
    const results = await ctx.transaction(statements.map((s) => ({ text: s.text, params: s.names.map((name) => params[name]) })));
    if (paced) await pause((performance.now() - started) * PACE);
    return results;
  }

  /** These tickets of business-hours sites, their times counted in those hours (in JS: zones and weekdays). */
  async function businessTimes(ids: string[], sites: { id: string; business_hours: BusinessHours }[]) {
    const hours = new Map(sites.map((s) => [s.id, s.business_hours]));
    const rows = await ctx.raw<{ id: string; site_id: string; escalated_at: Date; first_response_at: Date | null; resolved_at: Date | null; e: string; fa: string | null; ra: string | null }>(
      CHANGED_TICKETS,
      [ids, [...hours.keys()]],
    );
    return rows.map((t) => {
      const secs = (end: Date | null) => (end === null ? null : businessSeconds(hours.get(t.site_id)!, new Date(t.escalated_at), new Date(end)));
      return { id: t.id, f: secs(t.first_response_at), r: secs(t.resolved_at), e: t.e, fa: t.fa, ra: t.ra };
    });
  }

  /**
   * A chunk of conversations' tickets, their times in business hours included; returns the buckets they
   * touch. The unit writes wall-clock times and, in the same transaction, the business-hours ones counted
   * just before it: a reader never sees a business-hours site's times in wall-clock seconds. When they
   * were written apart, a paced run paused between the two, and a reader there saw a weekend in a
   * first response (a p90 of 46 hours instead of 1.1, in a clean-clone CI run where the test server's
   * own job ran beside the test's). A ticket whose times moved in between is counted again after the
   * unit (SET_TIMES); only such a ticket shows wall-clock seconds, for that long.
   */
  async function tickets(ids: string[], now: string, sites: { id: string; business_hours: BusinessHours }[], paced: boolean): Promise<{ site_id: string; day: string }[]> {
    const counted = sites.length ? await businessTimes(ids, sites) : [];
    const [before, , after, left] = (await unit(UNITS.tickets, { ids, now, times: JSON.stringify(counted), business: sites.map((s) => s.id) }, paced)).slice(BEGIN.length) as [
      { site_id: string; day: string }[],
      unknown,
      { site_id: string; day: string }[],
      { id: string }[],
    ];
    if (left.length) {
      const moved = await businessTimes(left.map((t) => t.id), sites);
      await ctx.raw(SET_TIMES, [moved.map((m) => m.id), moved.map((m) => m.f), moved.map((m) => m.r)]);
    }
    return [...before, ...after];
  }

  const rollup: MetricsRollup = {
    refresh(opts = {}) {
      // One run at a time per process; a caller arriving during a run waits for it and then runs its own.
      // `running` never rejects (the caller gets the failure from `next`), so a failed run is no unhandled rejection.
      const next = (running ?? Promise.resolve()).then(() => run(opts.full ?? false, opts.paced ?? false));
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
      stopped = false;
      // A minute whose run has not ended (paced, a backfill takes minutes) adds none behind it: the run
      // in progress started from its own last run, and the next tick looks back to where it started.
      const tick = () => {
        if (running) return;
        void rollup.refresh({ paced: true }).catch((err) => {
          if (!(err instanceof Stopped)) ctx.log.warn({ err }, 'metrics rollup failed');
        });
      };
      // Not at once: a node's first seconds go to its pools' warm-up and its first requests (a restarted
      // node's first run recomputes the last 73 hours: 1.4-1.6 s at 100,000 tickets a year, in units of 20 ms at most).
      first = setTimeout(tick, START_DELAY_MS);
      timer = setInterval(tick, EVERY_MS);
      first.unref();
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
  return rollup;
}
