/**
 * Per-site FAQ and article indexes, kept in memory as a cache of the database. A change is applied
 * to the index incrementally (one entry, not a rebuild) and announced to the other nodes, which
 * reload that one entry from the database: the next question on any node sees it.
 * The indexes themselves live in a worker thread (faq-index.worker.ts): building one takes about a second
 * of CPU at 10,000 variants, which on the main thread held up message delivery (npm run bench:stalls).
 * Here: the rows, for answers and links, and the order of things.
 * Only published entries are indexed (a draft answers nobody), each with its active learned variants.
 *
 * An announcement can be lost (Redis pub/sub keeps nothing for a node that is not listening, and
 * nothing is sent while the publishing node's connection is down), so no answer comes from an index
 * last compared with the database more than `maxStaleMs` ago (index-version.ts: one statement). A
 * site asked about is compared in the background once half of that has passed, so its questions do
 * not wait; the first question after a longer quiet spell waits for the comparison. An index found
 * behind is built again in the background while the old one answers.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { articles, faqEntries, type Article, type FaqEntry } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { type ArticleDoc, type Decision, type FaqDoc, type Hit } from './engine/index.ts';
import type { IndexRequest, IndexResponse } from './faq-index.worker.ts';
import { ThreadClient } from './thread.ts';
import { FaqCalibrations } from './calibration.ts';
import { activeLearned, Holdings, indexedEntries, readVersion, rowVersion } from './index-version.ts';

interface SiteRows {
  entries: Map<string, FaqEntry>;
  articleRows: Map<string, Article>;
  /** The version of what the index holds, to compare with the database's. */
  held: Holdings;
}

/** A site whose index is loaded here, or being loaded. */
interface Loaded {
  ready: Promise<SiteRows>;
  /** Once ready: the rows the worker's index was built from, with every change applied since. */
  rows?: SiteRows;
  /** When the index was last known to hold what the database held (performance.now()). */
  checkedAt: number;
  checking?: Promise<void>;
  /** A build that replaces this index once done; the old one answers meanwhile. */
  rebuilding?: Promise<void>;
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
  private readonly sites = new Map<string, Loaded>();
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

  /** `maxStaleMs`: config.faqMaxStaleMs, where its default is explained. */
  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly opts: { maxStaleMs: number },
  ) {}

  private load(siteId: string): Promise<SiteRows> {
    const site = this.sites.get(siteId);
    if (!site) {
      const loaded: Loaded = { ready: this.build(siteId), checkedAt: performance.now() };
      loaded.ready.then(
        (rows) => (loaded.rows = rows),
        () => this.sites.get(siteId) === loaded && this.sites.delete(siteId),
      );
      this.sites.set(siteId, loaded);
      return loaded.ready;
    }
    // A site in use is compared in the background and its questions never wait; one asked about after
    // a quiet spell longer than the bound waits for the comparison (and for a rebuild, if one is needed).
    const age = performance.now() - site.checkedAt;
    if (age < this.opts.maxStaleMs / 2) return site.ready;
    const checking = (site.checking ??= this.check(siteId, site).finally(() => (site.checking = undefined)));
    return age < this.opts.maxStaleMs ? site.ready : checking.then(() => this.load(siteId));
  }

  private async build(siteId: string): Promise<SiteRows> {
    const started = performance.now();
    const [entryRows, articleRows, learnedRows] = await Promise.all([
      this.db.select({ row: faqEntries, version: rowVersion(faqEntries) }).from(faqEntries).where(indexedEntries(siteId)),
      this.db.select({ row: articles, version: rowVersion(articles) }).from(articles).where(eq(articles.siteId, siteId)),
      activeLearned(this.db, { siteId }),
    ]);
    const held = new Holdings();
    const learned = new Map<string, { texts: string[]; versions: number[] }>();
    for (const l of learnedRows) {
      const of = learned.get(l.entryId) ?? { texts: [], versions: [] };
      of.texts.push(l.text);
      of.versions.push(l.version);
      learned.set(l.entryId, of);
    }
    for (const [entryId, of] of learned) held.set(`learned:${entryId}`, of.versions);
    for (const e of entryRows) held.set(`faq:${e.row.id}`, [e.version]);
    for (const a of articleRows) held.set(`article:${a.row.id}`, [a.version]);
    const docs = entryRows.map((e) => faqDoc(e.row, learned.get(e.row.id)?.texts));
    await this.thread.call({ op: 'build', siteId, entries: docs, articles: articleRows.map((a) => articleDoc(a.row)) });
    this.log.debug({ siteId, entries: entryRows.length, ms: Math.round(performance.now() - started) }, 'faq index built');
    return {
      entries: new Map(entryRows.map((e) => [e.row.id, e.row])),
      articleRows: new Map(articleRows.map((a) => [a.row.id, a.row])),
      held,
    };
  }

  /**
   * Compares a site's index with the database; if it missed a change, builds it again and calibrates
   * the site again (the node that made the change may be gone, or the change may come from no node).
   * A failed comparison leaves the index as it is until the next one.
   */
  private async check(siteId: string, site: Loaded): Promise<void> {
    const started = performance.now();
    try {
      await site.ready;
      const version = await readVersion(this.db, siteId);
      if (this.sites.get(siteId) !== site) return; // dropped meanwhile: built afresh when next asked
      // Equal, the index holds what the database held when it answered. A change applied here meanwhile
      // makes them differ: a rebuild too many, never one too few.
      if (site.rows!.held.matches(version)) {
        site.checkedAt = started;
        return;
      }
      this.log.info({ siteId }, 'faq index differs from the database (a change not heard of, or one being applied): building it again');
      await this.rebuild(siteId, site);
      this.calibrations.changed(siteId);
    } catch (err) {
      this.log.warn({ err, siteId }, 'faq index check failed');
      site.checkedAt = performance.now();
    }
  }

  /** Builds a site's index again; the worker swaps it in when done, and the old one answers until then. */
  private rebuild(siteId: string, site: Loaded): Promise<void> {
    const started = performance.now();
    const rebuilding = this.build(siteId).then((rows) => {
      if (this.sites.get(siteId) !== site) return;
      site.rows = rows;
      site.ready = Promise.resolve(rows);
      site.checkedAt = started;
    });
    const done: Promise<void> = rebuilding.finally(() => {
      if (site.rebuilding === done) site.rebuilding = undefined;
    });
    site.rebuilding = done;
    return done;
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
    const { siteId, id } = change;
    for (;;) {
      const site = this.sites.get(siteId);
      if (!site) return; // not loaded here: it will be read fresh when first needed
      await site.rebuilding?.catch(() => {});
      const rows = await site.ready;
      const put = change.kind === 'faq' ? await this.readEntry(id) : await this.readArticle(id);
      // Built again or dropped while this was read: the new index may be newer than what was read, so
      // it is read again on top of it (else the index could go back to the older row, and its version with it).
      if (this.sites.get(siteId) !== site || site.rows !== rows || site.rebuilding) continue;
      return put(siteId, rows);
    }
  }

  /**
   * Reads an entry and its learned variants; resolves with what puts them in an index, rows, version
   * and worker alike, without a pause in between (apply checks the index is still the one it read for).
   */
  private async readEntry(id: string) {
    const [[found], learned] = await Promise.all([
      this.db.select({ row: faqEntries, version: rowVersion(faqEntries) }).from(faqEntries).where(eq(faqEntries.id, id)),
      activeLearned(this.db, { entryId: id }),
    ]);
    // A draft is not in the index: publishing it adds it, turning it back into a draft takes it out.
    const row = found?.row.status === 'draft' ? undefined : found?.row;
    return async (siteId: string, rows: SiteRows) => {
      if (row) rows.entries.set(id, row);
      else rows.entries.delete(id);
      rows.held.set(`faq:${id}`, row ? [found!.version] : []);
      rows.held.set(`learned:${id}`, learned.map((l) => l.version));
      await this.thread.call(row ? { op: 'upsertFaq', siteId, doc: faqDoc(row, learned.map((l) => l.text)) } : { op: 'removeFaq', siteId, id });
    };
  }

  /** The same for an article. */
  private async readArticle(id: string) {
    const [found] = await this.db.select({ row: articles, version: rowVersion(articles) }).from(articles).where(eq(articles.id, id));
    return async (siteId: string, rows: SiteRows) => {
      if (found) rows.articleRows.set(id, found.row);
      else rows.articleRows.delete(id);
      rows.held.set(`article:${id}`, found ? [found.version] : []);
      await this.thread.call(found ? { op: 'upsertArticle', siteId, doc: articleDoc(found.row) } : { op: 'removeArticle', siteId, id });
    };
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
