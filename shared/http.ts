/**
 * The HTTP API of the console (agent session cookie `sc_session`, httpOnly, SameSite=Strict) and of
 * site back ends (header `Authorization: Bearer <site secret>` where noted).
 * Every JSON response is an Ack: `{ ok: true, data }` or `{ ok: false, error: { code } }`, with a
 * matching HTTP status (400 INVALID_PAYLOAD, 401 UNAUTHORIZED, 403 FORBIDDEN, 404 NOT_FOUND, 409, 429).
 *
 * | method | path                              | body / query                     | data                      |
 * |--------|-----------------------------------|----------------------------------|---------------------------|
 * | POST   | /api/auth/login                   | Login                            | AgentDTO (sets cookie)    |
 * | POST   | /api/auth/logout                  |                                  | {}                        |
 * | GET    | /api/auth/me                      |                                  | AgentDTO                  |
 * | GET    | /api/sites                        |                                  | SiteDTO[]                 |
 * | PUT    | /api/sites/:id                    | SiteSettings (admin)             | SiteAdminDTO              |
 * | POST   | /api/sites                        | SiteCreate (admin)               | SiteSecretDTO             |
 * | GET    | /api/sites/:id                    | (admin)                          | SiteAdminDTO              |
 * | POST   | /api/sites/:id/secret             | (admin) rotate: old one verifies identities 24 h more | SiteSecretDTO |
 * | GET    | /api/agents                       | (admin)                          | TeamAgentDTO[]            |
 * | POST   | /api/agents                       | AgentCreate (admin): password, or none for an invitation link | AgentCreatedDTO |
 * | PUT    | /api/agents/:id                   | AgentUpdate (admin): name, role, sites, active | TeamAgentDTO |
 * | POST   | /api/agents/:id/invitation        | (admin) a new one-time link (sets a new password) | InvitationDTO |
 * | POST   | /api/invitations/:token/accept    | InvitationAccept                 | AgentDTO (sets cookie)    |
 * | POST   | /api/auth/password                | PasswordChange (own; ends other sessions) | {}               |
 * | PUT    | /api/auth/me                      | ProfileUpdate (own name)         | AgentDTO                  |
 * | GET    | /api/widget/status                | ?site (CORS *, Origin checked)   | { siteName }              |
 * | GET    | /api/metrics                      | ?from=ISO&to=ISO[&siteId][&language] | MetricsDTO            |
 * | GET    | /api/feedback                     | ?status=new|processed[&siteId]   | FeedbackDTO[]             |
 * | POST   | /api/feedback/:id/process         | FeedbackProcess                  | FeedbackDTO               |
 * | GET    | /api/conversations                | ?status=…[&siteId]               | ConversationDTO[]         |
 * | GET    | /api/conversations/:id            |                                  | { conversation, messages }|
 * | GET    | /api/conversations/:id/visitor    | (agents of its site)             | VisitorPanelDTO           |
 * | GET    | /api/conversations.csv            | ?from=ISO&to=ISO[&siteId][&agent|locale|page|ids] | CSV download (streamed); 429 while two run |
 * | GET    | /api/conversations/search         | ConversationSearch (`ids`: a group's conversations) | SearchHitDTO[] |
 * | GET    | /api/faqs                         | ?siteId[&q]                      | FaqEntryDTO[]             |
 * | POST   | /api/faqs                         | FaqEntryInput                    | FaqEntryDTO               |
 * | PUT    | /api/faqs/:id                     | FaqEntryInput                    | FaqEntryDTO               |
 * | DELETE | /api/faqs/:id                     |                                  | {}                        |
 * | GET    | /api/faqs/export                  | ?siteId&format=json|csv          | file download             |
 * | POST   | /api/faqs/import                  | ?siteId[&replace=1] (admin): CSV body (Content-Type text/csv) or FaqImportJson | { imported } |
 * | POST   | /api/faqs/from-conversation       | FaqFromConversation: a draft, masked (with entryId: a learned variant) | FaqEntryDTO |
 * | GET    | /api/faqs/demand                  | ?siteId[&from&to]                | DemandGroupDTO[]          |
 * | POST   | /api/faqs/from-demand             | FaqFromDemand: a draft without an answer (publish refuses it until one is written) | FaqEntryDTO |
 * | GET    | /api/metrics/write-next           | MetricsQuery: demand groups of the scope, with previousCount | DemandGroupDTO[] |
 * | POST   | /api/faqs/assist                  | FaqAssist                        | FaqAssistDTO              |
 * | POST   | /api/faqs/learned                 | FaqLearn                         | LearnedVariantDTO         |
 * | POST   | /api/faqs/learned/:id/approve     |                                  | LearnedVariantDTO         |
 * | DELETE | /api/faqs/learned/:id             |                                  | {}                        |
 * | POST   | /api/faqs/:id/publish             | (a draft)                        | FaqEntryDTO               |
 * | GET    | /api/articles                     | ?siteId                          | ArticleDTO[]              |
 * | PUT    | /api/articles                     | ArticlesPut (agent or site secret)| { count }                |
 * | GET    | /api/visitors/:id/export          | (admin)                          | everything about a visitor|
 * | DELETE | /api/visitors/:id                 | (admin) erase their data         | { erased: true }          |
 * | GET    | /api/health                       |                                  | { status: 'ok' }          |
 * | GET    | /healthz, /readyz, /metrics       | probes and Prometheus: docs/operations.md |                  |
 */
/**
 * FAQ CSV (import and export): RFC 4180, header `question,variants,answer,language,tags,articleUrls`;
 * the list cells (variants, tags, articleUrls) hold one item per line inside the quoted cell.
 * Exports start with a UTF-8 byte-order mark (Excel then reads Chinese correctly); imports accept one.
 * A JSON import is `FaqImportJson` with Content-Type application/json (`format` is not needed).
 */
import type { BusinessHours, VisitorAttributes } from './schemas.ts';

export const SESSION_COOKIE = 'sc_session';

export interface SiteDTO {
  id: string;
  name: string;
  origins: string[];
  faqThreshold: number;
  /** The first response the site promises, in seconds: a ticket waiting longer is marked overdue. */
  firstResponseTargetSec: number;
}

/** What the console shows beside a conversation about its visitor (GET /api/conversations/:id/visitor). */
export interface VisitorPanelDTO {
  visitorId: string;
  name: string | null;
  email: string | null;
  /**
   * signed: the site's back end signed the user id (`externalId`) and a time, which covers nothing else;
   * claimed: the visitor typed name or email; null: anonymous.
   */
  identity: 'signed' | 'claimed' | null;
  externalId: string | null;
  /** Custom attributes from the site's identity call, as the page passed them. */
  attributes: VisitorAttributes;
  /** Parsed from the browser's User-Agent (ua-parser-js); null where it does not say. */
  browser: string | null;
  os: string | null;
  /** desktop, mobile, tablet, smarttv, wearable, console, embedded, and the model when the browser names it. */
  device: { type: string; model: string | null } | null;
  /** IANA time zone the browser reported; null: not known. */
  timezone: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  /** The visitor's other conversations, newest first (at most 20). */
  earlier: VisitorEarlierConversationDTO[];
}

export interface VisitorEarlierConversationDTO {
  id: string;
  status: 'bot' | 'open' | 'pending' | 'snoozed' | 'resolved';
  question: string | null;
  createdAt: string;
}

/** A site as its admin edits it. The secret is never in it: it is shown once, when created or rotated. */
export interface SiteAdminDTO extends SiteDTO {
  requireIdentity: boolean;
  identityMaxAgeSec: number;
  keepFullPageUrls: boolean;
  firstResponseTargetSec: number;
  assignmentMode: 'manual' | 'auto';
  reopenWindowSec: number;
  csatEnabled: boolean;
  replySound: boolean;
  emailUnseenAfterSec: number;
  prechatForm: 'off' | 'email' | 'name_email';
  attachmentMaxBytes: number;
  /** null: the default set. */
  attachmentTypes: string[] | null;
  faqTargetPrecision: number;
  faqReviewLearned: boolean;
  businessHours: BusinessHours | null;
  /** The embed snippet, with the server's public address. */
  snippet: string;
  /** ISO time until which the secret before the last rotation still verifies identities, if it does. */
  previousSecretExpiresAt: string | null;
}

/** A site with its new secret, shown once. */
export interface SiteSecretDTO {
  site: SiteAdminDTO;
  secret: string;
}

/** An agent as an admin manages them. */
export interface TeamAgentDTO {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  /** The sites they are assigned to (an admin sees every site whatever these are). */
  siteIds: string[];
  active: boolean;
  /** Most open conversations automatic assignment gives them at once. */
  capacity: number;
  /** Invited and has not chosen a password yet. */
  invited: boolean;
}

/** A one-time link that lets an agent choose a password; shown once. */
export interface InvitationDTO {
  url: string;
  expiresAt: string;
}

export interface AgentCreatedDTO {
  agent: TeamAgentDTO;
  /** Present when the agent was added without a password. */
  invitation: InvitationDTO | null;
}
