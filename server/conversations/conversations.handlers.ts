/** Socket events about conversations, for visitors (`/widget`) and agents (`/agent`). */
import {
  AgentMessageSend,
  ConversationRef,
  ConversationSnooze,
  ConversationTransfer,
  Empty,
  FaqChoose,
  FaqRespond,
  MessagesSync,
  NoteAdd,
  VisitorMessageSend,
} from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { handlerFactory, inOrder, widgetHandlerFactory } from '../realtime/handler.ts';
import { rooms } from '../realtime/realtime.ts';
import { assertMayAsk, type WidgetSocket } from '../visitors/visitors.handlers.ts';
import type { AgentSocket } from '../agents/agents.handlers.ts';
import * as service from './conversations.service.ts';
import * as lifecycle from './lifecycle.service.ts';

export function registerWidgetConversationHandlers(ctx: Ctx, socket: WidgetSocket): void {
  const on = widgetHandlerFactory(ctx.log);

  socket.on(
    'message:send',
    inOrder(on('message:send', VisitorMessageSend, async (input) => {
      const { site, visitor, ip } = socket.data;
      assertMayAsk(socket);
      await service.limitVisitorMessages(ctx, visitor.id, ip);
      return service.sendVisitorMessage(ctx, site, visitor, input, ip, socket.id);
    })),
  );
  socket.on(
    'messages:sync',
    on('messages:sync', MessagesSync, (input) => service.syncForVisitor(ctx, socket.data.visitor, input.conversationId, input.afterSeq)),
  );
  socket.on(
    'faq:respond',
    on('faq:respond', FaqRespond, async (input) => {
      if (input.action === 'human') assertMayAsk(socket);
      return service.respondToFaq(ctx, socket.data.visitor, input.questionId, input.action);
    }),
  );
  socket.on(
    'faq:choose',
    on('faq:choose', FaqChoose, (input) => service.chooseSuggestion(ctx, socket.data.visitor, input.questionId, input.entryId)),
  );
  socket.on(
    'conversation:escalate',
    on('conversation:escalate', ConversationRef, async (input) => {
      assertMayAsk(socket);
      return service.escalateConversation(ctx, socket.data.visitor, input.conversationId);
    }),
  );
}

export function registerAgentConversationHandlers(ctx: Ctx, socket: AgentSocket): void {
  const on = handlerFactory(ctx.log);
  const me = () => socket.data.auth;

  socket.on('queue:list', on('queue:list', Empty, () => service.queue(ctx, me().agent, me().siteIds)));
  socket.on(
    'conversation:open',
    on('conversation:open', ConversationRef, async (input) => {
      const result = await service.openForAgent(ctx, me().siteIds, input.conversationId);
      socket.join(rooms.conversation(input.conversationId));
      return result;
    }),
  );
  socket.on(
    'conversation:close',
    on('conversation:close', ConversationRef, async (input) => {
      socket.leave(rooms.conversation(input.conversationId));
      return {};
    }),
  );
  socket.on('conversation:claim', on('conversation:claim', ConversationRef, (input) => service.claim(ctx, me().agent, me().siteIds, input.conversationId)));
  socket.on(
    'conversation:resolve',
    on('conversation:resolve', ConversationRef, (input) => service.resolve(ctx, me().agent, me().siteIds, input.conversationId)),
  );
  socket.on(
    'conversation:reopen',
    on('conversation:reopen', ConversationRef, (input) => lifecycle.reopen(ctx, me().agent, me().siteIds, input.conversationId)),
  );
  socket.on('conversation:snooze', on('conversation:snooze', ConversationSnooze, (input) => lifecycle.snooze(ctx, me().agent, me().siteIds, input)));
  socket.on('conversation:transfer', on('conversation:transfer', ConversationTransfer, (input) => lifecycle.transfer(ctx, me().agent, me().siteIds, input)));
  // A note sent as a message (internal: true) keeps its place among the replies sent on this socket.
  const send = inOrder(
    on('message:send', AgentMessageSend, async (input) => ({
      message: input.internal
        ? await lifecycle.addNote(ctx, me().agent, me().siteIds, input)
        : await service.sendAgentMessage(ctx, me().agent, me().siteIds, input, socket.id),
    })),
  );
  socket.on('message:send', send);
  socket.on('note:add', inOrder(on('note:add', NoteAdd, async (input) => ({ message: await lifecycle.addNote(ctx, me().agent, me().siteIds, input) }))));
  socket.on(
    'messages:sync',
    on('messages:sync', MessagesSync, (input) => service.syncForAgent(ctx, me().siteIds, input.conversationId, input.afterSeq)),
  );
}
