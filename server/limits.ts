/**
 * Rate limits, per visitor and per IP (and per account for logins), counted by ctx.limiter; and the
 * flood limits on every socket event, counted in process memory by server/realtime/flood.ts.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AgentClientToServerEvents, WidgetClientToServerEvents } from '../shared/protocol.ts';
import { AppError } from './errors.ts';
import type { RateLimiter } from './ratelimit.ts';

export interface LimitRule { limit: number; windowMs: number }

/** Counts a hit on each key against its rule, in order; over one, RATE_LIMITED with the time to wait. */
export async function enforceLimits(limiter: RateLimiter, buckets: readonly (readonly [key: string, rule: LimitRule])[]): Promise<void> {
  for (const [key, { limit, windowMs }] of buckets) {
    const wait = await limiter.hit(key, limit, windowMs);
    if (wait) throw new AppError('RATE_LIMITED', wait);
  }
}

/** Multiplies every socket-event bucket (tests on real processes send faster than any person). */
const eventScale = Number(process.env.RATE_EVENTS_SCALE ?? 1);
/** A token bucket of event cost units: `limit` at once, refilled at `limit` per `windowMs`. */
const bucket = (limit: number, windowMs: number) => ({ limit: limit * eventScale, windowMs });

export const LIMITS = {
  messagesPerVisitor: { limit: Number(process.env.RATE_MESSAGES_PER_MINUTE ?? 30), windowMs: 60_000 },
  messagesPerIp: { limit: Number(process.env.RATE_MESSAGES_PER_MINUTE_IP ?? 120), windowMs: 60_000 },
  conversationsPerVisitor: { limit: 20, windowMs: 3600_000 },
  conversationsPerIp: { limit: 200, windowMs: 3600_000 },
  newVisitorsPerIp: { limit: Number(process.env.RATE_NEW_VISITORS_PER_HOUR_IP ?? 200), windowMs: 3600_000 },
  feedbackPerVisitor: { limit: 10, windowMs: 3600_000 },
  /** The launcher's unread count (POST /api/widget/unread), asked once per page view of a returning visitor. */
  unreadPerIp: { limit: 300, windowMs: 60_000 },
  /**
   * Transcript emails a visitor may ask for, and from one address and to one mailbox: the address is
   * whatever the visitor typed, so without the last two, new visitors could mail anyone, many times.
   */
  transcriptsPerVisitor: { limit: 5, windowMs: 3600_000 },
  transcriptsPerIp: { limit: 20, windowMs: 3600_000 },
  transcriptsPerAddress: { limit: 5, windowMs: 3600_000 },
  /** Files a visitor may send, and from one address (several visitors may share it). */
  attachmentsPerVisitor: { limit: 20, windowMs: 10 * 60_000 },
  attachmentsPerIp: { limit: 100, windowMs: 10 * 60_000 },
  /** Files an agent may send: more than a visitor (an agent answers many conversations), still a person's pace. */
  attachmentsPerAgent: { limit: 60, windowMs: 10 * 60_000 },
  loginPerIp: { limit: 30, windowMs: 15 * 60_000 },
  /** Failed logins of one account before it is locked for the window. */
  loginFailuresPerAccount: { limit: 5, windowMs: 15 * 60_000 },
  /** FAQ assist lookups per agent: one per visitor message and a few searches; each is one index search. */
  faqAssistPerAgent: { limit: 120, windowMs: 60_000 },
  /** Canned replies and labels read or changed per agent: the console asks once per view, a person edits a few a minute. */
  teamToolsPerAgent: { limit: 120, windowMs: 60_000 },
  /** Searches per agent: each may read many rows; a person types a few a minute (the console waits for a pause). */
  searchesPerAgent: { limit: 60, windowMs: 60_000 },
  // Socket events, in EVENT_COSTS units. A widget's (re)connect costs about 10 units (hello, sync),
  // a message 2: a person never comes near these; a script is held to a few hellos a second.
  widgetEventsPerSocket: bucket(60, 10_000),
  widgetEventsPerVisitor: bucket(100, 10_000),
  /** Several visitors may share one address (an office, a carrier's NAT). */
  widgetEventsPerIp: bucket(600, 10_000),
  agentEventsPerSocket: bucket(200, 10_000),
  agentEventsPerAgent: bucket(300, 10_000),
  agentEventsPerIp: bucket(1000, 10_000),
  /** Handlers running at once; an event beyond them is refused at once rather than queued. */
  widgetEventsInFlight: { perSocket: 4, perIp: 32 },
  /** The console may ask for the queue, a conversation and its messages together while an agent types. */
  agentEventsInFlight: { perSocket: 8, perIp: 32 },
  /** Flood refusals in a row, each sent before the wait the last one named, after which a socket is disconnected. */
  eventRefusalsBeforeDisconnect: 20,
};

/**
 * What each socket event costs, roughly in database round trips and rows: every event the protocol
 * names has a price (the compiler checks), and an event without one is never dispatched.
 */
export const EVENT_COSTS: {
  widget: Record<keyof WidgetClientToServerEvents, number>;
  agent: Record<keyof AgentClientToServerEvents, number>;
} = {
  widget: {
    // Touches the visitor, reads the conversation, its last 200 messages, feedback and presence.
    'session:hello': 5,
    'session:identify': 5,
    // Spends the link (one update), then as session:hello.
    'session:link': 6,
    'message:send': 2,
    // Up to a page of 500 messages.
    'messages:sync': 4,
    'faq:respond': 2,
    'faq:choose': 2,
    'conversation:escalate': 2,
    'feedback:submit': 2,
    'feedback:list': 2,
    'feedback:seen': 1,
    // One page of 20 conversations, each with its last message and unread count: one statement.
    'conversations:list': 3,
    // One statement (the read mark) and a push to the agents who have the conversation.
    'conversation:read': 1,
    // One primary-key read (is it theirs?) and a push; a sender says it once per 2.5 s at most while typing.
    typing: 1,
    'csat:submit': 2,
    // In memory (the FAQ index), no database: light, but sent while typing, a few times a second at most.
    'faq:suggest': 1,
    'faq:pick': 2,
    // One update of the visitor; one insert of a mail job.
    'visitor:contact': 2,
    'transcript:email': 2,
    // One query for up to 50 ids, and an HMAC each.
    'attachment:links': 2,
  },
  agent: {
    'queue:list': 3,
    'conversation:open': 4,
    // Leaves a room: no database work.
    'conversation:close': 1,
    'conversation:claim': 2,
    'conversation:resolve': 2,
    // A locked read, one update, a notice (reopen and transfer also check the receiving agent).
    'conversation:reopen': 2,
    'conversation:snooze': 2,
    'conversation:transfer': 3,
    'note:add': 2,
    'message:send': 2,
    'messages:sync': 4,
    // One UPDATE, then every node re-reads that agent's sockets.
    'agent:availability': 3,
    // As the widget's: one statement, one push.
    'conversation:read': 1,
    typing: 1,
  },
};

/**
 * The client's address behind `trustedHops` proxies that each append the address they saw to
 * X-Forwarded-For: the same rule as Express's numeric `trust proxy` (proxy-addr), so sockets and
 * HTTP agree. Only the right-most `trustedHops` entries were written by our proxies; anything to
 * their left came from the client, so the left-most entry is never trusted for itself.
 */
export function clientIp(address: string, headers: IncomingHttpHeaders, trustedHops: number): string {
  const header = headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((a) => a.trim()).filter(Boolean);
  // Nearest first: the socket's peer, then what each proxy appended, right to left.
  const chain = [address, ...forwarded.reverse()];
  return chain[Math.min(trustedHops, chain.length - 1)];
}
