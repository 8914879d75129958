/**
 * The mail queue is the mail_jobs table. A job is claimed by one UPDATE over a subquery locked
 * `FOR UPDATE SKIP LOCKED`, which also sets locked_until: of two nodes claiming at once each gets
 * other rows, and a node that dies mid-send frees its jobs when locked_until passes.
 */
import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { RawQuery } from '../db/raw.ts';
import { mailJobs, type MailJob } from '../db/schema.ts';

/** Reply mails are looked for among conversations written to in the last two days. */
const SCAN_WINDOW_MS = 2 * 86400_000;

/**
 * One reply job per conversation and newest agent reply that its visitor (who left an email) has not
 * seen for the site's email_unseen_after_sec: not read (visitor_read_seq), and not written after.
 * The dedupe key makes a repeated scan, on this node or another, add nothing.
 *
 * Every node runs it every 20 s, so its plan must not depend on statistics (a fresh or never analyzed
 * database has none): the candidates (visitors with an email) are fixed first, and only their
 * conversations' messages are read, by index. Written as one join, the planner read every unread
 * message of every recent conversation, emailed visitor or not, and anti-joined a sequential scan of
 * all messages: 3-6 s a scan at 200 conversations of 2,000 messages, and 54 ms of the database's CPU
 * in the middle of bench:relay's steps.
 */
const SCAN = `
WITH candidate AS MATERIALIZED (
  SELECT c.id, c.site_id, c.visitor_id, c.visitor_read_seq FROM conversations c JOIN visitors v ON v.id = c.visitor_id
  WHERE c.updated_at > $2 AND c.last_seq > c.visitor_read_seq AND v.email IS NOT NULL
)
INSERT INTO mail_jobs (site_id, visitor_id, conversation_id, kind, dedupe_key, payload, run_at)
SELECT c.site_id, c.visitor_id, c.id, 'reply', 'reply:' || c.id || ':' || r.seq, jsonb_build_object('seq', r.seq), $1
FROM candidate c
JOIN sites s ON s.id = c.site_id
CROSS JOIN LATERAL (
  SELECT m.seq FROM messages m
  WHERE m.conversation_id = c.id AND m.seq > c.visitor_read_seq AND m.author = 'agent' AND m.kind <> 'note'
    AND m.created_at <= $1::timestamptz - make_interval(secs => s.email_unseen_after_sec)
  ORDER BY m.seq DESC LIMIT 1
) r
-- A scalar subquery, not NOT EXISTS: the planner keeps it a lookup per row instead of an anti-join.
WHERE (SELECT w.seq FROM messages w WHERE w.conversation_id = c.id AND w.seq > r.seq AND w.author = 'visitor' LIMIT 1) IS NULL
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id`;

/** The scan's text, for the test that checks its plan (store-plans.test.ts). */
export const REPLY_SCAN_STATEMENT = SCAN;

/** Adds the reply jobs that are due; resolves with how many were new. */
export async function scanUnseenReplies(raw: RawQuery, now: Date): Promise<number> {
  // ISO strings: the postgres driver under drizzle is set up to send dates as text.
  return (await raw(SCAN, [now.toISOString(), new Date(now.getTime() - SCAN_WINDOW_MS).toISOString()])).length;
}

/** A transcript of a conversation up to `upToSeq`: asked twice at the same point, it is one job. */
export async function enqueueTranscript(db: Db, job: { siteId: string; visitorId: string; conversationId: string; upToSeq: number }, now: Date): Promise<void> {
  await db
    .insert(mailJobs)
    .values({
      siteId: job.siteId,
      visitorId: job.visitorId,
      conversationId: job.conversationId,
      kind: 'transcript',
      dedupeKey: `transcript:${job.conversationId}:${job.upToSeq}`,
      payload: { upToSeq: job.upToSeq },
      runAt: now,
    })
    .onConflictDoNothing({ target: mailJobs.dedupeKey });
}

/** Claims up to `limit` due jobs for `lockMs`, counting the attempt. */
export async function claimJobs(db: Db, now: Date, lockMs: number, limit: number): Promise<MailJob[]> {
  const due = db
    .select({ id: mailJobs.id })
    .from(mailJobs)
    .where(
      and(
        isNull(mailJobs.sentAt),
        isNull(mailJobs.failedAt),
        lte(mailJobs.runAt, now),
        or(isNull(mailJobs.lockedUntil), lte(mailJobs.lockedUntil, now)),
      ),
    )
    .orderBy(asc(mailJobs.runAt))
    .limit(limit)
    .for('update', { skipLocked: true });
  return db
    .update(mailJobs)
    .set({ lockedUntil: new Date(now.getTime() + lockMs), attempts: sql`${mailJobs.attempts} + 1` })
    .where(inArray(mailJobs.id, due))
    .returning();
}

export async function markSent(db: Db, id: string, now: Date): Promise<void> {
  await db.update(mailJobs).set({ sentAt: now, lockedUntil: null, lastError: null }).where(eq(mailJobs.id, id));
}

/** Tries again at `runAt`, or gives up (`runAt` null). `error` is a short reason, never a secret. */
export async function markFailed(db: Db, id: string, error: string, now: Date, runAt: Date | null): Promise<void> {
  await db
    .update(mailJobs)
    .set(runAt ? { runAt, lockedUntil: null, lastError: error } : { failedAt: now, lockedUntil: null, lastError: error })
    .where(eq(mailJobs.id, id));
}

/** The highest seq a sent reply mail of this conversation covered: the next one starts after it. */
export async function lastMailedSeq(raw: RawQuery, conversationId: string): Promise<number> {
  const [row] = await raw<{ seq: number | null }>(
    `SELECT max((payload->>'seq')::int) AS seq FROM mail_jobs WHERE conversation_id = $1 AND kind = 'reply' AND sent_at IS NOT NULL`,
    [conversationId],
  );
  return Number(row?.seq ?? 0);
}
