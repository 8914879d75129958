/** What the server sends: plain data, produced by server code, never parsed from a browser. */
import type { Locale } from './schemas.ts';

export type Author = 'visitor' | 'agent' | 'bot' | 'system';

/**
 * - text: typed by a person (visitor or agent)
 * - faq_answer: an automatic answer from one FAQ entry (meta.questionId, meta.entryId)
 * - faq_suggestions: "did you mean…?" choices (meta.suggestions)
 * - articles: links to articles that may help (meta.articles)
 * - notice: a status line the widget words in its own language (meta.notice)
 * - attachment: a file sent by a visitor or an agent (meta.attachment; body is its name)
 * - note: an agent's private note (or a transfer's note to the receiver): agents only, never sent to a visitor
 */
export type MessageKind = 'text' | 'faq_answer' | 'faq_suggestions' | 'articles' | 'notice' | 'attachment' | 'note';

export type NoticeCode =
  | 'waiting_for_agent'
  | 'no_agent_online'
  | 'agent_joined'
  | 'resolved'
  | 'reopened'
  | 'greeting'
  | 'thanks'
  | 'goodbye'
  | 'solved_thanks'
  | 'dont_know';

export interface MessageMeta {
  questionId?: string;
  entryId?: string;
  confidence?: number;
  suggestions?: { entryId: string; question: string }[];
  articles?: { url: string; title: string }[];
  notice?: NoticeCode;
  /** For notices about an agent: their display name. */
  agentName?: string;
  /** On a faq_answer to an entry chosen while typing: that entry's question (the draft is never stored). */
  question?: string;
  /** Set on a faq_answer once the user said it solved it or asked for a person. */
  outcome?: 'solved' | 'human';
  /** On an attachment message: the file (its bytes are fetched from the attachment routes, server/attachments). */
  attachment?: AttachmentDTO;
  /** On a transfer's note: who handed it over, and to whom (null: the waiting queue). */
  transfer?: { fromName: string; toName: string | null };
}

/** A file sent in a conversation: what clients show before fetching it. */
export interface AttachmentDTO {
  id: string;
  /** The name the sender's file had (shown and used as the download name, never trusted for the type). */
  name: string;
  size: number;
  /** Detected from the bytes. */
  mime: string;
  /** A PNG, JPEG, GIF or WebP: shown inline as a thumbnail; anything else is only downloaded. */
  isImage: boolean;
}

/** A site's attachment limits, for refusing a file before uploading it (the server checks again). */
export interface AttachmentLimitsDTO {
  maxBytes: number;
  /** Accepted MIME types; left out of the widget's session when they are DEFAULT_ATTACHMENT_TYPES (shared/attachments.ts). */
  types?: string[];
}

export interface MessageDTO {
  id: string;
  conversationId: string;
  /** Position in the conversation, 1, 2, 3…: clients ask for everything after the last they hold. */
  seq: number;
  author: Author;
  authorName: string | null;
  body: string;
  kind: MessageKind;
  clientId: string | null;
  meta: MessageMeta;
  createdAt: string;
}

/** bot: only automatic answers so far; open: waits for or is with an agent; pending: agent replied, waits for the user; snoozed: set aside until a time, then back in the queue. */
export type ConversationStatus = 'bot' | 'open' | 'pending' | 'snoozed' | 'resolved';

export interface ConversationDTO {
  id: string;
  siteId: string;
  status: ConversationStatus;
  visitorId: string;
  visitorName: string | null;
  visitorEmail: string | null;
  assignedAgentId: string | null;
  assignedAgentName: string | null;
  pageUrl: string | null;
  pageTitle: string | null;
  /** The visitor's question that brought the conversation to a human. */
  question: string | null;
  lastSeq: number;
  createdAt: string;
  escalatedAt: string | null;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  /** Changes with every write: of two pushes of one conversation, the later updatedAt wins. */
  updatedAt: string;
  /** The visitor's satisfaction rating after a resolution (null: not rated; absent from older servers). */
  csat?: CsatDTO | null;
  /** Label ids (LabelDTO): for agents only, left out of what a visitor receives. */
  labels?: string[];
  /** When it was last reopened (by an agent, or by the visitor writing within the site's reopen window). */
  reopenedAt?: string | null;
  /** Snoozed: back in the queue at this time, or when the visitor writes. */
  snoozedUntil?: string | null;
  /** The earlier ticket this one follows (the visitor wrote after the reopen window). */
  previousConversationId?: string | null;
  /** Read receipts: the highest seq the visitor has seen, and the highest an agent has seen (absent from older servers). */
  visitorReadSeq?: number;
  agentReadSeq?: number;
}

/** Pushed as `conversation:read`: how far one side has read a conversation (never back). */
export interface ReadReceiptDTO {
  conversationId: string;
  reader: 'visitor' | 'agent';
  seq: number;
}

/** Pushed as `typing` to the other side of a conversation; not stored. */
export interface TypingDTO {
  conversationId: string;
  typing: boolean;
}

/**
 * Pushed as `queue:updated` to a visitor waiting for a person: their place among the site's waiting
 * conversations (1 = next) and an estimate of the wait from the site's recent real waits, or null when
 * there is no recent history to estimate from (server/conversations/queue.service.ts).
 */
export interface QueuePositionDTO {
  conversationId: string;
  position: number;
  estimatedWaitSec: number | null;
}

/** A satisfaction survey answer: 1–5, with an optional comment (conversations.csat_*). */
export interface CsatDTO {
  rating: number;
  comment: string | null;
  at: string;
}

/** One line of the widget's list of past conversations. */
export interface ConversationSummaryDTO {
  id: string;
  status: ConversationStatus;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  /** The latest message that is not a status notice (null: none yet). */
  lastMessage: Pick<MessageDTO, 'author' | 'authorName' | 'body' | 'kind' | 'createdAt'> | null;
  /** Agent messages after conversations.visitor_read_seq. */
  unread: number;
  rated: boolean;
}

export interface FeedbackDTO {
  id: string;
  siteId: string;
  content: string;
  contact: string | null;
  pageUrl: string | null;
  pageTitle: string | null;
  status: 'new' | 'processed';
  note: string | null;
  processedByName: string | null;
  processedAt: string | null;
  createdAt: string;
  /** Visitor side: whether they have seen that it was processed. */
  seen: boolean;
}

export interface SessionDTO {
  visitorId: string;
  /** Only when the server issued a new visitor token: the widget keeps it in localStorage. */
  token?: string;
  siteName: string;
  conversation: ConversationDTO | null;
  /** The latest messages of the current conversation, in seq order. */
  messages: MessageDTO[];
  agentsOnline: boolean;
  feedback: FeedbackDTO[];
  identified: boolean;
  /** Site settings the widget follows: a short sound on an agent's reply while the page is hidden; the survey after a resolution. */
  replySound: boolean;
  csatEnabled: boolean;
  /** What the site accepts as attachments (absent from older servers). */
  attachments?: AttachmentLimitsDTO;
  /** Whether and why to ask for an email address (server/mail). */
  contact: VisitorContactDTO;
  /**
   * This connection came with a link from a reply email: bound to its visitor, refused (spent or
   * expired), or pending: the link is another visitor's, and opens it only when the visitor says it
   * is theirs (`session:link`), shown the masked address it was sent to (`linkTo`).
   */
  link?: 'bound' | 'refused' | 'pending';
  /** With link 'pending': the address the link was mailed to, masked (`j***@example.com`). */
  linkTo?: string;
}

/** What the widget needs to ask for an email address, and what it already has. */
export interface VisitorContactDTO {
  name: string | null;
  email: string | null;
  /** Identified by the site's back end: never asked. */
  signed: boolean;
  /** off: asked only when useful; email / name_email: a form with these fields comes before the first message. */
  prechatForm: 'off' | 'email' | 'name_email';
  /** After this long without a reply the widget offers to answer by email. */
  firstResponseTargetSec: number;
  /** Whether this server sends email at all (SMTP_URL and MAIL_FROM set). */
  emailEnabled: boolean;
}

export interface AgentDTO {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  siteIds: string[];
  /** What the agent chose in the console header; presence also needs an open console. */
  availability: 'online' | 'away' | 'offline';
}

/** An agent a ticket can be handed to (GET /api/conversations/:id/agents). */
export interface TransferTargetDTO {
  id: string;
  name: string;
  availability: 'online' | 'away' | 'offline';
}

export interface QueueDTO {
  /** Escalated and not claimed by anyone yet, oldest first. */
  waiting: ConversationDTO[];
  /** Claimed by this agent and not resolved. */
  mine: ConversationDTO[];
}

export interface FaqEntryDTO {
  id: string;
  siteId: string;
  question: string;
  variants: string[];
  answer: string;
  language: Locale;
  tags: string[];
  articleUrls: string[];
  /** A draft never answers anyone until an agent publishes it. */
  status: 'draft' | 'published';
  /** The conversation a draft was made from. */
  sourceConversationId: string | null;
  /** Visitor questions learned from agents' answers, newest first. */
  learned: LearnedVariantDTO[];
  createdAt: string;
  updatedAt: string;
}

/** Two FAQ entries the matcher takes for each other: `count` of `from`'s variants were matched to `to`. */
export interface FaqConfusedPairDTO {
  from: { id: string; question: string };
  to: { id: string; question: string };
  count: number;
  example: string;
}

/** What a site's FAQ should do at its current threshold (GET /api/faqs/calibration). */
export interface FaqCalibrationDTO {
  siteId: string;
  /** The threshold questions are decided with now, and where it comes from. */
  threshold: number;
  source: 'site' | 'calibrated';
  targetPrecision: number;
  /** The last calibration; null until the first one is done (`pending`). */
  calibration: {
    threshold: number;
    /** Estimated shares at the calibrated threshold (variants asked of the rest of the FAQ); null without data. */
    precision: number | null;
    answered: number | null;
    method: 'fitted' | 'prior';
    samples: number;
    /** The FAQ's own variants, held out, reached the target at no threshold: the prior applies (method 'prior'). */
    unfit: boolean;
    oosAnswered: number;
    confused: FaqConfusedPairDTO[];
    /** Entries whose variants repeat nearly the same words (overlap: mean share of content words), most alike first. */
    alike: { id: string; question: string; overlap: number }[];
    /** So many entries are near-duplicates that the estimated precision is too kind. */
    optimistic: boolean;
    computedAt: string;
  } | null;
  pending: boolean;
  /**
   * What visitors did after the FAQ answered them on its own in the last `days` days: `answered`
   * automatic answers, after which the visitor said it `solved` their question or `askedForPerson`
   * (most say nothing). Measured, where `calibration` is estimated.
   */
  visitors: { days: number; answered: number; solved: number; askedForPerson: number };
}

/** A visitor's question (masked) that an agent answered with an entry. */
export interface LearnedVariantDTO {
  id: string;
  entryId: string;
  text: string;
  source: 'assist' | 'marked' | 'import';
  /** pending: waits for an agent's approval (site setting faqReviewLearned); active: the matcher uses it. */
  status: 'pending' | 'active';
  conversationId: string | null;
  agentName: string | null;
  createdAt: string;
}

/** The entries closest to a visitor's question, for the agent to answer with. */
export interface FaqAssistDTO {
  /** The question searched for (the visitor's last message, or the agent's text); null when there is none. */
  question: string | null;
  /** The visitor message it came from. */
  questionMessageId: string | null;
  hits: { entryId: string; question: string; answer: string; confidence: number }[];
}

export interface ArticleDTO {
  id: string;
  siteId: string;
  url: string;
  title: string;
  summary: string;
  language: Locale;
  updatedAt: string;
}

/** A group of "what to write next" names at most this many of its conversations (the newest): enough to read, small enough for a link. */
export const GROUP_CONVERSATIONS = 20;

export interface DemandGroupDTO {
  /** The site the questions were asked on (a group never spans sites: an entry is one site's). */
  siteId: string;
  /** The most typical question of the group. */
  question: string;
  /** Asked this many times in the period. */
  count: number;
  /** Asked this many times in the period of the same length just before: the trend. */
  previousCount: number;
  examples: string[];
  lastAskedAt: string;
  /** The pages (URL without query) the group was asked from most, with counts. */
  pages: { url: string; count: number }[];
  /** How many were asked each UTC day, oldest first (days without any left out): the trend. */
  days: { day: string; count: number }[];
  /** The conversations the period's questions were asked in, newest first, at most GROUP_CONVERSATIONS. */
  conversationIds: string[];
  /** How many conversations there are in all (conversationIds names the newest of them). */
  conversationCount: number;
}

export interface MetricsDTO {
  from: string;
  to: string;
  /** Visitor questions put to the FAQ matcher. */
  questions: number;
  /** Questions answered automatically (including a chosen suggestion). */
  faqAnswered: number;
  /** Automatic answers the user said solved the problem. */
  faqSolved: number;
  /** Questions handed to a human: no confident answer, or "talk to a person". */
  escalated: number;
  /** Share of questions answered automatically and not escalated afterwards. */
  /** Every rate is a share from 0 to 1 (null when there is nothing to divide by). */
  deflectionRate: number | null;
  tickets: number;
  responded: number;
  responseRate: number | null;
  resolved: number;
  resolutionRate: number | null;
  firstResponseMs: { median: number | null; p90: number | null };
  resolutionMs: { median: number | null; p90: number | null };
  feedback: { received: number; processed: number };
  /** Automatic answers per FAQ entry, with how often they solved it or were escalated. */
  topEntries: { entryId: string; question: string; answered: number; solved: number; escalated: number }[];
  /** The language the figures are limited to (null: every language). */
  language: 'zh' | 'en' | null;
  /**
   * S = C × R × A (docs/metrics.md): C, questions met by content; R, tickets resolved weighted by a
   * timely first response; A, visitors who came back on another day. Each 0..1, null when there is
   * nothing to divide by; `previous` is the period of the same length just before, `change` this minus that.
   */
  satisfaction: SatisfactionFactors & {
    previous: SatisfactionFactors & { from: string; to: string };
    change: SatisfactionFactors;
    /** The counts the factors are divided from, for this period. */
    counts: SatisfactionCountsDTO;
  };
  /** Tickets resolved with no new ticket from the visitor within 72 h, over tickets whose 72 h are over (or unresolved). */
  verifiedResolutionRate: number | null;
  /** The satisfaction survey after resolution (1–5), apart from "this solved it" on bot answers. */
  ratings: RatingsDTO;
}

/** One bucket (an hour or a UTC day) of the metrics view's charts; rates 0..1 or null. */
export interface SeriesPointDTO {
  /** The bucket's start, ISO. */
  at: string;
  questions: number;
  faqAnswered: number;
  deflectionRate: number | null;
  tickets: number;
  firstResponseP50Ms: number | null;
  firstResponseP90Ms: number | null;
  resolutionRate: number | null;
  ratingAverage: number | null;
  C: number | null;
  R: number | null;
  /** C and R of the bucket times A of the whole period (a return needs two days). */
  S: number | null;
}

export interface SeriesDTO {
  bucket: 'hour' | 'day';
  points: SeriesPointDTO[];
  /** The period of the same length before, bucket by bucket. */
  previous: SeriesPointDTO[];
}

export type BreakdownKind = 'site' | 'agent' | 'language' | 'page' | 'article';

/** One row of a breakdown: the question figures (null where they do not apply, e.g. per agent) and the ticket figures. */
export interface BreakdownRowDTO {
  /** Site id, agent id ('' unassigned), language ('' unknown), page URL or article URL. */
  key: string;
  /** Site name, agent name, article title; null otherwise. */
  label: string | null;
  questions: number | null;
  faqAnswered: number | null;
  /** Questions that needed a person. */
  escalated: number | null;
  tickets: number;
  resolved: number;
  resolutionRate: number | null;
  firstResponseP50Ms: number | null;
  firstResponseP90Ms: number | null;
  ratingAverage: number | null;
  ratings: number;
}

/** Survey ratings of tickets raised in a period. */
export interface RatingsDTO {
  count: number;
  /** Mean rating, two decimals (null without ratings). */
  average: number | null;
  /** Ratings 1, 2, 3, 4, 5. */
  distribution: [number, number, number, number, number];
  /** Tickets resolved while the site's survey was on. */
  surveyed: number;
  /** Of those, rated. */
  responseRate: number | null;
}

export interface SatisfactionFactors {
  C: number | null;
  R: number | null;
  A: number | null;
  S: number | null;
}

/** The counts behind the satisfaction factors (docs/metrics.md). */
export interface SatisfactionCountsDTO {
  /** Questions put to the FAQ (smalltalk excluded). */
  questions: number;
  /** Of those, met by content: an FAQ answer the visitor said solved it, or that was not followed by an escalation. */
  questionsMet: number;
  /** Tickets raised (escalated) in the period. */
  tickets: number;
  /** Of those, resolved. */
  resolved: number;
  /** Sum over resolved tickets of their timeliness weight (0..1 each). */
  resolvedWeighted: number;
  /** Resolved tickets whose 72 hours have passed (as of now). */
  verifiable: number;
  /** Of those, with no new ticket from the same visitor within 72 hours of the resolution. */
  verified: number;
  /** Tickets still within their 72 hours: neither verified nor refuted yet. */
  unverifiedYet: number;
  /** Visitors active in the period (a conversation started or a question asked). */
  visitorsSeen: number;
  /** Of those, active on two or more UTC days of the period. */
  visitorsReturned: number;
}

/** A canned reply as the console lists it: the site's, or the agent's own (`personal`). */
export interface CannedReplyDTO {
  id: string;
  siteId: string;
  personal: boolean;
  shortCode: string;
  title: string;
  /** May hold {visitor.name}, {visitor.email} and {agent.name}, filled in when inserted. */
  body: string;
  updatedAt: string;
}

/** A label admins create for a site and agents put on its conversations. */
export interface LabelDTO {
  id: string;
  siteId: string;
  name: string;
  color: string;
}

/** A conversation's labels changed: the small delta the site's consoles receive. */
export interface ConversationLabelsDTO {
  conversationId: string;
  siteId: string;
  labels: string[];
}

/** One conversation found by GET /api/conversations/search, with the message that matched, if any. */
export interface SearchHitDTO {
  conversation: ConversationDTO;
  /** The newest message holding the text searched for (null: the visitor's name or email matched, or no text was given). */
  match: { seq: number; body: string; createdAt: string } | null;
}
