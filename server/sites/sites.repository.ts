import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agentSites, sites, type Site } from '../db/schema.ts';

export async function findSite(db: Db, id: string): Promise<Site | undefined> {
  const [row] = await db.select().from(sites).where(eq(sites.id, id)).limit(1);
  return row;
}

export async function insertSite(db: Db, site: typeof sites.$inferInsert): Promise<Site> {
  const [row] = await db.insert(sites).values(site).returning();
  return row;
}

export async function updateSiteOrigins(db: Db, id: string, origins: string[]): Promise<void> {
  await db.update(sites).set({ origins }).where(eq(sites.id, id));
}

export async function listSites(db: Db, ids?: string[]): Promise<Site[]> {
  if (ids) return ids.length ? db.select().from(sites).where(inArray(sites.id, ids)) : [];
  return db.select().from(sites);
}

export async function addAgentToSite(db: Db, agentId: string, siteId: string): Promise<void> {
  await db.insert(agentSites).values({ agentId, siteId }).onConflictDoNothing();
}
