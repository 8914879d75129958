/**
 * Bundles the browser code with esbuild into dist/public:
 * - widget.js: the tiny classic script a site embeds; it loads the element module on demand
 * - widget/*.js: the <support-chat> element (ES module) and its lazy chunks
 * - console/app.js: the agent console
 */
import { build, transform, type BuildOptions, type Plugin } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { readFile, rm } from 'node:fs/promises';

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

/**
 * The widget's Lit templates are indented for people; the browser needs none of that white space, and the
 * widget's size budget is tight. After esbuild's minifyWhitespace the only line breaks left in a widget
 * file are inside template literals (markup and CSS), where white space between two tags means nothing
 * and any other run of it means one space; in CSS, none is needed next to { } ; : or a comma.
 */
const compactWidgetTemplates: Plugin = {
  name: 'compact-widget-templates',
  setup(b) {
    b.onLoad({ filter: /[\\/]widget[\\/][^\\/]+\.ts$/ }, async ({ path: file }) => {
      const { code } = await transform(await readFile(file, 'utf8'), {
        loader: 'ts',
        minifyWhitespace: true,
        tsconfigRaw: { compilerOptions: { useDefineForClassFields: false, verbatimModuleSyntax: true } },
      });
      const compact = code
        .replace(/>\s*\n\s*</g, '><')
        .replace(/\n\s*/g, ' ')
        // Inside css`…` (no expressions there), no space is needed next to { } ; : , nor a ; before }.
        .replace(/\bcss`[^`$]*`/g, (sheet) => sheet.replace(/\s*([{};:,])\s*/g, '$1').replace(/;}/g, '}'));
      return { contents: compact, loader: 'js' };
    });
  },
};

/**
 * WebTransport needs HTTP/3 and a server that opts in; ours does neither, and the widget asks only for
 * polling and websocket. Leaving engine.io-client's WebTransport code out saves nearly 1 KB gzipped.
 */
const withoutWebTransport: Plugin = {
  name: 'without-webtransport',
  setup(b) {
    b.onResolve({ filter: /^\.\/(transports\/)?webtransport\.js$/ }, ({ importer }) =>
      importer.includes(`${path.sep}engine.io-client${path.sep}`) ? { path: 'webtransport', namespace: 'stub' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export const WT = undefined;', loader: 'js' }));
  },
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
      plugins: [compactWidgetTemplates],
    }),
    build({
      ...common,
      entryPoints: { 'support-chat': path.join(root, 'widget/support-chat.ts') },
      outdir: path.join(PUBLIC_DIR, 'widget'),
      format: 'esm',
      splitting: true,
      chunkNames: 'chunk-[hash]',
      plugins: [compactWidgetTemplates, withoutWebTransport],
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
