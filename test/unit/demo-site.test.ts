import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_ARTICLES, demoArticleUrl, type DemoArticle } from '../../demo/articles.ts';
import { createDemoRouter } from '../../demo/site.ts';

const PUBLIC_URL = 'http://support.example';
const WIDGET_TAG = `<script src="${PUBLIC_URL}/widget.js" data-site="demo" async></script>`;

const HOSTILE = '<img src=x onerror="alert(1)">\'&';
const hostileArticle: DemoArticle = {
  slug: 'hostile',
  language: 'en',
  title: `Title ${HOSTILE}`,
  summary: `Summary ${HOSTILE}`,
  author: `Author ${HOSTILE}`,
  date: '2024-01-01',
  body: [`Body </p><script>alert(1)</script>`],
  comments: [{ author: `Reader ${HOSTILE}`, date: '2024-01-02', text: `Comment ${HOSTILE}` }],
};

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express().use(createDemoRouter({ publicUrl: PUBLIC_URL, articles: [...DEMO_ARTICLES, hostileArticle] }));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function get(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(base + path);
  return { status: res.status, body: await res.text() };
}

/** What the strict CSP would block: any script other than the widget tag, any inline style. */
function expectCspSafe(body: string): void {
  expect(body.match(/<script\b/g)).toHaveLength(1);
  expect(body).toContain(WIDGET_TAG);
  expect(body).not.toMatch(/<style\b/i);
  // Look at attribute names only: values are blanked (a `"` inside one is always escaped), and a
  // `<` with no `>` before the match means we are inside a tag rather than in text.
  expect(body.replace(/"[^"]*"/g, '""')).not.toMatch(/<[^>]*\s(style|on[a-z]+)=/i);
}

describe('demo articles', () => {
  it('has at least six topics, each written in both Chinese and English', () => {
    const slugs = new Set(DEMO_ARTICLES.map((a) => a.slug));
    expect(slugs.size).toBeGreaterThanOrEqual(6);
    for (const slug of slugs) {
      const languages = DEMO_ARTICLES.filter((a) => a.slug === slug).map((a) => a.language);
      expect(languages.sort(), slug).toEqual(['en', 'zh']);
    }
  });

  it('gives every article several paragraphs and several reader comments', () => {
    for (const a of DEMO_ARTICLES) {
      expect(a.body.length, `${a.language}/${a.slug}`).toBeGreaterThanOrEqual(5);
      expect(a.comments.length, `${a.language}/${a.slug}`).toBeGreaterThanOrEqual(3);
      expect(a.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('addresses an article by language and slug under the public URL', () => {
    const a = DEMO_ARTICLES.find((x) => x.language === 'zh')!;
    expect(demoArticleUrl(`${PUBLIC_URL}/`, a)).toBe(`${PUBLIC_URL}/zh/articles/${a.slug}`);
  });
});

describe('demo site', () => {
  it('renders an article page in its language with the widget script at the end of the body', async () => {
    const a = DEMO_ARTICLES.find((x) => x.language === 'zh' && x.slug === 'invoices-and-refunds')!;
    const { status, body } = await get(`/zh/articles/${a.slug}`);
    expect(status).toBe(200);
    expect(body).toContain('<html lang="zh-CN">');
    expect(body).toContain(`<h1>${a.title}</h1>`);
    expect(body).toContain(a.comments[0].text);
    expect(body).toContain('href="/demo/style.css"');
    expect(body).toContain(`href="${PUBLIC_URL}/en/articles/${a.slug}"`);
    expect(body.indexOf(WIDGET_TAG)).toBeGreaterThan(body.indexOf('</main>'));
    expectCspSafe(body);
  });

  it('renders the home page with both languages and the widget script in the head', async () => {
    const { status, body } = await get('/?lang=en');
    expect(status).toBe(200);
    expect(body).toContain('<html lang="en">');
    for (const a of DEMO_ARTICLES) expect(body).toContain(`href="${demoArticleUrl(PUBLIC_URL, a)}"`);
    expect(body.indexOf(WIDGET_TAG)).toBeLessThan(body.indexOf('</head>'));
    expectCspSafe(body);
  });

  it('escapes a hostile title, author, body and comment instead of running them', async () => {
    const { status, body } = await get('/en/articles/hostile');
    expect(status).toBe(200);
    expect(body).not.toContain('<img src=x');
    expect(body).not.toContain('<script>alert(1)</script>');
    expect(body).toContain('<h1>Title &lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;</h1>');
    expect(body).toContain('Body &lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expectCspSafe(body);
  });

  it('answers an unknown slug with a 404 page in the language of the address', async () => {
    const { status, body } = await get('/zh/articles/no-such-article');
    expect(status).toBe(404);
    expect(body).toContain('<html lang="zh-CN">');
    expect(body).toContain('找不到这篇文章');
    expectCspSafe(body);
  });
});
