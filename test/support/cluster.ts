/**
 * Two nodes in this process on one database and one Redis, wired as server/index.ts does with
 * REDIS_URL: the Socket.IO Redis adapter, rate limits in Redis, publishes that may be lost.
 */
import { randomBytes } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { redisRateLimiter } from '../../server/ratelimit.ts';
import { losePublishFailures } from '../../server/realtime/adapter.ts';
import { createTestDatabase, type Backend, type TestDatabase } from './db.ts';
import { ADMIN } from './server.ts';

export interface TwoNodes {
  database: TestDatabase;
  nodes: { app: App; url: string }[];
  /** Closes both nodes, their Redis clients and the database (sockets are the caller's to close first). */
  close(): Promise<void>;
}

export async function twoNodes(backend: Backend, redisUrl: string, overrides: Partial<Config> = {}): Promise<TwoNodes> {
  const database = await createTestDatabase(backend);
  const config: Config = { ...loadConfig({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' }), adminEmail: ADMIN.email, adminPassword: ADMIN.password, ...overrides };
  // A prefix of its own: runs sharing the machine's Redis stay apart.
  const prefix = `sc-test-${randomBytes(4).toString('hex')}`;
  const nodes: { app: App; url: string }[] = [];
  const clients: { quit(): Promise<unknown> }[] = [];
  for (let i = 0; i < 2; i++) {
    const pub = createClient({ url: redisUrl });
    const sub = pub.duplicate();
    const limits = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect(), limits.connect()]);
    clients.push(pub, sub, limits);
    // A presence update published while the test tears down is lost, not an unhandled rejection.
    losePublishFailures(pub);
    const app = createApp({
      db: database.db,
      reports: database.reports,
      config,
      log: createLogger(config.logLevel),
      cluster: { adapter: createAdapter(pub, sub, { key: `${prefix}:sio` }), limiter: redisRateLimiter(limits as never, prefix) },
    });
    nodes.push({ app, url: await app.listen(0, '127.0.0.1') });
  }
  return {
    database,
    nodes,
    async close() {
      for (const node of nodes) await node.app.close();
      await Promise.allSettled(clients.map((c) => c.quit()));
      await database.drop();
    },
  };
}

/**
 * Two nodes for a describe block: started before its tests and closed after them. `nodes` and
 * `database` are there once they started (in hooks and tests).
 */
export function twoNodesForSuite(backend: Backend, redisUrl: string, overrides: Partial<Config> = {}): Pick<TwoNodes, 'nodes' | 'database'> {
  let cluster: TwoNodes | undefined;
  const suite = { nodes: [] as TwoNodes['nodes'], database: undefined as unknown as TestDatabase };
  beforeAll(async () => {
    cluster = await twoNodes(backend, redisUrl, overrides);
    suite.nodes.push(...cluster.nodes);
    suite.database = cluster.database;
  });
  afterAll(() => cluster?.close());
  return suite;
}
