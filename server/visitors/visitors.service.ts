/** Anonymous visitors: known by a random token the widget keeps; the server stores only its hash. */
import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { GroupedStore } from '../db/group-commit.ts';
import type { Db } from '../db/client.ts';
import { visitors, type Visitor } from '../db/schema.ts';
import { randomToken, sha256 } from '../crypto.ts';
import { AppError } from '../errors.ts';
import { bindBrowser } from './links.ts';

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
 * New visitors, grouped like messages (db/group-commit.ts): the first events of the sockets that
 * arrive in one turn of the event loop insert their visitors by one statement and one commit. A page
 * of new readers opening the chat at once costs one round trip, not one per socket. The row is the
 * one `newVisitor` issued (its id and times); a second call for it changes nothing.
 */
const STORE = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS t(i int, id uuid, site_id text, token_hash text, locale text, at timestamptz)
)
INSERT INTO visitors (id, site_id, token_hash, locale, created_at, last_seen_at)
SELECT id, site_id, token_hash, locale, at, at FROM input ORDER BY i
ON CONFLICT (id) DO NOTHING
RETURNING (SELECT input.i FROM input WHERE input.id = visitors.id) AS i`;

/**
 * Issues a new visitor and the token that proves it, in memory only: the token is shown once, to its
 * owner, and the row is written by `storeVisitor` before the visitor's first event is handled
 * (visitors.handlers.ts). A widget that connects and says nothing costs no row and no write.
 */
export function newVisitor(siteId: string, now: Date, locale?: string): { visitor: Visitor; token: string } {
  const token = randomToken(32);
  const visitor: Visitor = {
    id: randomUUID(),
    siteId,
    tokenHash: sha256(token),
    externalId: null,
    name: null,
    email: null,
    locale: locale ?? null,
    identitySource: null,
    attributes: {},
    userAgent: null,
    timezone: null,
    createdAt: now,
    lastSeenAt: now,
  };
  return { visitor, token };
}

/** Writes a visitor `newVisitor` issued, committed before it resolves. */
export async function storeVisitor(store: GroupedStore, visitor: Visitor): Promise<void> {
  await store(STORE, visitor.id, {
    id: visitor.id,
    site_id: visitor.siteId,
    token_hash: visitor.tokenHash,
    locale: visitor.locale,
    at: visitor.createdAt.toISOString(),
  });
}

/**
 * Holds the visitor's row (FOR SHARE) for the rest of the transaction if it still has the token hash
 * the sender was known by, else refuses with UNAUTHORIZED. An erase (privacy.ts) replaces the hash
 * under a row lock: it waits for a write in progress, and a write that comes after it (a handler that
 * was already running, a socket on another node not yet closed) stores nothing of the erased visitor.
 */
export async function holdVisitor(db: Db, visitor: Pick<Visitor, 'id' | 'tokenHash'>): Promise<void> {
  const rows = await db.select({ id: visitors.id }).from(visitors).where(and(eq(visitors.id, visitor.id), eq(visitors.tokenHash, visitor.tokenHash))).for('share');
  if (!rows.length) throw new AppError('UNAUTHORIZED');
}

/** Last seen now, and what the browser last said about itself (language, User-Agent, time zone) where it said it. */
export async function touchVisitor(
  db: Db,
  { id, tokenHash }: Pick<Visitor, 'id' | 'tokenHash'>,
  now: Date,
  seen: { locale?: string; userAgent?: string; timezone?: string } = {},
): Promise<void> {
  const set: Partial<typeof visitors.$inferInsert> = { lastSeenAt: now };
  if (seen.locale) set.locale = seen.locale;
  if (seen.userAgent) set.userAgent = seen.userAgent;
  if (seen.timezone) set.timezone = seen.timezone;
  // Not an erased visitor's (a new token hash): its browser's details stay gone.
  await db.update(visitors).set(set).where(and(eq(visitors.id, id), eq(visitors.tokenHash, tokenHash)));
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

/**
 * The visitor of a signed-in user of the site: the one they were last seen as (on another browser,
 * say), with a new token that binds this browser to it too, or a new visitor for them.
 */
export async function visitorOfUser(db: Db, siteId: string, externalId: string, now: Date): Promise<{ visitor: Visitor; token: string }> {
  const [known] = await db
    .select()
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), eq(visitors.externalId, externalId)))
    .orderBy(desc(visitors.lastSeenAt))
    .limit(1);
  if (known) return { visitor: known, token: await bindBrowser(db, known.id, now) };
  const issued = newVisitor(siteId, now);
  await db.insert(visitors).values(issued.visitor);
  return issued;
}
