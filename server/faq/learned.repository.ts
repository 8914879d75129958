/** SQL for learned FAQ variants: visitors' questions that agents answered with an entry. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { LearnedVariantDTO } from '../../shared/types.ts';
import type { Db } from '../db/client.ts';
import { agents, faqLearnedVariants, type FaqLearnedVariant } from '../db/schema.ts';

type Row = FaqLearnedVariant & { agentName: string | null };

export const toLearnedDTO = (v: Row): LearnedVariantDTO => ({
  id: v.id,
  entryId: v.entryId,
  text: v.text,
  source: v.source,
  status: v.status,
  conversationId: v.conversationId,
  agentName: v.agentName,
  createdAt: v.createdAt.toISOString(),
});

const withAgent = (db: Db) =>
  db
    .select({ v: faqLearnedVariants, agentName: agents.name })
    .from(faqLearnedVariants)
    .leftJoin(agents, eq(agents.id, faqLearnedVariants.agentId));

const flat = (rows: { v: FaqLearnedVariant; agentName: string | null }[]): Row[] => rows.map((r) => ({ ...r.v, agentName: r.agentName }));

/** The learned variants of these entries, newest first, grouped by entry. */
export async function learnedByEntry(db: Db, entryIds: string[]): Promise<Map<string, LearnedVariantDTO[]>> {
  const byEntry = new Map<string, LearnedVariantDTO[]>();
  if (!entryIds.length) return byEntry;
  const rows = flat(await withAgent(db).where(inArray(faqLearnedVariants.entryId, entryIds)).orderBy(desc(faqLearnedVariants.createdAt)));
  for (const r of rows) {
    const list = byEntry.get(r.entryId) ?? [];
    list.push(toLearnedDTO(r));
    byEntry.set(r.entryId, list);
  }
  return byEntry;
}

export async function findLearned(db: Db, id: string): Promise<Row | undefined> {
  const [row] = flat(await withAgent(db).where(eq(faqLearnedVariants.id, id)).limit(1));
  return row;
}

/** The variant of an entry with this exact text, if one was learned already. */
export async function findLearnedText(db: Db, entryId: string, text: string): Promise<Row | undefined> {
  const [row] = flat(await withAgent(db).where(and(eq(faqLearnedVariants.entryId, entryId), eq(faqLearnedVariants.text, text))).limit(1));
  return row;
}

export async function insertLearned(db: Db, values: typeof faqLearnedVariants.$inferInsert): Promise<FaqLearnedVariant> {
  const [row] = await db.insert(faqLearnedVariants).values(values).returning();
  return row;
}

export async function activateLearned(db: Db, id: string): Promise<void> {
  await db.update(faqLearnedVariants).set({ status: 'active' }).where(eq(faqLearnedVariants.id, id));
}

export async function deleteLearned(db: Db, id: string): Promise<void> {
  await db.delete(faqLearnedVariants).where(eq(faqLearnedVariants.id, id));
}
