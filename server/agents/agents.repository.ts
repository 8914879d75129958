import { and, eq, gt, lt } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agentSites, agents, sessions, type Agent } from '../db/schema.ts';

export async function findAgentByEmail(db: Db, email: string): Promise<Agent | undefined> {
  const [row] = await db.select().from(agents).where(eq(agents.email, email.toLowerCase())).limit(1);
  return row;
}

export async function findAgent(db: Db, id: string): Promise<Agent | undefined> {
  const [row] = await db.select().from(agents).where(eq(agents.id, id)).limit(1);
  return row;
}

export async function insertAgent(db: Db, values: typeof agents.$inferInsert): Promise<Agent> {
  const [row] = await db.insert(agents).values({ ...values, email: values.email.toLowerCase() }).returning();
  return row;
}

export async function countAgents(db: Db): Promise<number> {
  const rows = await db.select({ id: agents.id }).from(agents).limit(1);
  return rows.length;
}

export async function agentSiteIds(db: Db, agentId: string): Promise<string[]> {
  const rows = await db.select({ siteId: agentSites.siteId }).from(agentSites).where(eq(agentSites.agentId, agentId));
  return rows.map((r) => r.siteId);
}

export async function insertSession(db: Db, values: typeof sessions.$inferInsert): Promise<void> {
  await db.insert(sessions).values(values);
}

export async function findSessionAgent(db: Db, sessionId: string, now: Date): Promise<Agent | undefined> {
  const [row] = await db
    .select({ agent: agents })
    .from(sessions)
    .innerJoin(agents, eq(agents.id, sessions.agentId))
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, now)))
    .limit(1);
  return row?.agent;
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
}
