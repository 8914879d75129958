/**
 * The whole loop in a real browser: a visitor on a demo article gets an FAQ answer, then asks what
 * the FAQ does not know; an agent in a second browser context logs in, claims, replies, and the
 * visitor sees the reply, each side seeing the other type and read; the agent resolves. Feedback goes in, is processed, and the visitor sees
 * it. A script-looking message stays inert on both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_ARTICLES } from '../../demo/articles.ts';
import { ADMIN, startTestServer, type TestServer } from '../support/server.ts';
import { browserAvailable, countDeep, launchBrowser, watchDialogs } from '../support/browser.ts';

const XSS = '<img src=x onerror=alert(1)>';
const article = DEMO_ARTICLES.find((a) => a.language === 'en')!;

describe.skipIf(!browserAvailable)('the support loop in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let visitorCtx: BrowserContext;
  let agentCtx: BrowserContext;
  let visitor: Page;
  let agent: Page;
  let visitorDialogs: string[];
  let agentDialogs: string[];
  /** What the console sends on its socket: a private note's draft must never say "typing". */
  const agentFrames: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer('pglite'), launchBrowser()]);
    visitorCtx = await browser.newContext({ locale: 'en-US' });
    agentCtx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    visitor = await visitorCtx.newPage();
    agent = await agentCtx.newPage();
    visitorDialogs = watchDialogs(visitor);
    agentDialogs = watchDialogs(agent);
    agent.on('websocket', (ws) => ws.on('framesent', (f) => agentFrames.push(String(f.payload))));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openWidget() {
    await visitor.getByRole('button', { name: 'Open support chat' }).click();
    await expect.poll(() => visitor.getByRole('dialog').isVisible()).toBe(true);
  }

  async function ask(text: string) {
    const box = visitor.getByRole('textbox', { name: 'Message' });
    await box.fill(text);
    await box.press('Enter');
  }

  it('answers a visitor on a demo article from the FAQ at once', async () => {
    await visitor.goto(`${server.url}/en/articles/${article.slug}`);
    await openWidget();
    await ask('How can I get a refund for a course?');
    await visitor.getByRole('button', { name: 'This solved it' }).waitFor();
    await visitor.getByRole('button', { name: 'This solved it' }).click();
    await visitor.getByText('Glad it helped!').first().waitFor();
  });

  it('hands an unknown question to an agent, who claims, replies and resolves', async () => {
    const question = 'My certificate shows my name misspelled as Jonh, can a person fix it?';
    await ask(question);
    await visitor.getByText(/No agent is online|A person will reply/).first().waitFor();

    await agent.goto(`${server.url}/console`);
    await agent.getByLabel('Email').fill(ADMIN.email);
    await agent.getByLabel('Password').fill(ADMIN.password);
    await agent.getByRole('button', { name: 'Sign in' }).click();
    await agent.getByRole('button', { name: /certificate shows my name/ }).click();
    await agent.getByRole('button', { name: 'Claim' }).click();
    // The FAQ suggestions' search field stays inside its box (a <details> once made it overflow).
    const search = agent.getByRole('searchbox', { name: 'Search the FAQ' });
    const inside = (el: Element) => el.getBoundingClientRect().right <= el.closest('details')!.getBoundingClientRect().right;
    expect(await search.evaluate(inside)).toBe(true);
    // The agent has the conversation on screen: the visitor's question says "Read".
    await visitor.getByText('Read', { exact: true }).first().waitFor();
    const reply = agent.getByRole('textbox', { name: 'Reply' });
    await reply.fill('Done: your certificate now reads John.');
    await visitor.getByText('Support is typing…').waitFor();
    await reply.press('Enter');

    await visitor.getByText('Done: your certificate now reads John.').first().waitFor();
    await expect.poll(() => visitor.getByText('Support is typing…').count()).toBe(0);
    // The widget is open on a visible page: the agent sees the reply was read.
    await agent.getByText('Read by the visitor').waitFor();
    const box = visitor.getByRole('textbox', { name: 'Message' });
    await box.fill('Thank you so much!');
    await agent.getByText('The visitor is typing…').waitFor();
    await box.press('Enter');
    await agent.getByText('Thank you so much!').first().waitFor();
    await expect.poll(() => agent.getByText('The visitor is typing…').count()).toBe(0);
    // A private note is written and added: its draft never told the visitor anyone was typing (on the
    // wire, a typing signal from the input would go before the note itself).
    await agent.getByRole('checkbox', { name: 'Private note' }).check();
    const before = agentFrames.length;
    const note = agent.getByRole('textbox', { name: 'Private note (agents only)' });
    await note.fill('Checked the enrolment form: the typo was ours.');
    await note.press('Enter');
    await agent.getByText('Checked the enrolment form: the typo was ours.').first().waitFor();
    const after = agentFrames.slice(before);
    expect(after.some((f) => f.includes('Checked the enrolment form'))).toBe(true);
    expect(after.filter((f) => f.includes('"typing"'))).toEqual([]);
    await agent.getByRole('checkbox', { name: 'Private note' }).uncheck();
    await agent.getByRole('button', { name: 'Resolve' }).click();
    await visitor.getByText(/marked as resolved/).first().waitFor();
  });

  it('shows what a person typed as text on both sides, and runs none of it', async () => {
    await ask(XSS);
    await visitor.getByText(XSS).first().waitFor();
    await agent.getByRole('button', { name: 'Queue' }).click().catch(() => {});
    // Written within the site's reopen window, it reopens the resolved ticket, back with its agent (Mine).
    await agent.getByRole('button', { name: /certificate shows my name/ }).first().click();
    await agent.getByText(XSS).first().waitFor();
    expect(await countDeep(visitor, 'img[src="x"]')).toBe(0);
    expect(await countDeep(agent, 'img[src="x"]')).toBe(0);
    expect(visitorDialogs).toEqual([]);
    expect(agentDialogs).toEqual([]);
  });

  it('takes feedback, lets the agent process it, and shows the visitor the note on the next visit', async () => {
    await visitor.getByRole('tab', { name: 'Leave feedback' }).click();
    await visitor.getByLabel('Your feedback').fill('The subtitles of lesson 2 are out of sync.');
    await visitor.getByRole('button', { name: 'Send feedback' }).click();
    await visitor.getByText('Thank you! We received your feedback.').first().waitFor();
    // The visitor leaves before the agent gets to it: the answer must be waiting on the next visit.
    await visitor.getByRole('button', { name: 'Close support chat' }).click();

    await agent.getByRole('button', { name: 'Feedback' }).click();
    await agent.getByText('The subtitles of lesson 2 are out of sync.').first().waitFor();
    await agent.getByLabel('Note').first().fill('Fixed: the subtitles are re-timed.');
    await agent.getByRole('button', { name: 'Mark as processed' }).first().click();

    await visitor.reload();
    await openWidget();
    await visitor.getByText('Your feedback has been processed').first().waitFor();
    await visitor.getByRole('tab', { name: 'Leave feedback' }).click();
    await visitor.getByText('Fixed: the subtitles are re-timed.').first().waitFor();
  });

  it('shows the agent the numbers, the history, the FAQ and what to write next', async () => {
    await agent.getByRole('button', { name: 'Metrics' }).click();
    await agent.getByText('First response time').first().waitFor();
    await agent.getByText('Response rate').first().waitFor();
    await agent.getByRole('button', { name: 'History' }).click();
    await agent.getByText(/certificate shows my name/).first().waitFor();
    await agent.getByRole('button', { name: 'FAQ' }).click();
    await agent.getByText(/refund/i).first().waitFor();
    await agent.getByRole('button', { name: 'Metrics', exact: true }).click();
    await agent.getByRole('region', { name: 'What to write next' }).getByText(/certificate shows my name/).first().waitFor();
    expect(await agent.getByRole('alert').count()).toBe(0);
  });
});
