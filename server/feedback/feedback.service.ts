/** Feedback: left by a visitor, processed by an agent with a note the visitor then sees. */
import { and, desc, eq, inArray, isNull, type SQL } from 'drizzle-orm';
import type { FeedbackSubmit } from '../../shared/schemas.ts';
import type { FeedbackDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { holdVisitor } from '../visitors/visitors.service.ts';
import { agents, feedback, type SessionAgent, type Feedback, type Site, type Visitor } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { pageUrlToStore } from '../sites/page-url.ts';

function toDTO(f: Feedback, processedByName: string | null): FeedbackDTO {
  return {
    id: f.id,
    siteId: f.siteId,
    content: f.content,
    contact: f.contact,
    pageUrl: f.pageUrl,
    pageTitle: f.pageTitle,
    status: f.status,
    note: f.note,
    processedByName,
    processedAt: f.processedAt?.toISOString() ?? null,
    createdAt: f.createdAt.toISOString(),
    seen: f.status === 'processed' && f.seenAt !== null,
  };
}

async function select(ctx: Ctx, where: SQL | undefined, limit = 200): Promise<FeedbackDTO[]> {
  const rows = await ctx.db
    .select({ f: feedback, name: agents.name })
    .from(feedback)
    .leftJoin(agents, eq(agents.id, feedback.processedBy))
    .where(where)
    .orderBy(desc(feedback.createdAt))
    .limit(limit);
  return rows.map((r) => toDTO(r.f, r.name));
}

export async function submitFeedback(ctx: Ctx, site: Site, visitor: Visitor, input: FeedbackSubmit): Promise<FeedbackDTO> {
  const [row] = await ctx.db.transaction(async (tx) => {
    await holdVisitor(tx, visitor);
    return tx
      .insert(feedback)
      .values({
        siteId: site.id,
        visitorId: visitor.id,
        content: input.content,
        contact: input.contact || null,
        pageUrl: pageUrlToStore(site, input.pageUrl),
        pageTitle: input.pageTitle ?? null,
        createdAt: ctx.clock(),
      })
      .returning();
  });
  const dto = toDTO(row, null);
  ctx.realtime.feedbackCreated(dto);
  return dto;
}

export const visitorFeedback = (ctx: Ctx, visitor: Visitor) => select(ctx, eq(feedback.visitorId, visitor.id), 50);

/** Records that the visitor has seen these processed items. */
export async function markSeen(ctx: Ctx, visitor: Visitor, ids: string[]): Promise<number> {
  const rows = await ctx.db
    .update(feedback)
    .set({ seenAt: ctx.clock() })
    .where(and(eq(feedback.visitorId, visitor.id), inArray(feedback.id, ids), eq(feedback.status, 'processed'), isNull(feedback.seenAt)))
    .returning({ id: feedback.id });
  return rows.length;
}

export async function listFeedback(ctx: Ctx, siteIds: string[], status?: 'new' | 'processed'): Promise<FeedbackDTO[]> {
  if (!siteIds.length) return [];
  const where = and(inArray(feedback.siteId, siteIds), status ? eq(feedback.status, status) : undefined);
  return select(ctx, where);
}

export async function processFeedback(ctx: Ctx, agent: SessionAgent, siteIds: string[], id: string, note: string): Promise<FeedbackDTO> {
  const [current] = await ctx.db.select().from(feedback).where(eq(feedback.id, id)).limit(1);
  if (!current || !siteIds.includes(current.siteId)) throw new AppError('NOT_FOUND');
  const [row] = await ctx.db
    .update(feedback)
    .set({ status: 'processed', note, processedBy: agent.id, processedAt: ctx.clock(), seenAt: null })
    .where(eq(feedback.id, id))
    .returning();
  const dto = toDTO(row, agent.name);
  ctx.realtime.feedbackUpdated(row.visitorId, dto);
  return dto;
}
