import { and, asc, eq, ilike, inArray, ne, or, sql } from 'drizzle-orm';
import type { FaqEntryInput } from '../../shared/schemas.ts';
import type { FaqEntryDTO, LearnedVariantDTO } from '../../shared/types.ts';
import type { Db } from '../db/client.ts';
import { faqEntries, type FaqEntry } from '../db/schema.ts';

export function toFaqDTO(e: FaqEntry, learned: LearnedVariantDTO[] = []): FaqEntryDTO {
  return {
    id: e.id,
    siteId: e.siteId,
    question: e.question,
    variants: e.variants,
    answer: e.answer,
    language: e.language,
    tags: e.tags,
    articleUrls: e.articleUrls,
    status: e.status,
    sourceConversationId: e.sourceConversationId,
    learned,
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
  // Absent on an update: the entry keeps its status.
  ...(input.status ? { status: input.status } : {}),
  updatedAt: now,
});

/** A site's entries, optionally matching `q`; `published` leaves drafts out (exports: a re-import would publish them). */
export async function listEntries(db: Db, siteIds: string[], q?: string, opts: { published?: boolean } = {}): Promise<FaqEntry[]> {
  if (!siteIds.length) return [];
  const like = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  return db
    .select()
    .from(faqEntries)
    .where(
      and(
        inArray(faqEntries.siteId, siteIds),
        opts.published ? ne(faqEntries.status, 'draft') : undefined,
        like ? or(ilike(faqEntries.question, like), ilike(faqEntries.answer, like), sql`${faqEntries.variants}::text ilike ${like}`) : undefined,
      ),
    )
    .orderBy(asc(faqEntries.createdAt), asc(faqEntries.question));
}

export async function findEntry(db: Db, id: string): Promise<FaqEntry | undefined> {
  const [row] = await db.select().from(faqEntries).where(eq(faqEntries.id, id)).limit(1);
  return row;
}

export async function insertEntry(db: Db, siteId: string, input: FaqEntryInput, now: Date, sourceConversationId?: string): Promise<FaqEntry> {
  const [row] = await db
    .insert(faqEntries)
    .values({ ...values(siteId, input, now), status: input.status ?? 'published', sourceConversationId, createdAt: now })
    .returning();
  return row;
}

export async function updateEntry(db: Db, id: string, siteId: string, input: FaqEntryInput, now: Date): Promise<FaqEntry> {
  const [row] = await db.update(faqEntries).set(values(siteId, input, now)).where(eq(faqEntries.id, id)).returning();
  return row;
}

export async function publishEntry(db: Db, id: string, now: Date): Promise<FaqEntry | undefined> {
  const [row] = await db.update(faqEntries).set({ status: 'published', updatedAt: now }).where(eq(faqEntries.id, id)).returning();
  return row;
}

export async function deleteEntry(db: Db, id: string): Promise<void> {
  await db.delete(faqEntries).where(eq(faqEntries.id, id));
}

export async function deleteSiteEntries(db: Db, siteId: string): Promise<void> {
  await db.delete(faqEntries).where(eq(faqEntries.siteId, siteId));
}
