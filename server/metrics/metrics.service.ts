/** The figures of GET /api/metrics for a period, read from the rollups (figures.ts); definitions in docs/metrics.md. */
import type { MetricsDTO, RatingsDTO } from '../../shared/types.ts';
import type { RawQuery } from '../db/raw.ts';
import { entryRows, Params, periodFigures, query, num, type Scope, type TicketAgg } from './figures.ts';
import { change, factors, satisfactionCounts, verifiedResolutionRate } from './satisfaction.ts';

const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);
const ms = (v: number | null) => (v === null ? null : Math.round(v));

/** The satisfaction survey's answers among tickets (`t` summed from the ticket days: TICKET_SUMS). */
export function ratings(t: TicketAgg): RatingsDTO {
  return {
    count: t.ratings,
    average: t.rating_avg === null ? null : Math.round(t.rating_avg * 100) / 100,
    distribution: [t.r1, t.r2, t.r3, t.r4, t.r5],
    surveyed: t.surveyed,
    responseRate: rate(t.surveyed_rated, t.surveyed),
  };
}

/**
 * Questions, automatic answers, tickets, ratings and feedback in [from, to) for the given sites, and
 * satisfaction S = C × R × A with the period of the same length before it (satisfaction.ts).
 */
export async function computeMetrics(raw: RawQuery, scope: Scope, previousFrom: Date): Promise<MetricsDTO> {
  const { from, to } = scope;
  const language = scope.language as MetricsDTO['language'];
  const [now, before, fb, top] = await Promise.all([
    periodFigures(raw, scope),
    periodFigures(raw, { ...scope, from: previousFrom, to: from }, { percentiles: false }),
    feedbackCounts(raw, scope),
    topEntries(raw, scope),
  ]);
  const { q, t } = now;
  const counts = satisfactionCounts(now);
  const previous = satisfactionCounts(before);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    questions: q.questions,
    faqAnswered: q.answered,
    faqSolved: q.solved,
    escalated: q.escalated,
    deflectionRate: rate(q.deflected, q.questions),
    tickets: t.tickets,
    responded: t.responded,
    responseRate: rate(t.responded, t.tickets),
    resolved: t.resolved,
    resolutionRate: rate(t.resolved, t.tickets),
    firstResponseMs: { median: ms(t.frt_p50), p90: ms(t.frt_p90) },
    resolutionMs: { median: ms(t.rt_p50), p90: ms(t.rt_p90) },
    feedback: fb,
    topEntries: top,
    language,
    satisfaction: {
      ...factors(counts),
      previous: { from: previousFrom.toISOString(), to: from.toISOString(), ...factors(previous) },
      change: change(counts, previous),
      counts,
    },
    verifiedResolutionRate: verifiedResolutionRate(counts),
    ratings: ratings(t),
  };
}

async function feedbackCounts(raw: RawQuery, s: Scope): Promise<MetricsDTO['feedback']> {
  const p = new Params();
  const lang = s.language === null ? '' : ` and f.visitor_id in (select lv.id from visitors lv where lv.locale = ${p.add(s.language, 'text')})`;
  const [row] = await query<{ received: unknown; processed: unknown }>(
    raw,
    `select count(*) as received, count(*) filter (where f.status = 'processed') as processed from feedback f
     where f.site_id = any(${p.add(s.sites, 'text[]')}) and f.created_at >= ${p.add(s.from.toISOString(), 'timestamptz')} and f.created_at < ${p.add(s.to.toISOString(), 'timestamptz')}${lang}`,
    p,
  );
  return { received: num(row.received)!, processed: num(row.processed)! };
}

/** FAQ entries by automatic answers in the period, with solved and escalated counts: the 20 most used. */
async function topEntries(raw: RawQuery, s: Scope): Promise<MetricsDTO['topEntries']> {
  const p = new Params();
  const rows = await query<{ entry_id: string; question: string; answered: unknown; solved: unknown; escalated: unknown }>(
    raw,
    // Summed per entry before the join: a year has a row per day, language and entry.
    `select e.entry_id, f.question, e.answered, e.solved, e.escalated
     from (select entry_id, sum(answered) as answered, sum(solved) as solved, sum(escalated) as escalated from ${entryRows(s, p)} r group by entry_id) e
     join faq_entries f on f.id = e.entry_id
     order by e.answered desc, f.question limit 20`,
    p,
  );
  return rows.map((r) => ({ entryId: r.entry_id, question: r.question, answered: num(r.answered)!, solved: num(r.solved)!, escalated: num(r.escalated)! }));
}
