/** Reads config, opens the database, builds the app and listens: the only file with side effects. */
import path from 'node:path';
import { loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { createLogger } from './logger.ts';
import { createApp, type AppDeps } from './app.ts';
import { redisRateLimiter } from './ratelimit.ts';

const config = loadConfig();
const log = createLogger(config.logLevel);
const database = await openDatabase({ url: config.databaseUrl, dataDir: path.resolve(config.dataDir) });

let cluster: AppDeps['cluster'];
const redisClients: { quit(): Promise<unknown> }[] = [];
if (config.redisUrl) {
  const { createClient } = await import('redis');
  const { createAdapter } = await import('@socket.io/redis-adapter');
  const pub = createClient({ url: config.redisUrl });
  const sub = pub.duplicate();
  const limits = pub.duplicate();
  for (const c of [pub, sub, limits]) c.on('error', (err) => log.error({ err }, 'redis error'));
  await Promise.all([pub.connect(), sub.connect(), limits.connect()]);
  redisClients.push(pub, sub, limits);
  cluster = { adapter: createAdapter(pub, sub, { key: `${config.redisPrefix}:sio` }), limiter: redisRateLimiter(limits as never, config.redisPrefix) };
}

const app = createApp({ db: database.db, config, log, cluster });
const url = await app.listen();
log.info({ url, database: database.kind, redis: Boolean(config.redisUrl) }, 'listening');
console.log(`Demo site:     ${url}/`);
console.log(`Agent console: ${url}/console`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  await app.close();
  await Promise.allSettled(redisClients.map((c) => c.quit()));
  await database.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
