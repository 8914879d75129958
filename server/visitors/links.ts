/**
 * Links in reply emails that bring a visitor back into their conversation from any browser.
 *
 * A link carries a random 256-bit token; the table keeps only its sha256, so a leaked table or
 * log leaks no link. Redeeming it is one UPDATE that succeeds once, before the expiry: the row's
 * hash is then replaced by the hash of a new browser token issued to the redeeming browser, so the
 * link itself is useless afterwards, and the row becomes that browser's binding to the visitor
 * (the visitor's first browser keeps its own token in visitors.token_hash).
 *
 * A link is not spent by merely arriving in a browser: whoever sends someone a link of their own
 * would have that person's browser write into the sender's conversation, where the sender reads it.
 * The browser first learns whose the link is (peekVisitorLink: the address it was mailed to, masked)
 * and the visitor opens it only if it is theirs (session:link).
 */
import { and, eq, gt, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { visitorLinks, visitors, type Visitor } from '../db/schema.ts';
import { randomToken, sha256 } from '../crypto.ts';

/** How long a browser bound by a link stays bound without another link: as long as a widget token lives in practice. */
const BINDING_TTL_MS = 365 * 86400_000;

/** Same shape as every token we issue (randomToken(32): 43 base64url characters). */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

/** A new one-time link for a visitor; the token is for the email only, never stored or logged. */
export async function createVisitorLink(db: Db, visitorId: string, conversationId: string | null, expiresAt: Date): Promise<string> {
  const token = randomToken(32);
  await db.insert(visitorLinks).values({ tokenHash: sha256(token), visitorId, conversationId, expiresAt });
  return token;
}

/**
 * Spends a link of this site: resolves with its visitor and a new token for this browser, or
 * undefined when the link is unknown, of another site, expired or already used (all alike).
 *
 * `bind` runs before the commit, with the visitor's row held FOR SHARE, as an erase
 * (privacy.ts) takes that row first too: either the erase waits, and closes the widget that `bind`
 * put in the visitor's room when it is done, or this waits for the erase, whose deletion of the
 * visitor's links leaves nothing to spend. Before, a widget bound just after an erase's last close
 * stayed in the erased visitor's room.
 */
export async function redeemVisitorLink(
  db: Db,
  siteId: string,
  link: unknown,
  now: Date,
  bind: (visitor: Visitor, token: string) => void = () => {},
): Promise<{ visitor: Visitor; token: string } | undefined> {
  if (typeof link !== 'string' || !LINK_TOKEN.test(link)) return undefined;
  const token = randomToken(32);
  return db.transaction(async (tx) => {
    const [held] = await tx
      .select({ visitor: visitors })
      .from(visitorLinks)
      .innerJoin(visitors, eq(visitors.id, visitorLinks.visitorId))
      .where(usable(tx, siteId, link, now))
      .for('share', { of: visitors });
    if (!held) return undefined;
    // One statement: of two browsers racing with the same link, one wins.
    const [spent] = await tx
      .update(visitorLinks)
      .set({ tokenHash: sha256(token), usedAt: now, expiresAt: new Date(now.getTime() + BINDING_TTL_MS) })
      .where(usable(tx, siteId, link, now))
      .returning({ visitorId: visitorLinks.visitorId });
    if (!spent) return undefined;
    bind(held.visitor, token);
    return { visitor: held.visitor, token };
  });
}

/** The conditions of a link of this site that can still be spent. */
function usable(db: Db, siteId: string, link: string, now: Date) {
  return and(
    eq(visitorLinks.tokenHash, sha256(link)),
    isNull(visitorLinks.usedAt),
    gt(visitorLinks.expiresAt, now),
    inArray(visitorLinks.visitorId, db.select({ id: visitors.id }).from(visitors).where(eq(visitors.siteId, siteId))),
  );
}

/**
 * Whose a link of this site is, without spending it: its visitor and the address it was mailed to,
 * masked (what the widget shows before this browser becomes that visitor). Undefined as redeemVisitorLink.
 */
export async function peekVisitorLink(db: Db, siteId: string, link: unknown, now: Date): Promise<{ visitorId: string; to: string } | undefined> {
  if (typeof link !== 'string' || !LINK_TOKEN.test(link)) return undefined;
  const [row] = await db
    .select({ visitorId: visitorLinks.visitorId, email: visitors.email })
    .from(visitorLinks)
    .innerJoin(visitors, eq(visitors.id, visitorLinks.visitorId))
    .where(usable(db, siteId, link, now));
  return row && { visitorId: row.visitorId, to: maskEmail(row.email ?? '') };
}

/** Spends a link opened by its own visitor's browser: it binds nothing (the browser has the visitor's token) and works no more. */
export async function spendVisitorLink(db: Db, siteId: string, link: string, now: Date): Promise<void> {
  await db.update(visitorLinks).set({ usedAt: now, expiresAt: now }).where(usable(db, siteId, link, now));
}

/** `jane.doe@example.com` → `j***@example.com`: enough for its owner to know it, not for anyone else to learn it. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 1 ? '***' : `${email[0]}***${email.slice(at)}`;
}

/** The visitor a browser was bound to by a spent link (the fallback of findVisitorByToken). */
export async function findLinkedVisitor(db: Db, siteId: string, token: string, now: Date): Promise<Visitor | undefined> {
  const [row] = await db
    .select({ visitor: visitors })
    .from(visitorLinks)
    .innerJoin(visitors, eq(visitors.id, visitorLinks.visitorId))
    .where(and(eq(visitorLinks.tokenHash, sha256(token)), isNotNull(visitorLinks.usedAt), gt(visitorLinks.expiresAt, now), eq(visitors.siteId, siteId)))
    .limit(1);
  return row?.visitor;
}

/** Binds one more browser to a visitor: a new browser token, stored as a spent link (found by findLinkedVisitor). */
export async function bindBrowser(db: Db, visitorId: string, now: Date): Promise<string> {
  const token = randomToken(32);
  await db.insert(visitorLinks).values({ tokenHash: sha256(token), visitorId, conversationId: null, usedAt: now, expiresAt: new Date(now.getTime() + BINDING_TTL_MS) });
  return token;
}

/** Whether a browser other than the visitor's first is bound to it (by a reply email's link). */
export async function boundElsewhere(db: Db, visitorId: string, now: Date): Promise<boolean> {
  const rows = await db
    .select({ id: visitorLinks.visitorId })
    .from(visitorLinks)
    .where(and(eq(visitorLinks.visitorId, visitorId), isNotNull(visitorLinks.usedAt), gt(visitorLinks.expiresAt, now)))
    .limit(1);
  return rows.length > 0;
}
