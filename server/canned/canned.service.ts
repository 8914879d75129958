/**
 * Canned replies: the site's, managed by its admins, and each agent's own. An agent sees the
 * replies of their sites and their own, nobody else's; another site's reply or another agent's own
 * is NOT_FOUND, never FORBIDDEN, so its existence is not told.
 */
import { and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { CannedReplyCreate, CannedReplyUpdate } from '../../shared/schemas.ts';
import type { CannedReplyDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { cannedReplies, type CannedReply } from '../db/schema.ts';
import { AppError, conflictOnUnique } from '../errors.ts';
import type { AgentContext } from '../agents/agents.service.ts';

/** The most replies one list returns: far more than a team keeps. */
const MAX_LIST = 1000;

const toDTO = (r: CannedReply): CannedReplyDTO => ({
  id: r.id,
  siteId: r.siteId,
  personal: r.agentId !== null,
  shortCode: r.shortCode,
  title: r.title,
  body: r.body,
  updatedAt: r.updatedAt.toISOString(),
});

/** Whose replies `auth` may read: their sites' shared ones and their own (on sites they still have). */
const visibleTo = (auth: AgentContext) =>
  and(inArray(cannedReplies.siteId, auth.siteIds), or(isNull(cannedReplies.agentId), eq(cannedReplies.agentId, auth.agent.id)));

export async function listCanned(ctx: Ctx, auth: AgentContext, siteId?: string): Promise<CannedReplyDTO[]> {
  if (!auth.siteIds.length || (siteId && !auth.siteIds.includes(siteId))) return [];
  const rows = await ctx.db
    .select()
    .from(cannedReplies)
    .where(and(visibleTo(auth), siteId ? eq(cannedReplies.siteId, siteId) : undefined))
    .orderBy(asc(cannedReplies.shortCode), asc(cannedReplies.createdAt))
    .limit(MAX_LIST);
  return rows.map(toDTO);
}

/** A site's reply is written by its admins; an agent's own only by them. */
function assertMayWrite(auth: AgentContext, siteId: string, personal: boolean): void {
  if (!auth.siteIds.includes(siteId)) throw new AppError('NOT_FOUND');
  if (!personal && auth.agent.role !== 'admin') throw new AppError('FORBIDDEN');
}

export async function createCanned(ctx: Ctx, auth: AgentContext, input: CannedReplyCreate): Promise<CannedReplyDTO> {
  assertMayWrite(auth, input.siteId, input.personal);
  const [row] = await conflictOnUnique(
    ctx.db
      .insert(cannedReplies)
      .values({ siteId: input.siteId, agentId: input.personal ? auth.agent.id : null, shortCode: input.shortCode, title: input.title, body: input.body })
      .returning(),
  );
  return toDTO(row);
}

async function findVisible(ctx: Ctx, auth: AgentContext, id: string): Promise<CannedReply> {
  if (!auth.siteIds.length) throw new AppError('NOT_FOUND');
  const [row] = await ctx.db.select().from(cannedReplies).where(and(eq(cannedReplies.id, id), visibleTo(auth))).limit(1);
  if (!row) throw new AppError('NOT_FOUND');
  assertMayWrite(auth, row.siteId, row.agentId !== null);
  return row;
}

export async function updateCanned(ctx: Ctx, auth: AgentContext, id: string, input: CannedReplyUpdate): Promise<CannedReplyDTO> {
  const row = await findVisible(ctx, auth, id);
  const [updated] = await conflictOnUnique(
    ctx.db.update(cannedReplies).set({ ...input, updatedAt: sql`now()` }).where(eq(cannedReplies.id, row.id)).returning(),
  );
  return toDTO(updated);
}

export async function deleteCanned(ctx: Ctx, auth: AgentContext, id: string): Promise<void> {
  const row = await findVisible(ctx, auth, id);
  await ctx.db.delete(cannedReplies).where(eq(cannedReplies.id, row.id));
}
