/** What every service gets: built once in createApp, replaced piecewise in tests. */
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { RawQuery } from './db/raw.ts';
import type { GroupedStore } from './db/group-commit.ts';
import type { Logger } from './logger.ts';
import type { RateLimiter } from './ratelimit.ts';
import type { FaqService } from './faq/faq.service.ts';
import type { Realtime } from './realtime/realtime.ts';
import type { SiteCache } from './sites/site-cache.ts';
import type { MetricsRollup } from './metrics/rollup.ts';
import type { Storage } from './attachments/storage.ts';

export interface Ctx {
  db: Db;
  /** Hand-written SQL on the same connections, for the hot path's reads (db/raw.ts). */
  raw: RawQuery;
  /**
   * Reports' connections (metrics, exports, the rollup job), `db` and `raw` as above: a pool of their own
   * on PostgreSQL (db/client.ts), so that a report's burst of statements never holds the message path's.
   * `sliceTickets`, on PGlite only (null on PostgreSQL), where a statement holds the event loop: metrics
   * read in slices of days of about that many tickets (metrics/sliced.ts), and the search's first pass a
   * sixth of that many tickets at a time (search/search.service.ts).
   */
  reports: { db: Db; raw: RawQuery; sliceTickets: number | null };
  /** The same for the hot path's writes, committed in groups, a lane per conversation (db/group-commit.ts). */
  store: GroupedStore;
  config: Config;
  log: Logger;
  clock: () => Date;
  limiter: RateLimiter;
  faq: FaqService;
  realtime: Realtime;
  /** Sites by key, shared by every socket of a site (sites/site-cache.ts). */
  sites: SiteCache;
  /** The metrics rollups and the job that refreshes them (metrics/rollup.ts). */
  metrics: MetricsRollup;
  /** Where attachment bytes are kept (DATA_DIR/uploads or S3). */
  uploads: Storage;
}
