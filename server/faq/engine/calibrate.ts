/**
 * The threshold of one site, calibrated from that site's own FAQ to a target precision.
 *
 * The confidence model (confidence.ts) was fitted on banking77 and carries over imperfectly to a new
 * site's wording: at the default threshold a site with a few hand-written variants per entry was right
 * only 84–86% of the times it answered. So each site's FAQ is asked about itself: every variant in turn
 * is left out of its entry and asked as a question of the rest (learned variants included), which says
 * how confident the matcher is when right and when wrong on this site's words. The threshold is the
 * lowest confidence at which the answers above it are right at the target rate, that rate estimated with
 * a prior that leans below the target (a few lucky answers do not make a fit). A site with too few
 * variants to say, or whose variants reach the target at no threshold, gets a conservative prior
 * threshold instead, and says so (`method: 'prior'`, `unfit`; priorThreshold).
 * Off-topic control questions (oos-control.ts) then bound it from below: whatever the fit, at most 2%
 * of them may be answered.
 */
import { FaqIndex, type FaqDoc } from './faq-index.ts';
import { OOS_CONTROL } from './oos-control.ts';
import { stripPleasantries } from './smalltalk.ts';
import { analyze, normalize } from './text.ts';

export type CalibrationMethod = 'fitted' | 'prior';

/** A pair of entries whose variants were taken for each other: `count` of `from`'s variants matched `to`. */
export interface ConfusedPair { from: string; to: string; count: number; example: string }

/** An entry whose texts repeat nearly the same words: `overlap`, their mean pairwise share of content words. */
export interface AlikeEntry { entry: string; overlap: number }

export interface Calibration {
  threshold: number;
  /** Estimated share of automatic answers that are right at the threshold; null without held-out answers. */
  precision: number | null;
  /** Estimated share of questions answered automatically at the threshold; null without samples. */
  answered: number | null;
  method: CalibrationMethod;
  targetPrecision: number;
  /** Variants asked with themselves left out. */
  samples: number;
  /** Enough variants were held out, but at no threshold were their answers right at the target: a prior applies. */
  unfit: boolean;
  /** Share of the off-topic control questions answered at the threshold. */
  oosAnswered: number;
  /** Most confused first. */
  confused: ConfusedPair[];
  /** Entries whose variants are near-duplicates of one another, most alike first (alikeEntries). */
  alike: AlikeEntry[];
  /**
   * Whether so many entries are near-duplicates that the estimate is too kind: their held-out variants
   * are found far more easily than visitors' questions are.
   */
  optimistic: boolean;
}

/** One held-out variant: the entry it belongs to, the entry the rest of the FAQ chose, and how confidently. */
export interface Sample { entry: string; text: string; top: string | null; confidence: number }

export const DEFAULT_TARGET_PRECISION = 0.95;
/**
 * The version of the rules below. A stored calibration made under other rules is computed again
 * (server/faq/calibration.ts): 2 added the priors of unfit and one-text FAQs and the optimistic floor; 3,
 * the confidence model of Chinese questions (WEIGHTS_FEW_ZH), which moves a Chinese FAQ's fitted threshold.
 */
export const CALIBRATION_RULES = 3;
/** With fewer held-out variants than this, the fit is noise: a prior threshold applies (priorThreshold). */
export const MIN_SAMPLES = 30;
/**
 * The prior of a small FAQ whose entries have two texts or more (too few to fit). Banking77 dev split,
 * FAQs of 8 and 20 intents (2–5 texts each, nine draws each, their own intents' queries): answers right
 * 97–100% of the time at 0.85.
 */
export const PRIOR_THRESHOLD = 0.85;
/**
 * Priors for what the held-out fit cannot say, at the default target (`priorThreshold`), chosen on the
 * banking77 dev split (queries of the dev split; docs/faq-matcher.md has the table):
 * - entries of ONE text give no held-out variant at all. At 0.85 their answers were right 98% of the
 *   time with 10 entries, 90% with 30, 81% with 60 and 70–78% with all 77 intents; at 0.97 they held
 *   0.95 up to 30–45 entries, at 0.99 up to 60, and with 77 not even then (0.90–0.97);
 * - FAQs whose own variants reach the target at no threshold (the fit says never answer). Their variants
 *   are mostly worded unlike each other, so each, held out, is a poor stand-in for a visitor's
 *   question: visitors' questions were answered rightly far more often than the held-out variants. Of
 *   the 16 such FAQs among the first, next and deliberately different 2–5 texts per intent, every one of
 *   3–5 texts was right ≥ 0.972 of the time at 0.97 (answering 5.8–9.7% of the queries), and every one of
 *   2 texts ≥ 0.976 at 0.99 (2.3–4.6%); at 0.95 some fell to 0.92–0.94, and 2 texts at 0.97 to 0.94.
 */
const PRIOR_ONE_TEXT: readonly [maxEntries: number, threshold: number][] = [
  [30, 0.97],
  [60, 0.99],
];
export const PRIOR_UNFIT_TWO_TEXTS = 0.99;
export const PRIOR_UNFIT = 0.97;
/**
 * The least threshold of a FAQ whose estimate is too kind (`optimistic`: many near-duplicate entries),
 * by texts per entry. Fitted on such FAQs, the threshold fell to 0.54–0.80 and their answers were right
 * 74–81% of the time. Banking77 dev split, the nine near-duplicate picks of 3–5 texts per intent: right
 * ≥ 0.963 of the time at 0.985 (answering 7.0–9.9%), against 0.940–0.988 at 0.97; the three of 2 texts
 * ≥ 0.983 at 0.995, 0.937–0.956 at 0.99.
 */
export const FLOOR_OPTIMISTIC_TWO_TEXTS = 0.995;
export const FLOOR_OPTIMISTIC = 0.985;
/** The precision prior: worth this many answers, right at this rate (below any sensible target). */
const PRIOR_WEIGHT = 10;
const PRIOR_PRECISION = 0.9;
/** Never below this, however clean the FAQ: under it the matcher is guessing between neighbours. */
const MIN_THRESHOLD = 0.5;
/** Share of the control questions that may be answered (the product promises ≤ 5% of off-topic ones). */
const MAX_OOS_SHARE = 0.02;
/** Held-out variants per entry and in all: the cost is in a worker, but a 10,000-variant FAQ needs no more. */
const PER_ENTRY = 25;
const MAX_SAMPLES = 2500;
const MAX_PAIRS = 20;

/**
 * From this mean overlap of an entry's texts (shared content words over all of a pair's, averaged over
 * pairs), its variants are near-duplicates. Banking77's 10-shot side (bench:faq): entries of the first 3 or
 * 5 texts of an intent are at or above it 4% of the time; picked as near-duplicates, 43% and 22%, and
 * their calibrated answers were right 74% and 81% of the time instead of 95%.
 */
export const ALIKE_OVERLAP = 0.5;
/** From this share of near-duplicate entries (of those with two texts or more), the estimate is called too kind. */
export const OPTIMISTIC_SHARE = 0.2;
/** Texts of an entry compared pairwise, spread over its history: a grown entry needs no more. */
const ALIKE_TEXTS = 10;

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

/** An entry's distinct texts (question first), as the index would keep them. */
function texts(doc: FaqDoc): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of [doc.question, ...doc.variants]) {
    const key = normalize(t).trim();
    if (key && !seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  }
  return out;
}

/** Up to `k` of `n` positions, spread evenly so that a long entry is sampled along its whole history. */
function spread(n: number, k: number): number[] {
  if (n <= k) return [...Array(n).keys()];
  return [...Array(k).keys()].map((i) => Math.floor((i * n) / k));
}

/** Folds of the cross-validation: every entry leaves out about a fifth of its variants in each. */
const FOLDS = 5;

/**
 * Asks sampled variants of an FAQ without them, in FOLDS rounds: in each, every entry leaves out its
 * variants of that round, so the entry a variant belongs to competes with neighbours weakened alike (leaving
 * one variant out of its own entry only made a three-variant entry lose to its full neighbours, and the
 * estimate far more pessimistic than real questions). Cost: FOLDS builds of the index, one search a sample.
 */
export function heldOutSamples(docs: FaqDoc[], opts: { perEntry?: number; maxSamples?: number } = {}): Sample[] {
  const entries = docs.map((doc) => ({ doc, texts: texts(doc) }));
  const eligible = entries.filter((e) => e.texts.length >= 2).length;
  const perEntry = Math.max(1, Math.min(opts.perEntry ?? PER_ENTRY, Math.floor((opts.maxSamples ?? MAX_SAMPLES) / (eligible || 1))));
  // Which texts each entry asks, and in which round: the sampled positions, dealt round-robin.
  const asked = entries.map((e) => (e.texts.length >= 2 ? spread(e.texts.length, perEntry) : []));
  const samples: Sample[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const index = new FaqIndex();
    const questions: [entry: string, text: string][] = [];
    entries.forEach(({ doc, texts: all }, e) => {
      const out = new Set(asked[e].filter((_, k) => k % FOLDS === fold));
      if (out.size >= all.length) out.delete(asked[e][0]);
      const rest = all.filter((_, i) => !out.has(i));
      index.upsert({ ...doc, question: rest[0], variants: rest.slice(1) });
      for (const i of out) questions.push([doc.id, all[i]]);
    });
    for (const [entry, text] of questions) {
      const [hit] = index.search(stripPleasantries(text), 1);
      samples.push({ entry, text, top: hit?.id ?? null, confidence: hit?.confidence ?? 0 });
    }
  }
  return samples;
}

/** The top confidence of each control question: what the FAQ would say to questions it does not cover. */
export function controlConfidences(index: FaqIndex, questions: readonly string[] = OOS_CONTROL): number[] {
  return questions.map((q) => index.search(stripPleasantries(q), 1)[0]?.confidence ?? 0);
}

/** Precision and answered share of the samples at a threshold. */
export function measure(samples: Sample[], threshold: number): { precision: number | null; answered: number | null } {
  const answered = samples.filter((s) => s.top !== null && s.confidence >= threshold);
  const right = answered.filter((s) => s.top === s.entry).length;
  return {
    precision: answered.length ? round(right / answered.length) : null,
    answered: samples.length ? round(answered.length / samples.length) : null,
  };
}

/**
 * The lowest threshold at which the held-out answers are right at `target`, their precision smoothed by
 * the prior; 1 (never answer) when no threshold reaches it.
 */
export function fitThreshold(samples: Sample[], target: number): number {
  const ranked = samples.filter((s) => s.top !== null).sort((a, b) => b.confidence - a.confidence);
  let right = 0;
  let best = 1;
  for (let i = 0; i < ranked.length; i++) {
    if (ranked[i].top === ranked[i].entry) right++;
    // Ties answer together: only the last of equal confidences is a threshold.
    if (i + 1 < ranked.length && ranked[i + 1].confidence === ranked[i].confidence) continue;
    const smoothed = (right + PRIOR_WEIGHT * PRIOR_PRECISION) / (i + 1 + PRIOR_WEIGHT);
    if (smoothed >= target) best = ranked[i].confidence;
  }
  return best;
}

/** The median number of distinct texts (question and variants) per entry. */
export function medianTexts(docs: FaqDoc[]): number {
  const counts = docs.map((d) => texts(d).length).sort((a, b) => a - b);
  return counts.length ? counts[Math.floor((counts.length - 1) / 2)] : 0;
}

/**
 * The threshold for a FAQ (its entries, and the median of their texts: medianTexts) the held-out fit
 * cannot speak for: too few variants to hold out (`unfit` false), or variants whose answers reach the
 * target at no threshold (`unfit` true). The values were
 * measured at the default target (PRIOR_ONE_TEXT); a site asking for more gets no automatic answers
 * until its FAQ can be fitted (its visitors still get the suggestions, and agents the FAQ beside the
 * reply box). 1 answers nobody.
 */
export function priorThreshold(faq: { entries: number; textsPerEntry: number }, target: number, unfit: boolean): number {
  if (target > DEFAULT_TARGET_PRECISION) return 1;
  if (unfit) return faq.textsPerEntry <= 2 ? PRIOR_UNFIT_TWO_TEXTS : PRIOR_UNFIT;
  if (faq.textsPerEntry >= 2) return PRIOR_THRESHOLD;
  return PRIOR_ONE_TEXT.find(([max]) => faq.entries <= max)?.[1] ?? 1;
}

/** The lowest threshold that answers at most MAX_OOS_SHARE of the control questions. */
export function controlBound(confidences: number[]): number {
  const sorted = [...confidences].sort((a, b) => b - a);
  const allowed = Math.floor(MAX_OOS_SHARE * sorted.length);
  const limit = sorted[allowed] ?? 0;
  // Strictly above the first control that must not be answered (decide() answers at ≥ threshold).
  return limit > 0 ? limit + 1e-6 : 0;
}

/** Entry pairs whose variants were answered (at the threshold) or ranked first (below it) as each other. */
export function confusedPairs(samples: Sample[]): ConfusedPair[] {
  const pairs = new Map<string, ConfusedPair>();
  for (const s of samples) {
    if (s.top === null || s.top === s.entry) continue;
    const key = `${s.entry}\u0000${s.top}`;
    const pair = pairs.get(key);
    if (pair) pair.count++;
    else pairs.set(key, { from: s.entry, to: s.top, count: 1, example: s.text });
  }
  return [...pairs.values()].sort((a, b) => b.count - a.count || (a.from < b.from ? -1 : 1)).slice(0, MAX_PAIRS);
}

/** The content words of a text as the matcher reads them: stop words left out, Chinese segmented. */
export const contentWords = (text: string): Set<string> => new Set(analyze(text).content.map((t) => t.key));

/** Share of content words two texts have in common (Jaccard); texts without any share nothing. */
export function overlap(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const k of a) if (b.has(k)) shared++;
  const all = a.size + b.size - shared;
  return all ? shared / all : 0;
}

/**
 * The entries whose texts say nearly the same thing in nearly the same words (mean pairwise overlap of
 * content words at least ALIKE_OVERLAP), most alike first, and their share of the entries with two texts
 * or more. Each of their variants, held out, is found by the others, so the estimate counts on answers
 * that visitors, who do not word a question like the owner, will not get.
 */
export function alikeEntries(docs: FaqDoc[]): { alike: AlikeEntry[]; share: number } {
  const alike: AlikeEntry[] = [];
  let compared = 0;
  for (const doc of docs) {
    const all = texts(doc);
    if (all.length < 2) continue;
    compared++;
    const keys = spread(all.length, ALIKE_TEXTS).map((i) => contentWords(all[i]));
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < keys.length; i++) {
      for (let j = i + 1; j < keys.length; j++) {
        sum += overlap(keys[i], keys[j]);
        pairs++;
      }
    }
    const mean = sum / pairs;
    if (mean >= ALIKE_OVERLAP) alike.push({ entry: doc.id, overlap: round(mean, 2) });
  }
  alike.sort((a, b) => b.overlap - a.overlap || (a.entry < b.entry ? -1 : 1));
  return { alike: alike.slice(0, MAX_PAIRS), share: compared ? alike.length / compared : 0 };
}

/**
 * Calibrates a site's threshold from its FAQ (published entries, learned variants among their variants).
 * @example calibrateFaq(docs, { targetPrecision: 0.95 }) // { threshold: 0.87, precision: 0.96, answered: 0.52, method: 'fitted', … }
 */
export function calibrateFaq(docs: FaqDoc[], opts: { targetPrecision?: number; perEntry?: number; maxSamples?: number } = {}): Calibration {
  const target = opts.targetPrecision ?? DEFAULT_TARGET_PRECISION;
  const samples = heldOutSamples(docs, opts);
  const index = new FaqIndex();
  for (const doc of docs) index.upsert(doc);
  const control = controlConfidences(index);
  // A fit of 1 is no fit: no threshold reached the target on the held-out variants.
  const fit = samples.length >= MIN_SAMPLES ? fitThreshold(samples, target) : null;
  const unfit = fit === 1;
  const method: CalibrationMethod = fit !== null && !unfit ? 'fitted' : 'prior';
  const { alike, share } = alikeEntries(docs);
  const optimistic = share >= OPTIMISTIC_SHARE;
  const textsPerEntry = medianTexts(docs);
  const chosen = method === 'fitted' ? Math.max(MIN_THRESHOLD, fit!) : priorThreshold({ entries: docs.length, textsPerEntry }, target, unfit);
  const floor = optimistic ? (textsPerEntry <= 2 ? FLOOR_OPTIMISTIC_TWO_TEXTS : FLOOR_OPTIMISTIC) : 0;
  const threshold = Math.min(1, Math.max(chosen, floor, controlBound(control)));
  return {
    threshold,
    ...measure(samples, threshold),
    method,
    targetPrecision: target,
    samples: samples.length,
    unfit,
    oosAnswered: round(control.filter((c) => c >= threshold).length / control.length),
    confused: confusedPairs(samples),
    alike,
    optimistic,
  };
}
