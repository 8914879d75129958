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
import type { ConversationDTO, FeedbackDTO, MessageDTO, ReadReceiptDTO } from '../../shared/types.ts';
import type { Logger } from '../logger.ts';
import type { QueueNotifier } from '../conversations/queue.service.ts';

export type WidgetNamespace = Namespace<WidgetClientToServerEvents, WidgetServerToClientEvents>;
export type AgentNamespace = Namespace<AgentClientToServerEvents, AgentServerToClientEvents>;

/** Who takes part in a conversation: what typing and read receipts are routed by. */
export type Participants = Pick<ConversationDTO, 'id' | 'siteId' | 'visitorId' | 'assignedAgentId'>;

/** What decides who hears of a conversation's change. */
export type ConversationChange = Pick<ConversationDTO, 'status' | 'assignedAgentId'>;

/** A conversation as its visitor may see it: the agents' labels are left out. */
export const forVisitor = ({ labels: _labels, ...conv }: ConversationDTO): ConversationDTO => conv;

/** What a visitor's ack (or HTTP answer) may carry: its conversation, if any, without the agents' labels. */
export function forVisitorAck<T>(result: T): T {
  const conversation = (result as { conversation?: ConversationDTO | null } | null)?.conversation;
  return conversation ? { ...result, conversation: forVisitor(conversation) } : result;
}

const isWithPerson = (status: ConversationDTO['status'] | undefined) => status === 'open' || status === 'pending';
/** In the site's waiting queue: escalated, open, claimed by nobody (console/shared/thread.ts isWaiting). */
export const isWaiting = (c: ConversationChange | null) => c !== null && c.status === 'open' && c.assignedAgentId === null;

/** How long a presence answer from the other nodes is reused. */
const PRESENCE_TTL_MS = 2000;

export const rooms = {
  visitor: (id: string) => `visitor:${id}`,
  site: (id: string) => `site:${id}`,
  conversation: (id: string) => `conv:${id}`,
  /** An agent's sockets, for one site: losing the site (agent-rights.ts) leaves it, so nothing of that site reaches them. */
  agent: (id: string, siteId: string) => `agent:${id}:${siteId}`,
  /** Every console socket of one agent, whatever the sites (their own availability, notifications). */
  me: (id: string) => `me:${id}`,
  /** Sockets of the site's agents whose availability is online: presence and automatic assignment (server/presence). */
  ready: (siteId: string) => `ready:${siteId}`,
};

/** Runs automatic assignment for a site when something may allow it (server/assignment). */
export interface AssignmentTrigger {
  poke(siteId: string): void;
}

export class Realtime {
  constructor(
    readonly io: Server,
    readonly widget: WidgetNamespace,
    readonly agents: AgentNamespace,
    private readonly log: Logger,
    /** Several nodes on an adapter: presence must be asked of the others too. */
    private readonly clustered = false,
  ) {
    // An agent came or went on another node: what this node remembers of that site is out of date.
    if (clustered) io.on('presence:changed', (siteIds: unknown) => Array.isArray(siteIds) && siteIds.forEach((id) => this.presence.delete(String(id))));
  }

  /** Set by app.ts: told when a conversation starts waiting or an agent's place frees up. */
  assigner: AssignmentTrigger = { poke: () => {} };
  /** Set by app.ts: told when a site's waiting queue changes (conversations/queue.service.ts). */
  queue: Pick<QueueNotifier, 'changed' | 'hello'> = { changed: () => {}, hello: () => {} };

  private readonly presence = new Map<string, { online: boolean; at: number; pending?: Promise<boolean> }>();
  private presenceFailing = false;

  /**
   * A new message reaches the conversation's participants only: the visitor's tabs, the assigned
   * agent's tabs and agents who have it open. Never the whole site: what a message costs in packets
   * must not grow with the number of agents. `except` is the sending socket, which has it in its ack.
   * A private note (kind 'note') reaches the agents only: this is the one place a push to visitors is decided.
   */
  messageCreated(conv: ConversationDTO, message: MessageDTO, except?: string): void {
    if (message.kind !== 'note') {
      (except ? this.widget.to(rooms.visitor(conv.visitorId)).except(except) : this.widget.to(rooms.visitor(conv.visitorId))).emit('message:created', message);
    }
    const to = [rooms.conversation(conv.id)];
    if (conv.assignedAgentId) to.push(rooms.agent(conv.assignedAgentId, conv.siteId));
    (except ? this.agents.to(to).except(except) : this.agents.to(to)).emit('message:created', message);
  }

  /**
   * A conversation changed from `before` (null: it is new) to `conv`. The site's agents hear of it
   * only when the waiting queue changes (it starts or stops waiting for a person); the assigned
   * agents (old and new) and those who have it open, and the visitor, hear of every other change of
   * status or assignee.
   */
  conversationUpdated(conv: ConversationDTO, before: ConversationChange | null = null): void {
    if (isWaiting(before) !== isWaiting(conv)) this.queue.changed(conv.siteId);
    // Open <-> pending follows every message (whose turn it is): clients derive it from the message
    // they receive (console/shared/thread.ts withMessage), so it costs no packet of its own.
    const statusChanged = before?.status !== conv.status && !(isWithPerson(before?.status) && isWithPerson(conv.status));
    const assigneeChanged = (before?.assignedAgentId ?? null) !== conv.assignedAgentId;
    if (!statusChanged && !assigneeChanged) return;
    const freed = before?.assignedAgentId && (before.assignedAgentId !== conv.assignedAgentId || !isWithPerson(conv.status));
    if (isWaiting(conv) || freed) this.assigner.poke(conv.siteId);
    this.widget.to(rooms.visitor(conv.visitorId)).emit('conversation:updated', forVisitor(conv));
    if (!conv.escalatedAt) return;
    if (isWaiting(before) !== isWaiting(conv)) {
      this.agents.to(rooms.site(conv.siteId)).emit('conversation:updated', conv);
      return;
    }
    const to = [rooms.conversation(conv.id)];
    for (const id of [conv.assignedAgentId, before?.assignedAgentId]) if (id) to.push(rooms.agent(id, conv.siteId));
    this.agents.to(to).emit('conversation:updated', conv);
  }

  /**
   * Typing reaches the other side only, by room (so on every node): the visitor's typing the agents
   * who have the conversation open (where it is shown), an agent's typing the visitor's tabs. Never the
   * site's other agents, never stored.
   */
  typing(conv: Participants, from: 'visitor' | 'agent', typing: boolean): void {
    const payload = { conversationId: conv.id, typing };
    if (from === 'visitor') this.agents.to(rooms.conversation(conv.id)).emit('typing', payload);
    else this.widget.to(rooms.visitor(conv.visitorId)).emit('typing', payload);
  }

  /**
   * A read mark moved: the participants hear it as a message would reach them (the assigned agent's
   * tabs and those who have it open; the visitor's tabs when an agent read); `except` is the reading
   * socket, which has it in its ack.
   */
  readReceipt(conv: Participants, receipt: ReadReceiptDTO, except: string): void {
    if (receipt.reader === 'agent') this.widget.to(rooms.visitor(conv.visitorId)).emit('conversation:read', receipt);
    const to = [rooms.conversation(conv.id)];
    if (conv.assignedAgentId) to.push(rooms.agent(conv.assignedAgentId, conv.siteId));
    this.agents.to(to).except(except).emit('conversation:read', receipt);
  }

  feedbackCreated(feedback: FeedbackDTO): void {
    this.agents.to(rooms.site(feedback.siteId)).emit('feedback:created', feedback);
  }

  feedbackUpdated(visitorId: string, feedback: FeedbackDTO): void {
    this.widget.to(rooms.visitor(visitorId)).emit('feedback:updated', feedback);
    this.agents.to(rooms.site(feedback.siteId)).emit('feedback:updated', feedback);
  }

  /**
   * Whether an agent of the site is present and online (in its ready room) on any node. A local agent answers at once; otherwise,
   * with several nodes, the others are asked (fetchSockets), one request per site at a time and its
   * answer kept for PRESENCE_TTL_MS: a burst of escalations or handshakes costs one cluster request.
   */
  async agentsOnline(siteId: string): Promise<boolean> {
    if (this.agents.adapter.rooms.get(rooms.ready(siteId))?.size) return true;
    if (!this.clustered) return false;
    const known = this.presence.get(siteId);
    if (known && (known.pending || Date.now() - known.at < PRESENCE_TTL_MS)) return known.pending ?? known.online;
    const pending = this.agents
      .in(rooms.ready(siteId))
      .fetchSockets()
      .then(
        (sockets) => {
          this.presenceFailing = false;
          return sockets.length > 0;
        },
        (err) => {
          // Another node did not answer in time (or Redis is away): say "offline", which only changes
          // a notice's wording. Said once until a lookup works again, not once per lookup.
          if (!this.presenceFailing) this.log.warn({ err: String(err) }, 'presence lookups across nodes are failing');
          this.presenceFailing = true;
          return false;
        },
      );
    this.presence.set(siteId, { online: known?.online ?? false, at: known?.at ?? 0, pending });
    const online = await pending;
    this.presence.set(siteId, { online, at: Date.now() });
    return online;
  }

  /** An agent of these sites came, went or changed availability here: tell their visitors, from a fresh answer. */
  async presenceChanged(siteIds: string[]): Promise<void> {
    if (this.clustered && siteIds.length) this.io.serverSideEmit('presence:changed', siteIds);
    for (const siteId of siteIds) {
      if (!this.presence.get(siteId)?.pending) this.presence.delete(siteId);
      const agentsOnline = await this.agentsOnline(siteId);
      this.widget.to(rooms.site(siteId)).emit('presence:updated', { agentsOnline });
    }
  }
}
