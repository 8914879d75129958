/**
 * Labels: created by a site's admins, put on its conversations by its agents. A label or a
 * conversation of a site the agent does not have is NOT_FOUND.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { ConversationLabel, LabelCreate, LabelUpdate } from '../../shared/schemas.ts';
import type { ConversationLabelsDTO, LabelDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { conversations, labels, type Label } from '../db/schema.ts';
import { AppError, conflictOnUnique } from '../errors.ts';
import { assertAdmin, type AgentContext } from '../agents/agents.service.ts';
import { rooms } from '../realtime/realtime.ts';

const toDTO = (l: Label): LabelDTO => ({ id: l.id, siteId: l.siteId, name: l.name, color: l.color });

export async function listLabels(ctx: Ctx, auth: AgentContext, siteId?: string): Promise<LabelDTO[]> {
  const sites = siteId ? auth.siteIds.filter((s) => s === siteId) : auth.siteIds;
  if (!sites.length) return [];
  const rows = await ctx.db.select().from(labels).where(inArray(labels.siteId, sites)).orderBy(asc(labels.name)).limit(1000);
  return rows.map(toDTO);
}

export async function createLabel(ctx: Ctx, auth: AgentContext, input: LabelCreate): Promise<LabelDTO> {
  assertAdmin(auth);
  if (!auth.siteIds.includes(input.siteId)) throw new AppError('NOT_FOUND');
  const [row] = await conflictOnUnique(ctx.db.insert(labels).values(input).returning());
  changed(ctx, row.siteId);
  return toDTO(row);
}

/** The site's consoles reload their label list: a label made or changed by an admin shows in every open console at once. */
function changed(ctx: Ctx, siteId: string): void {
  ctx.realtime.agents.to(rooms.site(siteId)).emit('labels:changed', { siteId });
}

async function adminsLabel(ctx: Ctx, auth: AgentContext, id: string): Promise<Label> {
  assertAdmin(auth);
  const [row] = auth.siteIds.length
    ? await ctx.db.select().from(labels).where(and(eq(labels.id, id), inArray(labels.siteId, auth.siteIds))).limit(1)
    : [];
  if (!row) throw new AppError('NOT_FOUND');
  return row;
}

export async function updateLabel(ctx: Ctx, auth: AgentContext, id: string, input: LabelUpdate): Promise<LabelDTO> {
  await adminsLabel(ctx, auth, id);
  const [row] = await conflictOnUnique(ctx.db.update(labels).set(input).where(eq(labels.id, id)).returning());
  changed(ctx, row.siteId);
  return toDTO(row);
}

/** Deletes the label and takes it off every conversation that had it: one transaction. */
export async function deleteLabel(ctx: Ctx, auth: AgentContext, id: string): Promise<void> {
  const label = await adminsLabel(ctx, auth, id);
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(conversations)
      .set({ labels: sql`${conversations.labels} - ${id}::text` })
      .where(and(eq(conversations.siteId, label.siteId), sql`${conversations.labels} @> ${JSON.stringify([id])}::jsonb`));
    await tx.delete(labels).where(eq(labels.id, id));
  });
  changed(ctx, label.siteId);
}

/**
 * Puts a label on a conversation or takes it off, in one statement that also checks that both
 * belong to one of the agent's sites; the site's consoles hear the new list (`conversation:labels`).
 */
export async function setConversationLabel(ctx: Ctx, auth: AgentContext, conversationId: string, input: ConversationLabel): Promise<ConversationLabelsDTO> {
  if (!auth.siteIds.length) throw new AppError('NOT_FOUND');
  const next = input.on
    ? sql`case when ${conversations.labels} @> ${JSON.stringify([input.labelId])}::jsonb then ${conversations.labels} else ${conversations.labels} || ${JSON.stringify([input.labelId])}::jsonb end`
    : sql`${conversations.labels} - ${input.labelId}::text`;
  const [row] = await ctx.db
    .update(conversations)
    .set({ labels: next })
    .from(labels)
    .where(
      and(
        eq(conversations.id, conversationId),
        inArray(conversations.siteId, auth.siteIds),
        eq(labels.id, input.labelId),
        eq(labels.siteId, conversations.siteId),
      ),
    )
    .returning({ siteId: conversations.siteId, labels: conversations.labels });
  if (!row) throw new AppError('NOT_FOUND');
  const delta: ConversationLabelsDTO = { conversationId, siteId: row.siteId, labels: row.labels };
  ctx.realtime.agents.to(rooms.site(row.siteId)).emit('conversation:labels', delta);
  return delta;
}
