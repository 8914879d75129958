/** The visitor's own name and email address, left in the widget to be answered by email. */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { VisitorContact } from '../../shared/schemas.ts';
import type { VisitorContactDTO } from '../../shared/types.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { visitors, type Site, type Visitor } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/** Known by the site's signature: their name and email come from the site, and they are not asked. */
export const isSigned = (v: Visitor): boolean => v.externalId !== null || v.identitySource === 'signed';

export function contactOf(site: Site, visitor: Visitor, config: Config): VisitorContactDTO {
  return {
    name: visitor.name,
    email: visitor.email,
    signed: isSigned(visitor),
    prechatForm: site.prechatForm,
    firstResponseTargetSec: site.firstResponseTargetSec,
    emailEnabled: Boolean(config.mail.smtpUrl && config.mail.from),
  };
}

/**
 * Stores what the visitor claims (not verified: mails go only to what they typed themselves). Refused
 * for a visitor the site signed, checked on the row itself: `visitor` is a socket's copy, and another
 * tab of the same browser may have been identified since this one connected.
 */
export async function saveContact(db: Db, visitor: Visitor, input: VisitorContact): Promise<Visitor> {
  if (isSigned(visitor)) throw new AppError('FORBIDDEN');
  const [row] = await db
    .update(visitors)
    .set({ email: input.email, name: sql`coalesce(${input.name ?? null}::text, ${visitors.name})`, identitySource: 'claimed' })
    .where(and(eq(visitors.id, visitor.id), eq(visitors.tokenHash, visitor.tokenHash), isNull(visitors.externalId), sql`${visitors.identitySource} is distinct from 'signed'`))
    .returning();
  if (!row) throw new AppError('FORBIDDEN');
  return row;
}

/** The site's pre-chat form asks for what this visitor has not given yet. */
export function contactMissing(site: Site, visitor: Visitor): boolean {
  if (site.prechatForm === 'off' || isSigned(visitor)) return false;
  return !visitor.email || (site.prechatForm === 'name_email' && !visitor.name);
}
