/** Anonymous visitors: known by a random token the widget keeps; the server stores only its hash. */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { visitors, type Visitor } from '../db/schema.ts';
import { randomToken, sha256 } from '../crypto.ts';

export async function findVisitorByToken(db: Db, siteId: string, token: unknown): Promise<Visitor | undefined> {
  if (typeof token !== 'string' || token.length < 20 || token.length > 100) return undefined;
  const [row] = await db
    .select()
    .from(visitors)
    .where(and(eq(visitors.tokenHash, sha256(token)), eq(visitors.siteId, siteId)))
    .limit(1);
  return row;
}

/** Issues a new visitor and the token that proves it; the token is shown once, to its owner. */
export async function createVisitor(db: Db, siteId: string, locale?: string): Promise<{ visitor: Visitor; token: string }> {
  const token = randomToken(32);
  const [visitor] = await db.insert(visitors).values({ siteId, tokenHash: sha256(token), locale }).returning();
  return { visitor, token };
}

export async function touchVisitor(db: Db, id: string, now: Date, locale?: string): Promise<void> {
  await db.update(visitors).set(locale ? { lastSeenAt: now, locale } : { lastSeenAt: now }).where(eq(visitors.id, id));
}

export async function setVisitorIdentity(
  db: Db,
  id: string,
  identity: { externalId: string; name?: string; email?: string },
): Promise<Visitor> {
  const [row] = await db
    .update(visitors)
    .set({ externalId: identity.externalId, name: identity.name ?? null, email: identity.email ?? null })
    .where(eq(visitors.id, id))
    .returning();
  return row;
}
