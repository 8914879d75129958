/**
 * The benchmark's own database: a fresh PostgreSQL database inside BENCH_DATABASE_URL's server
 * (dropped afterwards), or PGlite in a temporary folder (removed afterwards). Sites, agents and
 * their sessions are written with the product's own code before the server under test starts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SESSION_COOKIE } from '../../shared/http.ts';
import { openDatabase } from '../../server/db/client.ts';
import { hashPassword, randomToken, sha256 } from '../../server/crypto.ts';
import { insertAgent, insertSession } from '../../server/agents/agents.repository.ts';
import { addAgentToSite } from '../../server/sites/sites.repository.ts';
import { createSite } from '../../server/sites/sites.service.ts';
import { procStat } from './proc.ts';
import { progress } from './report.ts';
import { postgresAt } from '../throwaway-database.ts';

export interface BenchDatabase {
  kind: 'postgres' | 'pglite';
  /** DATABASE_URL or DATA_DIR for the server under test. */
  env: Record<string, string>;
  /** CPU ms used so far by the PostgreSQL backends serving this database (0 on PGlite: it runs inside the server). */
  backendCpuMs(): Promise<number>;
  /** The PostgreSQL backends serving this database now (none on PGlite). */
  backendPids(): Promise<number[]>;
  /**
   * Starts sampling what this database's busy backends are doing (pg_stat_activity, every
   * WAIT_SAMPLE_MS, on the bench's own connection to the server's base database, idle during a step);
   * the function returned stops it and returns the counts. Undefined on PGlite (no backends: its
   * statements run on the server's thread).
   */
  sampleWaits?(): () => Promise<DbWaits>;
  drop(): Promise<void>;
}

/**
 * What the backends running a statement of the server under test were doing, by sample: `CPU` (no
 * wait event: on a core, or runnable and waiting for one) or PostgreSQL's wait event (`IO:WALSync`:
 * flushing the WAL at commit; `LWLock:WALWrite`: waiting for another backend's flush to end).
 */
export interface DbWaits {
  samples: number;
  counts: Map<string, number>;
}

const WAIT_SAMPLE_MS = 5;

export async function createBenchDatabase(baseUrl: string | undefined): Promise<BenchDatabase> {
  if (!baseUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-bench-relay-'));
    return {
      kind: 'pglite',
      env: { DATA_DIR: path.join(dir, 'pgdata') },
      backendCpuMs: async () => 0,
      backendPids: async () => [],
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const name = `sc_bench_${process.pid}_${randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  const admin = postgresAt(baseUrl, { max: 1 });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  // Backends come and go with the pool: the CPU of ones that ended is kept, so the sum only grows.
  const seen = new Map<number, number>();
  const backendPids = async () => (await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${name}`).map((r) => r.pid);
  return {
    kind: 'postgres',
    env: { DATABASE_URL: url.toString() },
    backendPids,
    sampleWaits() {
      const waits: DbWaits = { samples: 0, counts: new Map() };
      let stopped = false;
      const loop = (async () => {
        while (!stopped) {
          const rows = await admin<{ w: string }[]>`
            select coalesce(wait_event_type || ':' || wait_event, 'CPU') as w from pg_stat_activity
            where datname = ${name} and state = 'active'`;
          waits.samples++;
          for (const { w } of rows) waits.counts.set(w, (waits.counts.get(w) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, WAIT_SAMPLE_MS));
        }
      })().catch((err: unknown) => progress(`  sampling the database's waits stopped: ${(err as Error).message}`));
      return async () => {
        stopped = true;
        await loop;
        return waits;
      };
    },
    async backendCpuMs() {
      for (const pid of await backendPids()) {
        const cpu = procStat(pid)?.cpuMs;
        if (cpu !== undefined) seen.set(pid, Math.max(cpu, seen.get(pid) ?? 0));
      }
      let sum = 0;
      for (const v of seen.values()) sum += v;
      return sum;
    },
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

export interface BenchAgents {
  /** Per conversation: the site the visitor is on, and the cookie of the agent who claims it. */
  oneSite: { site: string; cookie: string }[];
  manySites: { site: string; cookie: string }[];
}

/**
 * 200 agents on the demo site (seeded by the product's first start), and 200 sites with one agent
 * each. Sessions are inserted as a login would insert them: 400 logins over HTTP would hit the
 * per-IP login limit (30 in 15 minutes), and 400 scrypt hashes would take longer than a step.
 */
export async function seedAgents(env: Record<string, string>, count: number, demoSite: string): Promise<BenchAgents> {
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  try {
    const db = database.db;
    // Nobody logs in with it: one hash serves every bench agent.
    const passwordHash = await hashPassword(randomToken(16));
    const expiresAt = new Date(Date.now() + 24 * 3600_000);
    const agent = async (email: string, siteId: string) => {
      const row = await insertAgent(db, { email, name: email.split('@')[0], role: 'agent', passwordHash });
      await addAgentToSite(db, row.id, siteId);
      const token = randomToken(32);
      await insertSession(db, { id: sha256(token), agentId: row.id, expiresAt });
      return { site: siteId, cookie: `${SESSION_COOKIE}=${token}` };
    };
    const oneSite = [];
    const manySites = [];
    for (let i = 0; i < count; i++) oneSite.push(await agent(`bench-one-${i}@bench.local`, demoSite));
    for (let i = 0; i < count; i++) {
      const site = await createSite(db, { id: `bench-site-${i}`, name: `Bench site ${i}`, origins: ['http://127.0.0.1'] });
      manySites.push(await agent(`bench-many-${i}@bench.local`, site.id));
    }
    return { oneSite, manySites };
  } finally {
    await database.close();
  }
}
