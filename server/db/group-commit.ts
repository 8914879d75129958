/**
 * Group commit for the hot path. The messages that arrive in one turn of the event loop (under
 * load, a socket read delivers many at once) are stored by ONE statement per kind of message, in
 * one transaction: the statement takes all of them as a JSON array (`$1`) and returns one row per
 * input, tagged with the input's `i`. A statement's fixed costs (parse, plan, a round trip, on
 * PGlite the trip through WASM) and the commit's (a WAL flush) are shared by the whole group
 * instead of paid by each message: on PGlite a message costs about a tenth as much, on PostgreSQL
 * a fifth (npm run bench:store). Nothing is acknowledged before its transaction commits: each
 * caller's promise resolves with its own row only once the whole group is committed.
 *
 * One statement cannot take two messages of one conversation (it updates the conversation's row
 * once), so a group takes at most one item per key, and per lane key, of each statement; the rest
 * wait, in order, for the next group. Groups go in LANES lanes, each with one group in flight: a key
 * always takes the same lane, so two groups in flight do not wait for each other's rows.
 *
 * A group fails as a whole (one message's unique violation aborts the statement, and nothing of it
 * is stored), so on any failure each item is run again on its own, and each caller gets its own
 * result or its own error, exactly as without grouping.
 */
import type { RawClient, Statement } from './raw.ts';

/** Past this many items a group is sent at once (when none is in flight) rather than at the end of the turn. */
const MAX_GROUP = 256;
/**
 * Groups in flight at once, each on its own connection. Fewer lanes make larger groups: fewer
 * statements, round trips and wake-ups of the database's backends per message, which on a small
 * machine cost more than the parallelism gains. bench:relay on PostgreSQL, 2 cores, one run of each
 * alternately (2026-12-02 17:32–18:00 UTC, load 1.6–3.3): highest passing rate, one site / 200 sites,
 * with four lanes 1,200 / 800–1,200 in three runs (CPU per message at 1,600: server 0.39–0.45 ms,
 * database 0.40–0.44); two lanes 1,600–2,400 / 800–1,600 in three (0.30–0.38, 0.37–0.41); one lane
 * 1,200–2,400 / 800–1,600 (0.28–0.35, 0.28–0.31), but a slow statement then holds every message (the
 * 200-site steps failed on p99 at a p50 of 5–7 ms); three lanes 800 / 1,200. Again on 2026-12-05
 * 13:18–13:27 UTC (load 0.5–1.6, two runs each, alternating): two lanes 8,000 / 9,600 and 6,400 /
 * 6,400, one lane 8,000 / 8,000 and 4,800 / 6,400: no gain from one, within the spread of two runs.
 * Three lanes again on 2026-12-08 01:05–01:18 UTC (load 0.3–2.9, two runs each, alternating): 4,000 /
 * 3,000 and 2,800 / 3,400 against two lanes' 3,800 / 3,600 and 3,800 / 4,400: no gain either. Sampled
 * in the two-lane run that followed (01:20 UTC, bench:relay BENCH_DB_WAITS=1), the lanes' backends
 * were busy one at a time on average, and at 4,000 msg/s 36-44% of their busy samples went to
 * flushing the WAL at commit, 10-14% to waiting for the other lane's flush: a commit waits on the
 * disk, not on a free lane.
 */
export const LANES = 2;

/** A row the statement returns for input `i`. */
type Tagged = { i: number };

interface Waiting {
  /** The statement: `$1` is a JSON array of inputs, each with its `i`; it returns rows with that `i`. */
  text: string;
  key: string;
  /** A second key the statement takes at most one input of, when it differs from `key`. */
  laneKey: string;
  input: Record<string, unknown>;
  resolve: (row: object | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Runs `statement` for one input, grouped with the others of its lane: resolves with the row the
 * statement returned for this input (undefined if none), after the group's commit. `key`: what one
 * statement can take at most one input of (the conversation, or the visitor whose conversation it
 * finds); `laneKey` (default `key`): the conversation, so that its writers share a lane, and a
 * statement takes at most one input of it too.
 */
export type GroupedStore = <T extends object>(statement: string, key: string, input: Record<string, unknown>, laneKey?: string) => Promise<T | undefined>;
type LaneStore = <T extends object>(statement: string, key: string, laneKey: string, input: Record<string, unknown>) => Promise<T | undefined>;

/**
 * `lanes`: by default LANES, but never more than the database runs at once: on PGlite (one backend)
 * more lanes only cut one turn's messages into smaller groups that wait for each other anyway. Or a
 * client per lane (on PostgreSQL, Database.messageLanes: a connection each), so that a lane's groups
 * always reach the same backend instead of each going to whichever of the pool's connections was idle.
 */
export function groupCommit(client: RawClient, lanes: number | RawClient[] = Math.min(LANES, client.concurrent)): GroupedStore {
  const clients = typeof lanes === 'number' ? Array.from({ length: lanes }, () => client) : lanes;
  const all = clients.map((c) => lane(c));
  return (statement, key, input, laneKey = key) => all[laneOf(laneKey, all.length)](statement, key, laneKey, input);
}

/**
 * The lane of a key: FNV-1a over its UTF-16 code units, the same on every call. An md5 took 2.3 µs
 * a message, this 0.2 (node 20, this machine); the keys are ids, not chosen by a sender.
 */
export function laneOf(key: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  // FNV's low bits mix poorly (its lowest is the parity of the keys' lowest bits): fold the high ones
  // in before taking the remainder, which for 2 or 4 lanes reads only the low bits.
  return ((h ^ (h >>> 16)) >>> 0) % lanes;
}

/** The statements for a group: one per statement text, each with its items' inputs as one JSON array. */
function statementsOf(items: Waiting[]): { statements: Statement[]; owners: Waiting[][] } {
  const byText = new Map<string, Waiting[]>();
  for (const w of items) {
    const list = byText.get(w.text);
    if (list) list.push(w);
    else byText.set(w.text, [w]);
  }
  const statements: Statement[] = [];
  const owners: Waiting[][] = [];
  for (const [text, list] of byText) {
    statements.push({ text, params: [JSON.stringify(list.map((w, i) => ({ ...w.input, i })))] });
    owners.push(list);
  }
  return { statements, owners };
}

/** Answers each item with its row; a result it cannot read answers its items with the error, so none waits forever. */
function settle(owners: Waiting[][], results: object[][]) {
  owners.forEach((list, s) => {
    try {
      const rows = new Map((results[s] as Tagged[]).map((r) => [Number(r.i), r]));
      list.forEach((w, i) => w.resolve(rows.get(i)));
    } catch (err) {
      for (const w of list) w.reject(err);
    }
  });
}

/** One lane: items grouped per turn of the event loop, one group in flight at a time. */
function lane(client: RawClient): LaneStore {
  let queue: Waiting[] = [];
  let scheduled = false;
  let sending = false;

  const alone = (w: Waiting) => {
    const { statements, owners } = statementsOf([w]);
    return client.query(statements[0].text, statements[0].params).then((rows) => settle(owners, [rows]), w.reject);
  };

  /** The next group: up to MAX_GROUP items in order, at most one per (statement, key); the others keep their places. */
  const take = () => {
    const taken: Waiting[] = [];
    const rest: Waiting[] = [];
    // Keys seen, per statement: keyed by the statement's text itself (a constant, whose hash V8
    // keeps), not by a key + text string, a new 2-3 KB string to flatten and hash per item and turn
    // (4.2 µs an item, 0.1 now).
    const seen = new Map<string, Set<string>>();
    for (const w of queue) {
      let keys = seen.get(w.text);
      if (!keys) seen.set(w.text, (keys = new Set()));
      if (taken.length < MAX_GROUP && !keys.has(w.key) && !keys.has(w.laneKey)) taken.push(w);
      // A later item of a key already taken also waits: a key's items stay in order.
      else rest.push(w);
      keys.add(w.key);
      keys.add(w.laneKey);
    }
    queue = rest;
    return taken;
  };

  /** What arrives while a group is in flight waits for the next one: the busier the lane, the larger the groups. */
  const flush = async () => {
    scheduled = false;
    if (sending || !queue.length) return;
    sending = true;
    const items = take();
    try {
      if (items.length === 1) return await alone(items[0]);
      const { statements, owners } = statementsOf(items);
      let results: object[][];
      try {
        results = statements.length === 1 ? [await client.query(statements[0].text, statements[0].params)] : await client.transaction(statements);
      } catch {
        // Nothing of the group was stored (or, if the commit's answer was lost, all of it: the
        // statements find their stored copies then). Each on its own now, for its own answer.
        await Promise.all(items.map(alone));
        return;
      }
      settle(owners, results);
    } finally {
      sending = false;
      if (queue.length) void flush();
    }
  };

  return <T extends object>(text: string, key: string, laneKey: string, input: Record<string, unknown>) =>
    new Promise<T | undefined>((resolve, reject) => {
      queue.push({ text, key, laneKey, input, resolve: resolve as (row: object | undefined) => void, reject });
      if (queue.length >= MAX_GROUP && !sending) void flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(() => void flush());
      }
    });
}
