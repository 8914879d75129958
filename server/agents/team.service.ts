/**
 * The team, as admins manage it: adding agents (with a password or a one-time invitation link),
 * changing their role and sites, deactivating them; and every agent's own password. Each change of
 * rights or sessions is applied to the agent's open sockets at once, on every node (pushAgentRights).
 */
import type { AgentCreate, AgentUpdate } from '../../shared/schemas.ts';
import type { InvitationDTO, TeamAgentDTO } from '../../shared/http.ts';
import type { Ctx } from '../context.ts';
import type { Agent } from '../db/schema.ts';
import { hashPassword, randomToken, sha256, verifyPassword } from '../crypto.ts';
import { AppError, isUniqueViolation } from '../errors.ts';
import { listSites } from '../sites/sites.repository.ts';
import { pushAgentRights } from './agent-rights.ts';
import {
  agentSiteIds,
  deleteSessionsOf,
  findAgent,
  insertAgent,
  insertSession,
  listTeam,
  replaceInvitation,
  setAgentSites,
  updateAgentRow,
  useInvitation,
} from './agents.repository.ts';
import { setPassword, type AgentContext } from './agents.service.ts';

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 72 * 3600_000;

/** The hash of an invited agent who has not chosen a password: verifyPassword matches nothing against it. */
const NO_PASSWORD = '!invited';

export function toTeamDTO(agent: Agent, siteIds: string[]): TeamAgentDTO {
  return { id: agent.id, email: agent.email, name: agent.name, role: agent.role, siteIds, active: agent.active, capacity: agent.capacity, invited: agent.passwordHash === NO_PASSWORD };
}

export async function listTeamDTOs(ctx: Ctx): Promise<TeamAgentDTO[]> {
  return (await listTeam(ctx.db)).map((row) => toTeamDTO(row, row.siteIds));
}

async function assertSitesExist(ctx: Ctx, siteIds: string[]): Promise<string[]> {
  const unique = [...new Set(siteIds)];
  if ((await listSites(ctx.db, unique)).length !== unique.length) throw new AppError('INVALID_PAYLOAD');
  return unique;
}

/** A one-time link to the console where the agent chooses a password (the token travels in the fragment, never in a request). */
async function invite(ctx: Ctx, agentId: string, publicUrl: string): Promise<InvitationDTO> {
  const token = randomToken(32);
  const expiresAt = new Date(ctx.clock().getTime() + INVITATION_TTL_MS);
  await replaceInvitation(ctx.db, agentId, sha256(token), expiresAt);
  return { url: `${publicUrl}/console#invite=${token}`, expiresAt: expiresAt.toISOString() };
}

export async function addAgent(ctx: Ctx, input: AgentCreate, publicUrl: string): Promise<{ agent: TeamAgentDTO; invitation: InvitationDTO | null }> {
  const siteIds = await assertSitesExist(ctx, input.siteIds);
  let agent: Agent;
  try {
    agent = await insertAgent(ctx.db, {
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash: input.password ? await hashPassword(input.password) : NO_PASSWORD,
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('CONFLICT');
    throw err;
  }
  await setAgentSites(ctx.db, agent.id, siteIds);
  const invitation = input.password ? null : await invite(ctx, agent.id, publicUrl);
  return { agent: toTeamDTO(agent, siteIds), invitation };
}

/** A new link for an agent (a lost invitation, or a forgotten password); the earlier unused one stops working. */
export async function reinvite(ctx: Ctx, agentId: string, publicUrl: string): Promise<InvitationDTO> {
  const agent = await findAgent(ctx.db, agentId);
  if (!agent) throw new AppError('NOT_FOUND');
  if (!agent.active) throw new AppError('CONFLICT');
  return invite(ctx, agentId, publicUrl);
}

/**
 * Changes an agent's name, role, sites or active flag. An admin cannot demote or deactivate
 * themselves: the team would risk having no admin left.
 */
export async function updateAgent(ctx: Ctx, by: AgentContext, agentId: string, input: AgentUpdate): Promise<TeamAgentDTO> {
  if (agentId === by.agent.id && (input.role === 'agent' || input.active === false)) throw new AppError('FORBIDDEN');
  const siteIds = input.siteIds && (await assertSitesExist(ctx, input.siteIds));
  const { name, role, active, capacity } = input;
  const set = Object.fromEntries(Object.entries({ name, role, active, capacity }).filter(([, v]) => v !== undefined));
  const agent = Object.keys(set).length ? await updateAgentRow(ctx.db, agentId, set) : await findAgent(ctx.db, agentId);
  if (!agent) throw new AppError('NOT_FOUND');
  if (siteIds) await setAgentSites(ctx.db, agentId, siteIds);
  if (active === false) await deleteSessionsOf(ctx.db, agentId);
  await pushAgentRights(ctx, agentId);
  return toTeamDTO(agent, siteIds ?? (await agentSiteIds(ctx.db, agentId)));
}

/** Uses an invitation link: sets the password, ends the agent's other sessions, opens one; returns its token. */
export async function acceptInvitation(ctx: Ctx, token: string, password: string): Promise<{ token: string; agentId: string }> {
  const agentId = await useInvitation(ctx.db, sha256(token), ctx.clock());
  if (!agentId) throw new AppError('NOT_FOUND');
  await setPassword(ctx.db, agentId, password);
  await pushAgentRights(ctx, agentId);
  const session = randomToken(32);
  await insertSession(ctx.db, { id: sha256(session), agentId, expiresAt: new Date(ctx.clock().getTime() + ctx.config.sessionTtlMs) });
  return { token: session, agentId };
}

/** An agent changes their own password; their other sessions end (this one stays). */
export async function changeOwnPassword(ctx: Ctx, me: AgentContext, sessionId: string, current: string, next: string): Promise<void> {
  const agent = await findAgent(ctx.db, me.agent.id);
  if (!agent || !(await verifyPassword(current, agent.passwordHash))) throw new AppError('INVALID_CREDENTIALS');
  await setPassword(ctx.db, agent.id, next, sessionId);
  await pushAgentRights(ctx, agent.id);
}

/** An agent's own display name (what visitors see when they join a conversation). */
export async function renameSelf(ctx: Ctx, me: AgentContext, name: string): Promise<AgentContext> {
  const agent = await updateAgentRow(ctx.db, me.agent.id, { name });
  if (!agent) throw new AppError('UNAUTHORIZED');
  // Open sockets carry the agent row (its name included): they take the new one now.
  await pushAgentRights(ctx, agent.id);
  return { agent, siteIds: me.siteIds };
}
