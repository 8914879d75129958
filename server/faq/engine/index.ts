// PLACEHOLDER written by the lead so the server can run while the matcher is tuned; the matcher
// helper owns this file and replaces it whole.
export type Lang = 'zh' | 'en';
export interface FaqDoc { id: string; question: string; variants: string[]; answer?: string; language: Lang; tags?: string[] }
export interface Hit { id: string; confidence: number }
export type SmallTalk = 'greeting' | 'thanks' | 'goodbye' | 'smalltalk';
export type Decision = { kind: 'answer'; hit: Hit; alternatives: Hit[] } | { kind: 'suggest'; hits: Hit[] } | { kind: 'smalltalk'; type: SmallTalk } | { kind: 'none' };
export const DEFAULT_THRESHOLD = 0.5;
export const DEFAULT_SUGGEST_THRESHOLD = 0.3;
const seg = new Intl.Segmenter('zh', { granularity: 'word' });
function toks(t: string): Set<string> {
  const out = new Set<string>();
  for (const s of seg.segment(t.toLowerCase())) if (s.isWordLike) { out.add(s.segment); for (const ch of s.segment) if (/[\u3400-\u9fff]/.test(ch)) out.add(ch); }
  return out;
}
function sim(a: Set<string>, b: Set<string>) { let n = 0; for (const x of a) if (b.has(x)) n++; return n / Math.max(1, Math.max(a.size, b.size)); }
class Base<T> {
  protected docs = new Map<string, Set<string>[]>();
  get size() { return this.docs.size; }
  remove(id: string) { this.docs.delete(id); }
  search(q: string, limit = 3): Hit[] {
    const qt = toks(q);
    return [...this.docs].map(([id, ts]) => ({ id, confidence: Math.max(...ts.map((t) => sim(qt, t))) })).filter((h) => h.confidence > 0).sort((a, b) => b.confidence - a.confidence).slice(0, limit);
  }
  protected put(id: string, texts: string[]) { this.docs.set(id, texts.map(toks)); }
  declare _t: T;
}
export class FaqIndex extends Base<FaqDoc> { upsert(d: FaqDoc) { this.put(d.id, [d.question, ...d.variants]); } }
export class ArticleIndex extends Base<unknown> { upsert(a: { id: string; title: string; summary: string; body: string; language: Lang }) { this.put(a.id, [a.title, a.summary]); } }
export function detectSmallTalk(text: string): SmallTalk | null {
  const t = text.trim().toLowerCase();
  if (/^(hi|hello|hey|你好|您好)[!.！。 ]*$/.test(t)) return 'greeting';
  if (/^(thanks|thank you|谢谢)[!.！。 ]*$/.test(t)) return 'thanks';
  return null;
}
export function decide(index: FaqIndex, text: string, opts: { threshold?: number; suggestThreshold?: number } = {}): Decision {
  const st = detectSmallTalk(text);
  if (st) return { kind: 'smalltalk', type: st };
  const hits = index.search(text, 3);
  if (hits[0] && hits[0].confidence >= (opts.threshold ?? DEFAULT_THRESHOLD)) return { kind: 'answer', hit: hits[0], alternatives: hits.slice(1) };
  const sugg = hits.filter((h) => h.confidence >= (opts.suggestThreshold ?? DEFAULT_SUGGEST_THRESHOLD));
  return sugg.length ? { kind: 'suggest', hits: sugg } : { kind: 'none' };
}
