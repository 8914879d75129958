/**
 * The demo knowledge site: a home page and one page per article in Chinese and English, rendered on
 * the server. It embeds the support widget the way a customer would, by one <script> tag and nothing
 * else, and it obeys a strict CSP: no inline script, no inline style.
 */
import express, { type Router } from 'express';
import { DEMO_ARTICLES, demoArticleUrl, type DemoArticle } from './articles.ts';

type Lang = DemoArticle['language'];
const LANGS: readonly Lang[] = ['zh', 'en'];

/** Markup that is safe to send: only the `html` tag makes one, so text can never pass as markup. */
class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = SafeHtml | string | number | false | null | undefined | readonly Interpolation[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Escapes every interpolation unless it is itself the result of `html`; arrays are joined. */
function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, s, i) => out + render(values[i - 1]) + s));
}

const UI = {
  zh: {
    htmlLang: 'zh-CN',
    siteName: '知更学堂',
    tagline: '把专业知识讲清楚的课程与文章',
    home: '首页',
    otherLanguage: 'English',
    articlesHeading: '中文文章',
    by: '作者',
    readingTime: (minutes: number) => `约 ${minutes} 分钟读完`,
    comments: '读者评论',
    commentLabel: '写下你的想法',
    commentPlaceholder: '这篇文章对你有帮助吗？欢迎分享你的经验。',
    commentSubmit: '发表评论',
    commentNote: '这是演示站点，评论不会被提交或保存。',
    moreArticles: '更多文章',
    notFoundTitle: '找不到这篇文章',
    notFoundText: '它可能已被移动或删除。看看下面这些文章，或者点右下角向客服提问。',
    backHome: '返回首页',
    footer: '知更学堂是一个演示站点，用来展示嵌入式客服组件。',
  },
  en: {
    htmlLang: 'en',
    siteName: 'Robin Academy',
    tagline: 'Courses and articles that make expert knowledge clear',
    home: 'Home',
    otherLanguage: '中文',
    articlesHeading: 'Articles in English',
    by: 'By',
    readingTime: (minutes: number) => `${minutes} min read`,
    comments: 'Reader comments',
    commentLabel: 'Share your thoughts',
    commentPlaceholder: 'Did this article help? Tell other readers about your experience.',
    commentSubmit: 'Post comment',
    commentNote: 'This is a demo site: comments are not sent or stored.',
    moreArticles: 'More articles',
    notFoundTitle: 'Article not found',
    notFoundText: 'It may have moved or been removed. Try one of these, or ask support at the bottom right.',
    backHome: 'Back to home',
    footer: 'Robin Academy is a demo site showing the embeddable support widget.',
  },
} as const;

const INTRO: Record<Lang, string> = {
  zh: '知更学堂是一个知识付费平台：上千门由一线从业者讲授的视频课、音频课和付费专栏，配合训练营、问答社区和学习笔记，帮你把学到的东西真正用起来。',
  en: 'Robin Academy is a paid-knowledge platform: over a thousand video courses, audio courses and paid columns taught by working practitioners, with training camps, a Q&A community and study notes to help you put what you learn to use.',
};

const otherLang = (lang: Lang): Lang => (lang === 'zh' ? 'en' : 'zh');
const homeHref = (lang: Lang): string => (lang === 'zh' ? '/' : '/?lang=en');

function formatDate(iso: string, lang: Lang): string {
  const [y, m, d] = iso.split('-').map(Number);
  if (lang === 'zh') return `${y}年${m}月${d}日`;
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
}

function readingMinutes(a: DemoArticle): number {
  const text = a.body.join(' ');
  // Chinese is read by the character, English by the word; both rates are common averages.
  const units = a.language === 'zh' ? text.replace(/\s/g, '').length / 400 : text.split(/\s+/).length / 220;
  return Math.max(1, Math.ceil(units));
}

/** Which of six avatar colours a commenter gets; stable so a name keeps its colour. */
function avatarTone(name: string): number {
  let sum = 0;
  for (const ch of name) sum += ch.codePointAt(0) ?? 0;
  return sum % 6;
}

interface PageOptions {
  lang: Lang;
  title: string;
  description: string;
  /** Where the widget's script tag goes: both must work, so the pages use both. */
  widgetIn: 'head' | 'body';
  /** The same page in the other language, for the switch and for hreflang. */
  switchHref: string;
  alternates?: { lang: Lang; href: string }[];
  main: SafeHtml;
}

function layout(publicUrl: string, p: PageOptions): string {
  const t = UI[p.lang];
  const widget = html`<script src="${publicUrl}/widget.js" data-site="demo" async></script>`;
  return `<!doctype html>\n${html`<html lang="${t.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${p.title} · ${t.siteName}</title>
<meta name="description" content="${p.description}">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/demo/style.css">
${(p.alternates ?? []).map((a) => html`<link rel="alternate" hreflang="${UI[a.lang].htmlLang}" href="${a.href}">\n`)}${p.widgetIn === 'head' && widget}
</head>
<body>
<header class="site-header">
  <div class="site-header__inner">
    <a class="brand" href="${homeHref(p.lang)}"><span class="brand__mark" aria-hidden="true">知</span>${t.siteName}</a>
    <nav class="site-nav">
      <a href="${homeHref(p.lang)}">${t.home}</a>
      <a class="lang-switch" href="${p.switchHref}" hreflang="${UI[otherLang(p.lang)].htmlLang}" lang="${UI[otherLang(p.lang)].htmlLang}">${t.otherLanguage}</a>
    </nav>
  </div>
</header>
<main class="site-main">
${p.main}
</main>
<footer class="site-footer"><p>${t.footer}</p></footer>
${p.widgetIn === 'body' && widget}
</body>
</html>
`}`;
}

function articleCard(publicUrl: string, a: DemoArticle): SafeHtml {
  return html`<li class="card" lang="${UI[a.language].htmlLang}">
  <h3 class="card__title"><a href="${demoArticleUrl(publicUrl, a)}">${a.title}</a></h3>
  <p class="card__summary">${a.summary}</p>
  <p class="meta">${a.author} · <time datetime="${a.date}">${formatDate(a.date, a.language)}</time></p>
</li>`;
}

function renderHome(publicUrl: string, articles: readonly DemoArticle[], lang: Lang): string {
  const order = [lang, otherLang(lang)];
  const main = html`<section class="hero">
  <h1 class="hero__title"><span lang="zh-CN">${UI.zh.siteName}</span> <span class="hero__alt" lang="en">${UI.en.siteName}</span></h1>
  <p class="hero__tagline">${UI[lang].tagline}</p>
  <div class="intro">
    ${order.map((l) => html`<p lang="${UI[l].htmlLang}">${INTRO[l]}</p>`)}
  </div>
</section>
${order.map(
  (l) => html`<section class="article-list" id="articles-${l}" lang="${UI[l].htmlLang}">
  <h2>${UI[l].articlesHeading}</h2>
  <ul class="cards">${articles.filter((a) => a.language === l).map((a) => articleCard(publicUrl, a))}</ul>
</section>`,
)}`;
  return layout(publicUrl, {
    lang,
    title: UI[lang].tagline,
    description: INTRO[lang],
    widgetIn: 'head',
    switchHref: homeHref(otherLang(lang)),
    alternates: LANGS.map((l) => ({ lang: l, href: `${publicUrl}${homeHref(l)}` })),
    main,
  });
}

/** A comment box for show: its field has no name, so submitting sends nothing and stores nothing. */
function commentForm(lang: Lang): SafeHtml {
  const t = UI[lang];
  return html`<form class="comment-form" id="comment-form" action="#comment-form">
    <label for="comment-text">${t.commentLabel}</label>
    <textarea id="comment-text" rows="4" placeholder="${t.commentPlaceholder}"></textarea>
    <div class="comment-form__row">
      <button type="submit">${t.commentSubmit}</button>
      <p class="comment-form__note">${t.commentNote}</p>
    </div>
  </form>`;
}

function renderArticle(publicUrl: string, articles: readonly DemoArticle[], a: DemoArticle): string {
  const t = UI[a.language];
  const translation = articles.find((x) => x.slug === a.slug && x.language !== a.language);
  const more = articles.filter((x) => x.language === a.language && x.slug !== a.slug);
  const main = html`<article class="article">
  <header class="article__header">
    <h1>${a.title}</h1>
    <p class="meta">${t.by} ${a.author} · <time datetime="${a.date}">${formatDate(a.date, a.language)}</time> · ${t.readingTime(readingMinutes(a))}</p>
    <p class="article__lead">${a.summary}</p>
  </header>
  <div class="article__body">
    ${a.body.map((p) => html`<p>${p}</p>`)}
  </div>
</article>
<section class="comments" id="comments">
  <h2>${t.comments} <span class="comments__count">${a.comments.length}</span></h2>
  <ol class="comment-list">
    ${a.comments.map(
      (c) => html`<li class="comment">
      <span class="avatar avatar--${avatarTone(c.author)}" aria-hidden="true">${Array.from(c.author)[0] ?? ''}</span>
      <div class="comment__content">
        <p class="comment__head"><span class="comment__author">${c.author}</span> <time datetime="${c.date}">${formatDate(c.date, a.language)}</time></p>
        <p class="comment__text">${c.text}</p>
      </div>
    </li>`,
    )}
  </ol>
  ${commentForm(a.language)}
</section>
${more.length > 0 && html`<section class="article-list article-list--more">
  <h2>${t.moreArticles}</h2>
  <ul class="cards">${more.map((x) => articleCard(publicUrl, x))}</ul>
</section>`}`;
  return layout(publicUrl, {
    lang: a.language,
    title: a.title,
    description: a.summary,
    widgetIn: 'body',
    switchHref: translation ? demoArticleUrl(publicUrl, translation) : homeHref(otherLang(a.language)),
    alternates: [a, ...(translation ? [translation] : [])].map((x) => ({
      lang: x.language,
      href: demoArticleUrl(publicUrl, x),
    })),
    main,
  });
}

function renderNotFound(publicUrl: string, articles: readonly DemoArticle[], lang: Lang): string {
  const t = UI[lang];
  const main = html`<section class="not-found">
  <p class="not-found__code">404</p>
  <h1>${t.notFoundTitle}</h1>
  <p>${t.notFoundText}</p>
  <p><a class="button" href="${homeHref(lang)}">${t.backHome}</a></p>
</section>
<section class="article-list">
  <ul class="cards">${articles.filter((a) => a.language === lang).map((a) => articleCard(publicUrl, a))}</ul>
</section>`;
  return layout(publicUrl, {
    lang,
    title: t.notFoundTitle,
    description: t.notFoundText,
    widgetIn: 'body',
    switchHref: homeHref(otherLang(lang)),
    main,
  });
}

/**
 * Routes of the demo site, to mount at the root: `/` (`?lang=en` for English),
 * `/zh/articles/:slug` and `/en/articles/:slug`. Its stylesheet is expected at `/demo/style.css`.
 * `articles` defaults to DEMO_ARTICLES; tests pass their own.
 * @example app.use(createDemoRouter({ publicUrl: config.publicUrl }));
 */
export function createDemoRouter(opts: { publicUrl: string; articles?: readonly DemoArticle[] }): Router {
  const publicUrl = opts.publicUrl.replace(/\/+$/, '');
  const articles = opts.articles ?? DEMO_ARTICLES;
  const bySlug = new Map(articles.map((a) => [`${a.language}/${a.slug}`, a]));
  const router = express.Router();

  router.get('/', (req, res) => {
    res.type('html').send(renderHome(publicUrl, articles, req.query.lang === 'en' ? 'en' : 'zh'));
  });

  for (const lang of LANGS) {
    router.get(`/${lang}/articles/:slug`, (req, res) => {
      const article = bySlug.get(`${lang}/${req.params.slug}`);
      if (!article) {
        res.status(404).type('html').send(renderNotFound(publicUrl, articles, lang));
        return;
      }
      res.type('html').send(renderArticle(publicUrl, articles, article));
    });
  }

  return router;
}
