/**
 * Search across the tickets of the agent's sites: by a substring of any message (any language: the
 * message's search keys, search-keys.ts), of the visitor's name or email (search_grams, migration
 * 0006), and by label, agent, status and the
 * time the ticket was raised. Newest first.
 */
import { inArray } from 'drizzle-orm';
import type { ConversationSearch } from '../../shared/schemas.ts';
import type { SearchHitDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { conversations } from '../db/schema.ts';
import { pgDate } from '../http/respond.ts';
import { enforceLimits, LIMITS } from '../limits.ts';
import type { AgentContext } from '../agents/agents.service.ts';
import * as repo from '../conversations/conversations.repository.ts';
import { searchKeys } from './search-keys.ts';

/** A visitor's name and email as one text, the same expression as the index visitors_search_idx. */
const VISITOR_TEXT = `(coalesce(v.name, '') || ' ' || coalesce(v.email, ''))`;

/** How many of the newest tickets the first pass reads message by message (see searchStatement). */
export const RECENT_SCAN = 2000;
/**
 * On PGlite, where a statement holds the event loop while it runs, the first pass reads its tickets a
 * slice at a time, a statement each: its 2,000 at once held the loop 45 ms when nothing matched at
 * 100,000 tickets (bench:search with BENCH_PGLITE=1), against the 50 ms no request may hold it. A slice
 * is a sixth of the tickets a report reads at once there (ctx.reports.sliceTickets, 3,000: 500), since
 * each ticket's messages are read too, six a ticket in that bench.
 */
export const recentSlice = (sliceTickets: number) => Math.max(1, Math.floor(sliceTickets / 6));

/** A first pass's slice of the newest tickets: how many, after which (the last of the slice before), and hits wanted. */
export interface RecentSlice {
  size: number;
  after?: { at: string; id: string };
  limit: number;
}

/**
 * The statement for the filters given: only their clauses, so each combination gets a plan of its
 * own. Text is searched in one of two passes:
 * - `recent`: the newest RECENT_SCAN tickets that pass the other filters (or a slice of them, `slice`),
 *   each checked with strpos() through its own messages. A common word ("退款") fills the page there,
 *   where the index would hand back tens of thousands of rows, each re-checked with strpos().
 *   Besides its hits (newest first) it returns, on each row, how many tickets it read and the last of
 *   them (`last_at`, `last_id`: where the next slice starts), and one row with no hit when none matched;
 *   no row at all when it read no ticket;
 * - `indexed`: every ticket, the candidates from the GIN indexes (every pair of characters of the
 *   query), confirmed with strpos(): for rarer words, when the first pass did not fill the page.
 */
export function searchStatement(
  input: ConversationSearch,
  siteIds: string[],
  pass: 'recent' | 'indexed' = 'indexed',
  slice: RecentSlice = { size: RECENT_SCAN, limit: input.limit },
): { text: string; params: unknown[] } {
  const params: unknown[] = [siteIds];
  const p = (v: unknown) => `$${params.push(v)}`;
  // Conversations named by id are listed whether or not they reached a person: the agent asked for those.
  const where = ['c.site_id = ANY($1::text[])', input.ids ? `c.id = ANY(${p(input.ids)}::uuid[])` : 'c.escalated_at IS NOT NULL'];
  if (input.label) where.push(`c.labels @> ${p(JSON.stringify([input.label]))}::jsonb`);
  if (input.agentId) where.push(`c.assigned_agent_id = ${p(input.agentId)}::uuid`);
  if (input.status) where.push(`c.status = ${p(input.status)}`);
  if (input.from) where.push(`c.escalated_at >= ${p(pgDate(input.from).toISOString())}::timestamptz`);
  if (input.to) where.push(`c.escalated_at < ${p(pgDate(input.to).toISOString())}::timestamptz`);
  if (!input.q) {
    return {
      text: `SELECT c.id, NULL::int AS seq FROM conversations c WHERE ${where.join(' AND ')} ORDER BY c.escalated_at DESC, c.id LIMIT ${p(input.limit)}`,
      params,
    };
  }
  const q = p(input.q);
  if (pass === 'recent') {
    const last = slice.after && { at: p(slice.after.at), id: p(slice.after.id) };
    const after = last ? [`c.escalated_at <= ${last.at}::timestamptz`, `(c.escalated_at < ${last.at}::timestamptz OR c.id > ${last.id}::uuid)`] : [];
    // The newest tickets of each site by its (site, escalated_at) index, then of all of them: with
    // `site_id = ANY(sites)` the newest were found by reading and sorting every ticket of the sites,
    // 35 ms of the 58 this statement took on PGlite at 100,000 tickets.
    const size = p(slice.size);
    const text = `WITH recent AS (
        SELECT c.id, c.visitor_id, c.escalated_at FROM unnest($1::text[]) AS s(site_id)
        CROSS JOIN LATERAL (
          SELECT c.id, c.visitor_id, c.escalated_at FROM conversations c WHERE ${['c.site_id = s.site_id', ...where.slice(1), ...after].join(' AND ')}
          ORDER BY c.escalated_at DESC, c.id LIMIT ${size}
        ) c
        ORDER BY c.escalated_at DESC, c.id LIMIT ${size}
      ), hits AS (
        SELECT r.id, s.seq, r.escalated_at FROM recent r
        JOIN visitors v ON v.id = r.visitor_id
        LEFT JOIN LATERAL (
          SELECT max(m.seq) AS seq FROM messages m WHERE m.conversation_id = r.id AND strpos(lower(m.body), lower(${q}::text)) > 0
        ) s ON true
        WHERE s.seq IS NOT NULL OR strpos(lower${VISITOR_TEXT}, lower(${q}::text)) > 0
        ORDER BY r.escalated_at DESC, r.id LIMIT ${p(slice.limit)}
      ), last AS (
        SELECT escalated_at::text AS at, id FROM recent ORDER BY escalated_at, id DESC LIMIT 1
      )
      SELECT h.id, h.seq, (SELECT count(*) FROM recent)::int AS scanned, last.at AS last_at, last.id AS last_id
      FROM last LEFT JOIN hits h ON true
      ORDER BY h.escalated_at DESC, h.id`;
    return { text, params };
  }
  const text = `WITH text_hits AS (
      SELECT m.conversation_id, max(m.seq) AS seq FROM messages m
      WHERE m.search_keys @> ${p(searchKeys(input.q))}::int4[] AND strpos(lower(m.body), lower(${q}::text)) > 0
      GROUP BY m.conversation_id
    ), visitor_hits AS (
      SELECT v.id FROM visitors v
      WHERE v.site_id = ANY($1::text[]) AND search_grams${VISITOR_TEXT} @> search_grams(${q}::text)
        AND strpos(lower${VISITOR_TEXT}, lower(${q}::text)) > 0
    )
    SELECT c.id, th.seq FROM conversations c LEFT JOIN text_hits th ON th.conversation_id = c.id
    WHERE ${where.join(' AND ')} AND (th.seq IS NOT NULL OR c.visitor_id IN (SELECT id FROM visitor_hits))
    ORDER BY c.escalated_at DESC, c.id LIMIT ${p(input.limit)}`;
  return { text, params };
}

type Hit = { id: string; seq: number | null };

/**
 * The first pass, then the second only when needed: the first pass's page is the right answer when
 * it is full (every newer ticket was read) or when it read every ticket there is. On PGlite the first
 * pass goes a slice at a time (recentSlice), and stops at the slice that fills the page.
 */
async function findIds(ctx: Ctx, input: ConversationSearch, sites: string[]): Promise<Hit[]> {
  if (input.q) {
    // Sliced where the reports are (ctx.reports.sliceTickets: on PGlite, whose statements run on this
    // thread). Conversations named by id may not be tickets (no escalated_at to go on from): never sliced; they are few.
    const size = ctx.reports.sliceTickets === null || input.ids ? RECENT_SCAN : recentSlice(ctx.reports.sliceTickets);
    const hits: Hit[] = [];
    let scanned = 0;
    let after: RecentSlice['after'];
    for (;;) {
      const slice = { size: Math.min(size, RECENT_SCAN - scanned), after, limit: input.limit - hits.length };
      const recent = searchStatement(input, sites, 'recent', slice);
      const rows = await ctx.raw<{ id: string | null; seq: number | null; scanned: number; last_at: string; last_id: string }>(recent.text, recent.params);
      // No row: no ticket after the last slice. Fewer than asked: this slice read the last of them.
      if (rows.length === 0) return hits;
      for (const r of rows) if (r.id !== null) hits.push({ id: r.id, seq: r.seq });
      const read = Number(rows[0].scanned);
      scanned += read;
      if (hits.length >= input.limit || read < slice.size) return hits;
      if (scanned >= RECENT_SCAN) break;
      after = { at: rows[0].last_at, id: rows[0].last_id };
    }
  }
  const { text, params } = searchStatement(input, sites, 'indexed');
  return ctx.raw<Hit>(text, params);
}

/** The tickets matching `input` on the agent's sites (or on the one site asked for, if theirs). */
export async function searchConversations(ctx: Ctx, auth: AgentContext, input: ConversationSearch): Promise<SearchHitDTO[]> {
  await enforceLimits(ctx.limiter, [[`search:${auth.agent.id}`, LIMITS.searchesPerAgent]]);
  const sites = input.siteId ? auth.siteIds.filter((s) => s === input.siteId) : auth.siteIds;
  if (!sites.length) return [];
  const rows = await findIds(ctx, input, sites);
  if (!rows.length) return [];
  const [found, matches] = await Promise.all([
    repo.selectConversations(ctx.db, inArray(conversations.id, rows.map((r) => r.id)), 'newest', rows.length),
    matchedMessages(ctx, rows),
  ]);
  const byId = new Map(found.map((c) => [c.id, c]));
  return rows.flatMap((r) => {
    const conversation = byId.get(r.id);
    return conversation ? [{ conversation, match: matches.get(r.id) ?? null }] : [];
  });
}

/** The message that matched in each conversation: one statement. */
async function matchedMessages(ctx: Ctx, rows: { id: string; seq: number | null }[]) {
  const hits = rows.filter((r) => r.seq !== null);
  const out = new Map<string, SearchHitDTO['match']>();
  if (!hits.length) return out;
  const found = await ctx.raw<{ conversation_id: string; seq: number; body: string; created_at: Date | string }>(
    `SELECT m.conversation_id, m.seq, m.body, m.created_at FROM messages m
     JOIN unnest($1::uuid[], $2::int[]) AS h(id, seq) ON m.conversation_id = h.id AND m.seq = h.seq`,
    [hits.map((h) => h.id), hits.map((h) => Number(h.seq))],
  );
  for (const m of found) out.set(m.conversation_id, { seq: Number(m.seq), body: m.body, createdAt: new Date(m.created_at).toISOString() });
  return out;
}
