/**
 * The browser bundles of dist/public (scripts/build.ts), served precompressed: the .br or .gz file the
 * build wrote beside each one goes out with Content-Encoding when the request accepts it (brotli first),
 * always with `Vary: Accept-Encoding` so that caches keep the variants apart.
 * Content-hashed files (name-HASH.js) never change: a year, immutable. The rest (widget.js, whose URL
 * sites embed, and the console's index.html) must be re-read soon after a deploy.
 */
import type { Stats } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import type { RequestHandler } from 'express';
import expressStaticGzip from 'express-static-gzip';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const SHORT_LIVED = 'public, max-age=300';

/**
 * What helmet sets for the pages we serve means nothing on a script (a script runs under its page's
 * policy) and costs about 500 bytes on each of the widget's requests, which a visitor pays on every
 * site that embeds it: those headers go out with HTML only. HSTS too: visitors reach these files
 * through the https address in the embed snippet, and the console's pages, which people do type in,
 * keep it. nosniff, CORP and Referrer-Policy (which a module's own imports follow) stay.
 */
const DOCUMENT_ONLY = [
  'Content-Security-Policy',
  'Cross-Origin-Opener-Policy',
  'Origin-Agent-Cluster',
  'Strict-Transport-Security',
  'X-DNS-Prefetch-Control',
  'X-Download-Options',
  'X-Frame-Options',
  'X-Permitted-Cross-Domain-Policies',
  'X-XSS-Protection',
];

/**
 * Cross-Origin-Resource-Policy only guards no-cors loads (a classic `<script src>`, an image): widget.js
 * needs it on a page that requires CORP (COEP require-corp). Every other script is a module, fetched in
 * cors mode, where CORS (Access-Control-Allow-Origin) decides and the browser never reads CORP: 44
 * bytes less on each of the widget's module requests.
 */
const CLASSIC_SCRIPT = 'widget.js';

/** esbuild's `[hash]`: eight characters of base32 after the last dash. */
const HASHED = /-[A-Z2-7]{8}\.[a-z]+$/;

/** The Cache-Control of a file, by its name (a .br/.gz variant goes by the file it encodes). */
export function cacheControl(file: string): string {
  const name = path.basename(file).replace(/\.(br|gz)$/, '');
  if (HASHED.test(name)) return IMMUTABLE;
  return name.endsWith('.html') ? 'no-cache' : SHORT_LIVED;
}

/**
 * Serves the files under `dir`. The middleware notes which precompressed variants exist when it is
 * created: create it after the build (npm start builds first); a file built later is served as is.
 * `fallthrough: false` answers a missing file with a 404 error instead of trying the next route.
 */
export function precompressedFiles(dir: string, opts: { fallthrough?: boolean } = {}): RequestHandler {
  return expressStaticGzip(dir, {
    enableBrotli: true,
    orderPreference: ['br', 'gzip'],
    index: false,
    serveStatic: {
      fallthrough: opts.fallthrough ?? true,
      index: false,
      redirect: false,
      cacheControl: false,
      // The ETag alone revalidates widget.js; hashed files are never revalidated, so they get none, and
      // nobody fetches part of a script: no Accept-Ranges. (Bytes on every request of every visitor.)
      lastModified: false,
      etag: false,
      acceptRanges: false,
      setHeaders: (res: ServerResponse, file: string, stat: Stats) => {
        const cache = cacheControl(file);
        res.setHeader('Cache-Control', cache);
        if (cache !== IMMUTABLE) res.setHeader('ETag', `W/"${stat.size.toString(16)}-${stat.mtimeMs.toString(16)}"`);
        if (!/\.html(\.br|\.gz)?$/.test(file)) for (const name of DOCUMENT_ONLY) res.removeHeader(name);
        const name = path.basename(file).replace(/\.(br|gz)$/, '');
        if (name.endsWith('.js') && name !== CLASSIC_SCRIPT) res.removeHeader('Cross-Origin-Resource-Policy');
      },
    },
  }) as RequestHandler;
}

/** One file of `dir` at a fixed URL (the console's page at /console): the same encodings and caching. */
export function precompressedFile(dir: string, file: string, opts: { fallthrough?: boolean } = {}): RequestHandler {
  const files = precompressedFiles(dir, opts);
  return (req, res, next) => {
    const url = req.url;
    req.url = `/${file}`;
    files(req, res, (err?: unknown) => {
      req.url = url;
      next(err);
    });
  };
}
