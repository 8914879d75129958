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

/** Confidence in [0,1] that the candidate is the entry that answers the query. */
export function calibrate(s: Signals): number {
  const z =
    WEIGHTS.bias + WEIGHTS.nearest * s.nearest + WEIGHTS.centroid * s.centroid + WEIGHTS.coverage * s.coverage + WEIGHTS.margin * s.margin;
  const p = 1 / (1 + Math.exp(-z));
  return s.coverage < MIN_COVERAGE ? p * (s.coverage / MIN_COVERAGE) : p;
}
