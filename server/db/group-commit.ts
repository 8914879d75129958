/**
 * Group commit for the hot path: the statements that arrive in one turn of the event loop (under
 * load, a socket read delivers many messages at once) are sent together in ONE transaction, so
 * that the database's cost of a commit (a WAL flush, a transaction's bookkeeping) is shared by all
 * of them instead of paid by each. Nothing is acknowledged before its transaction commits: each
 * caller's promise resolves with its own statement's rows only once the whole group is committed.
 *
 * Groups go in LANES lanes, each with one group in flight: a conversation's statements always take
 * the same lane (the key), so two groups in flight never hold rows of one conversation each while
 * waiting for the other's (a deadlock), and the database still works on several groups at once.
 *
 * A group fails as a whole (one statement's unique violation aborts the transaction, and nothing of
 * it is stored), so on any failure each statement is run again on its own, and each caller gets its
 * own result or its own error, exactly as without grouping. A lone statement is sent as it is.
 */
import { createHash } from 'node:crypto';
import type { RawClient, RawQuery, Statement } from './raw.ts';

/** Past this many statements a group is sent at once (when none is in flight) rather than at the end of the turn. */
const MAX_GROUP = 64;
/** Groups in flight at once, each on its own connection. */
const LANES = 4;

interface Waiting extends Statement {
  resolve: (rows: object[]) => void;
  reject: (err: unknown) => void;
}

/** Queries for a key (a conversation): its lane's grouped, committed-together statements. */
export type GroupedQuery = (key: string) => RawQuery;

export function groupCommit(client: RawClient, lanes = LANES): GroupedQuery {
  const all = Array.from({ length: lanes }, () => lane(client));
  return (key) => all[createHash('md5').update(key).digest().readUInt32BE(0) % lanes];
}

/** One lane: statements grouped per turn of the event loop, one group in flight at a time. */
function lane(client: RawClient): RawQuery {
  let group: Waiting[] = [];
  let scheduled = false;
  let sending = false;

  const alone = (w: Waiting) => client.query(w.text, w.params).then(w.resolve, w.reject);

  /** What arrives while a group is in flight waits for the next one: the busier the lane, the larger the groups. */
  const flush = async () => {
    scheduled = false;
    if (sending || !group.length) return;
    sending = true;
    const items = group.splice(0, MAX_GROUP);
    try {
      if (items.length === 1) return await alone(items[0]);
      let results: object[][];
      try {
        results = await client.transaction(items);
      } catch {
        // Nothing of the group was stored (or, if the commit's answer was lost, all of it: the
        // statements find their stored copies then). Each on its own now, for its own answer.
        await Promise.all(items.map(alone));
        return;
      }
      items.forEach((w, i) => w.resolve(results[i]));
    } finally {
      sending = false;
      if (group.length) void flush();
    }
  };

  return <T extends object>(text: string, params: unknown[]) =>
    new Promise<T[]>((resolve, reject) => {
      group.push({ text, params, resolve: resolve as (rows: object[]) => void, reject });
      if (group.length >= MAX_GROUP && !sending) void flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(() => void flush());
      }
    });
}
