/**
 * Bundles the browser code with esbuild into dist/public:
 * - widget.js: the tiny classic script a site embeds; it loads the element module on demand
 * - widget/*.js: the <support-chat> element (ES module) and its lazy chunks
 * - console/app.js: the agent console
 */
import { build, type BuildOptions } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { rm } from 'node:fs/promises';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PUBLIC_DIR = path.join(root, 'dist/public');

const common: BuildOptions = {
  bundle: true,
  minify: true,
  legalComments: 'none',
  target: ['es2021', 'chrome100', 'firefox100', 'safari15'],
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

/** Builds every browser bundle; returns the output directory. */
export async function buildPublic(): Promise<string> {
  await rm(PUBLIC_DIR, { recursive: true, force: true });
  await Promise.all([
    build({
      ...common,
      entryPoints: [path.join(root, 'widget/loader.ts')],
      outfile: path.join(PUBLIC_DIR, 'widget.js'),
      format: 'iife',
    }),
    build({
      ...common,
      entryPoints: { 'support-chat': path.join(root, 'widget/support-chat.ts') },
      outdir: path.join(PUBLIC_DIR, 'widget'),
      format: 'esm',
      splitting: true,
      chunkNames: 'chunk-[hash]',
    }),
    build({
      ...common,
      entryPoints: { app: path.join(root, 'console/index.ts') },
      outdir: path.join(PUBLIC_DIR, 'console'),
      format: 'esm',
      splitting: true,
      chunkNames: 'chunk-[hash]',
    }),
  ]);
  return PUBLIC_DIR;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildPublic();
  console.log(`built ${path.relative(process.cwd(), PUBLIC_DIR)}`);
}
