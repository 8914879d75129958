/**
 * Typing indicators and read receipts, both ways. Neither is a message: typing is never stored (only a
 * boolean crosses the wire, the draft never does) and a read mark is one column per side. Both are
 * routed by room (server/realtime), so they reach the other side on any node, and nobody else.
 */
import { ConversationRead, Typing } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import { handlerFactory, widgetHandlerFactory } from '../realtime/handler.ts';
import type { WidgetSocket } from '../visitors/visitors.handlers.ts';
import type { AgentSocket } from '../agents/agents.handlers.ts';
import { findParticipants, markRead, type Reader } from './receipts.repository.ts';

async function read(ctx: Ctx, socketId: string, side: 'visitor' | 'agent', reader: Reader, input: ConversationRead) {
  const result = await markRead(ctx.raw, side, reader, input.conversationId, input.seq);
  if (!result) throw new AppError('NOT_FOUND');
  if (result.moved) ctx.realtime.readReceipt(result.conv, { conversationId: result.conv.id, reader: side, seq: result.readSeq }, socketId);
  return { readSeq: result.readSeq };
}

export function registerWidgetReceiptHandlers(ctx: Ctx, socket: WidgetSocket): void {
  const on = widgetHandlerFactory(ctx.log);
  const reader = () => ({ visitorId: socket.data.visitor.id });
  socket.on('conversation:read', on('conversation:read', ConversationRead, (input) => read(ctx, socket.id, 'visitor', reader(), input)));
  socket.on(
    'typing',
    on('typing', Typing, async (input) => {
      const conv = await findParticipants(ctx.raw, reader(), input.conversationId);
      if (!conv) throw new AppError('NOT_FOUND');
      ctx.realtime.typing(conv, 'visitor', input.typing);
      return {};
    }),
  );
}

export function registerAgentReceiptHandlers(ctx: Ctx, socket: AgentSocket): void {
  const on = handlerFactory(ctx.log);
  // Read when used: rights lost since the socket opened are already out of auth.siteIds (agent-rights.ts).
  const reader = () => ({ siteIds: socket.data.auth.siteIds });
  socket.on('conversation:read', on('conversation:read', ConversationRead, (input) => read(ctx, socket.id, 'agent', reader(), input)));
  socket.on(
    'typing',
    on('typing', Typing, async (input) => {
      const conv = await findParticipants(ctx.raw, reader(), input.conversationId);
      if (!conv) throw new AppError('NOT_FOUND');
      // Only someone who could send the reply is shown typing it (message:send's own rules).
      if (conv.status === 'resolved') throw new AppError('CONVERSATION_CLOSED');
      if (conv.assignedAgentId && conv.assignedAgentId !== socket.data.auth.agent.id) throw new AppError('ALREADY_CLAIMED');
      ctx.realtime.typing(conv, 'agent', input.typing);
      return {};
    }),
  );
}
