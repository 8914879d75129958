import { and, eq, getTableColumns, gt, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agentSites, agents, conversations, invitations, sessions, sites, type Agent, type SessionAgent } from '../db/schema.ts';

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

export async function insertSession(db: Db, values: typeof sessions.$inferInsert): Promise<void> {
  await db.insert(sessions).values(values);
}

/**
 * The agent behind each live session, with the sites they may see (every site for an admin), in
 * one query for any number of sessions: the handshake, each HTTP request and the periodic re-check
 * of every agent socket on a node all read rights this way.
 */
/**
 * The agent's columns but the password's hash: the rights end up in socket.data, which the Redis
 * adapter sends to the other nodes whenever they ask which agents are present (fetchSockets).
 */
const { passwordHash: _passwordHash, ...sessionAgentColumns } = getTableColumns(agents);

export async function sessionRights(db: Db, sessionIds: string[], now: Date): Promise<Map<string, { agent: SessionAgent; siteIds: string[] }>> {
  if (!sessionIds.length) return new Map();
  const rows = await db
    .select({
      sessionId: sessions.id,
      agent: sessionAgentColumns,
      siteIds: sql<string[]>`case when ${agents.role} = 'admin'
        then array(select ${sites.id} from ${sites} order by ${sites.id})
        else array(select ${agentSites.siteId} from ${agentSites} where ${agentSites.agentId} = ${agents.id} order by ${agentSites.siteId}) end`,
    })
    .from(sessions)
    .innerJoin(agents, eq(agents.id, sessions.agentId))
    // A deactivated agent's sessions are deleted; the filter keeps one from counting in between.
    .where(and(inArray(sessions.id, sessionIds), gt(sessions.expiresAt, now), eq(agents.active, true)));
  return new Map(rows.map((r) => [r.sessionId, { agent: r.agent, siteIds: r.siteIds }]));
}

/** The site of each of these conversations (absent: no such conversation). */
export async function conversationSites(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db.select({ id: conversations.id, siteId: conversations.siteId }).from(conversations).where(inArray(conversations.id, ids));
  return new Map(rows.map((r) => [r.id, r.siteId]));
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
}

export async function updatePasswordHash(db: Db, agentId: string, passwordHash: string): Promise<void> {
  await db.update(agents).set({ passwordHash }).where(eq(agents.id, agentId));
}

/** Ends an agent's sessions, all of them or all but one; returns how many ended. */
export async function deleteSessionsOf(db: Db, agentId: string, exceptSessionId?: string): Promise<number> {
  const where = exceptSessionId ? and(eq(sessions.agentId, agentId), ne(sessions.id, exceptSessionId)) : eq(sessions.agentId, agentId);
  return (await db.delete(sessions).where(where).returning({ id: sessions.id })).length;
}

/** Every agent with the sites they are assigned to, for the admins' Agents page (one query). */
export async function listTeam(db: Db): Promise<(Agent & { siteIds: string[] })[]> {
  return db
    .select({
      ...getTableColumns(agents),
      siteIds: sql<string[]>`array(select ${agentSites.siteId} from ${agentSites} where ${agentSites.agentId} = ${agents.id} order by ${agentSites.siteId})`,
    })
    .from(agents)
    .orderBy(agents.createdAt, agents.email);
}

export async function agentSiteIds(db: Db, agentId: string): Promise<string[]> {
  const rows = await db.select({ siteId: agentSites.siteId }).from(agentSites).where(eq(agentSites.agentId, agentId)).orderBy(agentSites.siteId);
  return rows.map((r) => r.siteId);
}

/** Replaces the sites an agent is assigned to. */
export async function setAgentSites(db: Db, agentId: string, siteIds: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(agentSites).where(eq(agentSites.agentId, agentId));
    if (siteIds.length) await tx.insert(agentSites).values(siteIds.map((siteId) => ({ agentId, siteId })));
  });
}

export async function updateAgentRow(db: Db, agentId: string, set: Partial<Pick<Agent, 'name' | 'role' | 'active' | 'capacity'>>): Promise<Agent | undefined> {
  const [row] = await db.update(agents).set(set).where(eq(agents.id, agentId)).returning();
  return row;
}

export async function adminIds(db: Db): Promise<string[]> {
  return (await db.select({ id: agents.id }).from(agents).where(eq(agents.role, 'admin'))).map((r) => r.id);
}

/** A new invitation replaces the agent's unused ones: only the latest link works. */
export async function replaceInvitation(db: Db, agentId: string, tokenHash: string, expiresAt: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(invitations).where(and(eq(invitations.agentId, agentId), isNull(invitations.acceptedAt)));
    await tx.insert(invitations).values({ tokenHash, agentId, expiresAt });
  });
}

/**
 * Uses an invitation: one statement, so that two uses of one link at once cannot both succeed.
 * Returns the agent, or undefined when the link is unknown, used, expired or the agent deactivated.
 */
export async function useInvitation(db: Db, tokenHash: string, now: Date): Promise<string | undefined> {
  const [row] = await db
    .update(invitations)
    .set({ acceptedAt: now })
    .where(
      and(
        eq(invitations.tokenHash, tokenHash),
        isNull(invitations.acceptedAt),
        gt(invitations.expiresAt, now),
        sql`exists (select 1 from ${agents} where ${agents.id} = ${invitations.agentId} and ${agents.active})`,
      ),
    )
    .returning({ agentId: invitations.agentId });
  return row?.agentId;
}
