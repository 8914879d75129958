/**
 * Search across the tickets of the agent's sites: by a substring of any message, of the visitor's
 * name or email (any language: search_grams, migration 0006), and by label, agent, status and the
 * time the ticket was raised. Newest first.
 */
import { inArray } from 'drizzle-orm';
import type { ConversationSearch } from '../../shared/schemas.ts';
import type { SearchHitDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { conversations } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { pgDate } from '../http/respond.ts';
import { LIMITS } from '../limits.ts';
import type { AgentContext } from '../agents/agents.service.ts';
import * as repo from '../conversations/conversations.repository.ts';

/** A visitor's name and email as one text, the same expression as the index visitors_search_idx. */
const VISITOR_TEXT = `(coalesce(v.name, '') || ' ' || coalesce(v.email, ''))`;

/**
 * The statement for the filters given: only their clauses, so each combination gets a plan of its
 * own. With text, the candidate rows come from the GIN indexes (every pair of characters of the
 * query) and strpos() keeps those that really hold it: two index lookups, then the tickets.
 */
export function searchStatement(input: ConversationSearch, siteIds: string[]): { text: string; params: unknown[] } {
  const params: unknown[] = [siteIds];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = ['c.site_id = ANY($1::text[])', 'c.escalated_at IS NOT NULL'];
  let ctes = '';
  let matchSeq = 'NULL::int';
  let join = '';
  if (input.q) {
    const q = p(input.q);
    ctes = `WITH text_hits AS (
        SELECT m.conversation_id, max(m.seq) AS seq FROM messages m
        WHERE search_grams(m.body) @> search_grams(${q}::text) AND strpos(lower(m.body), lower(${q}::text)) > 0
        GROUP BY m.conversation_id
      ), visitor_hits AS (
        SELECT v.id FROM visitors v
        WHERE v.site_id = ANY($1::text[]) AND search_grams${VISITOR_TEXT} @> search_grams(${q}::text)
          AND strpos(lower${VISITOR_TEXT}, lower(${q}::text)) > 0
      )`;
    join = 'LEFT JOIN text_hits th ON th.conversation_id = c.id';
    matchSeq = 'th.seq';
    where.push('(th.seq IS NOT NULL OR c.visitor_id IN (SELECT id FROM visitor_hits))');
  }
  if (input.label) where.push(`c.labels @> ${p(JSON.stringify([input.label]))}::jsonb`);
  if (input.agentId) where.push(`c.assigned_agent_id = ${p(input.agentId)}::uuid`);
  if (input.status) where.push(`c.status = ${p(input.status)}`);
  if (input.from) where.push(`c.escalated_at >= ${p(pgDate(input.from).toISOString())}::timestamptz`);
  if (input.to) where.push(`c.escalated_at < ${p(pgDate(input.to).toISOString())}::timestamptz`);
  const text = `${ctes}
    SELECT c.id, ${matchSeq} AS seq FROM conversations c ${join}
    WHERE ${where.join(' AND ')}
    ORDER BY c.escalated_at DESC, c.id LIMIT ${p(input.limit)}`;
  return { text, params };
}

/** The tickets matching `input` on the agent's sites (or on the one site asked for, if theirs). */
export async function searchConversations(ctx: Ctx, auth: AgentContext, input: ConversationSearch): Promise<SearchHitDTO[]> {
  const wait = await ctx.limiter.hit(`search:${auth.agent.id}`, LIMITS.searchesPerAgent.limit, LIMITS.searchesPerAgent.windowMs);
  if (wait) throw new AppError('RATE_LIMITED', wait);
  const sites = input.siteId ? auth.siteIds.filter((s) => s === input.siteId) : auth.siteIds;
  if (!sites.length) return [];
  const { text, params } = searchStatement(input, sites);
  const rows = await ctx.raw<{ id: string; seq: number | null }>(text, params);
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
