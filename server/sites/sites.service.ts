/** Sites: who may embed the widget, and from where. */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { eq } from 'drizzle-orm';
import { sites, type Site } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { randomToken } from '../crypto.ts';
import { insertSite, updateSiteOrigins } from './sites.repository.ts';
import type { SiteCache } from './site-cache.ts';

/** Normalises an origin ("https://Example.com/" -> "https://example.com"); throws on anything else. */
export function normalizeOrigin(value: string): string {
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`not an http(s) origin: ${value}`);
  return url.origin;
}

export function newSiteKey(): string {
  // 12 url-safe characters: short enough for a snippet, too many to guess.
  return randomBytes(9).toString('base64url');
}

export async function createSite(db: Db, input: { name: string; origins: string[]; id?: string }): Promise<Site> {
  const origins = [...new Set(input.origins.map(normalizeOrigin))];
  return insertSite(db, { id: input.id ?? newSiteKey(), name: input.name, origins, secret: randomToken(32) });
}

/**
 * The handshake rule: the site must exist, and a browser (which always sends Origin) must be on
 * one of its origins. A client without Origin is not a browser and cannot be hijacked cross-site.
 */
export async function checkSiteAccess(sites: SiteCache, siteId: unknown, origin: string | undefined): Promise<Site> {
  if (typeof siteId !== 'string' || siteId.length === 0 || siteId.length > 64 || siteId.includes('\u0000')) throw new AppError('UNKNOWN_SITE');
  const site = await sites.get(siteId);
  if (!site) throw new AppError('UNKNOWN_SITE');
  if (origin !== undefined && !originAllowed(site, origin)) throw new AppError('ORIGIN_NOT_ALLOWED');
  return site;
}

export function originAllowed(site: Site, origin: string): boolean {
  let normalized: string;
  try {
    normalized = normalizeOrigin(origin);
  } catch {
    return false;
  }
  return site.origins.includes(normalized);
}

/** Makes sure a site allows the given origins (used for the demo site on every start). */
export async function ensureOrigins(db: Db, site: Site, origins: string[]): Promise<void> {
  const merged = [...new Set([...site.origins, ...origins.map(normalizeOrigin)])];
  if (merged.length !== site.origins.length) await updateSiteOrigins(db, site.id, merged);
}

/**
 * How long the secret before a rotation keeps verifying identity signatures: a day leaves time to
 * deploy the new secret to the site's back end (and to roll back) without logging visitors out of
 * their verified identity. The articles API takes it for as long too (articles.handlers.ts).
 */
export const SECRET_GRACE_MS = 24 * 3600_000;

/** Gives a site a new secret; the current one becomes the previous one, valid for SECRET_GRACE_MS. Returns the new secret. */
export async function rotateSecret(db: Db, id: string, now: Date): Promise<{ site: Site; secret: string } | undefined> {
  const secret = randomToken(32);
  const [site] = await db
    .update(sites)
    .set({ secret, previousSecret: sites.secret, previousSecretExpiresAt: new Date(now.getTime() + SECRET_GRACE_MS) })
    .where(eq(sites.id, id))
    .returning();
  return site && { site, secret };
}

/**
 * The secrets a site's back end may use now: the current one and, after a rotation, the previous
 * one until its grace period ends (rotateSecret), so that the back end can switch without a gap.
 */
export function activeSecrets(site: Site, now: Date): string[] {
  const previousValid = site.previousSecret && site.previousSecretExpiresAt && site.previousSecretExpiresAt > now;
  return previousValid ? [site.secret, site.previousSecret!] : [site.secret];
}
