/**
 * Every measurement of the FAQ matcher in one run, printed as a table with the command behind each row.
 *
 *   npm run bench:faq
 *
 * Accuracy rows run the evaluation command in a fresh process each (cold JIT, as a user would run it);
 * the incremental rows time FaqIndex in this process on an index of 10,000 banking77 variants.
 * Data: BANKING77 (PolyAI, Casanueva et al. 2020, CC BY 4.0), generated into .tmp/, never committed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentWords, overlap } from '../server/faq/engine/calibrate.ts';
import { toCsv } from '../server/faq/engine/csv.ts';
import { faqDocsFromRows, rowsFromCsv, rowsFromFaqJson, splitBanking, type EvalResult, type Row } from '../server/faq/engine/evaluate.ts';
import { FaqIndex, type FaqDoc } from '../server/faq/engine/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = path.join(root, '.tmp/bench');
const train = path.resolve(root, process.env.BANKING77_CSV ?? '../shared/data/banking77/train.csv');

/** The first `n` rows of each category: an FAQ of n variants per entry, as a site owner writes it. */
function firstPerCategory(rows: Row[], n: number): Row[] {
  const seen = new Map<string, number>();
  return rows.filter(([, c]) => {
    const k = (seen.get(c) ?? 0) + 1;
    seen.set(c, k);
    return k <= n;
  });
}

/**
 * `n` texts of each category, picked as two kinds of site owner would write them: from the first, each
 * next text the one most like (`alike`) or least like (`unlike`) those picked so far (greatest word
 * overlap with any of them, least). Owners who reword one question write near-duplicates; owners who
 * cover the ways it can be asked write very different variants. Neither kind's variants are a sample
 * of what visitors ask, which the calibration's held-out variants stand in for.
 */
function pickPerCategory(rows: Row[], n: number, kind: 'alike' | 'unlike'): Row[] {
  const byCategory = new Map<string, string[]>();
  for (const [text, category] of rows) byCategory.set(category, [...(byCategory.get(category) ?? []), text]);
  const out: Row[] = [];
  for (const [category, texts] of byCategory) {
    const keys = new Map(texts.map((t) => [t, contentWords(t)]));
    const picked = [texts[0]];
    while (picked.length < Math.min(n, texts.length)) {
      const closest = (t: string) => Math.max(...picked.map((p) => overlap(keys.get(t)!, keys.get(p)!)));
      const rest = texts.filter((t) => !picked.includes(t));
      // Ties keep file order (sort is stable).
      rest.sort((a, b) => (kind === 'alike' ? closest(b) - closest(a) : closest(a) - closest(b)));
      picked.push(rest[0]);
    }
    for (const t of picked) out.push([t, category]);
  }
  return out;
}

function write(file: string, rows: Row[]): string {
  writeFileSync(file, toCsv([['text', 'category'], ...rows]));
  return path.relative(root, file);
}

/** Writes the banking split and the demo FAQ as CSV into .tmp/bench; returns their repo-relative paths. */
function prepareData(rows: Row[]) {
  mkdirSync(tmp, { recursive: true });
  const { full, tenShot, dev } = splitBanking(rows);
  const demo = rowsFromFaqJson(JSON.parse(readFileSync(path.join(root, 'demo/faq.json'), 'utf8')));
  const zh = rowsFromCsv(readFileSync(path.join(root, 'test/data/banking77-zh-faq.csv'), 'utf8'));
  const zhDev = rowsFromCsv(readFileSync(path.join(root, 'test/data/banking77-zh-dev-faq.csv'), 'utf8'));
  return {
    en3: write(path.join(tmp, 'en-3-faq.csv'), firstPerCategory(tenShot, 3)),
    en5: write(path.join(tmp, 'en-5-faq.csv'), firstPerCategory(tenShot, 5)),
    alike3: write(path.join(tmp, 'en-3-alike-faq.csv'), pickPerCategory(tenShot, 3, 'alike')),
    alike5: write(path.join(tmp, 'en-5-alike-faq.csv'), pickPerCategory(tenShot, 5, 'alike')),
    unlike3: write(path.join(tmp, 'en-3-unlike-faq.csv'), pickPerCategory(tenShot, 3, 'unlike')),
    unlike5: write(path.join(tmp, 'en-5-unlike-faq.csv'), pickPerCategory(tenShot, 5, 'unlike')),
    zh3: write(path.join(tmp, 'zh-3-faq.csv'), firstPerCategory(zh, 3)),
    zh5: write(path.join(tmp, 'zh-5-faq.csv'), firstPerCategory(zh, 5)),
    zhDev3: write(path.join(tmp, 'zh-dev-3-faq.csv'), firstPerCategory(zhDev, 3)),
    zhDev5: write(path.join(tmp, 'zh-dev-5-faq.csv'), firstPerCategory(zhDev, 5)),
    full: write(path.join(tmp, 'full-faq.csv'), full),
    tenShot: write(path.join(tmp, '10shot-faq.csv'), tenShot),
    dev: write(path.join(tmp, 'dev-queries.csv'), dev),
    demo: write(path.join(tmp, 'demo-faq.csv'), demo),
  };
}

function runEval(args: string[]): { command: string; result: EvalResult } {
  const tsx = path.join(root, 'node_modules/.bin/tsx');
  const out = execFileSync(tsx, ['scripts/faq-eval.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { command: `npm run -s faq:eval -- ${args.join(' ')}`, result: JSON.parse(out) as EvalResult };
}

const ms = (x: number) => x.toFixed(2);

/** Times one call; returns milliseconds. */
function time(f: () => void): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

/** Cost of building and editing an index of about 10,000 variants, in this process. */
function incremental(rows: Row[]): string[][] {
  const out: string[][] = [];
  const shapes: [string, FaqDoc[]][] = [
    ['77 entries (banking77 train)', faqDocsFromRows(rows)],
    // The same texts as 1,250 entries of 8 variants: a large hand-written FAQ rather than a grown one.
    ['1,250 entries of 8', faqDocsFromRows(rows.map(([t], i): Row => [t, `e${Math.floor(i / 8)}`]))],
  ];
  for (const [shape, docs] of shapes) {
    const index = new FaqIndex();
    const build = time(() => docs.forEach((d) => index.upsert(d)));
    for (let i = 0; i < 200; i++) index.search(rows[(i * 37) % rows.length][0]);
    const fresh = (i: number): FaqDoc => ({
      id: `bench-${i}`,
      question: `How do I move my savings to a joint account number ${i}?`,
      variants: ['transfer savings to joint account', 'open a joint account', 'share my account with my partner', 'add my wife to my account'],
      language: 'en',
    });
    const upserts: number[] = [];
    const removes: number[] = [];
    for (let i = 0; i < 100; i++) upserts.push(time(() => index.upsert(fresh(i))));
    const visible = index.search('move my savings to a joint account', 1)[0]?.id.startsWith('bench-') ?? false;
    for (let i = 0; i < 100; i++) removes.push(time(() => index.remove(`bench-${i}`)));
    const biggest = docs.reduce((a, b) => (b.variants.length > a.variants.length ? b : a));
    const replaceBig = time(() => index.upsert({ ...biggest, variants: [...biggest.variants].reverse() }));
    // Searches at this size: 2,000 texts of the index, each with one letter dropped (the typo path too).
    const searches: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const text = rows[(i * 7919) % rows.length][0].replace(/[a-z]{6,}/i, (w) => w.slice(0, 2) + w.slice(3));
      searches.push(time(() => index.search(text, 4)));
    }
    searches.sort((a, b) => a - b);
    upserts.sort((a, b) => a - b);
    removes.sort((a, b) => a - b);
    out.push([
      `${index.variantCount.toLocaleString('en')} variants, ${shape}`,
      ms(build),
      `${ms(upserts[50])} / ${ms(upserts[99])}`,
      `${ms(removes[50])} / ${ms(removes[99])}`,
      `${ms(replaceBig)} (${biggest.variants.length + 1} variants)`,
      visible ? 'yes' : 'NO',
      `${ms(searches[1000])} / ${ms(searches[1980])}`,
    ]);
  }
  return out;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function main(): void {
  if (!existsSync(train)) throw new Error(`banking77 not found at ${train}`);
  const rows = rowsFromCsv(readFileSync(train, 'utf8'), train);
  const f = prepareData(rows);
  const runs: [string, string[]][] = [
    ['banking77 full FAQ', ['--faqs', f.full, '--queries', f.dev, '--oos', 'test/data/oos-en.csv']],
    ['banking77 10-shot FAQ', ['--faqs', f.tenShot, '--queries', f.dev, '--oos', 'test/data/oos-en.csv']],
    ['banking77 full FAQ, zh OOS', ['--faqs', f.full, '--queries', f.dev, '--oos', 'test/data/oos-zh.csv']],
    ['demo FAQ, zh queries', ['--faqs', f.demo, '--queries', 'test/data/demo-zh-queries.csv', '--oos', 'test/data/oos-zh.csv']],
    ['demo FAQ, en queries', ['--faqs', f.demo, '--queries', 'test/data/demo-en-queries.csv', '--oos', 'test/data/oos-en.csv']],
    // A new site's FAQ: a few variants per entry, its threshold calibrated from them alone.
    ['banking77 3 per entry, en', ['--faqs', f.en3, '--queries', f.dev, '--oos', 'test/data/oos-en.csv']],
    ['banking77 5 per entry, en', ['--faqs', f.en5, '--queries', f.dev, '--oos', 'test/data/oos-en.csv']],
    // The same sizes written as near-duplicates or as deliberately different variants (pickPerCategory).
    ['banking77 3 alike per entry, en', ['--faqs', f.alike3, '--queries', f.dev, '--oos', 'test/data/oos-en.csv']],
    ['banking77 5 alike per entry, en', ['--faqs', f.alike5, '--queries', f.dev, '--oos', 'test/data/oos-en.csv']],
    ['banking77 3 unlike per entry, en', ['--faqs', f.unlike3, '--queries', f.dev, '--oos', 'test/data/oos-en.csv']],
    ['banking77 5 unlike per entry, en', ['--faqs', f.unlike5, '--queries', f.dev, '--oos', 'test/data/oos-en.csv']],
    ['banking77 3 per entry, zh', ['--faqs', f.zh3, '--queries', 'test/data/banking77-zh-queries.csv', '--oos', 'test/data/oos-zh.csv']],
    ['banking77 5 per entry, zh', ['--faqs', f.zh5, '--queries', 'test/data/banking77-zh-queries.csv', '--oos', 'test/data/oos-zh.csv']],
    // The Chinese development set (WEIGHTS_FEW_ZH was fitted on it), and the held-out set's FAQ asked its
    // questions, written by another hand than that FAQ's.
    ['banking77 3 per entry, zh dev', ['--faqs', f.zhDev3, '--queries', 'test/data/banking77-zh-dev-queries.csv', '--oos', 'test/data/oos-zh.csv']],
    ['banking77 5 per entry, zh dev', ['--faqs', f.zhDev5, '--queries', 'test/data/banking77-zh-dev-queries.csv', '--oos', 'test/data/oos-zh.csv']],
    ['banking77 3 per entry, zh, dev questions', ['--faqs', f.zh3, '--queries', 'test/data/banking77-zh-dev-queries.csv', '--oos', 'test/data/oos-zh.csv']],
    ['banking77 5 per entry, zh, dev questions', ['--faqs', f.zh5, '--queries', 'test/data/banking77-zh-dev-queries.csv', '--oos', 'test/data/oos-zh.csv']],
  ];
  const evals = runs.map(([name, args]) => ({ name, ...runEval(args) }));
  const keys = ['queries', 'threshold', 'thresholdMethod', 'unfit', 'optimistic', 'top1', 'top3', 'answered', 'precision', 'bestAnswered', 'oosAnswered', 'buildMs', 'p50Ms', 'p99Ms'] as const;
  const cpu = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, load ${os.loadavg()[0].toFixed(1)}`;
  console.log(`# FAQ matcher benchmark (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpu})\n`);
  console.log('Accuracy at the threshold calibrated from each FAQ file, as the product calibrates a site (banking77: PolyAI, Casanueva et al. 2020, CC BY 4.0)\n');
  console.log(table(['set', ...keys], evals.map((e) => [e.name, ...keys.map((k) => String(e.result[k]))])));
  console.log('\nCommands (after `npx tsx bench/faq.ts` wrote .tmp/bench):');
  for (const e of evals) console.log(`  ${e.command}`);
  console.log('\nIncremental updates, in-process (ms; median / max of 100 for upsert and remove)\n');
  console.log(table(['index', 'full build', 'upsert 5-variant entry', 'remove it', 'replace largest entry', 'visible to next search', 'search p50 / p99'], incremental(rows)));
  console.log('\nCommand: npm run bench:faq');
}

main();
