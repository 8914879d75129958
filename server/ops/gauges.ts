/**
 * The app's gauges, read when Prometheus scrapes: sockets connected to this node, and per site the
 * conversations waiting for a person, the oldest wait and the site's first-response target (the
 * alert compares the two; see docs/operations.md).
 */
import { Gauge, Registry } from 'prom-client';
import type { Namespace } from 'socket.io';
import type { RawQuery } from '../db/raw.ts';

/** Scrapes come every 15–60 s, from one or two Prometheus: a few seconds old is fresh enough, and a burst of scrapes costs one query. */
const WAITING_CACHE_MS = 5000;

export interface GaugeSources {
  widget: Namespace;
  agents: Namespace;
  raw: RawQuery;
  clock: () => Date;
  /** The readiness probe's answer for the database (cached, bounded in time: ops/probes.ts). */
  databaseUp: () => Promise<boolean>;
}

interface WaitingRow {
  site_id: string;
  target_sec: number;
  waiting: number;
  oldest: Date | string | null;
}

/**
 * Every site, with its unclaimed open tickets: one query over the partial set the
 * (site_id, status) index finds. Sites with none report 0, so a series does not vanish while it is
 * calm (an alert on a missing series would not fire, and a graph would show a gap).
 */
const WAITING_SQL = `
  select s.id as site_id, s.first_response_target_sec as target_sec,
         count(c.id)::int as waiting, min(c.escalated_at) as oldest
  from sites s
  left join conversations c on c.site_id = s.id and c.status = 'open' and c.assigned_agent_id is null
  group by s.id, s.first_response_target_sec`;

/** A registry of this app's gauges; `sources` are read at each scrape. */
export function appRegistry(sources: GaugeSources): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'support_sockets_connected',
    help: 'Sockets connected to this node, by namespace (widget: visitors, agent: the console).',
    labelNames: ['namespace'] as const,
    registers: [registry],
    collect() {
      this.set({ namespace: 'widget' }, sources.widget.sockets.size);
      this.set({ namespace: 'agent' }, sources.agents.sockets.size);
    },
  });

  new Gauge({
    name: 'support_database_up',
    help: 'Whether the database answered `select 1` within 1 s (1) or not (0).',
    registers: [registry],
    async collect() {
      this.set((await sources.databaseUp()) ? 1 : 0);
    },
  });

  let cached: { at: number; rows: Promise<WaitingRow[]> } | undefined;
  const waitingRows = () => {
    const now = Date.now();
    if (!cached || now - cached.at >= WAITING_CACHE_MS) {
      const rows = sources.raw<WaitingRow>(WAITING_SQL, []);
      // A failed query is not kept: the next scrape asks again.
      rows.catch(() => (cached = undefined));
      cached = { at: now, rows };
    }
    return cached.rows;
  };
  const perSite = (name: string, help: string, value: (row: WaitingRow) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['site'] as const,
      registers: [registry],
      async collect() {
        // While the database is down these series are left out; support_database_up says why.
        const rows = await waitingRows().catch(() => []);
        this.reset();
        for (const row of rows) this.set({ site: row.site_id }, value(row));
      },
    });
  perSite('support_conversations_waiting', 'Open conversations waiting for a person (escalated, unclaimed), per site.', (r) => r.waiting);
  perSite('support_oldest_wait_seconds', 'How long the oldest unclaimed conversation has waited for a person, per site (0 when none waits).', (r) =>
    r.oldest === null ? 0 : Math.max(0, (sources.clock().getTime() - new Date(r.oldest).getTime()) / 1000),
  );
  perSite('support_first_response_target_seconds', "The site's first-response target (sites.first_response_target_sec).", (r) => r.target_sec);
  return registry;
}
