/**
 * For tests whose subject is not the limits (what gets stored, what a browser renders): every
 * per-visitor, per-IP and per-socket rate in server/limits.ts lifted out of the way, and a function
 * that puts them back. The in-flight caps stay: the tests still wait for each ack.
 */
import { LIMITS } from '../../server/limits.ts';

export function liftRateLimits(): () => void {
  const original = structuredClone(LIMITS);
  for (const rule of [
    LIMITS.messagesPerVisitor,
    LIMITS.messagesPerIp,
    LIMITS.feedbackPerVisitor,
    LIMITS.newVisitorsPerIp,
    LIMITS.loginPerIp,
    LIMITS.widgetEventsPerSocket,
    LIMITS.widgetEventsPerVisitor,
    LIMITS.widgetEventsPerIp,
    LIMITS.agentEventsPerSocket,
    LIMITS.agentEventsPerAgent,
    LIMITS.agentEventsPerIp,
  ]) {
    rule.limit = 1e9;
  }
  return () => Object.assign(LIMITS, structuredClone(original));
}
