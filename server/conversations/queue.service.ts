/**
 * The visitor's place in the queue and the estimated wait (`queue:updated`).
 *
 * Waiting: a conversation of the site that is open, escalated and claimed by nobody (realtime.ts
 * isWaiting). Its **position** is 1 + the waiting conversations of the same site escalated before it
 * (order escalated_at, id: the order automatic assignment takes them in).
 *
 * **Estimate**, from the site's real first responses, never from a guess:
 * - when at least RATE_MIN tickets got their first response in the last hour, the team answers
 *   μ = that count / 60 min, and position p waits about p / μ (a queue served at its recent rate);
 * - otherwise the median of (first response − escalation) over the site's last MEDIAN_OF tickets
 *   answered within MEDIAN_DAYS days: what a visitor of this site has typically waited, whatever
 *   their place (too few answers to measure a rate);
 * - with neither, no estimate (null): the widget shows the position alone.
 * An estimate is only as good as the recent past: a team that just came back from lunch is slower to
 * be believed than one that just left.
 *
 * When it is computed: a site's queue changes when one of its conversations starts or stops waiting
 * (Realtime.conversationUpdated), and a waiting visitor's widget says hello after a (re)load. Each
 * asks for a refresh of that site, debounced (DEBOUNCE_MS) and at most one per site every
 * 2 × DEBOUNCE_MS on this node; a refresh is one SQL statement, and each waiting visitor whose
 * position or estimate changed since this node last told them hears it in their room (on every node,
 * through the adapter). With several nodes, a node that told a site's visitors something makes the
 * others forget what they told them (`forget`), so nobody is left with a stale number because
 * another node's last word happens to equal this one's.
 */
import type { QueuePositionDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { rooms } from '../realtime/realtime.ts';

/** A burst of changes (a run of automatic assignment, an agent claiming several) makes one refresh. */
const DEBOUNCE_MS = 500;
/** First responses in the last hour needed to trust a rate. */
const RATE_MIN = 3;
const MEDIAN_OF = 50;
const MEDIAN_DAYS = 14;

/**
 * One statement: the site's waiting conversations with their positions, and beside each the last
 * hour's first responses and the recent median wait. Served by conversations_site_status_idx (the
 * waiting) and conversations_first_response_idx (the answered, newest first).
 */
const QUEUE_SQL = `
WITH waiting AS (
  SELECT id, visitor_id, row_number() OVER (ORDER BY escalated_at, id) AS position
  FROM conversations
  WHERE site_id = $1 AND status = 'open' AND assigned_agent_id IS NULL AND escalated_at IS NOT NULL
), last_hour AS (
  SELECT count(*) AS n FROM conversations
  WHERE site_id = $1 AND first_response_at >= $2::timestamptz - interval '60 minutes' AND first_response_at <= $2::timestamptz
), recent AS (
  SELECT extract(epoch FROM first_response_at - escalated_at) AS wait FROM conversations
  WHERE site_id = $1 AND first_response_at >= $2::timestamptz - make_interval(days => $3) AND first_response_at <= $2::timestamptz
    AND escalated_at IS NOT NULL
  ORDER BY first_response_at DESC LIMIT $4
)
SELECT w.id, w.visitor_id, w.position::int AS position, h.n::int AS last_hour,
  (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(wait, 0)) FROM recent)::float8 AS median_sec
FROM waiting w CROSS JOIN last_hour h
ORDER BY w.position`;

/** A row of QUEUE_SQL. */
export interface QueueRow {
  id: string;
  visitor_id: string;
  position: number;
  last_hour: number;
  median_sec: number | null;
}

/** Seconds position p may wait, by the model above; null without history. */
export function estimateWaitSec(position: number, lastHour: number, medianSec: number | null): number | null {
  if (lastHour >= RATE_MIN) return Math.round((position * 3600) / lastHour);
  return medianSec === null ? null : Math.round(medianSec);
}

/** The waiting visitors of a site, in queue order, each with what `queue:updated` tells them. */
export async function siteQueue(ctx: Pick<Ctx, 'raw' | 'clock'>, siteId: string): Promise<(QueuePositionDTO & { visitorId: string })[]> {
  const rows = await ctx.raw<QueueRow>(QUEUE_SQL, [siteId, ctx.clock().toISOString(), MEDIAN_DAYS, MEDIAN_OF]);
  return rows.map((r) => ({
    visitorId: r.visitor_id,
    conversationId: r.id,
    position: r.position,
    estimatedWaitSec: estimateWaitSec(r.position, r.last_hour, r.median_sec),
  }));
}

type Phase = { timer: NodeJS.Timeout; again?: undefined } | { timer?: undefined; again: boolean };

/** Keeps each waiting visitor told of their place; see the model at the top of this file. */
export class QueueNotifier {
  /** Per site: a refresh scheduled (timer), or one running or cooling down (again: asked for meanwhile). */
  private readonly phases = new Map<string, Phase>();
  /** Per site, per waiting conversation: the payload this node last sent (only waiting ones are kept). */
  private readonly sent = new Map<string, Map<string, string>>();
  /** Per site: conversations whose widget said hello since the site's last refresh began (told whatever this node sent before). */
  private readonly greeted = new Map<string, Set<string>>();

  /** Set by app.ts with several nodes: tells the others this node spoke to the site's visitors. */
  broadcast: (siteId: string) => void = () => {};

  constructor(private readonly ctx: Ctx) {}

  /** The site's queue may have changed: refresh it soon. */
  changed(siteId: string): void {
    const phase = this.phases.get(siteId);
    if (phase?.timer) return;
    if (phase) {
      phase.again = true;
      return;
    }
    this.schedule(siteId);
  }

  /** A waiting visitor's widget (re)started: tell it its place even if this node told it before. */
  hello(siteId: string, conversationId: string): void {
    const greeted = this.greeted.get(siteId) ?? new Set<string>();
    this.greeted.set(siteId, greeted.add(conversationId));
    this.changed(siteId);
  }

  /** Another node told this site's visitors something: what this node remembers telling them is no longer what they know. */
  forget(siteId: string): void {
    this.sent.delete(siteId);
  }

  /** Stops scheduled refreshes (the server is closing). */
  stop(): void {
    for (const phase of this.phases.values()) clearTimeout(phase.timer);
    this.phases.clear();
    this.greeted.clear();
  }

  private schedule(siteId: string): void {
    const timer = setTimeout(() => void this.run(siteId), DEBOUNCE_MS);
    timer.unref();
    this.phases.set(siteId, { timer });
  }

  private async run(siteId: string): Promise<void> {
    const phase: Phase = { again: false };
    this.phases.set(siteId, phase);
    const cooldown = new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS).unref());
    await Promise.all([this.refresh(siteId).catch((err) => this.ctx.log.warn({ err, siteId }, 'queue refresh failed')), cooldown]);
    if (this.phases.get(siteId) !== phase) return;
    if (phase.again) this.schedule(siteId);
    else this.phases.delete(siteId);
  }

  private async refresh(siteId: string): Promise<void> {
    // Taken before the query: a hello that comes during it is answered by the next refresh.
    const greeted = this.greeted.get(siteId);
    this.greeted.delete(siteId);
    const queue = await siteQueue(this.ctx, siteId);
    const before = this.sent.get(siteId);
    const now = new Map<string, string>();
    let told = false;
    for (const { visitorId, ...payload } of queue) {
      const key = `${payload.position}:${payload.estimatedWaitSec}`;
      now.set(payload.conversationId, key);
      if (before?.get(payload.conversationId) === key && !greeted?.has(payload.conversationId)) continue;
      this.ctx.realtime.widget.to(rooms.visitor(visitorId)).emit('queue:updated', payload);
      told = true;
    }
    if (now.size) this.sent.set(siteId, now);
    else this.sent.delete(siteId);
    if (told) this.broadcast(siteId);
  }
}
