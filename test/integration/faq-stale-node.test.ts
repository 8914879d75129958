/**
 * Each node answers from its own FAQ index and hears of a change made on another node through a
 * broadcast over Redis, which keeps nothing for a node that missed it. Here every broadcast of node A
 * is lost, as while Redis is away, or a change is written to the database with no broadcast at all:
 * node B must still answer as the database says once faqMaxStaleMs has passed, never for good from
 * what it loaded before. Nothing is polled: B is asked nothing between a change and the question
 * after the wait, so its last comparison with the database is older than the bound, and that question
 * must be answered right the first time.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaqEntryDTO, SessionDTO } from '../../shared/types.ts';
import { faqEntries, faqLearnedVariants, questions, sites } from '../../server/db/schema.ts';
import type { IndexChange } from '../../server/faq/faq.service.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { twoNodes, type TwoNodes } from '../support/cluster.ts';
import { BACKENDS } from '../support/db.ts';
import { apiData, clientId, connected, login, ok, visitorSocket } from '../support/server.ts';

/** Short, so that the test waits a second; the product's is 20 s (server/config.ts). */
const MAX_STALE_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(Boolean(process.env.TEST_REDIS_URL)).each(BACKENDS)('an FAQ change whose broadcast was lost, on two nodes on %s', (backend) => {
  let cluster: TwoNodes;
  let cookie: string;
  /** The nodes' addresses: changes are made through A, questions asked on B. */
  let a: string;
  let b: string;
  const siteId = `stale-node-${backend}`;
  /** Every change A made and announced to no one. */
  const lost: IndexChange[] = [];
  beforeAll(async () => {
    cluster = await twoNodes(backend, process.env.TEST_REDIS_URL!, { faqMaxStaleMs: MAX_STALE_MS });
    await createSite(cluster.database.db, { id: siteId, name: 'Stale node', origins: [] });
    // A fixed threshold: what is answered depends on the index alone, not on a calibration in progress.
    await cluster.database.db.update(sites).set({ faqThreshold: 0.5 }).where(eq(sites.id, siteId));
    [a, b] = cluster.nodes.map((n) => n.url);
    cookie = await login(a);
    cluster.nodes[0].app.ctx.faq.broadcast = (change) => void lost.push(change);
  });
  afterAll(() => cluster?.close());

  /** A new visitor on that node asks; resolves with the entry it was answered with automatically, or null. */
  async function answeredWith(url: string, body: string): Promise<string | null> {
    const v = visitorSocket(url, { site: siteId });
    try {
      await connected(v);
      await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
      const sent = await ok<{ message: { id: string } }>(v, 'message:send', { clientId: clientId(), body });
      const [q] = await cluster.database.db.select().from(questions).where(eq(questions.messageId, sent.message.id));
      return q?.decision === 'answer' ? q.entryId : null;
    } finally {
      v.disconnect();
    }
  }

  const input = (question: string, answer: string) => ({ siteId, question, variants: [], answer, language: 'en' });
  const create = (question: string, answer: string) => apiData<FaqEntryDTO>(a, cookie, 'POST', '/api/faqs', input(question, answer));

  it('stops answering on the other node with an entry unpublished there, within the bound', async () => {
    const question = 'How do I reserve a kayak for the river tour?';
    const kayak = await create(question, 'Reserve it at the boathouse desk.');
    expect(await answeredWith(b, question)).toBe(kayak.id);

    await apiData(a, cookie, 'PUT', `/api/faqs/${kayak.id}`, { ...input(question, 'Reserve it at the boathouse desk.'), status: 'draft' });
    expect(lost).toContainEqual({ siteId, kind: 'faq', id: kayak.id });
    expect(await answeredWith(a, question)).toBeNull();
    await sleep(MAX_STALE_MS);
    expect(await answeredWith(b, question)).toBeNull();
  });

  it('starts answering on the other node with an entry added there, and stops once it is deleted, within the bound', async () => {
    const question = 'Where can I park my camper van overnight?';
    expect(await answeredWith(b, question)).toBeNull();
    const camper = await create(question, 'At the north lot, by the lake.');
    expect(lost).toContainEqual({ siteId, kind: 'faq', id: camper.id });
    await sleep(MAX_STALE_MS);
    expect(await answeredWith(b, question)).toBe(camper.id);

    await apiData(a, cookie, 'DELETE', `/api/faqs/${camper.id}`);
    await sleep(MAX_STALE_MS);
    expect(await answeredWith(b, question)).toBeNull();
  });

  it('follows changes written to the database by no node at all, whatever their updated_at says', async () => {
    const question = 'Can I rent a telescope for the stargazing night?';
    const telescope = await create(question, 'Yes, at the observatory gate.');
    const learned = 'borrow some binoculars to look at the planets';
    await sleep(MAX_STALE_MS);
    expect(await answeredWith(b, question)).toBe(telescope.id);
    expect(await answeredWith(b, learned)).toBeNull();

    // A learned variant approved by a script: a node never hears of it.
    await cluster.database.db
      .insert(faqLearnedVariants)
      .values({ siteId, entryId: telescope.id, text: learned, source: 'import', status: 'active' });
    await sleep(MAX_STALE_MS);
    expect(await answeredWith(b, learned)).toBe(telescope.id);

    // Unpublished by hand, updated_at left as it was.
    await cluster.database.db.update(faqEntries).set({ status: 'draft' }).where(eq(faqEntries.id, telescope.id));
    await sleep(MAX_STALE_MS);
    expect(await answeredWith(b, question)).toBeNull();
  });
});
