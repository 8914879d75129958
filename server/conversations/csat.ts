/**
 * The satisfaction survey after a resolution (conversations.csat_rating, csat_comment, csat_at): a 1–5
 * rating and an optional comment, once per ticket, when the site asks for it (sites.csat_enabled).
 * Kept apart from the FAQ's "this solved it" (questions.outcome): the two measure different things.
 */
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { CsatSubmit } from '../../shared/schemas.ts';
import type { ConversationDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { conversations, type Site, type Visitor } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { widgetHandlerFactory } from '../realtime/handler.ts';
import { forVisitor, rooms } from '../realtime/realtime.ts';
import type { WidgetSocket } from '../visitors/visitors.handlers.ts';
import * as repo from './conversations.repository.ts';

/**
 * Stores the visitor's rating of their resolved ticket. Once per ticket: one conditional UPDATE that
 * only a ticket without a rating passes, so two tabs (or two nodes) cannot both rate it; a reopened and
 * resolved-again ticket keeps its first rating. Refused with FORBIDDEN when the site does not ask.
 */
export async function rateConversation(ctx: Ctx, site: Site, visitor: Visitor, input: CsatSubmit): Promise<{ conversation: ConversationDTO }> {
  if (!site.csatEnabled) throw new AppError('FORBIDDEN');
  const now = ctx.clock();
  const [won] = await ctx.db
    .update(conversations)
    .set({ csatRating: input.rating, csatComment: input.comment || null, csatAt: now, updatedAt: now })
    .where(
      and(
        eq(conversations.id, input.conversationId),
        eq(conversations.visitorId, visitor.id),
        // Not once the visitor is erased (a new token hash): the comment would be their words again.
        sql`exists (select 1 from visitors v where v.id = ${visitor.id} and v.token_hash = ${visitor.tokenHash})`,
        eq(conversations.status, 'resolved'),
        isNotNull(conversations.escalatedAt),
        isNull(conversations.csatAt),
      ),
    )
    .returning({ id: conversations.id });
  const conversation = await repo.getConversationDTO(ctx.db, input.conversationId);
  if (!conversation || conversation.visitorId !== visitor.id) throw new AppError('NOT_FOUND');
  // Rated already, not resolved yet, or never a ticket.
  if (!won) throw new AppError('CONFLICT');
  // The visitor's other tabs, and the agents who have the conversation open or own it.
  ctx.realtime.widget.to(rooms.visitor(visitor.id)).emit('conversation:updated', forVisitor(conversation));
  const agents = [rooms.conversation(conversation.id)];
  if (conversation.assignedAgentId) agents.push(rooms.agent(conversation.assignedAgentId, conversation.siteId));
  ctx.realtime.agents.to(agents).emit('conversation:updated', conversation);
  return { conversation: forVisitor(conversation) };
}

export function registerCsatHandlers(ctx: Ctx, socket: WidgetSocket): void {
  const on = widgetHandlerFactory(ctx.log);
  socket.on('csat:submit', on('csat:submit', CsatSubmit, (input) => rateConversation(ctx, socket.data.site, socket.data.visitor, input)));
}
