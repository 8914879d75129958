/**
 * Turns a candidate's raw signals into a confidence that reads as a probability of being right.
 *
 * A logistic model over four signals, fitted once (Newton's method, L2 1e-3) on which top-1 answers were
 * right on the banking77 dev split, full and 10-shot FAQ pooled; see docs/faq-matcher.md to refit. In
 * every confidence band of that split the share of right answers is within a few points of the band.
 * Margin carries most of the weight: an entry far ahead of the runner-up is rarely wrong, even when
 * the query is worded unlike any variant.
 */

export interface Signals {
  /** Cosine to the entry's closest variant, in [0,1]. */
  nearest: number;
  /** Cosine to the entry's centroid, in [0,1]. */
  centroid: number;
  /** IDF-weighted share of the query's meaningful words the entry contains, in [0,1]. */
  coverage: number;
  /** Score minus the best other entry's score; negative for every entry below the top. */
  margin: number;
}

const WEIGHTS = { bias: -1.064, nearest: 0.434, centroid: 0.422, coverage: 0.849, margin: 5.068 };

/**
 * Below this share of the query's meaningful words, the entry answers a different question, however
 * alone it stands: "can I pay my rent with bitcoin" shares "pay" with many entries and "bitcoin" with none.
 */
const MIN_COVERAGE = 0.6;
/**
 * The same for an entry of at most SMALL_ENTRY variants, as a site owner writes them by hand: a right
 * answer often covers only half the query's words, the rest were never written. Banking77 dev split, share
 * of queries a perfect threshold answers at precision 0.95: 0.15 → 0.17 (3 variants per entry), 0.21 →
 * 0.24 (5), 0.40 → 0.44 (10). Grown entries keep 0.6: at 0.4 for them the full FAQ answered 2 more of the
 * 117 off-topic questions at its calibrated threshold.
 */
const MIN_COVERAGE_SMALL = 0.4;
export const SMALL_ENTRY = 10;

/** Confidence in [0,1] that the candidate (an entry of `variants` variants) is the entry that answers the query. */
export function calibrate(s: Signals, variants = Infinity): number {
  const minCoverage = variants <= SMALL_ENTRY ? MIN_COVERAGE_SMALL : MIN_COVERAGE;
  const z =
    WEIGHTS.bias + WEIGHTS.nearest * s.nearest + WEIGHTS.centroid * s.centroid + WEIGHTS.coverage * s.coverage + WEIGHTS.margin * s.margin;
  const p = 1 / (1 + Math.exp(-z));
  return s.coverage < minCoverage ? p * (s.coverage / minCoverage) : p;
}
