/** Articles a site registers so the widget can point to them when no FAQ entry is confident. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { ArticleInput } from '../../shared/schemas.ts';
import type { ArticleDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { articles, type Article } from '../db/schema.ts';

export const toArticleDTO = (a: Article): ArticleDTO => ({
  id: a.id,
  siteId: a.siteId,
  url: a.url,
  title: a.title,
  summary: a.summary,
  language: a.language,
  updatedAt: a.updatedAt.toISOString(),
});

/** Inserts or updates by (site, url); the index is updated article by article. */
export async function upsertArticles(ctx: Ctx, siteId: string, inputs: ArticleInput[]): Promise<number> {
  const now = ctx.clock();
  for (const a of inputs) {
    const values = { siteId, url: a.url, title: a.title, summary: a.summary, body: a.body, language: a.language, updatedAt: now };
    const [row] = await ctx.db
      .insert(articles)
      .values(values)
      .onConflictDoUpdate({ target: [articles.siteId, articles.url], set: values })
      .returning({ id: articles.id });
    await ctx.faq.changed({ siteId, kind: 'article', id: row.id });
  }
  return inputs.length;
}

export async function listArticles(ctx: Ctx, siteIds: string[]): Promise<ArticleDTO[]> {
  if (!siteIds.length) return [];
  const rows = await ctx.db.select().from(articles).where(inArray(articles.siteId, siteIds)).orderBy(desc(articles.updatedAt)).limit(1000);
  return rows.map(toArticleDTO);
}

export async function deleteArticle(ctx: Ctx, siteId: string, url: string): Promise<void> {
  const rows = await ctx.db.delete(articles).where(and(eq(articles.siteId, siteId), eq(articles.url, url))).returning({ id: articles.id });
  for (const r of rows) await ctx.faq.changed({ siteId, kind: 'article', id: r.id });
}
