/**
 * The widget's weight, built first:
 * - the files of dist/public as stored: raw, gzip and brotli (the precompressed variants the server sends)
 * - on the wire, when Chromium is there (CHROMIUM_PATH, default /usr/bin/chromium): what a browser
 *   transfers for the widget on a page of another origin (bench/widget-bytes.ts), with the browser's own
 *   Accept-Encoding (brotli), with gzip only, and uncompressed; budget 10 KB before the chat is opened,
 *   30 KB in all after opening it
 * Exits non-zero when a budget is exceeded (on the wire with brotli, else by the files' brotli sizes).
 *   npm run size
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { buildPublic, widgetMetaFile } from './build.ts';
import { measureWidgetBytes, type WidgetBytes } from '../bench/widget-bytes.ts';

const KB = 1024;
const BUDGET = { beforeOpen: 10 * KB, afterOpen: 30 * KB };
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const dir = await buildPublic();
const kb = (n: number) => `${(n / KB).toFixed(2).padStart(6)} KB`;
const sizeOf = async (file: string) => (existsSync(file) ? (await stat(file)).size : undefined);

interface FileSizes { file: string; raw: number; gzip: number; br: number }

/** A file and the variants the server would send for it (the file itself when a variant was not worth writing). */
async function sizes(file: string): Promise<FileSizes> {
  const raw = (await stat(file)).size;
  return { file: path.relative(dir, file), raw, gzip: (await sizeOf(`${file}.gz`)) ?? raw, br: (await sizeOf(`${file}.br`)) ?? raw };
}

/** A module and, transitively, the chunks it imports statically (`import"./x.js"`, `…from"./x.js"`; not `import("./x.js")`). */
async function withStaticImports(file: string, seen = new Set<string>()): Promise<Set<string>> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = await readFile(file, 'utf8');
  for (const [, , specifier] of code.matchAll(/(from|import)\s*["'](\.\/[^"']+)["']/g)) {
    await withStaticImports(path.join(path.dirname(file), specifier), seen);
  }
  return seen;
}

const bundles = (await readdir(dir, { recursive: true })).filter((f) => !/\.(br|gz)$/.test(f) && (f === 'widget.js' || f.startsWith('widget/') || f.startsWith('console/')));
const all = await Promise.all(bundles.sort().map((f) => sizes(path.join(dir, f))));
const sum = (files: FileSizes[]) => files.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip, br: t.br + f.br }), { raw: 0, gzip: 0, br: 0 });
const row = (name: string, s: { raw: number; gzip: number; br: number }) => `${name.padEnd(34)} ${String(s.raw).padStart(7)} ${String(s.gzip).padStart(7)} ${String(s.br).padStart(7)}`;

console.log('Files in dist/public (bytes)');
console.log(`${'file'.padEnd(34)} ${'raw'.padStart(7)} ${'gzip'.padStart(7)} ${'br'.padStart(7)}`);
for (const f of all) console.log(row(f.file, f));

const loader = await readFile(path.join(dir, 'widget.js'), 'utf8');
const element = /"(widget\/support-chat-[A-Z2-7]{8}\.js)"/.exec(loader)?.[1];
if (!element) throw new Error('widget.js names no element module');
const initialNames = new Set([path.join(dir, 'widget.js'), ...(await withStaticImports(path.join(dir, element)))].map((f) => path.relative(dir, f)));
const initial = sum(all.filter((f) => initialNames.has(f.file)));
// The element's stable re-export is for pages that import it by name: the loader never fetches it.
const widgetAll = sum(all.filter((f) => (f.file === 'widget.js' || f.file.startsWith('widget/')) && f.file !== 'widget/support-chat.js'));
console.log(row('widget, before opening (files)', initial));
console.log(row('widget, all (files)', widgetAll));
console.log(row('console, all (files)', sum(all.filter((f) => f.file.startsWith('console/')))));
console.log(`before opening = ${[...initialNames].join(' + ')}`);
await featureWeights();

let over: boolean;
if (existsSync(CHROMIUM_PATH)) {
  const runs: [string, string | undefined][] = [['br (browser default)', undefined], ['gzip', 'gzip, deflate'], ['none', 'identity']];
  const measured: [string, WidgetBytes][] = [];
  await withDemoServer(async (serverUrl) => {
    for (const [name, acceptEncoding] of runs) measured.push([name, await measureWidgetBytes({ serverUrl, acceptEncoding, chromiumPath: CHROMIUM_PATH })]);
  });
  console.log('\nOn the wire, Chromium on a page of another origin (headers included; socket = Socket.IO polling and frames received)');
  console.log(`${'encoding'.padEnd(22)} ${'before: files'.padStart(14)} ${'socket'.padStart(10)} ${'total'.padStart(10)}   ${'after: files'.padStart(13)} ${'socket'.padStart(10)} ${'total'.padStart(10)}`);
  for (const [name, m] of measured) {
    console.log(`${name.padEnd(22)} ${kb(m.beforeOpen.files).padStart(14)} ${kb(m.beforeOpen.socket).padStart(10)} ${kb(m.beforeOpen.total).padStart(10)}   ${kb(m.afterOpen.files).padStart(13)} ${kb(m.afterOpen.socket).padStart(10)} ${kb(m.afterOpen.total).padStart(10)}`);
  }
  const [[, br]] = measured;
  console.log(`\nRequests with the browser's Accept-Encoding (${br.acceptEncoding}):`);
  for (const f of br.files) console.log(`  ${f.phase.padEnd(10)} ${String(f.status)} ${(f.encoding || '-').padEnd(5)} ${String(f.transferred).padStart(7)} B (body ${String(f.body).padStart(6)})  ${f.path.slice(0, 70)}`);
  over = [verdict('before opening, on the wire (br)', br.beforeOpen.total, BUDGET.beforeOpen), verdict('after opening, on the wire (br)', br.afterOpen.total, BUDGET.afterOpen)].includes(true);
} else {
  console.log(`\nChromium not found at ${CHROMIUM_PATH}: no transfer measured; judging the files' brotli sizes instead (set CHROMIUM_PATH)`);
  over = [verdict('before opening, files (br)', initial.br, BUDGET.beforeOpen), verdict('all, files (br)', widgetAll.br, BUDGET.afterOpen)].includes(true);
}
process.exitCode = over ? 1 : 0;

/**
 * What each part of the widget loaded by import() adds when it is first needed (brotli bytes of its
 * own module and of the chunks that only it, of what is loaded so far, needs), from esbuild's metafile.
 * "Opening" is the panel and what it imports statically; a chunk two features share counts in both.
 */
async function featureWeights(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const meta = JSON.parse(await readFile(widgetMetaFile(dir), 'utf8')) as Metafile;
  const outputs = new Map(Object.entries(meta.outputs).map(([out, o]) => [`widget/${path.basename(out)}`, o]));
  const closure = (file: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(file)) return seen;
    seen.add(file);
    for (const i of outputs.get(file)?.imports ?? []) if (i.kind === 'import-statement') closure(`widget/${path.basename(i.path)}`, seen);
    return seen;
  };
  const source = (file: string) => path.relative(root, path.resolve(root, outputs.get(file)!.entryPoint!));
  const lazy = [...outputs].filter(([, o]) => o.entryPoint).map(([file]) => file);
  const panel = lazy.find((f) => source(f) === 'widget/support-chat-panel.ts');
  if (!panel) throw new Error('no output holds widget/support-chat-panel.ts');
  const opened = new Set([...initialNames, ...closure(panel)]);
  const br = new Map(all.map((f) => [f.file, f.br]));
  const needs = new Map(lazy.filter((f) => !opened.has(f)).map((f) => [f, [...closure(f)].filter((x) => !opened.has(x))]));
  const users = new Map<string, number>();
  for (const files of needs.values()) for (const x of files) users.set(x, (users.get(x) ?? 0) + 1);
  const bytes = (files: string[]) => files.reduce((t, x) => t + (br.get(x) ?? 0), 0);
  const rows = [...needs]
    .map(([f, files]) => ({ source: source(f), files: files.length, br: bytes(files), shared: bytes(files.filter((x) => users.get(x)! > 1)) }))
    .sort((a, b) => b.br - a.br);
  console.log('\nWhat each lazily loaded part adds when first needed (brotli bytes of files; not in "after opening")');
  console.log(`${'module'.padEnd(40)} ${'files'.padStart(5)} ${'br bytes'.padStart(9)} ${'of which shared with other parts'.padStart(33)}`);
  for (const r of rows) console.log(`${r.source.padEnd(40)} ${String(r.files).padStart(5)} ${String(r.br).padStart(9)} ${String(r.shared).padStart(33)}`);
}

/** Prints a line for one budget; true when it is exceeded. */
function verdict(name: string, bytes: number, budget: number): boolean {
  console.log(`${name.padEnd(36)} ${kb(bytes)}  (budget ${budget / KB} KB) ${bytes <= budget ? 'ok' : 'OVER BUDGET'}`);
  return bytes > budget;
}

/** This build served by a throwaway server with the demo site (a fresh PGlite in a temp folder). */
async function withDemoServer(run: (serverUrl: string) => Promise<void>): Promise<void> {
  const [{ openDatabase }, { createApp }, { loadConfig }, { createLogger }] = await Promise.all([
    import('../server/db/client.ts'),
    import('../server/app.ts'),
    import('../server/config.ts'),
    import('../server/logger.ts'),
  ]);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sc-size-'));
  const database = await openDatabase({ dataDir: path.join(tmp, 'pgdata') });
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', DEMO: '1' }), adminEmail: 'size@bench.local', adminPassword: `x${Math.random().toString(36)}` };
  const app = createApp({ db: database.db, config, log: createLogger('silent'), publicDir: dir });
  try {
    const url = await app.listen(0, '127.0.0.1');
    await run(url);
  } finally {
    await app.close();
    await database.close();
    await rm(tmp, { recursive: true, force: true });
  }
}
