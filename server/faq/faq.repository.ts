import { and, asc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import type { FaqEntryInput } from '../../shared/schemas.ts';
import type { FaqEntryDTO } from '../../shared/types.ts';
import type { Db } from '../db/client.ts';
import { faqEntries, type FaqEntry } from '../db/schema.ts';

export function toFaqDTO(e: FaqEntry): FaqEntryDTO {
  return {
    id: e.id,
    siteId: e.siteId,
    question: e.question,
    variants: e.variants,
    answer: e.answer,
    language: e.language,
    tags: e.tags,
    articleUrls: e.articleUrls,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

const values = (siteId: string, input: FaqEntryInput, now: Date) => ({
  siteId,
  question: input.question,
  variants: [...new Set(input.variants)],
  answer: input.answer,
  language: input.language,
  tags: input.tags,
  articleUrls: input.articleUrls,
  updatedAt: now,
});

export async function listEntries(db: Db, siteIds: string[], q?: string): Promise<FaqEntry[]> {
  if (!siteIds.length) return [];
  const like = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  return db
    .select()
    .from(faqEntries)
    .where(
      and(
        inArray(faqEntries.siteId, siteIds),
        like ? or(ilike(faqEntries.question, like), ilike(faqEntries.answer, like), sql`${faqEntries.variants}::text ilike ${like}`) : undefined,
      ),
    )
    .orderBy(asc(faqEntries.createdAt), asc(faqEntries.question));
}

export async function findEntry(db: Db, id: string): Promise<FaqEntry | undefined> {
  const [row] = await db.select().from(faqEntries).where(eq(faqEntries.id, id)).limit(1);
  return row;
}

export async function insertEntry(db: Db, siteId: string, input: FaqEntryInput, now: Date): Promise<FaqEntry> {
  const [row] = await db.insert(faqEntries).values({ ...values(siteId, input, now), createdAt: now }).returning();
  return row;
}

export async function updateEntry(db: Db, id: string, siteId: string, input: FaqEntryInput, now: Date): Promise<FaqEntry> {
  const [row] = await db.update(faqEntries).set(values(siteId, input, now)).where(eq(faqEntries.id, id)).returning();
  return row;
}

export async function deleteEntry(db: Db, id: string): Promise<void> {
  await db.delete(faqEntries).where(eq(faqEntries.id, id));
}

export async function deleteSiteEntries(db: Db, siteId: string): Promise<void> {
  await db.delete(faqEntries).where(eq(faqEntries.siteId, siteId));
}
