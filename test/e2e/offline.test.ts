/**
 * A visitor whose network drops keeps typing: the messages wait in the outbox (which survives a
 * reload) and arrive exactly once when the network is back.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, WebSocketRoute } from 'playwright-core';
import type { MessageDTO } from '../../shared/types.ts';
import { DEMO_ARTICLES } from '../../demo/articles.ts';
import { listMessages } from '../../server/conversations/conversations.repository.ts';
import { currentConversation } from '../../server/conversations/message-store.ts';
import { rawClient } from '../../server/db/raw.ts';
import { visitors } from '../../server/db/schema.ts';
import { browserAvailable, serverAndBrowser } from '../support/browser.ts';

const article = DEMO_ARTICLES.find((a) => a.language === 'en')!;

/**
 * Chromium's offline emulation leaves open WebSockets alone: they pass through a route that the test
 * can cut, as a dropped network would. `live`: the sockets open now.
 */
async function cuttableNetwork(context: BrowserContext) {
  const live: WebSocketRoute[] = [];
  let cut = false;
  await context.routeWebSocket(/\/socket\.io\//, (ws) => {
    // While the network is cut, a new WebSocket fails as it would without a network.
    if (cut) return void ws.close({ code: 1006, reason: 'network lost' }).catch(() => ws.close());
    ws.connectToServer();
    live.push(ws);
  });
  return {
    live,
    async cut() {
      cut = true;
      await context.setOffline(true);
      for (const ws of live.splice(0)) await ws.close({ code: 1006, reason: 'network lost' }).catch(() => ws.close());
    },
    /** Lets new sockets through again (the caller decides when the browser is back online). */
    mend() {
      cut = false;
    },
  };
}

describe.skipIf(!browserAvailable)('a visitor who goes offline', () => {
  const env = serverAndBrowser();

  async function storedVisitorTexts(): Promise<string[]> {
    const rows = await env.server.database.db.select({ id: visitors.id }).from(visitors);
    const texts: string[] = [];
    for (const v of rows) {
      const current = await currentConversation(rawClient(env.server.database.db).query, v.id, 10_000);
      if (!current) continue;
      const msgs: MessageDTO[] = await listMessages(env.server.database.db, current.conversation.id, 0);
      texts.push(...msgs.filter((m) => m.author === 'visitor').map((m) => m.body));
    }
    return texts;
  }

  it('sends the three messages typed while offline exactly once, even after a reload while offline', { timeout: 90_000 }, async () => {
    const context = await env.browser.newContext({ locale: 'en-US' });
    const network = await cuttableNetwork(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${env.server.url}/en/articles/${article.slug}`);
    await page.getByRole('button', { name: 'Open support chat' }).click();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('Hello before going offline, about my certificate name');
    await box.press('Enter');
    await page.getByText('Sent', { exact: true }).first().waitFor();

    // The widget connects over WebSocket (long-polling only where that fails): cut both.
    await expect.poll(() => network.live.length, { timeout: 15_000 }).toBeGreaterThan(0);
    await network.cut();
    await page.getByText(/Offline|Reconnecting/).first().waitFor();
    const offline = ['first while offline', 'second while offline', 'third while offline'];
    for (const text of offline) {
      await box.fill(text);
      await box.press('Enter');
      await page.getByText(text).first().waitFor();
    }
    const outbox = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith(':outbox')).map((k) => localStorage.getItem(k)).join(''));
    for (const text of offline) expect(await outbox()).toContain(text);
    expect(await storedVisitorTexts()).not.toContain('first while offline');

    // A reload while the chat server is still out of reach (an offline browser could not load the
    // page at all, so the page comes back but every socket request fails): the outbox survives.
    await context.route('**/socket.io/**', (route) => route.abort('internetdisconnected'));
    await context.setOffline(false);
    await page.reload();
    await page.getByRole('button', { name: 'Open support chat' }).click();
    await page.getByText('third while offline').first().waitFor();
    await page.waitForTimeout(1000);
    for (const text of offline) expect(await outbox()).toContain(text);
    expect(await storedVisitorTexts()).not.toContain('first while offline');

    // The network is back: the widget delivers the outbox by itself.
    network.mend();
    await context.unroute('**/socket.io/**');
    await expect.poll(async () => (await storedVisitorTexts()).filter((t) => offline.includes(t)).length, { timeout: 60_000 }).toBe(3);
    const texts = await storedVisitorTexts();
    for (const text of offline) expect(texts.filter((t) => t === text)).toHaveLength(1);
    await page.waitForTimeout(1000);
    expect((await storedVisitorTexts()).filter((t) => offline.includes(t))).toHaveLength(3);
    await context.close();
  });

  it('sends what three offline tabs queued exactly once and in order, even from a tab closed before the network came back', { timeout: 120_000 }, async () => {
    // One browser, so the tabs share localStorage: the visitor token and the outbox.
    const context = await env.browser.newContext({ locale: 'en-US' });
    const network = await cuttableNetwork(context);
    const open = async () => {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${env.server.url}/en/articles/${article.slug}`);
      await page.getByRole('button', { name: 'Open support chat' }).click();
      return page;
    };
    const [a, b, c] = [await open(), await open(), await open()];
    await a.getByRole('textbox', { name: 'Message' }).fill('Hello from the first tab, before going offline');
    await a.getByRole('textbox', { name: 'Message' }).press('Enter');
    await a.getByText('Sent', { exact: true }).first().waitFor();

    await network.cut();
    for (const page of [a, b, c]) await page.getByText(/Offline|Reconnecting/).first().waitFor();
    const typed: [typeof a, string][] = [
      [a, 'tab one, first'],
      [b, 'tab two, first'],
      [c, 'tab three, first'],
      [a, 'tab one, second'],
      [b, 'tab two, second'],
    ];
    for (const [page, text] of typed) {
      await page.getByRole('textbox', { name: 'Message' }).fill(text);
      await page.getByRole('textbox', { name: 'Message' }).press('Enter');
      await page.getByText(text).first().waitFor();
    }
    // The visitor closes the third tab before the network is back: what it queued must still go.
    await c.close();

    network.mend();
    await context.setOffline(false);
    const texts = typed.map(([, text]) => text);
    const delivered = async () => (await storedVisitorTexts()).filter((t) => texts.includes(t));
    await expect.poll(async () => (await delivered()).length, { timeout: 60_000 }).toBeGreaterThanOrEqual(texts.length);
    // Both tabs deliver the whole queue; once neither holds anything, nothing more can arrive.
    for (const page of [a, b]) await expect.poll(() => page.getByText(/^(Sending…|Not sent yet, retrying…)$/).count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => a.evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith(':outbox')).length), { timeout: 30_000 }).toBe(0);
    expect(await delivered()).toEqual(texts);
    await context.close();
  });

  it('talks over long-polling where a network refuses WebSocket, both ways', { timeout: 60_000 }, async () => {
    // Every WebSocket the page opens goes to a closed port instead: refused, as by a proxy that blocks it.
    const context = await env.browser.newContext({ locale: 'en-US', bypassCSP: true });
    await context.addInitScript(() => {
      const Real = window.WebSocket;
      window.WebSocket = class extends Real {
        constructor(_url: string | URL, protocols?: string | string[]) {
          super('ws://127.0.0.1:9/', protocols);
        }
      };
    });
    let polls = 0;
    context.on('requestfinished', (r) => void (r.url().includes('transport=polling') && polls++));
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${env.server.url}/en/articles/${article.slug}`);
    await page.getByRole('button', { name: 'Open support chat' }).click();
    await page.getByText('Connected', { exact: true }).waitFor();
    // One of the demo FAQ's own variants: answered by the FAQ whatever the site's calibrated threshold.
    const question = 'Where do I request a refund?';
    await page.getByRole('textbox', { name: 'Message' }).fill(question);
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await page.getByText('Sent', { exact: true }).first().waitFor();
    // The server's answer comes back the same way.
    await page.getByText(/^Assistant/).first().waitFor();
    expect((await storedVisitorTexts()).filter((t) => t === question)).toHaveLength(1);
    expect(polls).toBeGreaterThan(2);
    await context.close();
  });
});
