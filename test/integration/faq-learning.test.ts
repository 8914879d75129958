/**
 * The FAQ learns from agents: an agent answers a question the matcher left to a person with an FAQ
 * entry's answer, and the next visitor asking the same thing is answered automatically. Drafts made
 * from conversations answer nobody until published; a site can ask for review of what is learned.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questions } from '../../server/db/schema.ts';
import { MASK } from '../../server/faq/mask.ts';
import type { ConversationDTO, FaqAssistDTO, FaqEntryDTO, LearnedVariantDTO, SessionDTO } from '../../shared/types.ts';
import { BACKENDS } from '../support/db.ts';
import { agentSocket, api, clientId, connected, login, ok, startTestServer, visitorSocket, type AgentClientSocket, type TestServer } from '../support/server.ts';

describe.each(BACKENDS)('learning from agents on %s', (backend) => {
  let server: TestServer;
  let cookie: string;
  let agent: AgentClientSocket;
  beforeAll(async () => {
    server = await startTestServer(backend);
    cookie = await login(server.url);
    agent = agentSocket(server.url, cookie);
    await connected(agent);
    // The first question builds the site's index and calibration in worker threads: on a loaded
    // machine that outlasts an ack's usual wait, so it is asked here, with time to spare.
    const v = visitorSocket(server.url);
    await connected(v);
    await v.timeout(50_000).emitWithAck('session:hello', { locale: 'en' });
    await v.timeout(50_000).emitWithAck('message:send', { clientId: clientId(), body: 'hello, how do I get a refund?' });
    v.disconnect();
  });
  afterAll(() => server?.close());

  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await api<T>(server.url, cookie, method, path, body);
    if (!res.body.ok) throw new Error(`${method} ${path}: ${res.status} ${res.body.error.code}`);
    return res.body.data;
  };

  /** A new visitor asks; resolves with what the matcher decided, and the conversation. */
  async function ask(body: string) {
    const v = visitorSocket(server.url);
    await connected(v);
    await ok<SessionDTO>(v, 'session:hello', { locale: 'en' });
    const sent = await ok<{ message: { id: string }; conversation: ConversationDTO }>(v, 'message:send', { clientId: clientId(), body });
    const [q] = await server.database.db.select().from(questions).where(eq(questions.messageId, sent.message.id));
    return { v, conversation: sent.conversation, messageId: sent.message.id, decision: q?.decision, entryId: q?.entryId ?? null };
  }

  /** A visitor's question handed to this agent, as the console has it. */
  async function handedOver(body: string) {
    const asked = await ask(body);
    await ok(asked.v, 'conversation:escalate', { conversationId: asked.conversation.id });
    await ok(agent, 'conversation:claim', { conversationId: asked.conversation.id });
    return asked;
  }

  const entry = (question: string, answer: string, extra: Record<string, unknown> = {}) =>
    call<FaqEntryDTO>('POST', '/api/faqs', { siteId: 'demo', question, variants: [], answer, language: 'en', ...extra });

  it('answers the next visitor automatically once an agent answered the same question with an FAQ entry', async () => {
    const dogs = await entry('Can I bring my dog to the live workshop?', 'Dogs are welcome at the outdoor workshops.');
    const first = await handedOver('is my labrador allowed at the seminar, booking 2024112233');
    expect(first.decision).not.toBe('answer');

    // The agent looks for the entry (the visitor's words are far from it), inserts its answer and sends it.
    const found = await call<FaqAssistDTO>('POST', '/api/faqs/assist', { conversationId: first.conversation.id, text: 'dog workshop' });
    const hit = found.hits.find((h) => h.entryId === dogs.id)!;
    expect(hit).toMatchObject({ answer: dogs.answer });
    expect(hit.confidence).toBeGreaterThan(0);
    const asked = await call<FaqAssistDTO>('POST', '/api/faqs/assist', { conversationId: first.conversation.id });
    expect(asked).toMatchObject({ question: 'is my labrador allowed at the seminar, booking 2024112233', questionMessageId: first.messageId });
    await ok(agent, 'message:send', { conversationId: first.conversation.id, clientId: clientId(), body: `${hit.answer} See you there!` });
    const learned = await call<LearnedVariantDTO>('POST', '/api/faqs/learned', {
      conversationId: first.conversation.id,
      entryId: dogs.id,
      source: 'assist',
      questionMessageId: asked.questionMessageId,
    });
    expect(learned).toMatchObject({ entryId: dogs.id, source: 'assist', status: 'active', conversationId: first.conversation.id, agentName: expect.any(String) });
    expect(learned.text).toBe(`is my labrador allowed at the seminar, booking ${MASK}`);

    const next = await ask('is my labrador allowed at the seminar, booking 5566778899');
    expect(next).toMatchObject({ decision: 'answer', entryId: dogs.id });

    // Shown under its entry, with where it came from; removed, it is forgotten at once.
    const listed = (await call<FaqEntryDTO[]>('GET', '/api/faqs?siteId=demo')).find((e) => e.id === dogs.id)!;
    expect(listed.learned).toEqual([learned]);
    await call('DELETE', `/api/faqs/learned/${learned.id}`);
    expect((await ask('is my labrador allowed at the seminar, booking 5566778899')).entryId).not.toBe(dogs.id);
  });

  it('learns "this was FAQ X" on a resolved conversation, once for the same words', async () => {
    const parking = await entry('Is there parking at the venue?', 'Yes, the venue has free parking behind the main hall.');
    const asked = await handedOver('where do I leave the car when I come to the class? my phone is +86 138-1234-5678');
    await ok(agent, 'conversation:resolve', { conversationId: asked.conversation.id });
    const marked = await call<FaqEntryDTO>('POST', '/api/faqs/from-conversation', { conversationId: asked.conversation.id, entryId: parking.id });
    expect(marked.id).toBe(parking.id);
    const again = await call<LearnedVariantDTO>('POST', '/api/faqs/learned', { conversationId: asked.conversation.id, entryId: parking.id, source: 'marked' });
    expect(again.text).toBe(`where do I leave the car when I come to the class? my phone is ${MASK}`);
    const listed = (await call<FaqEntryDTO[]>('GET', '/api/faqs?siteId=demo')).find((e) => e.id === parking.id)!;
    expect(listed.learned.map((l) => [l.id, l.source])).toEqual([[again.id, 'marked']]);
    expect((await ask('where do I leave the car when I come to the class?')).entryId).toBe(parking.id);
  });

  it('refuses to learn into an entry of another conversation’s site, or from bad input, and changes nothing', async () => {
    const asked = await handedOver('something nobody wrote an entry about, really');
    const bad = await api(server.url, cookie, 'POST', '/api/faqs/learned', { conversationId: asked.conversation.id, entryId: 'nope', source: 'assist' });
    expect(bad.status).toBe(400);
    const missing = await api(server.url, cookie, 'POST', '/api/faqs/learned', {
      conversationId: asked.conversation.id,
      entryId: '00000000-0000-4000-8000-000000000000',
      source: 'assist',
    });
    expect(missing.status).toBe(404);
    const noCookie = await api(server.url, undefined, 'POST', '/api/faqs/assist', { conversationId: asked.conversation.id });
    expect(noCookie.status).toBe(401);
  });

  it('never answers anyone from a draft until an agent publishes it', async () => {
    const asked = await handedOver('the hot chocolate machine on floor three ate my coins, my email is li.wei@example.com');
    await ok(agent, 'message:send', { conversationId: asked.conversation.id, clientId: clientId(), body: 'Ask the front desk for a refund of the coins.' });
    await ok(agent, 'conversation:resolve', { conversationId: asked.conversation.id });
    const draft = await call<FaqEntryDTO>('POST', '/api/faqs/from-conversation', { conversationId: asked.conversation.id });
    expect(draft).toMatchObject({
      status: 'draft',
      sourceConversationId: asked.conversation.id,
      question: `the hot chocolate machine on floor three ate my coins, my email is ${MASK}`,
      answer: 'Ask the front desk for a refund of the coins.',
    });

    // Asked in the draft's very words: no answer, no suggestion, nothing for an agent to insert.
    const before = await ask(draft.question);
    expect(before.entryId).toBeNull();
    expect(before.decision).not.toBe('answer');
    const suggestions = await call<FaqAssistDTO>('POST', '/api/faqs/assist', { conversationId: before.conversation.id });
    expect(suggestions.hits.map((h) => h.entryId)).not.toContain(draft.id);
    const exported = (await api<FaqEntryDTO[]>(server.url, cookie, 'GET', '/api/faqs/export?siteId=demo&format=json')).body as unknown as FaqEntryDTO[];
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.map((e) => e.id)).not.toContain(draft.id);

    // Edited (still a draft), then published.
    const edited = await call<FaqEntryDTO>('PUT', `/api/faqs/${draft.id}`, { ...draft, question: 'The hot chocolate machine ate my coins' });
    expect(edited.status).toBe('draft');
    expect((await ask(draft.question)).entryId).toBeNull();
    const published = await call<FaqEntryDTO>('POST', `/api/faqs/${draft.id}/publish`);
    expect(published.status).toBe('published');
    expect(await ask(draft.question)).toMatchObject({ decision: 'answer', entryId: draft.id });
  });

  it('keeps a draft created through the API out of every answer', async () => {
    const draft = await entry('How do I borrow a telescope from the observatory?', 'Telescopes are lent at the observatory desk.', { status: 'draft' });
    expect(draft.status).toBe('draft');
    const asked = await ask('How do I borrow a telescope from the observatory?');
    expect(asked.entryId).toBeNull();
  });

  it('holds learned variants back until an agent approves them when the site asks for review', async () => {
    await call('PUT', '/api/sites/demo', { faqReviewLearned: true });
    try {
      const lockers = await entry('Are there lockers for my bag?', 'Lockers are next to the reception; bring a coin.');
      const asked = await handedOver('where can i stash my rucksack during the lecture');
      const learned = await call<LearnedVariantDTO>('POST', '/api/faqs/learned', { conversationId: asked.conversation.id, entryId: lockers.id, source: 'assist' });
      expect(learned.status).toBe('pending');
      expect((await ask('where can i stash my rucksack during the lecture')).entryId).not.toBe(lockers.id);
      const approved = await call<LearnedVariantDTO>('POST', `/api/faqs/learned/${learned.id}/approve`);
      expect(approved.status).toBe('active');
      expect(await ask('where can i stash my rucksack during the lecture')).toMatchObject({ decision: 'answer', entryId: lockers.id });
    } finally {
      await call('PUT', '/api/sites/demo', { faqReviewLearned: false });
    }
  });
});
