/**
 * Satisfaction S = C × R × A and the verified resolution rate, from a period's figures (figures.ts,
 * read from the rollups of rollup.ts). Every definition, with what each clause means, is in docs/metrics.md: change both together.
 */
import type { SatisfactionCountsDTO as SatisfactionCounts } from '../../shared/types.ts';
import type { PeriodFigures } from './figures.ts';

/** How long after a resolution a new ticket from the same visitor means it was not resolved after all. */
export const VERIFY_HOURS = 72;


export interface Factors {
  C: number | null;
  R: number | null;
  A: number | null;
  S: number | null;
}

/** The counts behind the factors, from a period's figures (figures.ts). */
export function satisfactionCounts(f: PeriodFigures): SatisfactionCounts {
  return {
    questions: f.q.questions,
    questionsMet: f.q.met,
    tickets: f.t.tickets,
    resolved: f.t.resolved,
    resolvedWeighted: f.t.weighted,
    verifiable: f.t.verifiable,
    verified: f.t.verified,
    unverifiedYet: f.t.unverified_yet,
    visitorsSeen: f.a.seen,
    visitorsReturned: f.a.returned,
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
