/**
 * The FAQ learning from agents, replayed: a site starts with a hand-written 10-shot FAQ and its agents
 * answer whatever the matcher does not answer rightly on its own.
 *
 *   npm run bench:faq-learning [-- --order interleaved|file] [--block 250] [--recalibrate 10] [--target 0.95]
 *
 * The banking77 development split (../shared/data/README.md; `BANKING77_CSV` names train.csv elsewhere):
 * the site's FAQ starts as the 10-shot FAQ (770 variants); the dev queries (1,816) arrive one by one.
 * Each is asked with the product's decision (`decide`) at the site's calibrated threshold (`calibrateFaq`,
 * what server/faq/calibration.ts runs in its worker for a site). When the matcher does not answer it
 * rightly on its own (it hands over, suggests, or answers with the wrong entry), an agent answers it and
 * the question becomes a learned variant of the right entry, as server/faq/learned.service.ts does:
 * masked (`maskPersonalData`), the same words kept once, the entry re-indexed at once (`FaqIndex.upsert`,
 * what faq.service.ts does on every node). The threshold is calibrated again from the grown FAQ every
 * `--recalibrate` questions. The product recalibrates 2 s after the FAQ last changed, which on a site
 * is after every learned variant; every 10 questions (about 6 learned variants) is as close as a
 * replay of about a minute gets (every 5 gave the same curve, 2026-12-03; every 50, used before, left the
 * threshold behind the FAQ it decided for: first block 0.943). Every
 * question is measured before it is learned, so no number counts a question the FAQ already holds.
 *
 * Order: the dev split in file order is grouped by intent (all of one intent's questions, then the
 * next), which a site's stream is not; `interleaved` (the default) takes each intent's questions in
 * their file order and deals them round-robin across intents, so every block of the curve sees every
 * intent. `file` replays the file order as it is.
 *
 * Printed per block of questions: top1 (the right entry ranked first), share answered automatically,
 * precision of those answers with its 95% interval (a block answers 80–130 questions: a few answers
 * more or less wrong move it by 2–3 points) and the precision of every answer so far, the thresholds
 * used, and the FAQ's size; then the same for the full FAQ (8,187 variants, its threshold calibrated
 * the same way), the level the curve rises toward.
 * Data: BANKING77 (PolyAI, Casanueva et al. 2020, CC BY 4.0); nothing of it is written to disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { calibrateFaq, DEFAULT_TARGET_PRECISION } from '../server/faq/engine/calibrate.ts';
import { faqDocsFromRows, rowsFromCsv, splitBanking, type Row } from '../server/faq/engine/evaluate.ts';
import { decide, DEFAULT_SUGGEST_THRESHOLD, FaqIndex, stripPleasantries, type FaqDoc } from '../server/faq/engine/index.ts';
import { normalize } from '../server/faq/engine/text.ts';
import { maskPersonalData } from '../server/faq/mask.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each intent's questions in file order, dealt round-robin across intents (intents in order of first appearance). */
function interleave(rows: Row[]): Row[] {
  const byIntent = new Map<string, Row[]>();
  for (const row of rows) byIntent.set(row[1], [...(byIntent.get(row[1]) ?? []), row]);
  const queues = [...byIntent.values()];
  const out: Row[] = [];
  for (let round = 0; out.length < rows.length; round++) for (const q of queues) if (round < q.length) out.push(q[round]);
  return out;
}

interface Tally { asked: number; top1: number; answered: number; right: number }
const empty = (): Tally => ({ asked: 0, top1: 0, answered: 0, right: 0 });
const ratio = (a: number, b: number) => (b ? (a / b).toFixed(3) : '-');

/** The 95% Wilson interval of a share of `n`: how far a block's precision may stray by chance alone. */
function wilson(k: number, n: number): string {
  if (!n) return '-';
  const z = 1.96;
  const p = k / n;
  const mid = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return `${Math.max(0, mid - half).toFixed(2)}–${Math.min(1, mid + half).toFixed(2)}`;
}

/** One question asked of the FAQ as the product would; whether it was ranked first, answered, answered rightly. */
function ask(index: FaqIndex, text: string, intent: string, threshold: number) {
  const decision = decide(index, text, { threshold, suggestThreshold: Math.min(DEFAULT_SUGGEST_THRESHOLD, threshold) });
  const [first] = index.search(stripPleasantries(text), 1);
  const answered = decision.kind === 'answer';
  return { top1: first?.id === intent, answered, right: answered && decision.hit.id === intent };
}

function add(t: Tally, r: { top1: boolean; answered: boolean; right: boolean }): void {
  t.asked++;
  if (r.top1) t.top1++;
  if (r.answered) t.answered++;
  if (r.right) t.right++;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function main(): void {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      order: { type: 'string', default: 'interleaved' },
      block: { type: 'string', default: '250' },
      recalibrate: { type: 'string', default: '10' },
      target: { type: 'string' },
    },
  });
  const order = values.order;
  if (order !== 'interleaved' && order !== 'file') throw new Error('--order must be interleaved or file');
  const block = Number(values.block);
  const every = Number(values.recalibrate);
  if (!(Number.isInteger(block) && block > 0) || !(Number.isInteger(every) && every > 0)) throw new Error('--block and --recalibrate must be positive integers');
  const target = values.target === undefined ? DEFAULT_TARGET_PRECISION : Number(values.target);
  if (!(target > 0 && target <= 1)) throw new Error('--target must be a number in (0,1]');

  const train = path.resolve(root, process.env.BANKING77_CSV ?? '../shared/data/banking77/train.csv');
  if (!existsSync(train)) throw new Error(`banking77 not found at ${train} (set BANKING77_CSV to its train.csv)`);
  const { full, tenShot, dev } = splitBanking(rowsFromCsv(readFileSync(train, 'utf8'), train));
  const stream = order === 'interleaved' ? interleave(dev) : dev;

  const docs = new Map<string, FaqDoc>(faqDocsFromRows(tenShot).map((d) => [d.id, { ...d, variants: [...d.variants] }]));
  const known = new Map<string, Set<string>>([...docs.values()].map((d) => [d.id, new Set([d.question, ...d.variants].map((t) => normalize(t).trim()))]));
  const index = new FaqIndex();
  for (const d of docs.values()) index.upsert(d);
  let calibration = calibrateFaq([...docs.values()], { targetPrecision: target });
  let calibrations = 1;
  let calibrationMs = 0;
  let learned = 0;

  const rows: string[][] = [];
  const total = empty();
  let current = empty();
  let thresholds: number[] = [];
  const started = performance.now();
  stream.forEach(([text, intent], i) => {
    thresholds.push(calibration.threshold);
    const r = ask(index, text, intent, calibration.threshold);
    add(current, r);
    add(total, r);
    if (!r.right) {
      // An agent answered it: the question becomes a learned variant of the entry they answered with.
      const variant = maskPersonalData(text).trim().slice(0, 500);
      const key = normalize(variant).trim();
      const doc = docs.get(intent)!;
      if (/[\p{L}\p{N}]/u.test(variant) && !known.get(intent)!.has(key)) {
        known.get(intent)!.add(key);
        doc.variants.push(variant);
        index.upsert(doc);
        learned++;
      }
    }
    const n = i + 1;
    if (n % every === 0 && n < stream.length) {
      const t = performance.now();
      calibration = calibrateFaq([...docs.values()], { targetPrecision: target });
      calibrationMs += performance.now() - t;
      calibrations++;
    }
    if (n % block === 0 || n === stream.length) {
      rows.push([
        `${n - current.asked + 1}–${n}`,
        ratio(current.top1, current.asked),
        ratio(current.answered, current.asked),
        ratio(current.right, current.answered),
        wilson(current.right, current.answered),
        ratio(total.right, total.answered),
        `${Math.min(...thresholds).toFixed(3)}–${Math.max(...thresholds).toFixed(3)}`,
        String(index.variantCount),
        String(learned),
      ]);
      current = empty();
      thresholds = [];
    }
  });
  const streamMs = performance.now() - started;

  // The level the curve rises toward: the full FAQ against the same questions, its threshold calibrated alike.
  const fullDocs = faqDocsFromRows(full);
  const fullCalibration = calibrateFaq(fullDocs, { targetPrecision: target });
  const fullIndex = new FaqIndex();
  for (const d of fullDocs) fullIndex.upsert(d);
  const reference = empty();
  for (const [text, intent] of stream) add(reference, ask(fullIndex, text, intent, fullCalibration.threshold));

  const cpu = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`;
  console.log(`# FAQ learning from agents (${new Date().toISOString().slice(0, 16)}Z, node ${process.version}, ${cpu})\n`);
  console.log(`Start: banking77 10-shot FAQ (${tenShot.length} variants); ${stream.length} dev queries in ${order} order; target precision ${target}; threshold recalibrated every ${every} questions.`);
  console.log('Each question is measured before it is learned. Banking77: PolyAI, Casanueva et al. 2020, CC BY 4.0.\n');
  const header = ['questions', 'top1', 'answered', 'precision', 'its 95% interval', 'precision so far', 'threshold', 'variants', 'learned'];
  console.log(table(header, [
    ...rows,
    ['all', ratio(total.top1, total.asked), ratio(total.answered, total.asked), ratio(total.right, total.answered), wilson(total.right, total.answered), '', '', String(index.variantCount), String(learned)],
    ['full FAQ', ratio(reference.top1, reference.asked), ratio(reference.answered, reference.asked), ratio(reference.right, reference.answered), wilson(reference.right, reference.answered), '', fullCalibration.threshold.toFixed(3), String(fullIndex.variantCount), '-'],
  ]));
  console.log(`\nStream ${(streamMs / 1000).toFixed(1)} s, of which ${calibrations - 1} recalibrations ${(calibrationMs / 1000).toFixed(1)} s.`);
  console.log('Command: npm run bench:faq-learning');
}

main();
