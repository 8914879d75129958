/**
 * The bytes a browser transfers before and after opening the widget, measured in Chromium by
 * bench/widget-bytes.ts (written separately; guarded until it is there).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './proc.ts';
import type { Report } from './report.ts';
import type { Target } from './servers.ts';

const MODULE = path.join(root, 'bench/widget-bytes.ts');

/** The part of bench/widget-bytes.ts's result printed here. */
interface WidgetBytes {
  acceptEncoding: string;
  beforeOpen: { files: number; total: number };
  afterOpen: { files: number; total: number };
}

export async function widgetBytes(report: Report, startProduct: () => Promise<Target>, release: (t: Target) => void): Promise<void> {
  report.line('### Bytes a browser transfers for the widget');
  report.line();
  if (!existsSync(MODULE)) {
    report.line('- not measured: bench/widget-bytes.ts (the Chromium measurement) is not in the tree yet');
    report.line();
    return;
  }
  const mod = (await import(pathToFileURL(MODULE).href)) as { measureWidgetBytes?: unknown };
  if (typeof mod.measureWidgetBytes !== 'function') {
    report.line('- not measured: bench/widget-bytes.ts does not export measureWidgetBytes');
    report.line();
    return;
  }
  const measure = mod.measureWidgetBytes as (opts: { serverUrl: string; acceptEncoding?: string }) => Promise<WidgetBytes>;
  const product = await startProduct();
  try {
    const rows: (string | number)[][] = [];
    // The browser's own Accept-Encoding (gzip, deflate, br, zstd), then gzip alone.
    for (const acceptEncoding of [undefined, 'gzip, deflate']) {
      const b = await measure({ serverUrl: product.url, acceptEncoding });
      const kb = (x: number) => (x / 1024).toFixed(2);
      rows.push([b.acceptEncoding, kb(b.beforeOpen.files), kb(b.beforeOpen.total), kb(b.afterOpen.files), kb(b.afterOpen.total)]);
    }
    report.table(['Accept-Encoding', 'before opening: files KB', 'before opening: all KB (target ≤ 10)', 'after opening: files KB', 'after opening: all KB (target ≤ 30)'], rows);
    report.line('- measured in Chromium by bench/widget-bytes.ts on the demo page at the server\'s other local name (another origin); "all" includes Socket.IO\'s traffic');
  } catch (err) {
    report.line(`- not measured: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    await product.child.stop();
    release(product);
  }
  report.line();
}
