/**
 * The widget's weight, as a visitor's browser downloads it (gzip, zlib's default level):
 * - initial: what every page view loads before anyone opens the chat: widget.js, widget/support-chat.js
 *   and the chunks it imports statically (lit); budget 10 KB
 * - total: everything under dist/public/widget*; budget 30 KB
 * Builds first. Exits non-zero when a budget is exceeded.
 *   npm run size
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildPublic } from './build.ts';

const KB = 1024;
const BUDGET = { initial: 10 * KB, total: 30 * KB };

const dir = await buildPublic();
const widgetDir = path.join(dir, 'widget');
const gzipped = async (file: string) => gzipSync(await readFile(file)).length;

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

const initialFiles = [path.join(dir, 'widget.js'), ...(await withStaticImports(path.join(widgetDir, 'support-chat.js')))];
const allFiles = [path.join(dir, 'widget.js'), ...(await readdir(widgetDir, { recursive: true })).map((f) => path.join(widgetDir, f))];

const sum = async (files: string[]) => (await Promise.all(files.map(gzipped))).reduce((a, b) => a + b, 0);
const sizes = { initial: await sum(initialFiles), total: await sum(allFiles.filter((f) => f.endsWith('.js'))) };

let over = false;
for (const [name, bytes] of Object.entries(sizes) as [keyof typeof BUDGET, number][]) {
  const budget = BUDGET[name];
  const verdict = bytes <= budget ? 'ok' : 'OVER BUDGET';
  over ||= bytes > budget;
  console.log(`${name.padEnd(8)} ${String(bytes).padStart(6)} B gzip  ${(bytes / KB).toFixed(2).padStart(6)} KB  (budget ${budget / KB} KB) ${verdict}`);
}
console.log(`initial = ${initialFiles.map((f) => path.relative(dir, f)).join(' + ')}`);
process.exitCode = over ? 1 : 0;
