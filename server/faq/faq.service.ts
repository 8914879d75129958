/**
 * Per-site FAQ and article indexes, kept in memory as a cache of the database. A change is applied
 * to the index incrementally (one entry, not a rebuild) and announced to the other nodes, which
 * reload that one entry from the database: the next question on any node sees it.
 * The indexes themselves live in a worker thread (faq-index.worker.ts): building one takes about a second
 * of CPU at 10,000 variants, which on the main thread held up message delivery (npm run bench:stalls).
 * Here: the rows, for answers and links, and the order of things.
 * Only published entries are indexed (a draft answers nobody), each with its active learned variants.
 */
import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { articles, faqEntries, type Article, type FaqEntry } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { type ArticleDoc, type Decision, type FaqDoc, type Hit } from './engine/index.ts';
import type { IndexRequest, IndexResponse } from './faq-index.worker.ts';
import { ThreadClient } from './thread.ts';
import { FaqCalibrations } from './calibration.ts';
import { activeTexts } from './learned.repository.ts';

interface SiteRows {
  entries: Map<string, FaqEntry>;
  articleRows: Map<string, Article>;
}

export type IndexChange = { siteId: string; kind: 'faq' | 'article'; id: string };

const faqDoc = (e: FaqEntry, learned: string[] = []): FaqDoc => ({
  id: e.id,
  question: e.question,
  variants: learned.length ? [...new Set([...e.variants, ...learned])] : e.variants,
  answer: e.answer,
  language: e.language,
  tags: e.tags,
});
const articleDoc = (a: Article): ArticleDoc => ({ id: a.id, title: a.title, summary: a.summary, body: a.body, language: a.language });

export class FaqService {
  private readonly sites = new Map<string, Promise<SiteRows>>();
  /** Set by the realtime layer: tells the other nodes about a change made here. */
  broadcast: (change: IndexChange) => void = () => {};
  /** If the worker stops or is stopped as stuck (it should not be), its indexes are gone: every site is built again when next asked. */
  private readonly thread = new ThreadClient<IndexRequest, IndexResponse>(new URL('./faq-index.worker.ts', import.meta.url), {
    // An index of 10,000 variants builds in about a second and a search takes a millisecond or two:
    // a request unanswered for 20 s is a stuck worker, and every visitor's question waits behind it.
    stallMs: 20_000,
    onExit: () => this.sites.clear(),
  });
  /** Each site's threshold, calibrated from its FAQ again after every change (calibration.ts). */
  readonly calibrations = new FaqCalibrations(this.db, this.log);

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  private load(siteId: string): Promise<SiteRows> {
    let p = this.sites.get(siteId);
    if (!p) {
      p = this.build(siteId);
      this.sites.set(siteId, p);
      p.catch(() => this.sites.delete(siteId));
    }
    return p;
  }

  private async build(siteId: string): Promise<SiteRows> {
    const started = performance.now();
    const [entryRows, articleRows, learnedRows] = await Promise.all([
      this.db.select().from(faqEntries).where(and(eq(faqEntries.siteId, siteId), ne(faqEntries.status, 'draft'))),
      this.db.select().from(articles).where(eq(articles.siteId, siteId)),
      activeTexts(this.db, { siteId }),
    ]);
    const learned = new Map<string, string[]>();
    for (const l of learnedRows) learned.set(l.entryId, [...(learned.get(l.entryId) ?? []), l.text]);
    const docs = entryRows.map((e) => faqDoc(e, learned.get(e.id)));
    await this.thread.call({ op: 'build', siteId, entries: docs, articles: articleRows.map(articleDoc) });
    this.log.debug({ siteId, entries: entryRows.length, ms: Math.round(performance.now() - started) }, 'faq index built');
    return { entries: new Map(entryRows.map((e) => [e.id, e])), articleRows: new Map(articleRows.map((a) => [a.id, a])) };
  }

  async decide(siteId: string, text: string, threshold?: number | null): Promise<Decision> {
    await this.load(siteId);
    return (await this.thread.call({ op: 'decide', siteId, text, threshold: threshold ?? (await this.calibrations.threshold(siteId)) })) as Decision;
  }

  async entry(siteId: string, entryId: string): Promise<FaqEntry | undefined> {
    return (await this.load(siteId)).entries.get(entryId);
  }

  /** The published entries closest to a question, best first, whatever their confidence (for an agent to choose from). */
  async closest(siteId: string, text: string, limit = 3): Promise<{ entry: FaqEntry; confidence: number }[]> {
    const rows = await this.load(siteId);
    const hits = (await this.thread.call({ op: 'search', siteId, text, limit })) as Hit[];
    return hits.flatMap((h) => {
      const entry = rows.entries.get(h.id);
      return entry ? [{ entry, confidence: h.confidence }] : [];
    });
  }

  /** Up to `limit` articles relevant to a question, as links. */
  async articlesFor(siteId: string, text: string, limit = 3): Promise<{ url: string; title: string }[]> {
    const rows = await this.load(siteId);
    const hits = (await this.thread.call({ op: 'articles', siteId, text, limit })) as Hit[];
    return hits
      .map((h) => rows.articleRows.get(h.id))
      .filter((a): a is Article => !!a)
      .map((a) => ({ url: a.url, title: a.title }));
  }

  /** Called after a write on this node: update here, then tell the others. */
  async changed(change: IndexChange): Promise<void> {
    await this.apply(change);
    this.broadcast(change);
    if (change.kind === 'faq') this.calibrations.changed(change.siteId);
  }

  /** Reloads one entry or article from the database into a loaded index. */
  async apply(change: IndexChange): Promise<void> {
    if (change.id === '*') return this.invalidate(change.siteId, false);
    const pending = this.sites.get(change.siteId);
    if (!pending) return; // not loaded here: it will be read fresh when first needed
    const rows = await pending;
    const { siteId, id } = change;
    if (change.kind === 'faq') {
      const [[found], learned] = await Promise.all([
        this.db.select().from(faqEntries).where(eq(faqEntries.id, id)),
        activeTexts(this.db, { entryId: id }),
      ]);
      // A draft is not in the index: publishing it adds it, turning it back into a draft takes it out.
      const row = found?.status === 'draft' ? undefined : found;
      if (row) rows.entries.set(id, row);
      else rows.entries.delete(id);
      await this.thread.call(row ? { op: 'upsertFaq', siteId, doc: faqDoc(row, learned.map((l) => l.text)) } : { op: 'removeFaq', siteId, id });
    } else {
      const [row] = await this.db.select().from(articles).where(eq(articles.id, id));
      if (row) rows.articleRows.set(id, row);
      else rows.articleRows.delete(id);
      await this.thread.call(row ? { op: 'upsertArticle', siteId, doc: articleDoc(row) } : { op: 'removeArticle', siteId, id });
    }
  }

  /** Drops a site's indexes (bulk import): they are rebuilt on the next question. */
  invalidate(siteId: string, broadcast = true): void {
    if (this.sites.delete(siteId)) {
      this.thread.call({ op: 'drop', siteId }).catch((err: unknown) => this.log.warn({ err }, 'faq index drop failed'));
    }
    if (broadcast) this.broadcast({ siteId, kind: 'faq', id: '*' });
    if (broadcast) this.calibrations.changed(siteId);
  }
}
