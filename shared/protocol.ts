/**
 * The Socket.IO contract. Two namespaces:
 * - `/widget`: end users (visitors); the handshake carries `query.site` and `auth.token`.
 * - `/agent`: agents; the handshake carries the console's session cookie.
 * Requests are `resource:verb` with an ack; what the server pushes is `resource:<past tense>`.
 */
import type { AckCallback } from './result.ts';
import type {
  AttachmentLinks,
  ConversationRef,
  ConversationRead,
  ConversationsList,
  CsatSubmit,
  FaqChoose,
  FaqPick,
  FaqSuggest,
  FaqRespond,
  FeedbackSeen,
  FeedbackSubmit,
  Identify,
  SessionLink,
  MessagesSync,
  SessionHello,
  VisitorContact,
  VisitorMessageSend,
  AgentMessageSend,
  AvailabilitySet,
  ConversationSnooze,
  ConversationTransfer,
  NoteAdd,
  Typing,
} from './schemas.ts';
import type {
  ConversationDTO,
  ConversationLabelsDTO,
  ConversationSummaryDTO,
  FeedbackDTO,
  MessageDTO,
  QueueDTO,
  QueuePositionDTO,
  ReadReceiptDTO,
  SessionDTO,
  TypingDTO,
  VisitorContactDTO,
} from './types.ts';

export const WIDGET_NAMESPACE = '/widget';
export const AGENT_NAMESPACE = '/agent';
/** Socket.IO's maxHttpBufferSize: no payload above this reaches a handler. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/**
 * `typing`: a sender says `true` at most once per TYPING_THROTTLE_MS while the draft changes and `false`
 * when it is emptied or sent; a receiver forgets a `true` not renewed within TYPING_EXPIRY_MS (a closed
 * tab sends no `false`). The receiver also forgets it when a message from that side arrives.
 */
export const TYPING_THROTTLE_MS = 2500;
export const TYPING_EXPIRY_MS = 6000;

/**
 * After every (re)connect the widget calls `session:hello`, then `messages:sync` after the last seq
 * it holds (again while a full page of 500 comes back), then re-sends its outbox (same clientIds).
 */
export interface WidgetClientToServerEvents {
  'session:hello': (payload: SessionHello, ack: AckCallback<SessionDTO>) => void;
  'session:identify': (payload: Identify, ack: AckCallback<SessionDTO>) => void;
  /**
   * Opens a reply email's link that the handshake left pending (another visitor's): this browser
   * becomes that visitor. Answered with the new session (link 'bound', or 'refused' when spent or expired).
   */
  'session:link': (payload: SessionLink, ack: AckCallback<SessionDTO>) => void;
  'message:send': (payload: VisitorMessageSend, ack: AckCallback<{ message: MessageDTO; conversation: ConversationDTO }>) => void;
  'messages:sync': (payload: MessagesSync, ack: AckCallback<MessageDTO[]>) => void;
  'faq:respond': (payload: FaqRespond, ack: AckCallback<{ conversation: ConversationDTO }>) => void;
  'faq:choose': (payload: FaqChoose, ack: AckCallback<{ message: MessageDTO }>) => void;
  'conversation:escalate': (payload: ConversationRef, ack: AckCallback<{ conversation: ConversationDTO }>) => void;
  'feedback:submit': (payload: FeedbackSubmit, ack: AckCallback<FeedbackDTO>) => void;
  'feedback:list': (payload: Record<string, never>, ack: AckCallback<FeedbackDTO[]>) => void;
  'feedback:seen': (payload: FeedbackSeen, ack: AckCallback<{ count: number }>) => void;
  /** Past and current conversations, newest first, a page at a time; a conversation's messages come from `messages:sync` after 0. */
  'conversations:list': (payload: ConversationsList, ack: AckCallback<{ items: ConversationSummaryDTO[]; more: boolean }>) => void;
  /** The visitor has seen the conversation up to seq (sent while it is open on a visible page): the agents hear `conversation:read`. */
  'conversation:read': (payload: ConversationRead, ack: AckCallback<{ readSeq: number }>) => void;
  /** The visitor is typing (a boolean, never the draft): the agents who have the conversation open hear `typing`. */
  typing: (payload: Typing, ack: AckCallback<Record<string, never>>) => void;
  'csat:submit': (payload: CsatSubmit, ack: AckCallback<{ conversation: ConversationDTO }>) => void;
  /** Up to three FAQ entries matching a draft; nothing is stored. */
  'faq:suggest': (payload: FaqSuggest, ack: AckCallback<{ suggestions: { entryId: string; question: string }[] }>) => void;
  'faq:pick': (payload: FaqPick, ack: AckCallback<{ message: MessageDTO; conversation: ConversationDTO }>) => void;
  /** The visitor's name and email, to be answered by email; refused (FORBIDDEN) for a visitor the site identified. */
  'visitor:contact': (payload: VisitorContact, ack: AckCallback<VisitorContactDTO>) => void;
  /** Emails the conversation so far to the visitor's address (CONTACT_REQUIRED without one). */
  'transcript:email': (payload: ConversationRef, ack: AckCallback<{ queued: boolean }>) => void;
  /**
   * Short-lived links to files of the visitor's conversations, by attachment id (ids not theirs are
   * left out). Files are uploaded over HTTP: POST /api/widget/attachments (server/attachments).
   */
  'attachment:links': (payload: AttachmentLinks, ack: AckCallback<{ links: Record<string, { url: string; expiresAt: string }> }>) => void;
}

export interface WidgetServerToClientEvents {
  'message:created': (message: MessageDTO) => void;
  'conversation:updated': (conversation: ConversationDTO) => void;
  'feedback:updated': (feedback: FeedbackDTO) => void;
  'presence:updated': (presence: { agentsOnline: boolean }) => void;
  /** An agent has read the conversation up to seq (reader 'agent'). */
  'conversation:read': (receipt: ReadReceiptDTO) => void;
  /** The conversation's agent is typing, or stopped. */
  typing: (typing: TypingDTO) => void;
  /**
   * The visitor's conversation waits for a person: its place in the site's queue and the estimated
   * wait. Sent when the queue changes and after `session:hello`, only to a waiting visitor; nothing
   * says it ends: the conversation's `conversation:updated` (claimed, resolved) does.
   */
  'queue:updated': (queue: QueuePositionDTO) => void;
}

/**
 * After every (re)connect an agent socket is in no conversation room: the console calls
 * `queue:list`, then `conversation:open` for the conversation on screen (which joins its room),
 * then `messages:sync` after the last seq it holds (again while a full page of 500 comes back).
 */
export interface AgentClientToServerEvents {
  'queue:list': (payload: Record<string, never>, ack: AckCallback<QueueDTO>) => void;
  'conversation:open': (payload: ConversationRef, ack: AckCallback<{ conversation: ConversationDTO; messages: MessageDTO[] }>) => void;
  'conversation:close': (payload: ConversationRef, ack: AckCallback<Record<string, never>>) => void;
  'conversation:claim': (payload: ConversationRef, ack: AckCallback<ConversationDTO>) => void;
  'conversation:resolve': (payload: ConversationRef, ack: AckCallback<ConversationDTO>) => void;
  /** A resolved ticket opens again, assigned to the agent who reopens it (a ticket not resolved comes back unchanged). */
  'conversation:reopen': (payload: ConversationRef, ack: AckCallback<ConversationDTO>) => void;
  /** Set aside until a time (INVALID_TIME when past or over 90 days ahead); back in the queue then, or when the visitor writes. */
  'conversation:snooze': (payload: ConversationSnooze, ack: AckCallback<ConversationDTO>) => void;
  /** To another agent of the site (AGENT_NOT_ON_SITE otherwise) or, with agentId null, back to the waiting queue. */
  'conversation:transfer': (payload: ConversationTransfer, ack: AckCallback<ConversationDTO>) => void;
  /** A private note: agents only (message:send with internal: true does the same). */
  'note:add': (payload: NoteAdd, ack: AckCallback<{ message: MessageDTO }>) => void;
  'message:send': (payload: AgentMessageSend, ack: AckCallback<{ message: MessageDTO }>) => void;
  'messages:sync': (payload: MessagesSync, ack: AckCallback<MessageDTO[]>) => void;
  /** The agent's own availability (every tab of theirs hears `agent:availability`). */
  'agent:availability': (payload: AvailabilitySet, ack: AckCallback<AvailabilitySet>) => void;
  /** The agent has seen the open conversation up to seq (its tab visible): the visitor's tabs hear `conversation:read`. */
  'conversation:read': (payload: ConversationRead, ack: AckCallback<{ readSeq: number }>) => void;
  /** The assigned agent is typing a reply (never a private note): the visitor's tabs hear `typing`. */
  typing: (payload: Typing, ack: AckCallback<Record<string, never>>) => void;
}

export interface AgentServerToClientEvents {
  /** The agent's availability changed (in another tab, or here). */
  'agent:availability': (payload: AvailabilitySet) => void;
  /** Any change to a conversation of the agent's sites (new in queue, claimed, resolved, new message). */
  'conversation:updated': (conversation: ConversationDTO) => void;
  /** New message in a conversation the agent has open or is assigned to. */
  'message:created': (message: MessageDTO) => void;
  /**
   * An admin erased the conversation's visitor (DELETE /api/visitors/:id): its messages are gone, and a
   * console showing them drops them. `conversation:updated` follows with what is left of the ticket.
   */
  'conversation:erased': (payload: { conversationId: string }) => void;
  'feedback:created': (feedback: FeedbackDTO) => void;
  /** Feedback processed by any agent of the site: keeps every console's lists current. */
  'feedback:updated': (feedback: FeedbackDTO) => void;
  /** A conversation's labels changed (POST /api/conversations/:id/labels): every agent of its site hears the new list. */
  'conversation:labels': (delta: ConversationLabelsDTO) => void;
  /** An admin created, renamed, recoloured or deleted a label of the site: consoles reload their list (GET /api/labels). */
  'labels:changed': (payload: { siteId: string }) => void;
  /** The visitor (reader 'visitor') or an agent (reader 'agent') has read the conversation up to seq: its assigned agent and those who have it open hear it. */
  'conversation:read': (receipt: ReadReceiptDTO) => void;
  /** The visitor is typing in a conversation this socket has open, or stopped. */
  typing: (typing: TypingDTO) => void;
}
