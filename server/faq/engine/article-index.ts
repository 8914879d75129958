/**
 * Help articles, searchable like FAQ entries: an article is an entry whose "variants" are its title,
 * its summary and the first passages of its body. Articles are offered as links when no FAQ entry is
 * confident, so a passage that matches is enough.
 */
import { FaqIndex, type Hit, type Lang } from './faq-index.ts';

export interface ArticleDoc { id: string; title: string; summary: string; body: string; language: Lang }

/** Long bodies add noise and cost, not recall: the opening passages say what an article is about. */
const MAX_PASSAGES = 20;
const PASSAGE_CHARS = 300;
const MIN_COVERAGE = 0.5;

/** Splits a body into passages of about PASSAGE_CHARS, at sentence ends where possible. */
function passages(body: string): string[] {
  const sentences = body.split(/(?<=[.!?。！？\n])\s*/).filter((s) => s.trim());
  const out: string[] = [];
  let current = '';
  for (const s of sentences) {
    if (current && current.length + s.length > PASSAGE_CHARS) {
      out.push(current);
      if (out.length === MAX_PASSAGES) return out;
      current = '';
    }
    current += (current ? ' ' : '') + s.slice(0, PASSAGE_CHARS * 2);
  }
  if (current) out.push(current);
  return out;
}

export class ArticleIndex {
  private readonly index = new FaqIndex();

  get size(): number {
    return this.index.size;
  }

  /** Adds or replaces an article; the next search sees it. */
  upsert(a: ArticleDoc): void {
    const variants = [a.summary, ...passages(a.body)].filter((t) => t.trim());
    this.index.upsert({ id: a.id, question: a.title, variants, language: a.language });
  }

  remove(id: string): void {
    this.index.remove(id);
  }

  /**
   * Articles relevant to a question, best first. Only articles that contain at least half of the
   * question's meaningful words are returned: a link about something else is worse than no link.
   */
  search(q: string, limit = 3): Hit[] {
    return this.index
      .explain(q, limit)
      .filter((c) => c.coverage >= MIN_COVERAGE)
      .map(({ id, confidence }) => ({ id, confidence }));
  }
}
