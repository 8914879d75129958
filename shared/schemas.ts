/**
 * One zod schema per payload that crosses the wire. Server handlers parse with these before
 * doing anything; browser code uses the inferred types. Types come from z.infer, never retyped.
 */
import { z } from 'zod';
import { GROUP_CONVERSATIONS } from './types.ts';

export const LOCALES = ['zh', 'en'] as const;
export const Locale = z.enum(LOCALES);
export type Locale = z.infer<typeof Locale>;

/** A message is 1 to 4,000 characters after trimming. */
export const MessageBody = z.string().trim().min(1).max(4000);
/** Sender-chosen message id: makes a retry harmless (unique per conversation). */
export const ClientId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
export const Id = z.uuid();
export const PageUrl = z.url({ protocol: /^https?$/ }).max(2048);
export const PageTitle = z.string().trim().max(300);

export const PageInfo = z.object({
  pageUrl: PageUrl.optional(),
  pageTitle: PageTitle.optional(),
});

// ---- widget (visitor) events ----

export const SessionHello = z.object({
  locale: Locale.optional(),
  pageUrl: PageUrl.optional(),
  pageTitle: PageTitle.optional(),
  /** The browser's IANA time zone, for the visitor's local time in the console (kept only when the server knows it). */
  tz: z.string().regex(/^[A-Za-z0-9_+/-]{1,64}$/).optional(),
});
export type SessionHello = z.infer<typeof SessionHello>;

/** A one-time link from a reply email (randomToken(32): 43 base64url characters), opened by session:link. */
export const SessionLink = z.object({ link: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });
export type SessionLink = z.infer<typeof SessionLink>;

export const VisitorMessageSend = z.object({
  clientId: ClientId,
  body: MessageBody,
  pageUrl: PageUrl.optional(),
  pageTitle: PageTitle.optional(),
});
export type VisitorMessageSend = z.infer<typeof VisitorMessageSend>;

/** Links to files of the visitor's conversations (attachment:links). */
export const AttachmentLinks = z.object({ ids: z.array(Id).min(1).max(50) });
export type AttachmentLinks = z.infer<typeof AttachmentLinks>;

export const MessagesSync = z.object({
  conversationId: Id,
  afterSeq: z.number().int().min(0).max(2 ** 31 - 1),
});
export type MessagesSync = z.infer<typeof MessagesSync>;

/** The user's answer to an automatic FAQ answer: "this solved it" or "talk to a person". */
export const FaqRespond = z.object({
  questionId: Id,
  action: z.enum(['solved', 'human']),
});
export type FaqRespond = z.infer<typeof FaqRespond>;

/** The user picked one of the "did you mean…?" suggestions. */
export const FaqChoose = z.object({
  questionId: Id,
  entryId: Id,
});
export type FaqChoose = z.infer<typeof FaqChoose>;

/** An event that takes no fields (`{}`), such as `queue:list` and `feedback:list`. */
export const Empty = z.object({}).strict();

export const ConversationRef = z.object({ conversationId: Id });
export type ConversationRef = z.infer<typeof ConversationRef>;

export const FeedbackSubmit = z.object({
  content: z.string().trim().min(1).max(4000),
  contact: z.string().trim().max(200).optional(),
  pageUrl: PageUrl.optional(),
  pageTitle: PageTitle.optional(),
});
export type FeedbackSubmit = z.infer<typeof FeedbackSubmit>;

export const FeedbackSeen = z.object({ ids: z.array(Id).min(1).max(100) });
export type FeedbackSeen = z.infer<typeof FeedbackSeen>;

/** A page of the visitor's past conversations, newest first; `before` is the last item of the previous page. */
export const ConversationsList = z.object({
  before: z.object({ createdAt: z.iso.datetime(), id: Id }).optional(),
});
export type ConversationsList = z.infer<typeof ConversationsList>;

/** The reader (the visitor, or an agent in the console) has seen the messages of a conversation up to this seq. */
export const ConversationRead = z.object({ conversationId: Id, seq: z.number().int().min(0).max(2 ** 31 - 1) });
export type ConversationRead = z.infer<typeof ConversationRead>;

/**
 * The sender is typing in a conversation (true) or stopped (false), for either side. Only a boolean:
 * the draft never leaves the browser before it is sent, and any other field (a `body`) is refused.
 */
export const Typing = z.strictObject({ conversationId: Id, typing: z.boolean() });
export type Typing = z.infer<typeof Typing>;

/** The satisfaction survey after a resolution: 1–5 and an optional comment, once per ticket. */
export const CsatSubmit = z.object({
  conversationId: Id,
  rating: z.number().int().min(1).max(5),
  comment: z.string().trim().max(1000).optional(),
});
export type CsatSubmit = z.infer<typeof CsatSubmit>;

/** The visitor's draft, sent only to find matching FAQ entries while they type; never stored. */
export const FaqSuggest = z.object({ text: z.string().trim().min(2).max(500) });
export type FaqSuggest = z.infer<typeof FaqSuggest>;

/** The visitor chose an FAQ entry suggested while typing: its answer, without a ticket. */
export const FaqPick = z.object({ entryId: Id });
export type FaqPick = z.infer<typeof FaqPick>;

/** Most keys in a signed identity's attributes, and most characters of their JSON. */
export const ATTRIBUTES_MAX_KEYS = 30;
export const ATTRIBUTES_MAX_CHARS = 4000;

/**
 * Custom attributes a site passes with its user's identity (courses bought, progress, membership end),
 * shown to agents as a card: up to 30 keys of 1–64 characters, each a string (≤ 500), a finite number
 * or a boolean, 4,000 characters of JSON in all.
 */
export const VisitorAttributes = z
  .record(z.string().trim().min(1).max(64), z.union([z.string().max(500), z.number().finite(), z.boolean()]))
  .refine((a) => Object.keys(a).length <= ATTRIBUTES_MAX_KEYS, { message: `at most ${ATTRIBUTES_MAX_KEYS} attributes` })
  .refine((a) => JSON.stringify(a).length <= ATTRIBUTES_MAX_CHARS, { message: `at most ${ATTRIBUTES_MAX_CHARS} characters` });
export type VisitorAttributes = z.infer<typeof VisitorAttributes>;

/**
 * Signed identity of a site's logged-in user: hash = HMAC-SHA256(secret, `${id}:${ts}`) in hex. The
 * signature covers the id and the time only: name, email and attributes are as the page passed them.
 */
export const Identify = z.object({
  id: z.string().trim().min(1).max(200),
  name: z.string().trim().max(200).optional(),
  email: z.email().max(320).optional(),
  ts: z.number().int().positive(),
  hash: z.string().regex(/^[a-f0-9]{64}$/),
  attributes: VisitorAttributes.optional(),
});
export type Identify = z.infer<typeof Identify>;

/** A name and email address the visitor gives to be answered by email (stored as claimed, not verified). */
export const VisitorContact = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  email: z.email().max(320),
});
export type VisitorContact = z.infer<typeof VisitorContact>;

// ---- agent events ----

export const AgentMessageSend = z.object({
  conversationId: Id,
  clientId: ClientId,
  body: MessageBody,
  /** A private note: seen by agents only, never by the visitor (the same as `note:add`). */
  internal: z.boolean().optional(),
});
export type AgentMessageSend = z.infer<typeof AgentMessageSend>;

/** A private note in a conversation: agents of the site see it, the visitor never does. */
export const NoteAdd = z.object({
  conversationId: Id,
  clientId: ClientId,
  body: MessageBody,
});
export type NoteAdd = z.infer<typeof NoteAdd>;

/** Set a ticket aside until a time (at most 90 days ahead); then, or when the visitor writes, it is back in the queue. */
export const ConversationSnooze = z.object({
  conversationId: Id,
  until: z.iso.datetime({ offset: true }),
});
export type ConversationSnooze = z.infer<typeof ConversationSnooze>;

/** Hand a ticket to another agent of its site (agentId), or back to the waiting queue (null), with a private note to the receiver. */
export const ConversationTransfer = z.object({
  conversationId: Id,
  agentId: Id.nullable(),
  note: z.string().trim().min(1).max(2000).optional(),
});
export type ConversationTransfer = z.infer<typeof ConversationTransfer>;

/** online: takes conversations (automatic assignment included); away: at the desk, gets none; offline: as if the console were closed. */
export const Availability = z.enum(['online', 'away', 'offline']);
export type Availability = z.infer<typeof Availability>;
export const AvailabilitySet = z.object({ availability: Availability });
export type AvailabilitySet = z.infer<typeof AvailabilitySet>;

// ---- HTTP bodies and queries ----

/** A password an agent may choose: 8 to 200 characters (the upper bound keeps scrypt's input small). */
export const NewPassword = z.string().min(8).max(200);

export const Login = z.object({
  email: z.email().max(320),
  password: z.string().min(1).max(200),
});
export type Login = z.infer<typeof Login>;

export const FeedbackProcess = z.object({ note: z.string().trim().min(1).max(2000) });
export type FeedbackProcess = z.infer<typeof FeedbackProcess>;

export const FeedbackListQuery = z.object({
  status: z.enum(['new', 'processed']).optional(),
  siteId: z.string().max(64).optional(),
});

export const MetricsQuery = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    siteId: z.string().max(64).optional(),
    /** Only conversations of visitors whose widget speaks this language. */
    language: z.enum(['zh', 'en']).optional(),
  })
  .refine((q) => Date.parse(q.from) <= Date.parse(q.to), { message: 'from must not be after to' });
export type MetricsQuery = z.infer<typeof MetricsQuery>;
/** GET /api/metrics/breakdown: a period's figures per site, agent, language, page or article. */
export const MetricsBreakdownQuery = z.intersection(MetricsQuery, z.object({ by: z.enum(['site', 'agent', 'language', 'page', 'article']) }));
/** GET /api/metrics/unanswered: the questions on one page (URL without query) that most often needed a person. */
export const MetricsPageQuery = z.intersection(MetricsQuery, z.object({ page: z.string().max(2048) }));
/** GET /api/metrics/export.csv: one table or chart of the metrics view as CSV. */
export const MetricsExportQuery = z.intersection(
  MetricsQuery,
  z.object({ table: z.enum(['summary', 'series', 'site', 'agent', 'language', 'page', 'article', 'entries', 'write-next']) }),
);
export type MetricsExportQuery = z.infer<typeof MetricsExportQuery>;

export const FaqEntryInput = z.object({
  siteId: z.string().min(1).max(64).optional(),
  question: z.string().trim().min(1).max(500),
  variants: z.array(z.string().trim().min(1).max(500)).max(500).default([]),
  answer: z.string().trim().min(1).max(4000),
  language: Locale,
  tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
  articleUrls: z.array(PageUrl).max(10).default([]),
  /** A draft never answers anyone. Created published unless said; an update keeps the status unless said. */
  status: z.enum(['draft', 'published']).optional(),
});
export type FaqEntryInput = z.infer<typeof FaqEntryInput>;

export const FaqImportJson = z.object({
  siteId: z.string().min(1).max(64).optional(),
  replace: z.boolean().default(false),
  entries: z.array(FaqEntryInput).min(1).max(5000),
});

/** POST /api/faqs/from-demand: a draft from a group of questions that reached a person ("what to write next"). */
export const FaqFromDemand = z.object({
  siteId: z.string().min(1).max(64),
  question: z.string().trim().min(1).max(500),
  /** Other ways the group asked it: the draft's variants. */
  variants: z.array(z.string().trim().min(1).max(500)).max(20).default([]),
});
export type FaqFromDemand = z.infer<typeof FaqFromDemand>;

export const FaqFromConversation = z.object({
  conversationId: Id,
  /** The visitor message to use as the variant; defaults to the first question. */
  questionMessageId: Id.optional(),
  /** The agent message to use as the answer; defaults to the last agent reply. */
  answerMessageId: Id.optional(),
  language: Locale.optional(),
  /** Add the question as a variant of this existing entry instead of creating one. */
  entryId: Id.optional(),
});

/** The FAQ entries closest to a conversation's last visitor question, or to `text` the agent typed. */
export const FaqAssist = z.object({
  conversationId: Id,
  text: z.string().trim().min(1).max(500).optional(),
});

/** The visitor's question becomes a learned variant of an entry (masked first). */
export const FaqLearn = z.object({
  conversationId: Id,
  entryId: Id,
  /** assist: the agent replied with the entry's answer; marked: "this was FAQ X" on a resolved conversation. */
  source: z.enum(['assist', 'marked']),
  /** The visitor message asked; defaults to the last one (assist) or the conversation's question (marked). */
  questionMessageId: Id.optional(),
});

export const ArticleInput = z.object({
  siteId: z.string().min(1).max(64).optional(),
  url: PageUrl,
  title: z.string().trim().min(1).max(300),
  summary: z.string().trim().max(2000).default(''),
  body: z.string().trim().max(100_000).default(''),
  language: Locale,
});
export type ArticleInput = z.infer<typeof ArticleInput>;

export const ArticlesPut = z.union([ArticleInput, z.array(ArticleInput).min(1).max(500)]);

/** A MIME type such as image/png or application/vnd.ms-excel, stored lower-case. */
export const MimeType = z
  .string()
  .trim()
  .max(127)
  .regex(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/)
  .transform((v) => v.toLowerCase());

/** Whether the runtime knows an IANA time zone (Intl throws a RangeError on an unknown one). */
export function knownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Minutes after midnight, [start, end) with start < end within one day. */
const DayHours = z
  .tuple([z.number().int().min(0).max(1439), z.number().int().min(1).max(1440)])
  .refine(([start, end]) => start < end, { message: 'start must be before end' });

/** Business hours: an IANA time zone and, per ISO weekday (1 = Monday … 7 = Sunday), the open minutes; a missing day is closed. */
export const BusinessHours = z.object({
  timezone: z.string().min(1).max(64).refine(knownTimeZone, { message: 'unknown time zone' }),
  days: z.partialRecord(z.enum(['1', '2', '3', '4', '5', '6', '7']), DayHours),
});
export type BusinessHours = z.infer<typeof BusinessHours>;

export const SiteSettings = z
  .object({
    name: z.string().trim().min(1).max(200),
    origins: z.array(z.url({ protocol: /^https?$/ }).max(300)).min(1).max(50),
    faqThreshold: z.number().min(0).max(1).nullable(),
    requireIdentity: z.boolean(),
    identityMaxAgeSec: z.number().int().min(60).max(30 * 86400),
    /** Keep the query string and fragment of visitors' page URLs (off: they can hold tokens). */
    keepFullPageUrls: z.boolean(),
    /** The first response the site promises, in seconds. */
    firstResponseTargetSec: z.number().int().min(10).max(7 * 86400),
    /** manual: agents claim from the queue; auto: round robin among online agents with capacity. */
    assignmentMode: z.enum(['manual', 'auto']),
    /** A visitor who writes within this many seconds after a resolution reopens the same ticket (0: never). */
    reopenWindowSec: z.number().int().min(0).max(90 * 86400),
    csatEnabled: z.boolean(),
    replySound: z.boolean(),
    /** An agent reply unseen this long is emailed to the visitor. */
    emailUnseenAfterSec: z.number().int().min(60).max(7 * 86400),
    prechatForm: z.enum(['off', 'email', 'name_email']),
    /** Largest attachment, 1 KB to 100 MB. */
    attachmentMaxBytes: z.number().int().min(1024).max(100 * 1024 * 1024),
    /** Accepted MIME types; null: the default set (images, PDF, plain text, office files). */
    attachmentTypes: z.array(MimeType).min(1).max(100).nullable(),
    /** The precision the FAQ threshold is calibrated to. */
    faqTargetPrecision: z.number().min(0.5).max(0.999),
    faqReviewLearned: z.boolean(),
    /** null: every hour counts. */
    businessHours: BusinessHours.nullable(),
  })
  .partial();
export type SiteSettings = z.infer<typeof SiteSettings>;

export const SiteCreate = z.object({
  name: z.string().trim().min(1).max(200),
  origins: z.array(z.url({ protocol: /^https?$/ }).max(300)).min(1).max(50),
});
export type SiteCreate = z.infer<typeof SiteCreate>;

export const SiteKey = z.string().min(1).max(64);
/** `?siteId=` on a console or API route that may name the site in its query rather than its body. */
export const SiteQuery = z.object({ siteId: SiteKey.optional() });
export const AgentRole = z.enum(['admin', 'agent']);

/** A new agent: with a password, or without one to get a one-time invitation link. */
export const AgentCreate = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  role: AgentRole,
  siteIds: z.array(SiteKey).max(500),
  password: NewPassword.optional(),
});
export type AgentCreate = z.infer<typeof AgentCreate>;

export const AgentUpdate = z
  .object({
    name: z.string().trim().min(1).max(200),
    role: AgentRole,
    siteIds: z.array(SiteKey).max(500),
    active: z.boolean(),
    /** Most open conversations automatic assignment gives this agent at once (0: none). */
    capacity: z.number().int().min(0).max(100),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0);
export type AgentUpdate = z.infer<typeof AgentUpdate>;

export const PasswordChange = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: NewPassword,
});
export type PasswordChange = z.infer<typeof PasswordChange>;

/** What an agent may change about themselves (role, sites and email are an admin's to change). */
export const ProfileUpdate = z.object({ name: z.string().trim().min(1).max(200) });
export type ProfileUpdate = z.infer<typeof ProfileUpdate>;

export const InvitationAccept = z.object({ password: NewPassword });
export type InvitationAccept = z.infer<typeof InvitationAccept>;

/** The token in an invitation link (randomToken(32): 43 base64url characters). */
export const InvitationToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/);

/** A canned reply's code, typed after `/` in the composer: letters of any language, digits, - and _. */
export const CannedShortCode = z.string().trim().regex(/^[\p{L}\p{N}_-]{1,32}$/u);

/** A canned reply: the site's (admins) or the agent's own (`personal`), on one of their sites. */
export const CannedReplyCreate = z.object({
  siteId: SiteKey,
  personal: z.boolean(),
  shortCode: CannedShortCode,
  title: z.string().trim().max(120).default(''),
  body: MessageBody,
});
export type CannedReplyCreate = z.infer<typeof CannedReplyCreate>;

export const CannedReplyUpdate = z
  .object({ shortCode: CannedShortCode, title: z.string().trim().max(120), body: MessageBody })
  .partial()
  .refine((v) => Object.keys(v).length > 0);
export type CannedReplyUpdate = z.infer<typeof CannedReplyUpdate>;

/** A label's color: #rgb or #rrggbb. */
export const LabelColor = z.string().regex(/^#(?:[0-9a-fA-F]{3}){1,2}$/);

export const LabelCreate = z.object({ siteId: SiteKey, name: z.string().trim().min(1).max(40), color: LabelColor.default('#64748b') });
export type LabelCreate = z.infer<typeof LabelCreate>;

export const LabelUpdate = z
  .object({ name: z.string().trim().min(1).max(40), color: LabelColor })
  .partial()
  .refine((v) => Object.keys(v).length > 0);
export type LabelUpdate = z.infer<typeof LabelUpdate>;

/** Put a label on a conversation, or take it off. */
export const ConversationLabel = z.object({ labelId: Id, on: z.boolean() });
export type ConversationLabel = z.infer<typeof ConversationLabel>;

/**
 * Conversation ids as one comma-separated query value, at most GROUP_CONVERSATIONS: the conversations
 * behind a group of "what to write next" (DemandGroupDTO.conversationIds).
 */
export const ConversationIds = z
  .string()
  .max(GROUP_CONVERSATIONS * 37)
  .transform((s) => s.split(','))
  .pipe(z.array(Id).min(1).max(GROUP_CONVERSATIONS));

/**
 * GET /api/conversations/search: every filter optional (none: the newest tickets). `q` is a substring of a message, the visitor's name or email;
 * `ids` names the conversations to list (any status, whether or not they reached a person).
 */
export const ConversationSearch = z
  .object({
    q: z.string().trim().min(2).max(200).optional(),
    ids: ConversationIds.optional(),
    label: Id.optional(),
    agentId: Id.optional(),
    status: z.enum(['open', 'pending', 'snoozed', 'resolved']).optional(),
    siteId: SiteKey.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .refine((v) => !(v.from && v.to) || Date.parse(v.from) <= Date.parse(v.to));
export type ConversationSearch = z.infer<typeof ConversationSearch>;
