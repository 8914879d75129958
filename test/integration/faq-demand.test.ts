/**
 * "What to write next": the questions that reached a person, grouped by similarity. The grouping runs in
 * a worker thread (it takes seconds at 5,000 questions); its answer is the one the same code gives in
 * this thread, and what it says about a known set of questions holds.
 */
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations, questions, visitors } from '../../server/db/schema.ts';
import { groupQuestions } from '../../server/faq/demand.worker.ts';
import { login, startTestServer, type TestServer } from '../support/server.ts';

const ASKED = [
  ...Array.from({ length: 4 }, (_, i) => `How do I get a refund for my course${'?'.repeat(i + 1)}`),
  'How can I get a refund for a course?',
  'Can I get my money back for the course?',
  ...Array.from({ length: 3 }, () => '我的证书上名字写错了怎么办'),
  'The video player stays black on my tablet',
  'Where do I change my email address?',
  '   ',
];

describe('the FAQ demand view', () => {
  let server: TestServer;
  let cookie: string;
  beforeAll(async () => {
    server = await startTestServer('pglite');
    cookie = await login(server.url);
    const { db } = server.database;
    const start = Date.parse('2026-03-01T00:00:00Z');
    for (const [i, text] of ASKED.entries()) {
      const [visitor] = await db.insert(visitors).values({ siteId: 'demo', tokenHash: `demand-${i}` }).returning();
      const [conv] = await db.insert(conversations).values({ siteId: 'demo', visitorId: visitor.id, status: 'open' }).returning();
      const at = new Date(start + i * 60_000);
      await db.insert(questions).values({ siteId: 'demo', conversationId: conv.id, text, decision: 'human', escalatedAt: at, createdAt: at });
    }
    // Answered by the FAQ, never escalated: not demand.
    const [visitor] = await db.insert(visitors).values({ siteId: 'demo', tokenHash: 'demand-answered' }).returning();
    const [conv] = await db.insert(conversations).values({ siteId: 'demo', visitorId: visitor.id }).returning();
    await db.insert(questions).values({ siteId: 'demo', conversationId: conv.id, text: 'How do I reset my password?', decision: 'answer', createdAt: new Date(start) });
  });
  afterAll(() => server?.close());

  const demand = async (from: string, to: string) => {
    const res = await fetch(`${server.url}/api/faqs/demand?siteId=demo&from=${from}&to=${to}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: { question: string; count: number; examples: string[]; lastAskedAt: string }[] }).data;
  };

  it('groups the escalated questions as the same code does in this thread', async () => {
    const groups = await demand('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z');
    const rows = await server.database.db
      .select({ siteId: questions.siteId, text: questions.text, createdAt: questions.createdAt, conversationId: questions.conversationId })
      .from(questions)
      .where(and(eq(questions.siteId, 'demo'), isNotNull(questions.escalatedAt)))
      .orderBy(desc(questions.createdAt));
    expect(groups).toEqual(groupQuestions(rows));
  });

  it('puts the ways of asking one thing together, the largest group first, and leaves out what the FAQ answered', async () => {
    const groups = await demand('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z');
    expect(groups[0].count).toBeGreaterThanOrEqual(4);
    expect(groups[0].examples.every((q) => /refund|money back/i.test(q))).toBe(true);
    const certificate = groups.find((g) => g.question.includes('证书'));
    expect(certificate).toMatchObject({ count: 3, examples: ['我的证书上名字写错了怎么办'] });
    expect(groups.map((g) => g.question)).toEqual(expect.arrayContaining(['The video player stays black on my tablet', 'Where do I change my email address?']));
    expect(groups.flatMap((g) => g.examples)).not.toContain('How do I reset my password?');
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(ASKED.filter((q) => q.trim()).length);
  });

  it('answers with no groups for a period without questions, and keeps answering after that', async () => {
    expect(await demand('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z')).toEqual([]);
    const [a, b] = await Promise.all([demand('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z'), demand('2026-03-01T00:00:00Z', '2026-03-01T00:05:00Z')]);
    expect(a.reduce((n, g) => n + g.count, 0)).toBe(ASKED.filter((q) => q.trim()).length);
    expect(b.reduce((n, g) => n + g.count, 0)).toBe(5);
  });

  it('reads more questions than one page, each once, when many share one timestamp', async () => {
    // 2,600 escalated questions in one day, 400 of them stored in the same millisecond: pages of 1,000.
    const { db } = server.database;
    const [visitor] = await db.insert(visitors).values({ siteId: 'demo', tokenHash: 'demand-many' }).returning();
    const [conv] = await db.insert(conversations).values({ siteId: 'demo', visitorId: visitor.id, status: 'open' }).returning();
    const day = Date.parse('2026-04-01T00:00:00Z');
    const texts = ['Where is my invoice?', '课程可以退款吗'];
    const rows = Array.from({ length: 2600 }, (_, i) => {
      const at = new Date(i < 400 ? day + 3_600_000 : day + 7_200_000 + i * 1000);
      return { siteId: 'demo', conversationId: conv.id, text: texts[i % 2], decision: 'human' as const, escalatedAt: at, createdAt: at };
    });
    for (let i = 0; i < rows.length; i += 500) await db.insert(questions).values(rows.slice(i, i + 500));
    const groups = await demand('2026-04-01T00:00:00Z', '2026-04-02T00:00:00Z');
    expect(groups.map((g) => g.count).sort()).toEqual([1300, 1300]);
  });
});
