/**
 * The per-site FAQ and article indexes, in a worker thread (faq.service.ts sends the rows and asks the
 * questions). Building a site's index takes about a second of CPU at 10,000 variants, and one entry can
 * take 50 ms on its own: on the main thread that held up every socket of the node.
 */
import { workerData } from 'node:worker_threads';
import { ArticleIndex, decide, FaqIndex, stripPleasantries, type ArticleDoc, type Decision, type FaqDoc, type Hit } from './engine/index.ts';
import { serve } from './thread.ts';

export type IndexRequest =
  | { op: 'build'; siteId: string; entries: FaqDoc[]; articles: ArticleDoc[] }
  | { op: 'drop'; siteId: string }
  | { op: 'upsertFaq'; siteId: string; doc: FaqDoc }
  | { op: 'removeFaq'; siteId: string; id: string }
  | { op: 'upsertArticle'; siteId: string; doc: ArticleDoc }
  | { op: 'removeArticle'; siteId: string; id: string }
  | { op: 'decide'; siteId: string; text: string; threshold: number }
  | { op: 'search'; siteId: string; text: string; limit: number }
  | { op: 'articles'; siteId: string; text: string; limit: number };

export type IndexResponse = Decision | Hit[] | null;

/** A build yields after running this long, so that other sites' questions are answered meanwhile. */
const BUILD_SLICE_MS = 10;

const sites = new Map<string, { faq: FaqIndex; articles: ArticleIndex }>();
/** The latest build or drop asked for each site: a build overtaken by a later one is thrown away. */
const latest = new Map<string, number>();
let asked = 0;

function site(siteId: string) {
  const idx = sites.get(siteId);
  // faq.service.ts builds a site before asking anything of it (and builds again after a restart of this worker).
  if (!idx) throw new Error(`no index for site ${siteId}`);
  return idx;
}

/** A change to a site without an index (dropped, or its build overtaken) is in the database for the next build. */
const ifBuilt = (siteId: string, change: (idx: { faq: FaqIndex; articles: ArticleIndex }) => void) => {
  const idx = sites.get(siteId);
  if (idx) change(idx);
  return null;
};

async function build(siteId: string, entries: FaqDoc[], articles: ArticleDoc[]): Promise<void> {
  const ticket = ++asked;
  latest.set(siteId, ticket);
  const idx = { faq: new FaqIndex(), articles: new ArticleIndex() };
  let sliceStart = performance.now();
  const steps = [...entries.map((e) => () => idx.faq.upsert(e)), ...articles.map((a) => () => idx.articles.upsert(a))];
  for (const step of steps) {
    step();
    if (performance.now() - sliceStart >= BUILD_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  if (latest.get(siteId) === ticket) sites.set(siteId, idx);
}

export async function handle(req: IndexRequest): Promise<IndexResponse> {
  switch (req.op) {
    case 'build':
      await build(req.siteId, req.entries, req.articles);
      return null;
    case 'drop':
      latest.set(req.siteId, ++asked);
      sites.delete(req.siteId);
      return null;
    case 'upsertFaq':
      return ifBuilt(req.siteId, (idx) => idx.faq.upsert(req.doc));
    case 'removeFaq':
      return ifBuilt(req.siteId, (idx) => idx.faq.remove(req.id));
    case 'upsertArticle':
      return ifBuilt(req.siteId, (idx) => idx.articles.upsert(req.doc));
    case 'removeArticle':
      return ifBuilt(req.siteId, (idx) => idx.articles.remove(req.id));
    case 'decide':
      return decide(site(req.siteId).faq, req.text, { threshold: req.threshold });
    case 'search':
      return site(req.siteId).faq.search(stripPleasantries(req.text), req.limit);
    case 'articles':
      return site(req.siteId).articles.search(req.text, req.limit);
  }
}

// Started as a worker (thread.ts names this file in workerData), not imported.
if ((workerData as { entry?: string } | null)?.entry === import.meta.url) serve(handle);
