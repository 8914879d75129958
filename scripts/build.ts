/**
 * Bundles the browser code with esbuild into dist/public, precompressed (brotli and gzip) beside each file:
 * - widget.js: the tiny classic script a site embeds (its URL cannot change, so it is short-lived); it
 *   loads the element module by the content-hashed name baked into it here
 * - widget/support-chat-HASH.js and widget/chunk-HASH.js: the <support-chat> element and its lazy chunks,
 *   cached for a year; widget/support-chat.js re-exports the current element for pages that import it by name
 * - console/index.html, console/app-HASH.js, console/chunk-HASH.js: the agent console
 * Several test runs build at once in one working tree: each builds into a sibling folder of its own and
 * renames it into place, so a reader never sees a half-built folder.
 */
import { build, transform, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PUBLIC_DIR = path.join(root, 'dist/public');

const common: BuildOptions = {
  bundle: true,
  minify: true,
  legalComments: 'none',
  // Chinese strings as UTF-8 (served with charset=UTF-8), not as \uXXXX escapes: a third of the bytes before compression.
  charset: 'utf8',
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

/**
 * The widget sends and receives JSON only (files go over HTTP), so socket.io-parser's search of every
 * packet for binary parts and its code to take them apart and put them back together are left out:
 * about 1.6 KB before compression, which pays for typing indicators and read receipts in the budget.
 */
const withoutBinaryPackets: Plugin = {
  name: 'without-binary-packets',
  setup(b) {
    b.onResolve({ filter: /^\.\/(is-)?binary\.js$/ }, ({ path: p, importer }) =>
      importer.includes(`${path.sep}socket.io-parser${path.sep}`) ? { path: p, namespace: 'no-binary' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-binary' }, ({ path: p }) => ({
      contents: p.startsWith('./is-')
        ? 'export const isBinary = () => false, hasBinary = isBinary;'
        : 'export const deconstructPacket = (packet) => ({ packet, buffers: [] }), reconstructPacket = (packet) => packet;',
      loader: 'js',
    }));
  },
};

/**
 * Without binary socket.io packets (above), engine.io never carries binary either: its packets are text.
 * engine.io-parser's code for binary ones (base64 over long-polling, Blob and ArrayBuffer frames) is left
 * out too, about 1 KB before compression, which pays for the widget's SVG icons in the budget. A binary
 * frame, which this server never sends, is a parser error, as an unknown packet type is.
 */
const textOnlyEnginePackets: Plugin = {
  name: 'text-only-engine-packets',
  setup(b) {
    b.onResolve({ filter: /^\.\/(en|de)codePacket\.js$/ }, ({ path: p, importer }) =>
      importer.includes(`${path.sep}engine.io-parser${path.sep}`) ? { path: p, namespace: 'text-packets', pluginData: path.dirname(importer) } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'text-packets' }, ({ path: p, pluginData }) => ({
      contents: p.startsWith('./en')
        ? 'import { PACKET_TYPES } from "./commons.js"; export const encodePacket = ({ type, data }, binary, send) => send(PACKET_TYPES[type] + (data || "")), encodePacketToBinary = undefined;'
        : 'import { ERROR_PACKET, PACKET_TYPES_REVERSE } from "./commons.js"; export const decodePacket = (p) => { const type = typeof p == "string" && PACKET_TYPES_REVERSE[p[0]]; return !type ? ERROR_PACKET : p.length > 1 ? { type, data: p.slice(1) } : { type }; };',
      loader: 'js',
      resolveDir: pluginData as string,
    }));
  },
};

/**
 * engine.io-client parses the server's address with a 1 KB regular expression (contrib/parseuri.js),
 * kept for platforms without `URL`: widget/url-parse.ts does it with `URL` (-0.4 KB after opening).
 */
const urlParser: Plugin = {
  name: 'url-parser',
  setup(b) {
    b.onResolve({ filter: /^\.\/contrib\/parseuri\.js$/ }, ({ importer }) =>
      importer.includes(`${path.sep}engine.io-client${path.sep}`) ? { path: path.join(root, 'widget/url-parse.ts') } : undefined,
    );
  },
};

/** The output file of an entry point, relative to `dir`. */
function entryOutput(metafile: Metafile, entry: string, dir: string): string {
  const [file] = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint && path.resolve(o.entryPoint) === entry) ?? [];
  if (!file) throw new Error(`esbuild wrote no output for ${entry}`);
  return path.relative(dir, path.resolve(file)).split(path.sep).join('/');
}

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** Writes file.br and file.gz beside every file under `dir`, at maximum quality; skips a variant no smaller than the file. */
async function precompress(dir: string): Promise<void> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
  await Promise.all(files.map(async (f) => {
    const file = path.join(f.parentPath, f.name);
    const raw = await readFile(file);
    const [br, gz] = await Promise.all([
      brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
      gzipped(raw, { level: constants.Z_BEST_COMPRESSION }),
    ]);
    if (br.length < raw.length) await writeFile(`${file}.br`, br);
    if (gz.length < raw.length) await writeFile(`${file}.gz`, gz);
  }));
}

/**
 * Puts a finished build at `target` with two renames (the old folder aside, the new one in). A folder
 * cannot be renamed onto a non-empty one: when another build got in between, set that one aside too and
 * try again; builds of the same sources are identical, so the last one in is as good as any.
 */
async function swapIn(staging: string, target: string): Promise<void> {
  for (;;) {
    const old = `${target}.old-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const setAside = await rename(target, old).then(() => true, (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    });
    const placed = await rename(staging, target).then(() => true, (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOTEMPTY' || err.code === 'EEXIST') return false;
      throw err;
    });
    if (setAside) await rm(old, { recursive: true, force: true });
    if (placed) return;
  }
}

/**
 * `window.SupportChat._attach` is shared with widget.js, which is built apart and unmangled: mangled in
 * the element only, the element would not recognise the loader's queue and would drop the calls a page
 * made before it loaded (an `identify` on page load).
 */
const RESERVED_PROPS = /^_attach$/;

/** esbuild's metafile of the widget element's build, beside the public folder built into `outDir`. */
export const widgetMetaFile = (outDir = PUBLIC_DIR) => `${outDir}.widget-meta.json`;

/** Builds every browser bundle into `outDir` (dist/public by default); returns it. */
export async function buildPublic(outDir = PUBLIC_DIR): Promise<string> {
  await mkdir(path.dirname(outDir), { recursive: true });
  const staging = await mkdtemp(`${outDir}.tmp-`);
  await chmod(staging, 0o755);
  try {
    const hashed = { ...common, format: 'esm', splitting: true, entryNames: '[name]-[hash]', chunkNames: 'chunk-[hash]', metafile: true } satisfies BuildOptions;
    const elementEntry = path.join(root, 'widget/support-chat.ts');
    const consoleEntry = path.join(root, 'console/index.ts');
    const [element, app] = await Promise.all([
      build({ ...hashed, entryPoints: { 'support-chat': elementEntry }, outdir: path.join(staging, 'widget'), plugins: [compactWidgetTemplates, withoutWebTransport, withoutBinaryPackets, textOnlyEnginePackets, urlParser], mangleProps: /^_[a-z]/, reserveProps: RESERVED_PROPS }),
      build({ ...hashed, entryPoints: { app: consoleEntry }, outdir: path.join(staging, 'console') }),
    ]);
    const elementFile = entryOutput(element.metafile, elementEntry, staging);
    const appFile = entryOutput(app.metafile, consoleEntry, staging);
    const html = await readFile(path.join(root, 'console/index.html'), 'utf8');
    if (!html.includes('"/console/app.js"')) throw new Error('console/index.html no longer loads /console/app.js');
    await Promise.all([
      build({
        ...common,
        entryPoints: [path.join(root, 'widget/loader.ts')],
        outfile: path.join(staging, 'widget.js'),
        format: 'iife',
        // widget.js is re-fetched every few minutes; the element it names is cached for good.
        define: { ...common.define, __SUPPORT_CHAT_MODULE__: JSON.stringify(elementFile) },
        plugins: [compactWidgetTemplates],
      }),
      writeFile(path.join(staging, 'widget/support-chat.js'), `export*from"./${path.posix.basename(elementFile)}";\n`),
      writeFile(path.join(staging, 'console/index.html'), html.replace('"/console/app.js"', `"/${appFile}"`)),
    ]);
    await precompress(staging);
    await swapIn(staging, outDir);
    // Which source module each widget chunk holds, for npm run size's report per feature (not served).
    await writeFile(widgetMetaFile(outDir), JSON.stringify(element.metafile));
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildPublic();
  console.log(`built ${path.relative(process.cwd(), PUBLIC_DIR)}`);
}
