/**
 * Evaluates the FAQ matcher on CSV files (`text,category`) and prints one line of JSON, nothing else.
 *
 *   npm run -s faq:eval -- --faqs FAQS.csv --queries QUERIES.csv [--oos OOS.csv] [--threshold T | --target P]
 *   npx tsx scripts/faq-eval.ts split --out .tmp/banking [--input ../shared/data/banking77/train.csv]
 *   npx tsx scripts/faq-eval.ts demo-csv --out .tmp/demo-faq.csv [--input demo/faq.json]
 *
 * Without `--threshold`, the threshold is calibrated from the FAQS file alone to the target precision
 * (`--target`, default 0.95), exactly as the product calibrates a site; the JSON line says which it used.
 * `split` writes the banking77 development split (full-faq.csv, 10shot-faq.csv, dev-queries.csv);
 * `demo-csv` turns the demo site's FAQ into a FAQ CSV whose categories are the entries' questions.
 * Generated files belong in .tmp/ (git-ignored): banking77 is not ours to commit.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { toCsv } from '../server/faq/engine/csv.ts';
import { evaluate, rowsFromCsv, rowsFromFaqJson, splitBanking, type Row } from '../server/faq/engine/evaluate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HEADER: Row = ['text', 'category'];

const readRows = (file: string): Row[] => rowsFromCsv(readFileSync(file, 'utf8'), file);

function writeRows(file: string, rows: Row[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, toCsv([HEADER, ...rows]));
}

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      faqs: { type: 'string' },
      queries: { type: 'string' },
      oos: { type: 'string' },
      threshold: { type: 'string' },
      target: { type: 'string' },
      out: { type: 'string' },
      input: { type: 'string' },
    },
  });
  const command = positionals[0] ?? 'eval';
  if (command === 'split') {
    const out = path.resolve(values.out ?? path.join(root, '.tmp/banking'));
    const input = path.resolve(root, values.input ?? '../shared/data/banking77/train.csv');
    const { full, tenShot, dev } = splitBanking(readRows(input));
    writeRows(path.join(out, 'full-faq.csv'), full);
    writeRows(path.join(out, '10shot-faq.csv'), tenShot);
    writeRows(path.join(out, 'dev-queries.csv'), dev);
    process.stderr.write(`wrote ${full.length} full, ${tenShot.length} 10-shot, ${dev.length} dev rows to ${out}\n`);
    return;
  }
  if (command === 'demo-csv') {
    const out = path.resolve(values.out ?? path.join(root, '.tmp/demo-faq.csv'));
    const input = path.resolve(root, values.input ?? 'demo/faq.json');
    const rows = rowsFromFaqJson(JSON.parse(readFileSync(input, 'utf8')));
    writeRows(out, rows);
    process.stderr.write(`wrote ${rows.length} rows to ${out}\n`);
    return;
  }
  if (command !== 'eval' || !values.faqs || !values.queries) {
    throw new Error('usage: faq-eval --faqs FAQS.csv --queries QUERIES.csv [--oos OOS.csv] [--threshold T | --target P] | split --out DIR | demo-csv --out FILE');
  }
  const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new Error('--threshold must be a number in [0,1]');
  const target = values.target === undefined ? undefined : Number(values.target);
  if (target !== undefined && !(target > 0 && target <= 1)) throw new Error('--target must be a number in (0,1]');
  const result = evaluate(readRows(values.faqs), readRows(values.queries), values.oos ? readRows(values.oos) : null, threshold, target);
  process.stdout.write(JSON.stringify(result) + '\n');
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
