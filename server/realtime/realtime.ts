/**
 * Who hears what. Rooms: `visitor:<id>` (all tabs of a visitor), `site:<id>` (agents of a site in
 * /agent, visitors of a site in /widget), `conv:<id>` (agents with a conversation open). With the
 * Redis adapter these rooms span every node; presence is read from the rooms, not from memory.
 */
import type { Namespace, Server } from 'socket.io';
import type {
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  WidgetClientToServerEvents,
  WidgetServerToClientEvents,
} from '../../shared/protocol.ts';
import type { ConversationDTO, FeedbackDTO, MessageDTO } from '../../shared/types.ts';
import type { Logger } from '../logger.ts';

export type WidgetNamespace = Namespace<WidgetClientToServerEvents, WidgetServerToClientEvents>;
export type AgentNamespace = Namespace<AgentClientToServerEvents, AgentServerToClientEvents>;

export const rooms = {
  visitor: (id: string) => `visitor:${id}`,
  site: (id: string) => `site:${id}`,
  conversation: (id: string) => `conv:${id}`,
  agent: (id: string) => `agent:${id}`,
};

export class Realtime {
  constructor(
    readonly io: Server,
    readonly widget: WidgetNamespace,
    readonly agents: AgentNamespace,
    private readonly log: Logger,
  ) {}

  messageCreated(conv: ConversationDTO, message: MessageDTO): void {
    this.widget.to(rooms.visitor(conv.visitorId)).emit('message:created', message);
    const to = [rooms.conversation(conv.id)];
    if (conv.assignedAgentId) to.push(rooms.agent(conv.assignedAgentId));
    this.agents.to(to).emit('message:created', message);
  }

  conversationUpdated(conv: ConversationDTO): void {
    this.widget.to(rooms.visitor(conv.visitorId)).emit('conversation:updated', conv);
    if (conv.escalatedAt) this.agents.to(rooms.site(conv.siteId)).emit('conversation:updated', conv);
  }

  feedbackCreated(feedback: FeedbackDTO): void {
    this.agents.to(rooms.site(feedback.siteId)).emit('feedback:created', feedback);
  }

  feedbackUpdated(visitorId: string, feedback: FeedbackDTO): void {
    this.widget.to(rooms.visitor(visitorId)).emit('feedback:updated', feedback);
    this.agents.to(rooms.site(feedback.siteId)).emit('feedback:updated', feedback);
  }

  /** Whether an agent of the site is connected to any node. */
  async agentsOnline(siteId: string): Promise<boolean> {
    try {
      const sockets = await this.agents.in(rooms.site(siteId)).fetchSockets();
      return sockets.length > 0;
    } catch (err) {
      // Another node did not answer in time: say "offline", which only changes a notice's wording.
      this.log.warn({ err }, 'presence lookup failed');
      return false;
    }
  }

  async presenceChanged(siteIds: string[]): Promise<void> {
    for (const siteId of siteIds) {
      const agentsOnline = await this.agentsOnline(siteId);
      this.widget.to(rooms.site(siteId)).emit('presence:updated', { agentsOnline });
    }
  }
}
