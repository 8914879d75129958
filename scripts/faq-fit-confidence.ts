/**
 * Refits the confidence model of entries with few variants (WEIGHTS_FEW in server/faq/engine/confidence.ts,
 * or WEIGHTS_FEW_ZH with --zh) and prints its coefficients as one line of JSON.
 *
 *   npx tsx scripts/faq-fit-confidence.ts [--input ../shared/data/banking77/train.csv] [--windows]
 *   npx tsx scripts/faq-fit-confidence.ts --zh
 *
 * --zh: the Chinese development set (test/data/banking77-zh-dev-faq.csv, 5 FAQ variants per intent, and
 * banking77-zh-dev-queries.csv, 8 questions per intent, written apart from the held-out Chinese set and
 * without sight of it). Its FAQs are each intent's first 3, first 5 and 3rd–5th variants, every dev
 * question asked of each; the closest variant's weight is held at WEIGHTS_FEW's (fitted freely it went to
 * -7.2, and a question typed exactly as an FAQ text was trusted less: 79–82% of them at 0.97 or more,
 * 84–85% with WEIGHTS_FEW, 91–94% held), and the fit is shrunk a quarter of the way back to WEIGHTS_FEW.
 * `heldOut`: fitted on each intent's questions 1–4, scored on 5–8, and the other way round.
 *
 * Data: the banking77 development split only (docs/faq-matcher.md). Four FAQs of a few variants per entry
 * are cut from its 10-shot side, as a site owner would write them (each intent's first 3, first 5, 4th–6th
 * and 6th–10th texts), and every dev query is asked of each; the top hit's signals and whether it was the
 * right entry are the training rows of a logistic regression (Newton's method, L2 1e-3), as for the global
 * model. The fit is then shrunk a quarter of the way back to the global model (SHRINK): four overlapping
 * FAQs are little data, and the full fit made the calibration of 3-variant FAQs less safe (below).
 * `heldOut`: each half fitted (and shrunk) alone, scored on the other half: the share a perfect threshold
 * answers at precision 0.95, with the global model and with the refitted one.
 * `--windows` also evaluates, with the engine as it is, every FAQ of 2 to 5 consecutive texts per intent
 * of the 10-shot side (30 FAQs) at the threshold the product calibrates from each: per size, the mean
 * share answered, the precision of all their answers pooled, and the FAQs below the target.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { calibrate, WEIGHTS, WEIGHTS_FEW, type Signals, type Weights } from '../server/faq/engine/confidence.ts';
import { evaluate, faqDocsFromRows, rowsFromCsv, splitBanking, type Row } from '../server/faq/engine/evaluate.ts';
import { FaqIndex } from '../server/faq/engine/faq-index.ts';
import { stripPleasantries } from '../server/faq/engine/smalltalk.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIGNALS = ['nearest', 'centroid', 'coverage', 'margin'] as const;
const L2 = 1e-3;
const TARGET = 0.95;
/** Share of the way from the base model (global for English, WEIGHTS_FEW for Chinese) to the fit. */
const SHRINK = 0.75;

/** Each category's texts from position `from` (exclusive) to `to` (inclusive), in file order. */
function slice(rows: Row[], from: number, to: number): Row[] {
  const seen = new Map<string, number>();
  return rows.filter(([, c]) => {
    const k = (seen.get(c) ?? 0) + 1;
    seen.set(c, k);
    return k > from && k <= to;
  });
}

interface Example { signals: Signals; right: boolean }

/** The top hit of every query against an index of `faq`, with its signals. */
function examples(faq: Row[], queries: Row[]): Example[] {
  const index = new FaqIndex();
  for (const doc of faqDocsFromRows(faq)) index.upsert(doc);
  const out: Example[] = [];
  for (const [text, category] of queries) {
    const [top] = index.explain(stripPleasantries(text), 1);
    if (top) out.push({ signals: top, right: top.id === category });
  }
  return out;
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A is 5×5 here). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/**
 * L2-regularised logistic regression by Newton's method: [bias, ...one weight per signal]. With
 * `nearest` given, that signal's weight is held at it and the others are fitted around it.
 */
function fit(data: Example[], nearest?: number): number[] {
  const xs = data.map((d) => [1, ...SIGNALS.map((s) => (s === 'nearest' && nearest !== undefined ? 0 : d.signals[s]))]);
  const offset = data.map((d) => (nearest === undefined ? 0 : nearest * d.signals.nearest));
  let w = new Array(xs[0].length).fill(0);
  for (let iter = 0; iter < 50; iter++) {
    const grad = w.map((wi) => L2 * wi);
    const hess = w.map((_, i) => w.map((__, j) => (i === j ? L2 : 0)));
    xs.forEach((x, n) => {
      const p = 1 / (1 + Math.exp(-offset[n] - x.reduce((s, xi, i) => s + xi * w[i], 0)));
      const y = data[n].right ? 1 : 0;
      for (let i = 0; i < x.length; i++) {
        grad[i] += (p - y) * x[i];
        for (let j = 0; j < x.length; j++) hess[i][j] += p * (1 - p) * x[i] * x[j];
      }
    });
    const step = solve(hess, grad);
    w = w.map((wi, i) => wi - step[i]);
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  if (nearest !== undefined) w[1 + SIGNALS.indexOf('nearest')] = nearest;
  return w;
}

/** Share of all queries a perfect threshold on `score` answers at precision TARGET (faq:eval's bestAnswered). */
function bestAnswered(data: Example[], score: (s: Signals) => number, queries: number): number {
  const ranked = data.map((d) => ({ score: score(d.signals), right: d.right })).sort((a, b) => b.score - a.score);
  let best = 0;
  let right = 0;
  ranked.forEach((r, i) => {
    if (r.right) right++;
    if (right / (i + 1) >= TARGET) best = i + 1;
  });
  return Math.round((best / queries) * 1000) / 1000;
}

const named = (w: number[]): Weights => ({ bias: w[0], nearest: w[1], centroid: w[2], coverage: w[3], margin: w[4] });
const round = (x: number) => Math.round(x * 1000) / 1000;

/** The fit of `data`, shrunk toward `base`; `nearest` holds that weight (fit). */
function shrunk(data: Example[], base: Weights = WEIGHTS, nearest?: number): Weights {
  const w = named(fit(data, nearest));
  const mix = (k: keyof Weights) => round(SHRINK * w[k] + (1 - SHRINK) * base[k]);
  return { bias: mix('bias'), nearest: mix('nearest'), centroid: mix('centroid'), coverage: mix('coverage'), margin: mix('margin') };
}

/** Every FAQ of 2–5 consecutive texts per intent, at the threshold calibrated from it, summed up by size. */
function windows(tenShot: Row[], dev: Row[], oos: Row[]) {
  const out: Record<string, { faqs: number; answered: number; precision: number; belowTarget: string[] }> = {};
  for (let size = 2; size <= 5; size++) {
    let answered = 0;
    let right = 0;
    const below: string[] = [];
    for (let from = 0; from + size <= 10; from++) {
      const r = evaluate(slice(tenShot, from, from + size), dev, oos);
      answered += r.answered;
      right += r.answered * r.precision;
      if (r.answered > 0 && r.precision < TARGET) below.push(`${from + 1}-${from + size}: ${r.precision}`);
    }
    const faqs = 11 - size;
    out[`${size} per entry`] = { faqs, answered: round(answered / faqs), precision: answered ? round(right / answered) : 0, belowTarget: below };
  }
  return out;
}

/** The Chinese few-variant model, fitted on the Chinese development set (--zh). */
function fitChinese(): void {
  const read = (file: string) => rowsFromCsv(readFileSync(path.join(root, 'test/data', file), 'utf8'), file);
  const faq = read('banking77-zh-dev-faq.csv');
  const queries = read('banking77-zh-dev-queries.csv');
  const faqs = [slice(faq, 0, 3), slice(faq, 0, 5), slice(faq, 2, 5)];
  const halves = [slice(queries, 0, 4), slice(queries, 4, 8)];
  const heldOut = halves.map((train, h) => {
    const w = shrunk(faqs.flatMap((f) => examples(f, train)), WEIGHTS_FEW, WEIGHTS_FEW.nearest);
    const test = halves[1 - h];
    // Both through calibrate() at three variants: the same coverage gate, only the model differs.
    return faqs.map((f) => {
      const data = examples(f, test);
      return { english: bestAnswered(data, (s) => calibrate(s, 3, WEIGHTS_FEW), test.length), fitted: bestAnswered(data, (s) => calibrate(s, 3, w), test.length) };
    });
  });
  const weights = shrunk(faqs.flatMap((f) => examples(f, queries)), WEIGHTS_FEW, WEIGHTS_FEW.nearest);
  process.stdout.write(JSON.stringify({ weights, heldOut: { 'first 3, first 5, 3rd-5th': heldOut } }) + '\n');
}

function main(): void {
  const { values } = parseArgs({ options: { input: { type: 'string' }, windows: { type: 'boolean' }, zh: { type: 'boolean' } } });
  if (values.zh) return fitChinese();
  const input = path.resolve(root, values.input ?? '../shared/data/banking77/train.csv');
  const { tenShot, dev } = splitBanking(rowsFromCsv(readFileSync(input, 'utf8'), input));
  const faqs: Record<string, Row[]> = {
    'first 3': slice(tenShot, 0, 3),
    'first 5': slice(tenShot, 0, 5),
    '4th-6th': slice(tenShot, 3, 6),
    '6th-10th': slice(tenShot, 5, 10),
  };
  const data = Object.fromEntries(Object.entries(faqs).map(([name, faq]) => [name, examples(faq, dev)]));
  const halves = [['first 3', 'first 5'], ['4th-6th', '6th-10th']];
  const heldOut: Record<string, { global: number; fitted: number }> = {};
  halves.forEach((train, h) => {
    const w = shrunk(train.flatMap((name) => data[name]));
    for (const name of halves[1 - h]) {
      // Both through calibrate() at three variants: the same coverage gate, only the model differs.
      heldOut[name] = {
        global: bestAnswered(data[name], (s) => calibrate(s, 3, WEIGHTS), dev.length),
        fitted: bestAnswered(data[name], (s) => calibrate(s, 3, w), dev.length),
      };
    }
  });
  const weights = shrunk(Object.values(data).flat());
  const oos = rowsFromCsv(readFileSync(path.join(root, 'test/data/oos-en.csv'), 'utf8'));
  process.stdout.write(JSON.stringify({ weights, heldOut, ...(values.windows ? { windows: windows(tenShot, dev, oos) } : {}) }) + '\n');
}

main();
