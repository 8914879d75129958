/**
 * Satisfaction S = C × R × A and the verified resolution rate, from stored rows, in one SQL statement
 * per period. Every definition, with what each clause means, is in docs/metrics.md: change both together.
 */
import type { SatisfactionCountsDTO as SatisfactionCounts } from '../../shared/types.ts';
import type { RawQuery } from '../db/raw.ts';

/** How long after a resolution a new ticket from the same visitor means it was not resolved after all. */
export const VERIFY_HOURS = 72;


export interface Factors {
  C: number | null;
  R: number | null;
  A: number | null;
  S: number | null;
}

/**
 * $1 site ids, $2 from, $3 to (half-open), $4 now, $5 the language when `byLanguage`. `conv` is not
 * materialized: each use is planned with its own period condition (and the indexes for it) instead of
 * scanning every conversation of the sites; the language clause is left out rather than disabled by a
 * null parameter, which a generic plan could not fold away.
 */
const statement = (byLanguage: boolean) => `
with conv as not materialized (
  select c.id, c.visitor_id, c.created_at, c.escalated_at, c.first_response_at, c.resolved_at,
         greatest(s.first_response_target_sec, 1)::float8 as target
  from conversations c
  join sites s on s.id = c.site_id
  where c.site_id = any($1::text[])${byLanguage ? ' and exists (select 1 from visitors v where v.id = c.visitor_id and v.locale = $5::text)' : ''}
),
q as (
  select count(*)::int as questions,
         count(*) filter (where q.answered_at is not null
                            and (q.outcome = 'solved' or (q.outcome is null and q.escalated_at is null and c.escalated_at is null)))::int as met
  from questions q join conv c on c.id = q.conversation_id
  where q.decision <> 'smalltalk' and q.created_at >= $2::timestamptz and q.created_at < $3::timestamptz
),
t as (
  select t.*, t.resolved_at is not null and t.resolved_at + interval '${VERIFY_HOURS} hours' <= $4::timestamptz as verifiable
  from conv t
  where t.escalated_at >= $2::timestamptz and t.escalated_at < $3::timestamptz
),
-- Verifiable tickets whose visitor raised another ticket within 72 h of the resolution. A join, not
-- a correlated exists: planned as one hash join, its estimate stays low enough that PostgreSQL does
-- not JIT-compile the statement (which cost over a second at 100,000 tickets, for a 0.3 s query).
came_back as (
  select distinct t.id
  from t join conversations again on again.visitor_id = t.visitor_id and again.id <> t.id
   and again.escalated_at > t.resolved_at and again.escalated_at <= t.resolved_at + interval '${VERIFY_HOURS} hours'
  where t.verifiable
),
r as (
  select count(*)::int as tickets,
         count(*) filter (where resolved_at is not null)::int as resolved,
         coalesce(sum(target / greatest(target, extract(epoch from first_response_at - escalated_at)::float8))
                  filter (where resolved_at is not null and first_response_at is not null), 0)::float8 as weighted,
         count(*) filter (where verifiable)::int as verifiable,
         count(*) filter (where verifiable and b.id is null)::int as verified,
         count(*) filter (where resolved_at is not null and not verifiable)::int as unverified_yet
  from t left join came_back b on b.id = t.id
),
-- A visitor came back when their first and last activity of the period fall on different UTC days:
-- one min/max per visitor instead of the set of their distinct days.
active as (
  select c.visitor_id, c.created_at as at
  from conv c where c.created_at >= $2::timestamptz and c.created_at < $3::timestamptz
  union all
  select c.visitor_id, q.created_at
  from questions q join conv c on c.id = q.conversation_id
  where q.created_at >= $2::timestamptz and q.created_at < $3::timestamptz
),
a as (
  select count(*)::int as seen,
         count(*) filter (where (last_at at time zone 'UTC')::date > (first_at at time zone 'UTC')::date)::int as returned
  from (select visitor_id, min(at) as first_at, max(at) as last_at from active group by visitor_id) per_visitor
)
select q.questions, q.met, r.tickets, r.resolved, r.weighted, r.verifiable, r.verified, r.unverified_yet, a.seen, a.returned
from q, r, a`;
const SQL = { all: statement(false), byLanguage: statement(true) };

interface Row {
  questions: number;
  met: number;
  tickets: number;
  resolved: number;
  weighted: number;
  verifiable: number;
  verified: number;
  unverified_yet: number;
  seen: number;
  returned: number;
}

/** The counts behind the factors for sites, [from, to) and a language (null: every language). */
export async function satisfactionCounts(raw: RawQuery, siteIds: string[], from: Date, to: Date, language: string | null, now: Date): Promise<SatisfactionCounts> {
  const params = [siteIds, from.toISOString(), to.toISOString(), now.toISOString()];
  const [row] = language ? await raw<Row>(SQL.byLanguage, [...params, language]) : await raw<Row>(SQL.all, params);
  return {
    questions: Number(row.questions),
    questionsMet: Number(row.met),
    tickets: Number(row.tickets),
    resolved: Number(row.resolved),
    resolvedWeighted: Number(row.weighted),
    verifiable: Number(row.verifiable),
    verified: Number(row.verified),
    unverifiedYet: Number(row.unverified_yet),
    visitorsSeen: Number(row.seen),
    visitorsReturned: Number(row.returned),
  };
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);
/** Four decimals: a share, not a measurement to the last bit. */
const round = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);
const share = (part: number, whole: number) => round(ratio(part, whole));

function exact(c: SatisfactionCounts): Factors {
  const C = ratio(c.questionsMet, c.questions);
  const R = ratio(c.resolvedWeighted, c.tickets);
  const A = ratio(c.visitorsReturned, c.visitorsSeen);
  return { C, R, A, S: C === null || R === null || A === null ? null : C * R * A };
}

const rounded = (f: Factors): Factors => ({ C: round(f.C), R: round(f.R), A: round(f.A), S: round(f.S) });

/** C, R, A from the counts (null where there is nothing to divide by) and S, their product (null when any is null); rounded last. */
export function factors(c: SatisfactionCounts): Factors {
  return rounded(exact(c));
}

/** This period's factors minus the previous period's (null where either is null), from the unrounded values. */
export function change(now: SatisfactionCounts, before: SatisfactionCounts): Factors {
  const [a, b] = [exact(now), exact(before)];
  const d = (x: number | null, y: number | null) => (x === null || y === null ? null : x - y);
  return rounded({ C: d(a.C, b.C), R: d(a.R, b.R), A: d(a.A, b.A), S: d(a.S, b.S) });
}

/** Verified resolutions over the tickets whose verdict is in (resolved more than 72 h ago, or not resolved). */
export function verifiedResolutionRate(c: SatisfactionCounts): number | null {
  return share(c.verified, c.tickets - c.unverifiedYet);
}
