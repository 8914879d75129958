/** Canned replies in the composer: which ones match what follows `/`, and their text with the variables filled in. */
import type { CannedReplyDTO } from '../../shared/types.ts';

export interface CannedVars {
  visitorName: string | null;
  visitorEmail: string | null;
  agentName: string | null;
}

/**
 * The body with {visitor.name}, {visitor.email} and {agent.name} filled in; an unknown value
 * becomes empty (a visitor must never read a placeholder), other braces stay as written.
 * @example fillCanned('Hi {visitor.name}', { visitorName: 'Ada', visitorEmail: null, agentName: 'Mei' }) // 'Hi Ada'
 */
export function fillCanned(body: string, vars: CannedVars): string {
  const values: Record<string, string | null> = { 'visitor.name': vars.visitorName, 'visitor.email': vars.visitorEmail, 'agent.name': vars.agentName };
  return body
    .replace(/\{(visitor\.name|visitor\.email|agent\.name)\}/g, (_, key: string) => values[key] ?? '')
    .replace(/[ \t]+([,，.。!！?？])/g, '$1')
    .trim();
}

/** The replies whose code, title or body holds `query` (any case), codes that start with it first; the agent's own before the site's. */
export function matchCanned(replies: readonly CannedReplyDTO[], query: string): CannedReplyDTO[] {
  const q = query.trim().toLowerCase();
  const rank = (r: CannedReplyDTO) => {
    const code = r.shortCode.toLowerCase();
    if (code.startsWith(q)) return 0;
    if (code.includes(q) || r.title.toLowerCase().includes(q)) return 1;
    return r.body.toLowerCase().includes(q) ? 2 : -1;
  };
  return replies
    .map((r) => ({ r, rank: rank(r) }))
    .filter((x) => x.rank >= 0)
    .sort((a, b) => a.rank - b.rank || Number(b.r.personal) - Number(a.r.personal) || a.r.shortCode.localeCompare(b.r.shortCode))
    .map((x) => x.r);
}

/** What follows a `/` that starts the reply box, or null when the box does not start with one (or holds a second line). */
export function cannedQuery(text: string): string | null {
  const m = /^\/(\S*)$/.exec(text);
  return m ? m[1] : null;
}
