/**
 * The composer's emoji picker in Chromium on a 360 px phone, by keyboard alone: it opens from its button,
 * the arrow keys move within the grid, the chosen emoji goes where the caret was and the message carrying
 * it is sent and stored; Escape closes it and gives focus back to the button; axe finds no serious
 * violation while it is open. This Chromium has no emoji font: values are checked, not pixels.
 */
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { DEMO_ARTICLES } from '../../demo/articles.ts';
import { axeViolations, browserAvailable, serverAndBrowser } from '../support/browser.ts';

const PHONE = { width: 360, height: 740 };

/** Whether the element has the focus, inside the shadow root that holds it. */
const focused = (l: Locator) => l.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el);

describe.skipIf(!browserAvailable)('the emoji picker in Chromium at 360 px', () => {
  const env = serverAndBrowser();

  /** A visitor's page with the chat open, in a locale. */
  async function open(locale: 'zh-CN' | 'en-US'): Promise<Page> {
    const ctx = await env.browser.newContext({ locale, viewport: PHONE, bypassCSP: true /* axe is injected */ });
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    const article = DEMO_ARTICLES.find((a) => a.language === locale.slice(0, 2))!;
    await page.goto(`${env.server.url}/${article.language}/articles/${article.slug}`);
    await page.getByRole('button', { name: locale === 'zh-CN' ? '打开在线客服' : 'Open support chat' }).click();
    return page;
  }

  it('puts the chosen emoji at the caret, by keyboard, and sends it', async () => {
    const page = await open('zh-CN');
    const box = page.getByRole('textbox', { name: '输入消息' });
    await box.fill('课程很好谢谢');
    // The caret after 课程很好; 很好 selected is replaced.
    await box.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(2, 4));
    await box.press('Shift+Tab');
    const button = page.getByRole('button', { name: '表情', exact: true });
    expect(await focused(button)).toBe(true);
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');

    const picker = page.getByRole('dialog', { name: '表情' });
    await picker.waitFor();
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    expect(await focused(picker.getByRole('button', { name: '笑脸' }))).toBe(true);
    expect(await picker.getByRole('button').count()).toBe(48);
    // The whole grid within the phone's width, nothing to scroll sideways.
    const box1 = (await picker.boundingBox())!;
    expect(box1.x + box1.width).toBeLessThanOrEqual(PHONE.width);
    expect(await picker.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    // The whole demo article too, as a site owner's page would be checked with the widget on it.
    expect(await axeViolations(page, 'body')).toEqual([]);

    // Right, then down a row of eight; Home, then three rows down to 赞.
    await page.keyboard.press('ArrowRight');
    expect(await focused(picker.getByRole('button', { name: '笑哭' }))).toBe(true);
    await page.keyboard.press('ArrowDown');
    expect(await focused(picker.getByRole('button', { name: '天使' }))).toBe(true);
    for (const key of ['Home', 'ArrowDown', 'ArrowDown', 'ArrowDown']) await page.keyboard.press(key);
    const like = picker.getByRole('button', { name: '赞' });
    expect(await focused(like)).toBe(true);
    expect(await like.textContent()).toBe('👍');
    // One tab stop: the others are out of the Tab order.
    expect(await picker.locator('button[tabindex="0"]').count()).toBe(1);
    await page.keyboard.press('Enter');

    await picker.waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('课程👍谢谢');
    expect(await focused(box)).toBe(true);
    expect(await box.evaluate((el: HTMLTextAreaElement) => [el.selectionStart, el.selectionEnd])).toEqual([4, 4]);
    expect(await button.getAttribute('aria-expanded')).toBe('false');

    await page.keyboard.press('Enter');
    await page.locator('support-chat li.mine .bubble').filter({ hasText: '课程👍谢谢' }).first().waitFor();
    await expect
      .poll(async () => (await env.server.app.ctx.raw<{ body: string }>(`select body from messages where author = 'visitor'`, [])).map((m) => m.body))
      .toContain('课程👍谢谢');
  });

  it('closes on Escape, back on its button, the chat still open; and when the focus goes elsewhere or the title is clicked', async () => {
    const page = await open('zh-CN');
    const button = page.getByRole('button', { name: '表情', exact: true });
    await button.focus();
    await page.keyboard.press(' ');
    const picker = page.getByRole('dialog', { name: '表情' });
    await picker.waitFor();
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });
    expect(await focused(button)).toBe(true);
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    await page.getByRole('textbox', { name: '输入消息' }).waitFor();
    // The button closes it too.
    await page.keyboard.press('Enter');
    await picker.waitFor();
    await button.click();
    await picker.waitFor({ state: 'detached' });
    // A click in the field closes it and leaves the focus there, as Tab out of the grid does.
    const box = page.getByRole('textbox', { name: '输入消息' });
    await button.click();
    await picker.waitFor();
    await box.click();
    await picker.waitFor({ state: 'detached' });
    expect(await focused(box)).toBe(true);
    await button.click();
    await picker.getByRole('button', { name: '笑脸' }).waitFor();
    await page.keyboard.press('Tab');
    await picker.waitFor({ state: 'detached' });
    expect(await focused(button)).toBe(false);
    // A click on the title, which takes no focus, closes it too.
    await button.click();
    await picker.waitFor();
    await page.getByRole('heading', { name: '在线客服' }).click();
    await picker.waitFor({ state: 'detached' });
  });

  it('names the emoji in English', async () => {
    const page = await open('en-US');
    await page.getByRole('button', { name: 'Emoji', exact: true }).click();
    const picker = page.getByRole('dialog', { name: 'Emoji' });
    await picker.getByRole('button', { name: 'thumbs up' }).click();
    expect(await page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('👍');
  });
});
