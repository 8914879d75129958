/** Rate limits, per visitor and per IP (and per account for logins). Counted by ctx.limiter. */
import type { IncomingHttpHeaders } from 'node:http';

export const LIMITS = {
  messagesPerVisitor: { limit: Number(process.env.RATE_MESSAGES_PER_MINUTE ?? 30), windowMs: 60_000 },
  messagesPerIp: { limit: Number(process.env.RATE_MESSAGES_PER_MINUTE_IP ?? 120), windowMs: 60_000 },
  conversationsPerVisitor: { limit: 20, windowMs: 3600_000 },
  conversationsPerIp: { limit: 200, windowMs: 3600_000 },
  newVisitorsPerIp: { limit: Number(process.env.RATE_NEW_VISITORS_PER_HOUR_IP ?? 200), windowMs: 3600_000 },
  feedbackPerVisitor: { limit: 10, windowMs: 3600_000 },
  loginPerIp: { limit: 30, windowMs: 15 * 60_000 },
  /** Failed logins of one account before it is locked for the window. */
  loginFailuresPerAccount: { limit: 5, windowMs: 15 * 60_000 },
};

/** The client's address; X-Forwarded-For only when the operator says a proxy sets it. */
export function clientIp(address: string, headers: IncomingHttpHeaders, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = headers['x-forwarded-for'];
    const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return address;
}
