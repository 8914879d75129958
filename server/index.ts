/** Reads config, opens the database, builds the app and listens: the only file with side effects. */
import path from 'node:path';
import { loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { DataDirInUseError } from './db/data-dir-lock.ts';
import { createLogger } from './logger.ts';
import { createApp, type AppDeps } from './app.ts';
import { fallbackRateLimiter, redisRateLimiter } from './ratelimit.ts';
import { losePublishFailures } from './realtime/adapter.ts';

const config = (() => {
  try {
    return loadConfig();
  } catch (err) {
    // The message names each invalid variable and never a value; the stack would add nothing.
    console.error((err as Error).message);
    process.exit(1);
  }
})();
const log = createLogger(config.logLevel);
// Whatever stops the start goes through the logger, which leaves out a failed query's values (the first
// admin's password hash, the demo site's secret while seeding): Node would print the error whole.
// A rejected top-level await ends here too.
let started = false;
process.on('uncaughtException', (err) => {
  log.fatal({ err }, started ? 'uncaught exception: stopping' : 'cannot start');
  process.exit(1);
});
const database = await openDatabase({ url: config.databaseUrl, dataDir: path.resolve(config.dataDir), owner: 'server' }).catch((err) => {
  if (!(err instanceof DataDirInUseError)) throw err;
  // Two processes on one PGlite folder lose each other's writes: refuse, and say what to do.
  console.error(`Cannot start: ${err.message}. Stop that process first, or give this server another DATA_DIR (or a DATABASE_URL).`);
  process.exit(1);
});

let cluster: AppDeps['cluster'];
const redisClients: { quit(): Promise<unknown> }[] = [];
if (config.redisUrl) {
  const { createClient } = await import('redis');
  const { createAdapter } = await import('@socket.io/redis-adapter');
  // No offline queue and a command timeout: while Redis is down a command fails at once instead of
  // waiting for it (presence lookups, rate limits), and nothing piles up in memory. The
  // subscriber keeps the default: node-redis subscribes again by itself once Redis is back.
  const failFast = { disableOfflineQueue: true, commandOptions: { timeout: 500 } };
  const pub = createClient({ url: config.redisUrl, ...failFast });
  const sub = pub.duplicate({ disableOfflineQueue: false, commandOptions: {} });
  const limits = pub.duplicate();
  watchRedis({ pub, sub, limits });
  await Promise.all([pub.connect(), sub.connect(), limits.connect()]);
  redisClients.push(pub, sub, limits);
  losePublishFailures(pub);
  cluster = {
    adapter: createAdapter(pub, sub, { key: `${config.redisPrefix}:sio` }),
    limiter: fallbackRateLimiter(redisRateLimiter(limits as never, config.redisPrefix), () => limits.isReady, log),
    ping: () => pub.ping(),
  };
}

/** Every client logs its outage once (it retries every 2 s at most, each retry an 'error') and its return. */
function watchRedis(clients: Record<string, { on(event: 'error' | 'ready', fn: (err?: Error) => void): unknown }>) {
  for (const [name, client] of Object.entries(clients)) {
    let down = false;
    client.on('error', (err) => {
      if (!down) log.warn({ err, client: name }, 'redis connection lost; retrying');
      down = true;
    });
    client.on('ready', () => {
      if (down) log.info({ client: name }, 'redis connection back');
      down = false;
    });
  }
}

const app = createApp({ db: database.db, reports: database.reports, messageLanes: database.messageLanes, config, log, cluster });
// In the background: a failure here is the database being away, which every request reports as it comes.
void database.warm().catch((err) => log.warn({ err }, 'warming the database connections failed; they open and read as requests need them'));
const url = await app.listen();
started = true;
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
// A last resort, not the handling: every promise is meant to be handled where it is made. One that
// is not is a bug to fix, logged loudly; it should not take every connected client down with it.
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
process.on('SIGINT', () => void stop('SIGINT'));
