/**
 * Per-site FAQ and article indexes, kept in memory as a cache of the database. A change is applied
 * to the index incrementally (one entry, not a rebuild) and announced to the other nodes, which
 * reload that one entry from the database: the next question on any node sees it.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { articles, faqEntries, type Article, type FaqEntry } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { ArticleIndex, decide, FaqIndex, DEFAULT_THRESHOLD, type Decision } from './engine/index.ts';

interface SiteIndexes {
  faq: FaqIndex;
  entries: Map<string, FaqEntry>;
  articles: ArticleIndex;
  articleRows: Map<string, Article>;
}

/**
 * A build yields to the event loop after running this long (then at the end of the entry it is on):
 * slices of 500 texts took 33–84 ms of CPU at 10,000 variants (npm run bench:stalls), more than the
 * 50 ms a socket event may wait, and how long a text takes depends on the entry and the machine.
 */
const BUILD_SLICE_MS = 10;

export type IndexChange = { siteId: string; kind: 'faq' | 'article'; id: string };

export class FaqService {
  private readonly sites = new Map<string, Promise<SiteIndexes>>();
  /** Set by the realtime layer: tells the other nodes about a change made here. */
  broadcast: (change: IndexChange) => void = () => {};

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  private load(siteId: string): Promise<SiteIndexes> {
    let p = this.sites.get(siteId);
    if (!p) {
      p = this.build(siteId);
      this.sites.set(siteId, p);
      p.catch(() => this.sites.delete(siteId));
    }
    return p;
  }

  private async build(siteId: string): Promise<SiteIndexes> {
    const started = performance.now();
    const [entryRows, articleRows] = await Promise.all([
      this.db.select().from(faqEntries).where(eq(faqEntries.siteId, siteId)),
      this.db.select().from(articles).where(eq(articles.siteId, siteId)),
    ]);
    const idx: SiteIndexes = { faq: new FaqIndex(), entries: new Map(), articles: new ArticleIndex(), articleRows: new Map() };
    // In slices of about BUILD_SLICE_MS, yielding between them: a site with 10,000 variants must not
    // hold up message delivery.
    let sliceStart = performance.now();
    const yieldWhenDue = async () => {
      if (performance.now() - sliceStart < BUILD_SLICE_MS) return;
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    };
    for (const e of entryRows) {
      this.putEntry(idx, e);
      await yieldWhenDue();
    }
    for (const a of articleRows) {
      this.putArticle(idx, a);
      await yieldWhenDue();
    }
    this.log.debug({ siteId, entries: entryRows.length, ms: Math.round(performance.now() - started) }, 'faq index built');
    return idx;
  }

  private putEntry(idx: SiteIndexes, e: FaqEntry): void {
    idx.entries.set(e.id, e);
    idx.faq.upsert({ id: e.id, question: e.question, variants: e.variants, answer: e.answer, language: e.language, tags: e.tags });
  }

  private putArticle(idx: SiteIndexes, a: Article): void {
    idx.articleRows.set(a.id, a);
    idx.articles.upsert({ id: a.id, title: a.title, summary: a.summary, body: a.body, language: a.language });
  }

  async decide(siteId: string, text: string, threshold?: number | null): Promise<Decision> {
    const idx = await this.load(siteId);
    return decide(idx.faq, text, { threshold: threshold ?? DEFAULT_THRESHOLD });
  }

  async entry(siteId: string, entryId: string): Promise<FaqEntry | undefined> {
    return (await this.load(siteId)).entries.get(entryId);
  }

  /** Up to `limit` articles relevant to a question, as links. */
  async articlesFor(siteId: string, text: string, limit = 3): Promise<{ url: string; title: string }[]> {
    const idx = await this.load(siteId);
    return idx.articles
      .search(text, limit)
      .map((h) => idx.articleRows.get(h.id))
      .filter((a): a is Article => !!a)
      .map((a) => ({ url: a.url, title: a.title }));
  }

  /** Called after a write on this node: update here, then tell the others. */
  async changed(change: IndexChange): Promise<void> {
    await this.apply(change);
    this.broadcast(change);
  }

  /** Reloads one entry or article from the database into a loaded index. */
  async apply(change: IndexChange): Promise<void> {
    if (change.id === '*') return void this.sites.delete(change.siteId);
    const pending = this.sites.get(change.siteId);
    if (!pending) return; // not loaded here: it will be read fresh when first needed
    const idx = await pending;
    if (change.kind === 'faq') {
      const [row] = await this.db.select().from(faqEntries).where(eq(faqEntries.id, change.id));
      if (row) this.putEntry(idx, row);
      else {
        idx.entries.delete(change.id);
        idx.faq.remove(change.id);
      }
    } else {
      const [row] = await this.db.select().from(articles).where(eq(articles.id, change.id));
      if (row) this.putArticle(idx, row);
      else {
        idx.articleRows.delete(change.id);
        idx.articles.remove(change.id);
      }
    }
  }

  /** Drops a site's indexes (bulk import): they are rebuilt on the next question. */
  invalidate(siteId: string, broadcast = true): void {
    this.sites.delete(siteId);
    if (broadcast) this.broadcast({ siteId, kind: 'faq', id: '*' });
  }
}
