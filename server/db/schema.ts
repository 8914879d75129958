/** The one drizzle schema. Migrations in ./migrations are generated from it by drizzle-kit. */
import { getTableColumns, sql } from 'drizzle-orm';
import {
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { MessageMeta } from '../../shared/types.ts';

/**
 * The GIN indexes written on the message path (messages, conversations, visitors) keep new entries in
 * a pending list, merged into the index by whichever insert finds the list past this size, inside
 * its own statement. At PostgreSQL's default (4 MB) that merge took 70-100 ms in one message's
 * statement every 10-15 s at 3,200 msg/s (auto_explain: 4,200-4,700 buffers for an insert of 2-11
 * messages), and every message of its group, and of the lane queued behind it, waited: the p99 of
 * bench:relay's failing steps. At 256 kB a merge is a sixteenth of that, under auto_explain's 40 ms
 * at 4,800 msg/s; 64 kB passed no higher rate, and fastupdate off (no list) cost the database
 * 0.22 ms a message instead of 0.18. Numbers: README, "Numbers".
 */
const GIN_PENDING_LIST_KB = 256;

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const sites = pgTable('sites', {
  /** The public site key used in the embed snippet (`data-site`). */
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Origins allowed to open the widget, e.g. https://example.com. */
  origins: jsonb('origins').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  /** HMAC key for identity verification and the articles API; never sent to a browser. */
  secret: text('secret').notNull(),
  /** FAQ confidence at or above which an answer is given automatically. */
  faqThreshold: doublePrecision('faq_threshold'),
  /** Identity signatures older than this are refused. */
  identityMaxAgeSec: integer('identity_max_age_sec').notNull().default(86400),
  /** When set, only visitors identified by the site's backend may chat. */
  requireIdentity: boolean('require_identity').notNull().default(false),
  /**
   * Store visitors' page URLs with their query string and fragment. Off by default: those can
   * hold reset links and access tokens, and agents see the stored URL.
   */
  keepFullPageUrls: boolean('keep_full_page_urls').notNull().default(false),
  /** The first response the site promises, in seconds: later ones weigh less in R (docs/metrics.md) and alert in monitoring. */
  firstResponseTargetSec: integer('first_response_target_sec').notNull().default(300),
  /**
   * The secret before the last rotation, still accepted for identity signatures until
   * previous_secret_expires_at, so that a site's back end can switch without a gap.
   */
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: ts('previous_secret_expires_at'),
  /** manual: agents claim from the queue; auto: round robin among online agents with capacity. */
  assignmentMode: text('assignment_mode', { enum: ['manual', 'auto'] }).notNull().default('manual'),
  /** A visitor who writes within this many seconds after a resolution reopens the same ticket. */
  reopenWindowSec: integer('reopen_window_sec').notNull().default(604800),
  /** Ask for a 1–5 rating after a resolution. */
  csatEnabled: boolean('csat_enabled').notNull().default(true),
  /** Play a short sound in the visitor's page when an agent replies while the page is hidden. */
  replySound: boolean('reply_sound').notNull().default(false),
  /** An agent reply the visitor has not seen after this many seconds is emailed to them. */
  emailUnseenAfterSec: integer('email_unseen_after_sec').notNull().default(300),
  /** off: email asked only when useful; email / name_email: a pre-chat form with these fields required. */
  prechatForm: text('prechat_form', { enum: ['off', 'email', 'name_email'] }).notNull().default('off'),
  /** Largest attachment accepted, in bytes. */
  attachmentMaxBytes: integer('attachment_max_bytes').notNull().default(10 * 1024 * 1024),
  /** Accepted attachment MIME types (checked on the bytes); null: images, PDF, plain text, office files. */
  attachmentTypes: jsonb('attachment_types').$type<string[] | null>(),
  /** Precision the FAQ threshold is calibrated to, from the site's own FAQ. */
  faqTargetPrecision: doublePrecision('faq_target_precision').notNull().default(0.95),
  /** Learned FAQ variants count only after an agent reviews them. */
  faqReviewLearned: boolean('faq_review_learned').notNull().default(false),
  /** Business hours for response-time metrics: { timezone, days: { 1: [start, end] minutes… } }; null: all hours count. */
  businessHours: jsonb('business_hours').$type<BusinessHours | null>(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const agents = pgTable('agents', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  /** scrypt$N$r$p$salt$hash, all base64. */
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['admin', 'agent'] }).notNull().default('agent'),
  /** A deactivated agent cannot log in and has no sessions; their conversations and messages stay. */
  active: boolean('active').notNull().default(true),
  /** What the agent chose: online agents get automatic assignments; presence still needs an open console. */
  availability: text('availability', { enum: ['online', 'away', 'offline'] }).notNull().default('online'),
  /** Most open conversations automatic assignment gives this agent at once. */
  capacity: integer('capacity').notNull().default(5),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** Which sites an agent works for. Admins see every site. */
export const agentSites = pgTable(
  'agent_sites',
  {
    agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.siteId] })],
);

export const sessions = pgTable('sessions', {
  /** sha256 of the cookie value: a leaked table does not leak sessions. */
  id: text('id').primaryKey(),
  agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
  createdAt: ts('created_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
});

/**
 * One-time links that let an invited agent choose a password. The agent row exists from the
 * invitation on, with a password hash that matches nothing until the link is used.
 */
export const invitations = pgTable('invitations', {
  /** sha256 of the token in the link: a leaked table does not leak invitations. */
  tokenHash: text('token_hash').primaryKey(),
  agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
  expiresAt: ts('expires_at').notNull(),
  /** Set when the link is used: it works once. */
  acceptedAt: ts('accepted_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export type Invitation = typeof invitations.$inferSelect;

export const visitors = pgTable(
  'visitors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    /** sha256 of the random token the widget keeps in localStorage. */
    tokenHash: text('token_hash').notNull().unique(),
    /** The site's own user id, once verified with the site's secret. */
    externalId: text('external_id'),
    name: text('name'),
    email: text('email'),
    locale: text('locale'),
    /** How name and email are known: claimed by the visitor, or signed by the site's backend. */
    identitySource: text('identity_source', { enum: ['claimed', 'signed'] }),
    /** Custom attributes from the site's signed identity (courses, membership…), shown to agents. */
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    userAgent: text('user_agent'),
    /** IANA time zone reported by the browser, for the visitor's local time. */
    timezone: text('timezone'),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
  },
  (t) => [
    index('visitors_site_external_idx').on(t.siteId, t.externalId),
    // Search by name or email substring (search_grams: migration 0006).
    index('visitors_search_idx')
      .using('gin', sql`search_grams(coalesce(${t.name}, '') || ' ' || coalesce(${t.email}, ''))`)
      .with({ gin_pending_list_limit: GIN_PENDING_LIST_KB }),
  ],
);

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    visitorId: uuid('visitor_id').notNull().references(() => visitors.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['bot', 'open', 'pending', 'snoozed', 'resolved'] }).notNull().default('bot'),
    assignedAgentId: uuid('assigned_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    pageUrl: text('page_url'),
    pageTitle: text('page_title'),
    /** The question that brought the conversation to a human. */
    question: text('question'),
    /** Highest message seq so far; the next message takes lastSeq + 1. */
    lastSeq: integer('last_seq').notNull().default(0),
    /** Highest seq the visitor has seen / an agent has seen: read receipts, unread counts, reply emails. */
    visitorReadSeq: integer('visitor_read_seq').notNull().default(0),
    agentReadSeq: integer('agent_read_seq').notNull().default(0),
    /** Snoozed until then, then back in the queue. */
    snoozedUntil: ts('snoozed_until'),
    /** The earlier ticket this one follows, when the visitor wrote after the reopen window. */
    previousConversationId: uuid('previous_conversation_id'),
    /** Label ids (labels table). */
    labels: jsonb('labels').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** Satisfaction survey after resolution: 1–5, optional comment. */
    csatRating: integer('csat_rating'),
    csatComment: text('csat_comment'),
    csatAt: ts('csat_at'),
    reopenedAt: ts('reopened_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** When it reached a human: from then on it is a ticket. */
    escalatedAt: ts('escalated_at'),
    firstResponseAt: ts('first_response_at'),
    resolvedAt: ts('resolved_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('conversations_visitor_idx').on(t.visitorId, t.createdAt),
    // At most one unresolved conversation per visitor: two tabs sending at once cannot open two.
    uniqueIndex('conversations_visitor_active_uq').on(t.visitorId).where(sql`status <> 'resolved'`),
    index('conversations_site_status_idx').on(t.siteId, t.status),
    index('conversations_escalated_idx').on(t.siteId, t.escalatedAt),
    // The queue's estimate reads a site's latest first responses (conversations/queue.service.ts).
    index('conversations_first_response_idx').on(t.siteId, t.firstResponseAt),
    index('conversations_labels_idx').using('gin', t.labels).with({ gin_pending_list_limit: GIN_PENDING_LIST_KB }),
    index('conversations_snoozed_idx').on(t.snoozedUntil).where(sql`status = 'snoozed'`),
    // The metrics rollup finds the conversations changed since its last run, and the resolutions whose
    // 72-hour verdict fell due since (metrics/rollup.ts).
    index('conversations_updated_idx').on(t.updatedAt),
    index('conversations_resolved_idx').on(t.resolvedAt).where(sql`resolved_at is not null`),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    author: text('author', { enum: ['visitor', 'agent', 'bot', 'system'] }).notNull(),
    agentId: uuid('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    /** note: an agent's private note, never sent to a visitor (any path that shows a visitor messages leaves it out). */
    kind: text('kind', { enum: ['text', 'faq_answer', 'faq_suggestions', 'articles', 'notice', 'attachment', 'note'] }).notNull().default('text'),
    /** The sender's id for the message: a retried send finds the stored one instead of adding a copy. */
    clientId: text('client_id'),
    meta: jsonb('meta').$type<MessageMeta>().notNull().default(sql`'{}'::jsonb`),
    createdAt: ts('created_at').notNull().defaultNow(),
    /**
     * What search finds the message by: the body's pairs of characters as integers, computed by the
     * server when it stores the message (search/search-keys.ts). No default: a writer that forgot
     * them fails rather than storing a message no search finds.
     */
    searchKeys: integer('search_keys').array().notNull(),
  },
  (t) => [
    uniqueIndex('messages_conversation_seq_uq').on(t.conversationId, t.seq),
    uniqueIndex('messages_conversation_client_uq').on(t.conversationId, t.clientId),
    // Search by substring in any language (search/search-keys.ts).
    index('messages_search_idx').using('gin', t.searchKeys).with({ gin_pending_list_limit: GIN_PENDING_LIST_KB }),
  ],
);

export const faqEntries = pgTable(
  'faq_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    question: text('question').notNull(),
    /** Other ways users ask the same question. */
    variants: jsonb('variants').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    answer: text('answer').notNull(),
    language: text('language', { enum: ['zh', 'en'] }).notNull(),
    tags: jsonb('tags').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    articleUrls: jsonb('article_urls').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** Drafts never answer anyone until an agent publishes them. */
    status: text('status', { enum: ['draft', 'published'] }).notNull().default('published'),
    /** The conversation a draft was made from. */
    sourceConversationId: uuid('source_conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('faq_entries_site_idx').on(t.siteId)],
);

/** Every visitor question put to the FAQ matcher, with what was decided and what the user did. */
export const questions = pgTable(
  'questions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
    // Set null when the visitor's messages are erased: the question still counts in past metrics.
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    text: text('text').notNull(),
    /** answer: answered automatically; suggest: offered choices; human: sent to a person; smalltalk: greeting, thanks… */
    decision: text('decision', { enum: ['answer', 'suggest', 'human', 'smalltalk'] }).notNull(),
    /** The entry answered with (decision answer, or a suggestion the user picked). */
    entryId: uuid('entry_id').references(() => faqEntries.id, { onDelete: 'set null' }),
    confidence: doublePrecision('confidence'),
    /** solved: the user said the answer solved it; human: the user asked for a person. */
    outcome: text('outcome', { enum: ['solved', 'human'] }),
    /** chat: a sent message; typing: a suggestion shown above the composer while typing. */
    channel: text('channel', { enum: ['chat', 'typing'] }).notNull().default('chat'),
    answeredAt: ts('answered_at'),
    escalatedAt: ts('escalated_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('questions_site_created_idx').on(t.siteId, t.createdAt), index('questions_conversation_idx').on(t.conversationId)],
);

export const feedback = pgTable(
  'feedback',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    visitorId: uuid('visitor_id').notNull().references(() => visitors.id, { onDelete: 'cascade' }),
    content: text('content').notNull(),
    contact: text('contact'),
    pageUrl: text('page_url'),
    pageTitle: text('page_title'),
    status: text('status', { enum: ['new', 'processed'] }).notNull().default('new'),
    note: text('note'),
    processedBy: uuid('processed_by').references(() => agents.id, { onDelete: 'set null' }),
    processedAt: ts('processed_at'),
    /** When the visitor saw that it was processed. */
    seenAt: ts('seen_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('feedback_site_status_idx').on(t.siteId, t.status), index('feedback_visitor_idx').on(t.visitorId)],
);

export const articles = pgTable(
  'articles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    body: text('body').notNull().default(''),
    language: text('language', { enum: ['zh', 'en'] }).notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('articles_site_url_uq').on(t.siteId, t.url)],
);

/** A visitor's question that an agent answered with an FAQ entry: a variant the matcher learns. */
export const faqLearnedVariants = pgTable(
  'faq_learned_variants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    entryId: uuid('entry_id').notNull().references(() => faqEntries.id, { onDelete: 'cascade' }),
    /** The question with personal data (order numbers, phones, emails) masked. */
    text: text('text').notNull(),
    /** assist: the agent inserted the entry's answer; marked: "this was FAQ X" on a resolved conversation. */
    source: text('source', { enum: ['assist', 'marked', 'import'] }).notNull(),
    /** pending: waits for review (sites.faq_review_learned); active: used by the matcher. */
    status: text('status', { enum: ['pending', 'active'] }).notNull().default('active'),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    agentId: uuid('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('faq_learned_variants_entry_idx').on(t.entryId), index('faq_learned_variants_site_idx').on(t.siteId)],
);

/** The threshold calibrated from a site's own FAQ, and what to expect at it. */
export const faqCalibrations = pgTable('faq_calibrations', {
  siteId: text('site_id').primaryKey().references(() => sites.id, { onDelete: 'cascade' }),
  threshold: doublePrecision('threshold').notNull(),
  /** Estimated precision and share answered at the threshold, from leave-one-out scoring. */
  precision: doublePrecision('precision'),
  answered: doublePrecision('answered'),
  /** fitted, or prior when the FAQ has too few variants to fit. */
  method: text('method', { enum: ['fitted', 'prior'] }).notNull(),
  /** Confused entry pairs and other details for the console. */
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  computedAt: ts('computed_at').notNull().defaultNow(),
});

export const labels = pgTable(
  'labels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    color: text('color').notNull().default('#64748b'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('labels_site_name_uq').on(t.siteId, t.name)],
);

/** Canned replies: per site (agentId null) or personal. */
export const cannedReplies = pgTable(
  'canned_replies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id').references(() => agents.id, { onDelete: 'cascade' }),
    /** Typed after `/` in the composer; unique among the site's replies, and among one agent's own. */
    shortCode: text('short_code').notNull(),
    title: text('title').notNull().default(''),
    body: text('body').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('canned_replies_site_idx').on(t.siteId),
    uniqueIndex('canned_replies_site_code_uq').on(t.siteId, t.shortCode).where(sql`agent_id IS NULL`),
    uniqueIndex('canned_replies_personal_code_uq').on(t.siteId, t.agentId, t.shortCode).where(sql`agent_id IS NOT NULL`),
  ],
);

/** Files sent in a conversation. The bytes live in DATA_DIR/uploads or S3 under storageKey. */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').notNull().references(() => conversations.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    visitorId: uuid('visitor_id').references(() => visitors.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    /** Detected from the bytes, not the name. */
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('attachments_conversation_idx').on(t.conversationId), index('attachments_visitor_idx').on(t.visitorId)],
);

/** Outgoing mail: a job row claimed with FOR UPDATE SKIP LOCKED, retried with backoff, sent once. */
export const mailJobs = pgTable(
  'mail_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    visitorId: uuid('visitor_id').references(() => visitors.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
    /** reply: an unseen agent reply; transcript: asked for by the visitor. */
    kind: text('kind', { enum: ['reply', 'transcript'] }).notNull(),
    /** Deduplicates jobs, e.g. one reply mail per conversation and seq. */
    dedupeKey: text('dedupe_key').unique(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    runAt: ts('run_at').notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    lockedUntil: ts('locked_until'),
    sentAt: ts('sent_at'),
    /** Given up after too many attempts, or no longer needed (the visitor saw the reply). */
    failedAt: ts('failed_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('mail_jobs_due_idx').on(t.runAt).where(sql`sent_at is null and failed_at is null`)],
);

/** Signed one-time links that bind a browser to a visitor (from a reply email). */
export const visitorLinks = pgTable('visitor_links', {
  /** sha256 of the token in the link. */
  tokenHash: text('token_hash').primaryKey(),
  visitorId: uuid('visitor_id').notNull().references(() => visitors.id, { onDelete: 'cascade' }),
  conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/**
 * Metrics rollups (server/metrics/rollup.ts, docs/metrics.md): derived from conversations and questions
 * by a periodic job, never written by the message path; dropping them loses nothing.
 */
const questionCounts = {
  questions: integer('questions').notNull(),
  answered: integer('answered').notNull(),
  solved: integer('solved').notNull(),
  escalated: integer('escalated').notNull(),
  /** Answered and the question not escalated. */
  deflected: integer('deflected').notNull(),
  /** Met by content (factor C). */
  met: integer('met').notNull(),
};

/** Questions per UTC day, site and visitor language. */
export const metricsQuestionDays = pgTable(
  'metrics_question_days',
  {
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    /** The visitor's language, '' when unknown. */
    locale: text('locale').notNull(),
    ...questionCounts,
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.locale] })],
);

/** The same per page too: the conversation's page URL without query or fragment, '' when unknown. */
export const metricsPageDays = pgTable(
  'metrics_page_days',
  {
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    locale: text('locale').notNull(),
    page: text('page').notNull(),
    ...questionCounts,
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.locale, t.page] })],
);

/** One row per ticket (a conversation that reached a person), with what the metrics read of it. */
export const metricsTickets = pgTable(
  'metrics_tickets',
  {
    conversationId: uuid('conversation_id').primaryKey().references(() => conversations.id, { onDelete: 'cascade' }),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    escalatedAt: ts('escalated_at').notNull(),
    locale: text('locale').notNull(),
    page: text('page').notNull(),
    agentId: uuid('agent_id'),
    /** Seconds to the first response / to resolution, in business hours when the site sets them. */
    firstResponseSec: doublePrecision('first_response_sec'),
    resolutionSec: doublePrecision('resolution_sec'),
    resolved: boolean('resolved').notNull(),
    /** Timeliness weight of factor R, 0..1 (0 unless resolved). */
    weight: doublePrecision('weight').notNull(),
    /** Resolved more than 72 h ago: true when the visitor raised no new ticket within them; null before. */
    verified: boolean('verified'),
    /** Resolved while the site's satisfaction survey was on. */
    surveyed: boolean('surveyed').notNull(),
    csatRating: integer('csat_rating'),
  },
  // The columns of the percentiles too, so that sorting a year's response times is an index-only scan.
  (t) => [index('metrics_tickets_site_escalated_idx').on(t.siteId, t.escalatedAt, t.locale, t.firstResponseSec, t.resolutionSec)],
);

/**
 * Tickets per UTC day (of escalation), site and visitor language, counted from metrics_tickets: the
 * totals of a long period read these instead of every ticket (percentiles still sort the tickets).
 */
export const metricsTicketDays = pgTable(
  'metrics_ticket_days',
  {
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    locale: text('locale').notNull(),
    tickets: integer('tickets').notNull(),
    responded: integer('responded').notNull(),
    resolved: integer('resolved').notNull(),
    /** Sum of the tickets' timeliness weights (factor R). */
    weighted: doublePrecision('weighted').notNull(),
    verifiable: integer('verifiable').notNull(),
    verified: integer('verified').notNull(),
    unverifiedYet: integer('unverified_yet').notNull(),
    surveyed: integer('surveyed').notNull(),
    surveyedRated: integer('surveyed_rated').notNull(),
    ratings: integer('ratings').notNull(),
    ratingSum: integer('rating_sum').notNull(),
    r1: integer('r1').notNull(),
    r2: integer('r2').notNull(),
    r3: integer('r3').notNull(),
    r4: integer('r4').notNull(),
    r5: integer('r5').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.locale] })],
);

/** FAQ answers per UTC day, site, visitor language and entry. */
export const metricsEntryDays = pgTable(
  'metrics_entry_days',
  {
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    locale: text('locale').notNull(),
    entryId: uuid('entry_id').notNull().references(() => faqEntries.id, { onDelete: 'cascade' }),
    answered: integer('answered').notNull(),
    solved: integer('solved').notNull(),
    escalated: integer('escalated').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.locale, t.entryId] })],
);

/**
 * The UTC days each visitor was active (a conversation or a question), with the first and last
 * activity of the day and the last activity of the two active days before: factor A from counts alone.
 */
export const metricsVisitorDays = pgTable(
  'metrics_visitor_days',
  {
    visitorId: uuid('visitor_id').notNull().references(() => visitors.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    siteId: text('site_id').notNull(),
    locale: text('locale').notNull(),
    firstAt: ts('first_at').notNull(),
    lastAt: ts('last_at').notNull(),
    prevLastAt: ts('prev_last_at'),
    prev2LastAt: ts('prev2_last_at'),
  },
  (t) => [
    primaryKey({ columns: [t.visitorId, t.day] }),
    // Every column the readers use, so that counting a year is an index-only scan.
    index('metrics_visitor_days_site_day_idx').on(t.siteId, t.day, t.lastAt, t.firstAt, t.prevLastAt, t.prev2LastAt, t.locale),
  ],
);

export interface BusinessHours {
  /** IANA time zone, e.g. Asia/Shanghai. */
  timezone: string;
  /** ISO weekday (1 = Monday … 7 = Sunday) → [start, end) in minutes after midnight. */
  days: Partial<Record<'1' | '2' | '3' | '4' | '5' | '6' | '7', [number, number]>>;
}

export type Site = typeof sites.$inferSelect;
export type Agent = typeof agents.$inferSelect;
/** An agent as a session knows them: everything but the password's hash, which only a password check reads. */
export type SessionAgent = Omit<Agent, 'passwordHash'>;
export type Visitor = typeof visitors.$inferSelect;
export type Conversation = typeof conversations.$inferSelect;
/** A message as the server reads it: every column but its search keys, which only the search index reads. */
export type Message = Omit<typeof messages.$inferSelect, 'searchKeys'>;
const { searchKeys: _searchKeys, ...messageFields } = getTableColumns(messages);
/** The columns of `Message`, for select() and returning(). */
export const messageColumns = messageFields;
export type FaqEntry = typeof faqEntries.$inferSelect;
export type Question = typeof questions.$inferSelect;
export type Feedback = typeof feedback.$inferSelect;
export type FaqLearnedVariant = typeof faqLearnedVariants.$inferSelect;
export type Label = typeof labels.$inferSelect;
export type CannedReply = typeof cannedReplies.$inferSelect;
export type Attachment = typeof attachments.$inferSelect;
export type MailJob = typeof mailJobs.$inferSelect;
export type Article = typeof articles.$inferSelect;
