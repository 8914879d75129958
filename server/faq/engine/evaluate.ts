/**
 * Measures the matcher the way production uses it (FaqIndex + decide) on labelled CSV rows. Pure: the
 * evaluation command and the benchmark do the file I/O.
 */
import { calibrateFaq, DEFAULT_TARGET_PRECISION, type CalibrationMethod } from './calibrate.ts';
import { parseCsv } from './csv.ts';
import { FaqIndex, type FaqDoc } from './faq-index.ts';
import { decide, DEFAULT_SUGGEST_THRESHOLD } from './index.ts';
import { stripPleasantries } from './smalltalk.ts';
import { hasChinese } from './text.ts';

/** A labelled row: the text and the FAQ entry (category) it belongs to. */
export type Row = [text: string, category: string];

export interface EvalResult {
  queries: number;
  /** The threshold answers were decided with: calibrated from the FAQ as the product does, or given. */
  threshold: number;
  thresholdMethod: CalibrationMethod | 'given';
  /** Whether the calibration called its own estimate too kind (near-duplicate variants); null with a given threshold. */
  optimistic: boolean | null;
  /** Whether the FAQ's own variants reached the target at no threshold (a prior was taken); null with a given threshold. */
  unfit: boolean | null;
  top1: number;
  top3: number;
  /** Share of queries that decide() answers automatically. */
  answered: number;
  /** Share of those answers that are the right entry. */
  precision: number;
  /**
   * Share of queries answered at the lowest threshold whose answers are right at the target precision,
   * chosen with these queries' answers in hand: a bound no calibration from the FAQ alone can beat.
   */
  bestAnswered: number;
  /** Share of out-of-scope rows answered automatically; null without out-of-scope rows. */
  oosAnswered: number | null;
  buildMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** Parses a `text,category` CSV; rows without both fields are skipped (blank lines, stray commas). */
export function rowsFromCsv(csv: string, name = 'CSV'): Row[] {
  const [header, ...rows] = parseCsv(csv);
  const text = header?.indexOf('text') ?? -1;
  const category = header?.indexOf('category') ?? -1;
  if (text < 0 || category < 0) throw new Error(`${name}: expected a header "text,category"`);
  return rows.map((r): Row => [r[text] ?? '', r[category] ?? '']).filter(([t, c]) => t.trim() !== '' && c.trim() !== '');
}

/** Rows as FAQ entries: each distinct category is an entry, its first text the question, the rest variants. */
export function faqDocsFromRows(rows: Row[]): FaqDoc[] {
  const byCategory = new Map<string, string[]>();
  for (const [text, category] of rows) {
    const texts = byCategory.get(category);
    if (texts) texts.push(text);
    else byCategory.set(category, [text]);
  }
  return [...byCategory].map(([id, [question, ...variants]]) => ({
    id,
    question,
    variants,
    language: hasChinese(question) ? 'zh' : 'en',
  }));
}

/**
 * The fixed banking77 development split (see /work/shared/data/README.md): per category in file order,
 * rows 1–10 are the 10-shot FAQ, every 5th row after them a dev query, every other row the full FAQ.
 */
export function splitBanking(rows: Row[]): { full: Row[]; tenShot: Row[]; dev: Row[] } {
  const seen = new Map<string, number>();
  const full: Row[] = [];
  const tenShot: Row[] = [];
  const dev: Row[] = [];
  for (const row of rows) {
    const n = (seen.get(row[1]) ?? 0) + 1;
    seen.set(row[1], n);
    if (n <= 10) tenShot.push(row);
    if (n > 10 && n % 5 === 0) dev.push(row);
    else full.push(row);
  }
  return { full, tenShot, dev };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

/** JIT warm-up queries: a long-running server answers warm, and the first few hundred calls are not. */
const WARM_UP = 200;

/** The text with one letter dropped from its longest word, so that the warm-up also takes the typo path. */
const misspell = (text: string) => text.replace(/[a-z]{6,}/i, (w) => w.slice(0, 2) + w.slice(3));

/**
 * Builds an index from `faq`, then asks decide() every query once, timing each call. Without a
 * threshold, it is calibrated from `faq` alone, exactly as the product calibrates a site's FAQ.
 * Latencies are steady-state: before the timed pass, the FAQ's first 200 texts are asked once as they
 * are and once with a typo.
 */
export function evaluate(faq: Row[], queries: Row[], oos: Row[] | null, given?: number, targetPrecision?: number): EvalResult {
  const calibration = given === undefined ? calibrateFaq(faqDocsFromRows(faq), { targetPrecision }) : null;
  const threshold = calibration?.threshold ?? given!;
  const opts = { threshold, suggestThreshold: Math.min(DEFAULT_SUGGEST_THRESHOLD, threshold) };
  const started = performance.now();
  const index = new FaqIndex();
  for (const doc of faqDocsFromRows(faq)) index.upsert(doc);
  const buildMs = performance.now() - started;
  for (const [text] of faq.slice(0, WARM_UP)) {
    decide(index, text, opts);
    decide(index, misspell(text), opts);
  }

  let top1 = 0;
  let top3 = 0;
  let answered = 0;
  let right = 0;
  const times: number[] = [];
  const ranked: { confidence: number; right: boolean }[] = [];
  for (const [text, category] of queries) {
    const t = performance.now();
    const decision = decide(index, text, opts);
    times.push(performance.now() - t);
    // Ranking is measured without the small-talk gate, so a question worded like a greeting still counts.
    const hits = index.search(stripPleasantries(text), 3);
    if (hits[0]?.id === category) top1++;
    if (hits.some((h) => h.id === category)) top3++;
    if (hits[0]) ranked.push({ confidence: hits[0].confidence, right: hits[0].id === category });
    if (decision.kind === 'answer') {
      answered++;
      if (decision.hit.id === category) right++;
    }
  }
  let oosAnswered: number | null = null;
  if (oos) {
    const wrong = oos.filter(([text]) => decide(index, text, opts).kind === 'answer').length;
    oosAnswered = oos.length ? round(wrong / oos.length) : 0;
  }
  times.sort((a, b) => a - b);
  const n = queries.length || 1;
  ranked.sort((a, b) => b.confidence - a.confidence);
  let best = 0;
  for (let i = 0, right = 0; i < ranked.length; i++) {
    if (ranked[i].right) right++;
    if (right / (i + 1) >= (targetPrecision ?? DEFAULT_TARGET_PRECISION)) best = i + 1;
  }
  return {
    queries: queries.length,
    threshold: round(threshold),
    thresholdMethod: calibration?.method ?? 'given',
    optimistic: calibration?.optimistic ?? null,
    unfit: calibration?.unfit ?? null,
    top1: round(top1 / n),
    top3: round(top3 / n),
    answered: round(answered / n),
    precision: round(answered ? right / answered : 0),
    bestAnswered: round(best / n),
    oosAnswered,
    buildMs: Math.round(buildMs),
    p50Ms: round(percentile(times, 0.5), 3),
    p99Ms: round(percentile(times, 0.99), 3),
  };
}

/** The demo FAQ file (demo/faq.json) as FAQ rows: the category is the entry's question. */
export function rowsFromFaqJson(entries: { question: string; variants?: string[] }[]): Row[] {
  return entries.flatMap((e) => [e.question, ...(e.variants ?? [])].map((text): Row => [text, e.question]));
}
