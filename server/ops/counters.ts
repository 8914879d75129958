/**
 * What this process counts as it works, for `GET /metrics`: messages stored, FAQ decisions, rate-limit
 * refusals, database query times and the uploads sweep. Module-level, like the process metrics beside them: they
 * describe the process, and a call on the hot path is one increment, with nothing to pass around.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';

// Created unregistered: nothing is registered (and no collector started) until the first scrape.
const messagesStored = new Counter({
  name: 'support_messages_stored_total',
  help: 'Messages stored, by author (visitor, agent, bot, system); rate() gives messages per second.',
  labelNames: ['author'] as const,
  registers: [],
});
const faqDecisions = new Counter({
  name: 'support_faq_decisions_total',
  help: "The FAQ's decision for each visitor question asked while no person had the conversation: answer, suggest, human, smalltalk.",
  labelNames: ['decision'] as const,
  registers: [],
});
const rateLimited = new Counter({
  name: 'support_rate_limited_total',
  help: 'Requests and socket events refused by a rate limit or lockout, by rule.',
  labelNames: ['rule'] as const,
  registers: [],
});
const queryDuration = new Histogram({
  name: 'support_db_query_duration_seconds',
  help: 'Database query time as this process sees it (waiting for a connection included), by SQL verb.',
  labelNames: ['operation'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [],
});

const uploadsSwept = new Counter({
  name: 'support_uploads_swept_total',
  help: 'The uploads sweep: files no message refers to removed (removed), temporary files of unfinished uploads removed (temporary), files or folders it could not remove or read and went on past (failed_files), sweeps that failed (failed_sweeps).',
  labelNames: ['outcome'] as const,
  registers: [],
});

/** What each flood guard (one per app; tests run several in a process) says of its events in flight. */
type InFlightReader = () => { count: number; oldestMs: number };
const inFlightReaders = new Set<InFlightReader>();
const readInFlight = () => [...inFlightReaders].map((read) => read());
const eventsInFlight = new Gauge({
  name: 'support_socket_events_in_flight',
  help: 'Socket events whose handler has not answered yet (each holds one of its socket\'s in-flight slots).',
  registers: [],
  collect() {
    this.set(readInFlight().reduce((n, r) => n + r.count, 0));
  },
});
const oldestInFlight = new Gauge({
  name: 'support_socket_event_oldest_in_flight_seconds',
  help: 'How long the oldest socket event still unanswered has waited (0 when none): one that keeps growing is a handler that will never answer.',
  registers: [],
  collect() {
    this.set(readInFlight().reduce((oldest, r) => Math.max(oldest, r.oldestMs), 0) / 1000);
  },
});

let registry: Registry | undefined;

/** One registry per process: collecting the default metrics twice would register every metric twice. */
export function processRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
    for (const metric of [messagesStored, faqDecisions, rateLimited, queryDuration, uploadsSwept, eventsInFlight, oldestInFlight] as Metric[]) registry.registerMetric(metric);
  }
  return registry;
}

/** Counts stored messages by author; called once the rows are committed. */
export function countStored(authors: readonly string[]): void {
  for (const author of authors) messagesStored.inc({ author });
}

/** The matcher's decision, named as questions.decision names it (`none`: handed to a person, `human`). */
export function countFaqDecision(kind: 'answer' | 'suggest' | 'smalltalk' | 'none'): void {
  faqDecisions.inc({ decision: kind === 'none' ? 'human' : kind });
}

export function countRefusal(rule: string): void {
  rateLimited.inc({ rule });
}

const VERBS = new Set(['select', 'insert', 'update', 'delete', 'with', 'begin', 'commit', 'rollback', 'savepoint', 'release']);

/** The SQL verb of a statement, from a closed set so that the label cannot grow without bound. */
export function sqlVerb(text: string): string {
  const word = /^\s*\(?\s*([a-z]+)/i.exec(text)?.[1]?.toLowerCase() ?? '';
  return VERBS.has(word) ? word : 'other';
}

export function observeQuery(text: string, seconds: number): void {
  queryDuration.observe({ operation: sqlVerb(text) }, seconds);
}

/** What one uploads sweep removed, or that it failed (server/attachments/sweep.ts). */
export function countSwept(outcome: 'removed' | 'temporary' | 'failed_files' | 'failed_sweeps', n = 1): void {
  if (n > 0) uploadsSwept.inc({ outcome }, n);
}

/** Has `read` counted in the in-flight gauges until the returned function is called. */
export function watchEventsInFlight(read: InFlightReader): () => void {
  inFlightReaders.add(read);
  return () => void inFlightReaders.delete(read);
}
