/**
 * npm run bench:store — the database side of a stored message alone, without sockets: agent replies
 * in 200 open conversations at fixed rates, sent one statement at a time ("direct") and through the
 * group commit the server uses (server/db/group-commit.ts, its lanes). Prints achieved rate and
 * latency (call to committed answer) per mode.
 *
 * PostgreSQL when BENCH_DATABASE_URL is set (a fresh database is created in it and dropped after),
 * else PGlite in a temporary folder. BENCH_RATES=1000,2000,4000 and BENCH_STEP_SECONDS=3 to change.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { postgresAt } from './throwaway-database.ts';
import { createAgent } from '../server/agents/agents.service.ts';
import { storeAgentText } from '../server/conversations/message-store.ts';
import { openDatabase } from '../server/db/client.ts';
import { groupCommit, type GroupedStore } from '../server/db/group-commit.ts';
import { rawClient } from '../server/db/raw.ts';
import { conversations, visitors } from '../server/db/schema.ts';
import { createSite } from '../server/sites/sites.service.ts';

const url = process.env.BENCH_DATABASE_URL;
const pglite = !url;
const RATES = (process.env.BENCH_RATES ?? (pglite ? '200,400,800' : '1000,2000,4000')).split(',').map(Number);
const SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 3);
const CONVERSATIONS = 200;

const name = `bench_store_${process.pid}`;
const admin = url ? postgresAt(url, { max: 1 }) : undefined;
const dir = pglite ? await mkdtemp(path.join(os.tmpdir(), 'bench-store-')) : undefined;
let dbUrl: string | undefined;
if (admin) {
  await admin.unsafe(`create database ${name}`);
  const u = new URL(url!);
  u.pathname = `/${name}`;
  dbUrl = u.toString();
}
const database = await openDatabase(dbUrl ? { url: dbUrl } : { dataDir: path.join(dir!, 'pgdata') });
try {
  await createSite(database.db, { id: 'bench', name: 'bench', origins: ['https://bench.example'] });
  const agent = await createAgent(database.db, { email: 'bench@store.local', password: 'bench-password', siteIds: ['bench'] });
  const ids: string[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const [v] = await database.db.insert(visitors).values({ siteId: 'bench', tokenHash: `bench-${i}` }).returning();
    const [c] = await database.db
      .insert(conversations)
      .values({ siteId: 'bench', visitorId: v.id, status: 'open', assignedAgentId: agent.id, escalatedAt: new Date() })
      .returning();
    ids.push(c.id);
  }
  const raw = rawClient(database.db);
  // direct: each message its own statement (a group of one) at once; grouped: the server's group commit.
  const directStore: GroupedStore = async <T extends object>(text: string, _key: string, input: Record<string, unknown>): Promise<T | undefined> =>
    (await raw.query<T>(text, [JSON.stringify([{ ...input, i: 0 }])]))[0] as T | undefined;
  const modes: [string, GroupedStore][] = [
    ['direct', directStore],
    ['grouped', groupCommit(raw)],
  ];
  console.log(`bench:store on ${pglite ? 'PGlite' : 'PostgreSQL'}, ${CONVERSATIONS} conversations, ${SECONDS} s per step; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('| offered msg/s | mode | achieved msg/s | p50 ms | p99 ms | this process CPU ms/msg |');
  console.log('|---|---|---|---|---|---|');
  let n = 0;
  for (const rate of RATES) {
    for (const [mode, lane] of modes) {
      const latencies: number[] = [];
      const total = rate * SECONDS;
      const pending: Promise<void>[] = [];
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < total; i++) {
        const wait = t0 + (i * 1000) / rate - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const conversationId = ids[i % CONVERSATIONS];
        const start = performance.now();
        const input = { conversationId, agentId: agent.id, agentName: 'bench', siteIds: ['bench'], clientId: `bench${(n++).toString(36)}xxxx`, body: 'hello', now: new Date() };
        pending.push(
          storeAgentText(lane, input).then((r) => {
            if (r.kind !== 'stored') throw new Error(`not stored: ${r.kind}`);
            latencies.push(performance.now() - start);
          }),
        );
      }
      await Promise.all(pending);
      const elapsed = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      latencies.sort((a, b) => a - b);
      const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))].toFixed(1);
      console.log(`| ${rate} | ${mode} | ${Math.round((total / elapsed) * 1000)} | ${at(0.5)} | ${at(0.99)} | ${((cpu.user + cpu.system) / 1000 / total).toFixed(2)} |`);
    }
  }
  console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await database.close();
  if (admin) {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}
