/** Where a CPU profile (V8 .cpuprofile) spends its time: by function and by package or project folder. */
import { readFileSync } from 'node:fs';
import { root } from './proc.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/**
 * In samples, not in time deltas: on a loaded machine the process waits for a core, and the wait
 * would be charged to whichever function the next sample lands in.
 */
export interface ProfileSummary {
  busySamples: number;
  idleSamples: number;
  functions: { name: string; samples: number; pct: number }[];
  areas: { name: string; samples: number; pct: number }[];
  /** The project's own functions (server/, shared/), with everything they called synchronously. */
  project: { name: string; samples: number; pct: number }[];
}

const META = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  return path.startsWith(root) ? path.slice(root.length + 1) : path;
}

/** A package (`drizzle-orm`, `@electric-sql/pglite`), a project folder (`server/conversations`), or Node itself. */
function area(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (META.has(functionName)) return functionName;
  if (url.startsWith('wasm:')) return 'PGlite (WebAssembly)';
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node: internals';
  const short = shortUrl(url);
  if (url.includes('/node_modules/')) {
    const parts = short.split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const parts = short.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  for (const [id, n] of self) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idle += n;
      continue;
    }
    busy += n;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = url.startsWith('wasm:')
      ? '(PGlite WebAssembly, all functions)'
      : META.has(functionName) || !url
        ? functionName || '(anonymous)'
        : `${functionName || '(anonymous)'} ${shortUrl(url)}${url.includes('/node_modules/') || url.startsWith('node:') ? `:${lineNumber + 1}` : ''}`;
    fns.set(name, (fns.get(name) ?? 0) + n);
    const a = area(node);
    areas.set(a, (areas.get(a) ?? 0) + n);
  }
  const rank = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, samples]) => ({ name, samples, pct: Math.round((samples / busy) * 1000) / 10 }));
  return { busySamples: busy, idleSamples: idle, functions: rank(fns, top), areas: rank(areas, top), project: rank(inclusiveProject(profile, self), top) };
}

/** Samples under each project function, counted once per sample however deep the recursion. */
function inclusiveProject(profile: CpuProfile, self: Map<number, number>): Map<string, number> {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  for (const [id, n] of self) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    const names = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url } = byId.get(at)!.callFrame;
      const short = url ? shortUrl(url) : '';
      // No line: tsx's transpiled code has other line numbers than the source.
      if (!url.includes('/node_modules/') && /^(server|shared)\//.test(short)) names.add(`${functionName || '(anonymous)'} ${short}`);
    }
    for (const name of names) totals.set(name, (totals.get(name) ?? 0) + n);
  }
  return totals;
}
