/** Anonymous visitors: known by a random token the widget keeps; the server stores only its hash. */
import { and, eq, getTableColumns } from 'drizzle-orm';
import type { GroupedStore } from '../db/group-commit.ts';
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

/**
 * New visitors, grouped like messages (db/group-commit.ts): the widget connections that arrive in one
 * turn of the event loop are inserted by one statement and one commit. A page of new readers opening
 * the chat at once costs one round trip, not one per socket.
 */
const CREATE = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS t(i int, site_id text, token_hash text, locale text)
), ins AS (
  INSERT INTO visitors (site_id, token_hash, locale) SELECT site_id, token_hash, locale FROM input ORDER BY i RETURNING *
)
SELECT input.i, ins.* FROM ins JOIN input ON input.token_hash = ins.token_hash`;

const COLUMNS = Object.entries(getTableColumns(visitors));

/** A visitors row as the driver returned it (snake_case), as drizzle would map it. */
function toVisitor(row: Record<string, unknown>): Visitor {
  return Object.fromEntries(COLUMNS.map(([key, col]) => [key, row[col.name] === null ? null : col.mapFromDriverValue(row[col.name])])) as Visitor;
}

/** Issues a new visitor and the token that proves it; the token is shown once, to its owner. */
export async function createVisitor(store: GroupedStore, siteId: string, locale?: string): Promise<{ visitor: Visitor; token: string }> {
  const token = randomToken(32);
  const tokenHash = sha256(token);
  const row = await store<Record<string, unknown>>(CREATE, tokenHash, { site_id: siteId, token_hash: tokenHash, locale: locale ?? null });
  if (!row) throw new Error('visitor insert returned no row');
  return { visitor: toVisitor(row), token };
}

/** Last seen now, and what the browser last said about itself (language, User-Agent, time zone) where it said it. */
export async function touchVisitor(
  db: Db,
  id: string,
  now: Date,
  seen: { locale?: string; userAgent?: string; timezone?: string } = {},
): Promise<void> {
  const set: Partial<typeof visitors.$inferInsert> = { lastSeenAt: now };
  if (seen.locale) set.locale = seen.locale;
  if (seen.userAgent) set.userAgent = seen.userAgent;
  if (seen.timezone) set.timezone = seen.timezone;
  await db.update(visitors).set(set).where(eq(visitors.id, id));
}

export async function setVisitorIdentity(
  db: Db,
  id: string,
  identity: { externalId: string; name?: string; email?: string; attributes?: Record<string, string | number | boolean> },
): Promise<Visitor> {
  // The attributes are the site's latest word: an identify call without them clears the card.
  const [row] = await db
    .update(visitors)
    .set({
      externalId: identity.externalId,
      name: identity.name ?? null,
      email: identity.email ?? null,
      identitySource: 'signed',
      attributes: identity.attributes ?? {},
    })
    .where(eq(visitors.id, id))
    .returning();
  return row;
}
