/** The one drizzle schema. Migrations in ./migrations are generated from it by drizzle-kit. */
import { sql } from 'drizzle-orm';
import {
  boolean,
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
    createdAt: ts('created_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
  },
  (t) => [index('visitors_site_external_idx').on(t.siteId, t.externalId)],
);

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: text('site_id').notNull().references(() => sites.id, { onDelete: 'cascade' }),
    visitorId: uuid('visitor_id').notNull().references(() => visitors.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['bot', 'open', 'pending', 'resolved'] }).notNull().default('bot'),
    assignedAgentId: uuid('assigned_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    pageUrl: text('page_url'),
    pageTitle: text('page_title'),
    /** The question that brought the conversation to a human. */
    question: text('question'),
    /** Highest message seq so far; the next message takes lastSeq + 1. */
    lastSeq: integer('last_seq').notNull().default(0),
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
    kind: text('kind', { enum: ['text', 'faq_answer', 'faq_suggestions', 'articles', 'notice'] }).notNull().default('text'),
    /** The sender's id for the message: a retried send finds the stored one instead of adding a copy. */
    clientId: text('client_id'),
    meta: jsonb('meta').$type<MessageMeta>().notNull().default(sql`'{}'::jsonb`),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('messages_conversation_seq_uq').on(t.conversationId, t.seq),
    uniqueIndex('messages_conversation_client_uq').on(t.conversationId, t.clientId),
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
    answeredAt: ts('answered_at'),
    escalatedAt: ts('escalated_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('questions_site_created_idx').on(t.siteId, t.createdAt)],
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

export type Site = typeof sites.$inferSelect;
export type Agent = typeof agents.$inferSelect;
export type Visitor = typeof visitors.$inferSelect;
export type Conversation = typeof conversations.$inferSelect;
export type Message = typeof messages.$inferSelect;
export type FaqEntry = typeof faqEntries.$inferSelect;
export type Question = typeof questions.$inferSelect;
export type Feedback = typeof feedback.$inferSelect;
export type Article = typeof articles.$inferSelect;
