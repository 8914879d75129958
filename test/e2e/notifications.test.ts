/**
 * Getting an agent's attention while the console's tab is hidden: desktop notifications, allowed
 * with a click on My account, for a visitor who starts waiting, for a conversation another agent
 * hands to this one, and for a visitor's message in one of the agent's conversations, with a chime;
 * both turned off per browser, and then silent.
 * `window.Notification` is a recording stand-in around the real one (the permission is granted to
 * the context), the tab's visibility is set by the test, and tones are counted on the AudioContext.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ConversationDTO } from '../../shared/types.ts';
import { ADMIN, addAgent, agentSocket, api, clientId, connected, login, ok, visitorSocket } from '../support/server.ts';
import { axeViolations, browserAvailable, serverAndBrowser, signInToConsole, watchDialogs } from '../support/browser.ts';

interface Shown {
  title: string;
  body?: string;
  tag?: string;
}

/** Runs in the page before its scripts: visibility under the test's control, notifications and tones recorded. */
const STUBS = `(() => {
  window.__hidden = false;
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible') });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => window.__hidden });
  window.__shown = [];
  window.__asked = 0;
  window.__tones = 0;
  const Real = window.Notification;
  // A browser that was never asked: "default" until requestPermission, then the context's real answer.
  class Recorded {
    constructor(title, options = {}) { window.__shown.push({ title, body: options.body, tag: options.tag }); window.__last = this; }
    close() {}
    static get permission() { return window.__asked ? Real.permission : 'default'; }
    static requestPermission() { window.__asked++; return Real.requestPermission(); }
  }
  window.Notification = Recorded;
  const osc = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () { window.__tones++; return osc.call(this); };
})();`;

const shown = (page: Page) => page.evaluate(() => (window as unknown as { __shown: Shown[] }).__shown);
const tones = (page: Page) => page.evaluate(() => (window as unknown as { __tones: number }).__tones);
const setHidden = (page: Page, hidden: boolean) =>
  page.evaluate((h) => {
    (window as unknown as { __hidden: boolean }).__hidden = h;
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);

describe.skipIf(!browserAvailable)('console notifications', () => {
  const env = serverAndBrowser();


  /** A visitor whose question waits for a person. */
  async function waitingVisitor(question: string) {
    const v = visitorSocket(env.server.url);
    await connected(v);
    await ok(v, 'session:hello', { locale: 'en' });
    let conv = (await ok(v, 'message:send', { clientId: clientId(), body: question })).conversation as ConversationDTO;
    if (conv.status === 'bot') conv = (await ok(v, 'conversation:escalate', { conversationId: conv.id })).conversation;
    return { v, conv };
  }

  it('notifies a hidden tab when another agent hands this agent a conversation, and never for a claim of their own', async () => {
    const ctx = await env.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await ctx.grantPermissions(['notifications'], { origin: env.server.url });
    await ctx.addInitScript(STUBS);
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    await signInToConsole(page, env.server.url, ADMIN.email, ADMIN.password);
    await page.getByRole('button', { name: 'My account', exact: true }).click();
    await page.getByRole('button', { name: 'Allow desktop notifications' }).click();
    await page.getByRole('status').filter({ hasText: 'Desktop notifications are allowed in this browser.' }).waitFor();

    // Another agent claims a waiting visitor (the admin's tab is visible: the waiting chime only).
    const mei = agentSocket(env.server.url, await addAgent(env.server, 'mei-notify@test.local'));
    await connected(mei);
    const { v, conv } = await waitingVisitor('Can a person check why my certificate is still pending?');
    await ok(mei, 'conversation:claim', { conversationId: conv.id });
    const me = await api<{ id: string }>(env.server.url, await login(env.server.url), 'GET', '/api/auth/me');
    if (!me.body.ok) throw new Error('no admin id');
    // The admin's tab is hidden; Mei hands the conversation over.
    await setHidden(page, true);
    const before = (await shown(page)).length;
    await ok(mei, 'conversation:transfer', { conversationId: conv.id, agentId: me.body.data.id, note: 'Admins sign certificates.' });
    await expect.poll(async () => (await shown(page)).at(-1)).toEqual({
      title: 'Assigned to you: Visitor',
      body: 'Can a person check why my certificate is still pending?',
      tag: `sc-assigned-${conv.id}`,
    });
    expect((await shown(page)).length).toBe(before + 1);
    // A claim of the agent's own brings nothing: a second visitor, claimed in this console while hidden.
    const second = await waitingVisitor('Do you offer invoices with a company name?');
    await expect.poll(async () => (await shown(page)).length).toBe(before + 2);
    await setHidden(page, false);
    await page.getByRole('button', { name: 'Queue', exact: false }).first().click();
    await page.getByRole('button', { name: /invoices with a company name/ }).click();
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByRole('textbox', { name: 'Reply' }).waitFor();
    await setHidden(page, true);
    await new Promise((r) => setTimeout(r, 500));
    expect((await shown(page)).map((n) => n.tag)).not.toContain(`sc-assigned-${second.conv.id}`);
    mei.disconnect();
    v.disconnect();
    second.v.disconnect();
    await ctx.close();
  });

  it('notifies a hidden tab of a new waiting visitor and of a message in a conversation of mine, and stays silent once turned off', async () => {
    const ctx = await env.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await ctx.grantPermissions(['notifications'], { origin: env.server.url });
    await ctx.addInitScript(STUBS);
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    const dialogs = watchDialogs(page);
    await signInToConsole(page, env.server.url, ADMIN.email, ADMIN.password);

    // Nothing is asked of the browser until the agent clicks the button in My account.
    await page.getByRole('button', { name: 'My account', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Desktop notifications need your permission first.' }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __asked: number }).__asked)).toBe(0);
    await page.getByRole('button', { name: 'Allow desktop notifications' }).click();
    await page.getByRole('status').filter({ hasText: 'Desktop notifications are allowed in this browser.' }).waitFor();
    expect(await axeViolations(page, 'body')).toEqual([]);

    // The tab is hidden: a visitor starts waiting.
    await setHidden(page, true);
    const first = await waitingVisitor('Can a person move my course to another account?');
    await expect.poll(() => shown(page)).toEqual([
      { title: 'Visitor is waiting for a person', body: 'Can a person move my course to another account?', tag: `sc-waiting-${first.conv.id}` },
    ]);
    expect(await tones(page)).toBeGreaterThan(0);

    // Claimed by this agent; the visitor writes again while the tab is hidden.
    await setHidden(page, false);
    await page.getByRole('button', { name: 'Queue', exact: false }).first().click();
    await page.getByRole('button', { name: /move my course/ }).click();
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByRole('textbox', { name: 'Reply' }).waitFor();
    await page.getByRole('button', { name: 'Sites', exact: true }).click();
    await setHidden(page, true);
    await ok(first.v, 'message:send', { clientId: clientId(), body: 'It is the account ada@example.com' });
    await expect.poll(async () => (await shown(page)).at(-1)).toEqual({
      title: 'New message from Visitor',
      body: 'It is the account ada@example.com',
      tag: `sc-message-${first.conv.id}`,
    });
    // Counted in the tab title and on the Queue button until it is read.
    await expect.poll(() => page.title()).toBe('(1) Support console');
    await page.getByRole('button', { name: /Queue.*0 waiting, 1 unread messages/ }).waitFor();
    // Clicking the notification brings the conversation to the desk; seen, it is read.
    await page.evaluate(() => (window as unknown as { __last: { onclick: () => void } }).__last.onclick());
    await page.getByRole('textbox', { name: 'Reply' }).waitFor();
    await setHidden(page, false);
    await expect.poll(() => page.title()).toBe('Support console');

    // Both off, remembered by this browser across a reload.
    await page.getByRole('button', { name: 'My account', exact: true }).click();
    await page.getByLabel('Play a sound').uncheck();
    await page.getByLabel('Show desktop notifications while this tab is hidden').uncheck();
    await page.reload();
    await page.getByRole('button', { name: 'My account', exact: true }).click();
    expect(await page.getByLabel('Play a sound').isChecked()).toBe(false);
    expect(await page.getByLabel('Show desktop notifications while this tab is hidden').isChecked()).toBe(false);
    const before = (await shown(page)).length;
    await setHidden(page, true);
    await waitingVisitor('Is there a discount for teams of five?');
    // The console has heard of the second visitor (it counts them) and said nothing.
    await page.getByRole('button', { name: /Queue.*1 waiting/ }).waitFor();
    expect((await shown(page)).length).toBe(before);
    expect(await tones(page)).toBe(0);
    expect(dialogs).toEqual([]);
    await ctx.close();
  });
});
