/** Agents: accounts, passwords, sessions, and which sites each may see. */
import type { AgentDTO } from '../../shared/types.ts';
import type { Db } from '../db/client.ts';
import type { Agent, SessionAgent } from '../db/schema.ts';
import { hashPassword, randomToken, sha256, verifyPassword } from '../crypto.ts';
import { AppError } from '../errors.ts';
import { addAgentToSite } from '../sites/sites.repository.ts';
import { deleteSession, deleteSessionsOf, findAgentByEmail, insertAgent, insertSession, sessionRights, updatePasswordHash } from './agents.repository.ts';

export interface AgentContext {
  /** Never the password's hash (agents.repository.ts, sessionRights). */
  agent: SessionAgent;
  /** Sites this agent may see: every site for an admin. */
  siteIds: string[];
}

export async function createAgent(
  db: Db,
  input: { email: string; password: string; name?: string; role?: 'admin' | 'agent'; siteIds?: string[] },
): Promise<Agent> {
  if (input.password.length < 8) throw new Error('password must have at least 8 characters');
  const agent = await insertAgent(db, {
    email: input.email,
    name: input.name ?? input.email.split('@')[0],
    role: input.role ?? 'agent',
    passwordHash: await hashPassword(input.password),
  });
  for (const siteId of input.siteIds ?? []) await addAgentToSite(db, agent.id, siteId);
  return agent;
}

/**
 * Sets a new password and ends the agent's sessions but `keepSessionId` (the one that asked for the
 * change, if any): whoever knew the old password is logged out. Returns how many sessions ended.
 * Open sockets of the ended sessions close within a second (agent-rights.ts), at once on every
 * node when the caller also calls pushAgentRights.
 */
export async function setPassword(db: Db, agentId: string, password: string, keepSessionId?: string): Promise<number> {
  await updatePasswordHash(db, agentId, await hashPassword(password));
  return deleteSessionsOf(db, agentId, keepSessionId);
}

// A fixed hash to compare against when the email is unknown, so timing does not reveal accounts.
let dummyHash: Promise<string> | undefined;

/** Checks a password; returns the session token for the cookie. */
export async function login(db: Db, email: string, password: string, ttlMs: number, now: Date) {
  const agent = await findAgentByEmail(db, email);
  dummyHash ??= hashPassword('not-a-password');
  const valid = await verifyPassword(password, agent?.passwordHash ?? (await dummyHash));
  // A deactivated agent is told what anyone with a wrong password is told.
  if (!agent || !valid || !agent.active) throw new AppError('INVALID_CREDENTIALS');
  const token = randomToken(32);
  await insertSession(db, { id: sha256(token), agentId: agent.id, expiresAt: new Date(now.getTime() + ttlMs) });
  return { token, agent };
}

export async function logout(db: Db, token: string): Promise<void> {
  await deleteSession(db, sha256(token));
}

/** The agent behind a session cookie, with the sites they may see; undefined when not logged in. */
export async function authenticate(db: Db, token: string | undefined, now: Date): Promise<AgentContext | undefined> {
  if (!token || token.length > 200) return undefined;
  const id = sha256(token);
  return (await sessionRights(db, [id], now)).get(id);
}

export function toAgentDTO(ctx: AgentContext): AgentDTO {
  const { agent } = ctx;
  return { id: agent.id, email: agent.email, name: agent.name, role: agent.role, siteIds: ctx.siteIds, availability: agent.availability };
}

/** Throws FORBIDDEN unless the agent may see the site. */
export function assertSite(ctx: AgentContext, siteId: string): void {
  if (!ctx.siteIds.includes(siteId)) throw new AppError('FORBIDDEN');
}

export function assertAdmin(ctx: AgentContext): void {
  if (ctx.agent.role !== 'admin') throw new AppError('FORBIDDEN');
}
