/**
 * The FAQ matching engine: pure, synchronous, no database and no I/O. The server keeps one FaqIndex
 * (and one ArticleIndex) per site, feeds it every FAQ edit, and asks `decide` what to do with a message.
 */
import type { FaqIndex, Hit } from './faq-index.ts';
import { detectSmallTalk, stripPleasantries, type SmallTalk } from './smalltalk.ts';

export { FaqIndex, type Candidate, type FaqDoc, type Hit, type Lang } from './faq-index.ts';
export { ArticleIndex, type ArticleDoc } from './article-index.ts';
export { detectSmallTalk, stripPleasantries, type SmallTalk } from './smalltalk.ts';
export { parseCsv, toCsv } from './csv.ts';

/**
 * Answer automatically at or above this confidence. On the banking77 dev split it answers 75% of the
 * queries with the full FAQ, 98% of them rightly (see docs/faq-matcher.md). Confidence is calibrated
 * rather than a raw score, so the same value holds for the 44-entry demo FAQ.
 */
export const DEFAULT_THRESHOLD = 0.8;
/** Between this and the threshold, offer up to three "did you mean…?" choices. */
export const DEFAULT_SUGGEST_THRESHOLD = 0.3;

const MAX_SUGGESTIONS = 3;
const MAX_ALTERNATIVES = 2;

export type Decision =
  | { kind: 'answer'; hit: Hit; alternatives: Hit[] }
  | { kind: 'suggest'; hits: Hit[] }
  | { kind: 'smalltalk'; type: SmallTalk }
  | { kind: 'none' };

/**
 * What to do with a visitor's message: answer with one entry, suggest a few, reply to small talk, or
 * nothing (hand over to a person). Pleasantries around a question are ignored, so "hi, how do I get a
 * refund?" is answered like "how do I get a refund".
 * @example decide(index, '怎么退款') // { kind: 'answer', hit: { id: 'refund-zh', confidence: 0.93 }, alternatives: [] }
 */
export function decide(index: FaqIndex, text: string, opts: { threshold?: number; suggestThreshold?: number } = {}): Decision {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const suggestThreshold = Math.min(opts.suggestThreshold ?? DEFAULT_SUGGEST_THRESHOLD, threshold);
  const type = detectSmallTalk(text);
  if (type) return { kind: 'smalltalk', type };
  const hits = index.search(stripPleasantries(text), MAX_SUGGESTIONS + 1);
  const plausible = hits.filter((h) => h.confidence >= suggestThreshold);
  if (hits.length > 0 && hits[0].confidence >= threshold) {
    return { kind: 'answer', hit: hits[0], alternatives: plausible.slice(1, 1 + MAX_ALTERNATIVES) };
  }
  if (plausible.length > 0) return { kind: 'suggest', hits: plausible.slice(0, MAX_SUGGESTIONS) };
  return { kind: 'none' };
}
