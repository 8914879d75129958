/** Ticket and FAQ numbers for a period, computed in SQL from the stored rows. */
import { and, desc, gte, inArray, isNotNull, lt, ne, sql, eq } from 'drizzle-orm';
import type { MetricsDTO } from '../../shared/types.ts';
import type { Db } from '../db/client.ts';
import type { RawQuery } from '../db/raw.ts';
import { pgDate } from '../http/respond.ts';
import { conversations, faqEntries, feedback, questions } from '../db/schema.ts';
import { change, factors, satisfactionCounts, verifiedResolutionRate } from './satisfaction.ts';

const n = (expr: ReturnType<typeof sql>) => sql<number>`${expr}`.mapWith(Number);
const nullableNumber = (expr: ReturnType<typeof sql>) => sql<number | null>`${expr}`.mapWith((v) => (v === null ? null : Math.round(Number(v))));
const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

export interface MetricsOptions {
  /** Only conversations (and feedback) of visitors whose widget speaks this language. */
  language?: 'zh' | 'en';
  /** The clock's now: which resolutions have had their 72 hours. */
  now: Date;
}

/**
 * The language filter on a visitor column (none without a language): `in (subquery)`, which the planner
 * runs once as a hash semi-join, not a lookup per row.
 */
const speaks = (visitorId: typeof conversations.visitorId | typeof feedback.visitorId, language?: string) =>
  language ? sql`${visitorId} in (select lv.id from visitors lv where lv.locale = ${language})` : undefined;

/**
 * Questions, automatic answers, tickets and feedback created in [from, to), for the given sites, and
 * satisfaction S = C × R × A with the period of the same length before it (satisfaction.ts).
 */
export async function computeMetrics(db: Db, raw: RawQuery, siteIds: string[], from: Date, to: Date, opts: MetricsOptions): Promise<MetricsDTO> {
  // No site has an empty id (a NUL sentinel would be refused by Postgres as text).
  const sites = siteIds.length ? siteIds : [''];
  const language = opts.language;
  const questionSpeaks = language
    ? sql`${questions.conversationId} in (select lc.id from conversations lc join visitors lv on lv.id = lc.visitor_id where lv.locale = ${language})`
    : undefined;
  // Clamped like the query's own dates: Postgres has no year 0.
  const previousFrom = pgDate(new Date(from.getTime() - (to.getTime() - from.getTime())).toISOString());
  const [now, before] = await Promise.all([
    satisfactionCounts(raw, sites, from, to, language ?? null, opts.now),
    satisfactionCounts(raw, sites, previousFrom, from, language ?? null, opts.now),
  ]);
  const [q] = await db
    .select({
      questions: n(sql`count(*)`),
      faqAnswered: n(sql`count(*) filter (where ${questions.answeredAt} is not null)`),
      faqSolved: n(sql`count(*) filter (where ${questions.outcome} = 'solved')`),
      escalated: n(sql`count(*) filter (where ${questions.escalatedAt} is not null)`),
      deflected: n(sql`count(*) filter (where ${questions.answeredAt} is not null and ${questions.escalatedAt} is null)`),
    })
    .from(questions)
    .where(and(inArray(questions.siteId, sites), ne(questions.decision, 'smalltalk'), gte(questions.createdAt, from), lt(questions.createdAt, to), questionSpeaks));

  const frt = sql`extract(epoch from (${conversations.firstResponseAt} - ${conversations.escalatedAt})) * 1000`;
  const rt = sql`extract(epoch from (${conversations.resolvedAt} - ${conversations.escalatedAt})) * 1000`;
  const [t] = await db
    .select({
      tickets: n(sql`count(*)`),
      responded: n(sql`count(*) filter (where ${conversations.firstResponseAt} is not null)`),
      resolved: n(sql`count(*) filter (where ${conversations.resolvedAt} is not null)`),
      frtMedian: nullableNumber(sql`percentile_cont(0.5) within group (order by ${frt})`),
      frtP90: nullableNumber(sql`percentile_cont(0.9) within group (order by ${frt})`),
      rtMedian: nullableNumber(sql`percentile_cont(0.5) within group (order by ${rt})`),
      rtP90: nullableNumber(sql`percentile_cont(0.9) within group (order by ${rt})`),
    })
    .from(conversations)
    .where(
      and(
        inArray(conversations.siteId, sites),
        isNotNull(conversations.escalatedAt),
        gte(conversations.escalatedAt, from),
        lt(conversations.escalatedAt, to),
        speaks(conversations.visitorId, language),
      ),
    );

  const [f] = await db
    .select({
      received: n(sql`count(*)`),
      processed: n(sql`count(*) filter (where ${feedback.status} = 'processed')`),
    })
    .from(feedback)
    .where(and(inArray(feedback.siteId, sites), gte(feedback.createdAt, from), lt(feedback.createdAt, to), speaks(feedback.visitorId, language)));

  const top = await db
    .select({
      entryId: questions.entryId,
      question: faqEntries.question,
      answered: n(sql`count(*)`),
      solved: n(sql`count(*) filter (where ${questions.outcome} = 'solved')`),
      escalated: n(sql`count(*) filter (where ${questions.escalatedAt} is not null)`),
    })
    .from(questions)
    .innerJoin(faqEntries, eq(faqEntries.id, questions.entryId))
    .where(and(inArray(questions.siteId, sites), isNotNull(questions.answeredAt), gte(questions.createdAt, from), lt(questions.createdAt, to), questionSpeaks))
    .groupBy(questions.entryId, faqEntries.question)
    .orderBy(desc(sql`count(*)`))
    .limit(20);

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    questions: q.questions,
    faqAnswered: q.faqAnswered,
    faqSolved: q.faqSolved,
    escalated: q.escalated,
    deflectionRate: rate(q.deflected, q.questions),
    tickets: t.tickets,
    responded: t.responded,
    responseRate: rate(t.responded, t.tickets),
    resolved: t.resolved,
    resolutionRate: rate(t.resolved, t.tickets),
    firstResponseMs: { median: t.frtMedian, p90: t.frtP90 },
    resolutionMs: { median: t.rtMedian, p90: t.rtP90 },
    feedback: { received: f.received, processed: f.processed },
    topEntries: top.map((r) => ({ entryId: r.entryId!, question: r.question, answered: r.answered, solved: r.solved, escalated: r.escalated })),
    language: language ?? null,
    satisfaction: {
      ...factors(now),
      previous: { from: previousFrom.toISOString(), to: from.toISOString(), ...factors(before) },
      change: change(now, before),
      counts: now,
    },
    verifiedResolutionRate: verifiedResolutionRate(now),
  };
}
