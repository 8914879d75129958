/**
 * The metrics view's time series: one point per UTC day, or per hour when the period is a day or
 * less, for the period and for the one of the same length before it (docs/metrics.md).
 */
import type { SeriesDTO, SeriesPointDTO } from '../../shared/types.ts';
import type { RawQuery } from '../db/raw.ts';
import { isSliced, percentilesMs, slicedVisitorCounts, slicesOf, ticketGroups } from './sliced.ts';
import { FIRST_RESPONSE_PERCENTILES, num, Params, query, questionRows, QUESTION_SUMS, ticketCountRows, ticketRows, TICKET_SUMS, visitorCounts, type Bucket, type Scope } from './figures.ts';

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

type Row = { at: Date | string } & Record<string, unknown>;

async function points(raw: RawQuery, s: Scope, bucket: Bucket): Promise<SeriesPointDTO[]> {
  // Four statements at once, on four connections: as one, PostgreSQL ran them one after the other.
  // Ticket counts come from the daily rollup; only the first-response percentiles sort the tickets.
  const run = (build: (p: Params) => string) => {
    const p = new Params();
    return query<Row>(raw, build(p), p);
  };
  const slices = isSliced(s) ? await slicesOf(raw, s) : null;
  const [qs, ts, frts, [a]] = await Promise.all([
    run((p) => `select at, ${QUESTION_SUMS} from ${questionRows(s, p, bucket)} r group by at`),
    run((p) => `select at, ${TICKET_SUMS} from ${ticketCountRows(s, p, bucket)} t group by at`),
    slices ? slicedPercentiles(raw, slices, bucket) : run((p) => `select at, ${FIRST_RESPONSE_PERCENTILES} from ${ticketRows(s, p, bucket)} t group by at`),
    slices ? slicedVisitorCounts(raw, s, slices).then((a) => [a]) : run((p) => visitorCounts(s, p)),
  ]);
  const A = share(num(a.returned)!, num(a.seen)!);
  const byTime = (rows: Row[]) => new Map(rows.map((r) => [new Date(r.at).getTime(), r]));
  const [qByTime, tByTime, frtByTime] = [byTime(qs), byTime(ts), byTime(frts)];
  const none: Record<string, unknown> = {};
  return starts(s.from, s.to, bucket).map((at) => {
    const q = qByTime.get(at) ?? none;
    const t = { ...tByTime.get(at), ...frtByTime.get(at) };
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

/** The first-response percentiles per bucket, read a slice of days at a time (sliced.ts). */
async function slicedPercentiles(raw: RawQuery, slices: Scope[], bucket: Bucket): Promise<Row[]> {
  // The bucket as ms since the epoch: a key that reads the same from both drivers.
  const groups = await ticketGroups(raw, slices, `(extract(epoch from at) * 1000)::float8`, bucket);
  return [...groups].map(([at, g]) => {
    const [frt_p50, frt_p90] = percentilesMs(g.frt);
    return { at: new Date(Number(at)), frt_p50, frt_p90 };
  });
}

/** The series of a scope and of the period before it, point for point (the previous period's points are shifted). */
export async function series(raw: RawQuery, s: Scope, previousFrom: Date): Promise<SeriesDTO> {
  const bucket = bucketFor(s.from, s.to);
  const [now, before] = await Promise.all([points(raw, s, bucket), points(raw, { ...s, from: previousFrom, to: s.from }, bucket)]);
  return { bucket, points: now, previous: before };
}
