/**
 * What the console shows about a conversation's visitor, beside the conversation: who they are and how
 * that is known, their browser and local time, their other conversations and the site's attributes.
 */
import { and, desc, eq, ne } from 'drizzle-orm';
import { UAParser } from 'ua-parser-js';
import type { VisitorPanelDTO } from '../../shared/http.ts';
import type { Db } from '../db/client.ts';
import { conversations, visitors, type Visitor } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/** Earlier conversations listed in the panel. */
export const EARLIER_LIMIT = 20;

/** Browser, OS and device from a User-Agent; ua-parser-js says nothing of a desktop's device type, so that is what it is. */
export function describeUserAgent(ua: string | null): Pick<VisitorPanelDTO, 'browser' | 'os' | 'device'> {
  if (!ua) return { browser: null, os: null, device: null };
  const r = new UAParser(ua).getResult();
  const named = (...parts: (string | undefined)[]) => parts.filter(Boolean).join(' ') || null;
  return {
    browser: named(r.browser.name, r.browser.version),
    os: named(r.os.name, r.os.version),
    device: r.browser.name || r.os.name ? { type: r.device.type ?? 'desktop', model: named(r.device.vendor, r.device.model) } : null,
  };
}

function identityOf(v: Visitor): VisitorPanelDTO['identity'] {
  if (v.externalId !== null) return 'signed';
  return v.name || v.email ? 'claimed' : null;
}

/** The panel for one conversation, to an agent of its site only (NOT_FOUND otherwise, as for the conversation itself). Two queries. */
export async function visitorPanel(db: Db, siteIds: string[], conversationId: string): Promise<VisitorPanelDTO> {
  const [row] = await db
    .select({ siteId: conversations.siteId, v: visitors })
    .from(conversations)
    .innerJoin(visitors, eq(visitors.id, conversations.visitorId))
    .where(eq(conversations.id, conversationId))
    .limit(1);
  if (!row || !siteIds.includes(row.siteId)) throw new AppError('NOT_FOUND');
  const v = row.v;
  const earlier = await db
    .select({ id: conversations.id, status: conversations.status, question: conversations.question, createdAt: conversations.createdAt })
    .from(conversations)
    .where(and(eq(conversations.visitorId, v.id), ne(conversations.id, conversationId)))
    .orderBy(desc(conversations.createdAt))
    .limit(EARLIER_LIMIT);
  return {
    visitorId: v.id,
    name: v.name,
    email: v.email,
    identity: identityOf(v),
    externalId: v.externalId,
    attributes: v.attributes as VisitorPanelDTO['attributes'],
    ...describeUserAgent(v.userAgent),
    timezone: v.timezone,
    firstSeenAt: v.createdAt.toISOString(),
    lastSeenAt: v.lastSeenAt.toISOString(),
    earlier: earlier.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })),
  };
}
