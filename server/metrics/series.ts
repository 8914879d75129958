/**
 * The metrics view's time series: one point per UTC day, or per hour when the period is a day or
 * less, for the period and for the one of the same length before it (docs/metrics.md).
 */
import type { SeriesDTO, SeriesPointDTO } from '../../shared/types.ts';
import type { RawQuery } from '../db/raw.ts';
import { num, Params, query, questionRows, QUESTION_SUMS, TICKET_COUNTS, ticketRows, visitorCounts, type Bucket, type Scope } from './figures.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const share = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

/** Hours for a day or less, days otherwise. */
export const bucketFor = (from: Date, to: Date): Bucket => (to.getTime() - from.getTime() <= DAY ? 'hour' : 'day');

/** The start of every bucket that overlaps [from, to). */
function starts(from: Date, to: Date, bucket: Bucket): number[] {
  const step = bucket === 'hour' ? HOUR : DAY;
  const out: number[] = [];
  for (let t = Math.floor(from.getTime() / step) * step; t < to.getTime(); t += step) out.push(t);
  return out;
}

interface Row {
  at: Date | string;
  q: Record<string, unknown> | string | null;
  t: Record<string, unknown> | string | null;
}

async function points(raw: RawQuery, s: Scope, bucket: Bucket): Promise<SeriesPointDTO[]> {
  const p = new Params();
  const text = `with q as (select at, ${QUESTION_SUMS} from ${questionRows(s, p, bucket)} r group by at),
      t as (select at, ${TICKET_COUNTS} from ${ticketRows(s, p, bucket)} t group by at),
      a as (${visitorCounts(s, p)})
    select coalesce(q.at, t.at) as at, to_json(q) as q, to_json(t) as t, (select to_json(a) from a) as a
    from q full join t on q.at = t.at
    union all select null, null, null, (select to_json(a) from a)`;
  const rows = await query<Row & { a: unknown }>(raw, text, p);
  const json = (v: unknown) => (v === null ? {} : ((typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>));
  const a = json(rows[0].a);
  const A = share(num(a.returned)!, num(a.seen)!);
  const byTime = new Map(rows.filter((r) => r.at !== null).map((r) => [new Date(r.at).getTime(), { q: json(r.q), t: json(r.t) }]));
  return starts(s.from, s.to, bucket).map((at) => {
    const { q = {}, t = {} } = byTime.get(at) ?? {};
    const n = (o: Record<string, unknown>, k: string) => num(o[k]) ?? 0;
    const C = share(n(q, 'met'), n(q, 'questions'));
    const R = share(n(t, 'weighted'), n(t, 'tickets'));
    const ms = (k: string) => (num(t[k]) === null ? null : Math.round(num(t[k])!));
    return {
      at: new Date(at).toISOString(),
      questions: n(q, 'questions'),
      faqAnswered: n(q, 'answered'),
      deflectionRate: share(n(q, 'deflected'), n(q, 'questions')),
      tickets: n(t, 'tickets'),
      firstResponseP50Ms: ms('frt_p50'),
      firstResponseP90Ms: ms('frt_p90'),
      resolutionRate: share(n(t, 'resolved'), n(t, 'tickets')),
      ratingAverage: num(t.rating_avg) === null ? null : Math.round(num(t.rating_avg)! * 100) / 100,
      C,
      R,
      S: C === null || R === null || A === null ? null : Math.round(C * R * A * 10_000) / 10_000,
    };
  });
}

/** The series of a scope and of the period before it, point for point (the previous period's points are shifted). */
export async function series(raw: RawQuery, s: Scope, previousFrom: Date): Promise<SeriesDTO> {
  const bucket = bucketFor(s.from, s.to);
  const [now, before] = await Promise.all([points(raw, s, bucket), points(raw, { ...s, from: previousFrom, to: s.from }, bucket)]);
  return { bucket, points: now, previous: before };
}
