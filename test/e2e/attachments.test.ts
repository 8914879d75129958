/**
 * Attachments in Chromium: the visitor sends a screenshot and the agent sees its thumbnail; the agent
 * sends a PDF that the visitor gets as a download link; a file the site does not accept is refused
 * with a message before any upload; an upload cut off by the network is shown as not sent, and sent
 * again it is stored once (both sides share shared/uploads.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEMO_ARTICLES } from '../../demo/articles.ts';
import { ADMIN, startTestServer, type TestServer } from '../support/server.ts';
import { axeViolations, browserAvailable, launchBrowser } from '../support/browser.ts';
import { pdf, png } from '../support/uploads.ts';

const article = DEMO_ARTICLES.find((a) => a.language === 'en')!;
const QUESTION = 'The checkout page shows an error, here is a screenshot of it';

/** Whether an <img> inside the page (shadow roots included) has loaded with real pixels. */
const loaded = (page: Page, selector: string) => page.locator(selector).first().evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0);

describe.skipIf(!browserAvailable)('attachments in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let uploads: string;
  let visitor: Page;
  let agent: Page;

  beforeAll(async () => {
    uploads = await mkdtemp(path.join(os.tmpdir(), 'sc-e2e-uploads-'));
    [server, browser] = await Promise.all([startTestServer('pglite', { uploads: { driver: 'disk', dir: uploads } }), launchBrowser()]);
    visitor = await (await browser.newContext({ locale: 'en-US', viewport: { width: 360, height: 740 }, bypassCSP: true /* axe is injected */ })).newPage();
    agent = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 }, bypassCSP: true })).newPage();
    visitor.setDefaultTimeout(10_000);
    agent.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rm(uploads, { recursive: true, force: true });
  });

  it('sends the visitor’s screenshot, which the agent sees as a thumbnail', async () => {
    await visitor.goto(`${server.url}/en/articles/${article.slug}`);
    await visitor.getByRole('button', { name: 'Open support chat' }).click();
    const box = visitor.getByRole('textbox', { name: 'Message' });
    await box.fill(QUESTION);
    await box.press('Enter');
    await visitor.getByText(/No agent is online|A person will reply/).first().waitFor();
    await visitor.getByRole('button', { name: 'Send a file or image' }).waitFor();
    await visitor.locator('support-chat input[type=file]').setInputFiles({ name: 'screenshot.png', mimeType: 'image/png', buffer: png(40, 30) });
    await visitor.getByRole('link', { name: 'Open screenshot.png full size' }).waitFor();
    await expect.poll(() => loaded(visitor, 'support-chat support-chat-file img')).toBe(true);

    await agent.goto(`${server.url}/console`);
    await agent.getByLabel('Email').fill(ADMIN.email);
    await agent.getByLabel('Password').fill(ADMIN.password);
    await agent.getByRole('button', { name: 'Sign in' }).click();
    await agent.getByRole('button', { name: /checkout page shows an error/ }).click();
    await agent.getByRole('link', { name: 'Open screenshot.png full size' }).waitFor();
    await expect.poll(() => loaded(agent, 'console-file img')).toBe(true);
  });

  it('sends the agent’s PDF to the visitor as a download link', async () => {
    await agent.getByRole('button', { name: 'Claim' }).click();
    await agent.getByRole('button', { name: 'Attach a file' }).waitFor();
    await agent.locator('console-attach input[type=file]').setInputFiles({ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: pdf() });
    await agent.getByRole('link', { name: /^Download invoice\.pdf/ }).waitFor();
    const link = visitor.getByRole('link', { name: /^Download invoice\.pdf/ });
    await link.waitFor();
    const href = await link.getAttribute('href');
    const res = await fetch(href!);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('refuses a file the site does not accept before uploading it', async () => {
    await visitor.locator('support-chat input[type=file]').setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') });
    await visitor.getByRole('alert').filter({ hasText: 'logo.svg cannot be sent' }).waitFor();
    // Nothing reached the server: the only kept files are the screenshot and the PDF.
    const kept = await server.app.ctx.raw<{ n: number }>('select count(*)::int as n from attachments', []);
    expect(kept[0].n).toBe(2);
  });

  it('shows an upload the network cut off as not sent, and stores it once when sent again', async () => {
    const count = async () => (await server.app.ctx.raw<{ n: number }>('select count(*)::int as n from attachments', []))[0].n;
    const before = await count();
    // The first POST of each side never reaches the server; the next ones do.
    for (const [page, url] of [[visitor, '**/api/widget/attachments*'], [agent, '**/api/conversations/*/attachments']] as const) {
      let cut = false;
      await page.route(url, (route) => (cut ? route.continue() : ((cut = true), route.abort('connectionreset'))));
    }
    await visitor.locator('support-chat input[type=file]').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: png(20, 20) });
    await visitor.getByRole('alert').filter({ hasText: 'receipt.png was not sent.' }).waitFor();
    await agent.locator('console-attach input[type=file]').setInputFiles({ name: 'terms.pdf', mimeType: 'application/pdf', buffer: pdf() });
    await agent.getByRole('alert').filter({ hasText: /^terms\.pdf was not sent: / }).waitFor();
    expect(await count()).toBe(before);
    // The failed uploads' lines and their buttons are named for assistive technology.
    expect(await axeViolations(visitor)).toEqual([]);
    expect(await axeViolations(agent, 'body')).toEqual([]);

    await visitor.getByRole('button', { name: 'Send receipt.png again' }).click();
    await visitor.getByRole('link', { name: 'Open receipt.png full size' }).waitFor();
    await agent.getByRole('button', { name: 'Send terms.pdf again' }).click();
    await agent.getByRole('link', { name: /^Download terms\.pdf/ }).waitFor();
    await visitor.getByRole('link', { name: /^Download terms\.pdf/ }).waitFor();
    expect(await visitor.getByRole('alert').filter({ hasText: 'receipt.png' }).count()).toBe(0);
    expect(await agent.getByRole('alert').filter({ hasText: 'terms.pdf' }).count()).toBe(0);
    expect(await count()).toBe(before + 2);
  });
});
