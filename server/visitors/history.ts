/**
 * A visitor's conversations over time: the widget's list of past conversations (every conversation
 * stays reachable, whatever was asked since), the launcher's unread count, asked over plain HTTP before the chat and its socket are loaded.
 */
import express, { type RequestHandler } from 'express';
import { ConversationsList } from '../../shared/schemas.ts';
import type { ConversationStatus, ConversationSummaryDTO, MessageDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import type { RawQuery } from '../db/raw.ts';
import { AppError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { widgetHandlerFactory } from '../realtime/handler.ts';
import { checkSiteAccess } from '../sites/sites.service.ts';
import type { WidgetSocket } from './visitors.handlers.ts';
import { findVisitorByToken } from './visitors.service.ts';

/** Conversations in one `conversations:list` page. */
export const HISTORY_PAGE = 20;

const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

/**
 * One page, newest first, in one statement: each conversation with its latest message that is not a
 * status notice (nor an agents' private note) and its count of agent messages the visitor has not read. The cursor is compared at
 * millisecond precision, the precision of the createdAt the client sends back.
 */
const LIST = `
SELECT c.id, c.status, ${ms('c.created_at')} AS created, ${ms('c.updated_at')} AS updated, ${ms('c.resolved_at')} AS resolved,
  c.csat_at IS NOT NULL AS rated,
  (SELECT count(*) FROM messages u WHERE u.conversation_id = c.id AND u.seq > c.visitor_read_seq AND u.author = 'agent' AND u.kind <> 'note')::int AS unread,
  lm.author, lm.body, lm.kind, ${ms('lm.created_at')} AS m_created, ag.name AS agent_name
FROM conversations c
LEFT JOIN LATERAL (
  SELECT * FROM messages m WHERE m.conversation_id = c.id AND m.kind NOT IN ('notice', 'note') ORDER BY m.seq DESC LIMIT 1
) lm ON true
LEFT JOIN agents ag ON ag.id = lm.agent_id
WHERE c.visitor_id = $1
  AND ($2::timestamptz IS NULL OR (date_trunc('milliseconds', c.created_at), c.id) < ($2::timestamptz, $3::uuid))
ORDER BY date_trunc('milliseconds', c.created_at) DESC, c.id DESC
LIMIT $4`;

type Row = Record<string, unknown>;

/** A page of a visitor's conversations, newest first; `more`: there is another page after it. */
export async function listVisitorConversations(
  raw: RawQuery,
  visitorId: string,
  before?: { createdAt: string; id: string },
): Promise<{ items: ConversationSummaryDTO[]; more: boolean }> {
  const rows = await raw<Row>(LIST, [visitorId, before?.createdAt ?? null, before?.id ?? null, HISTORY_PAGE + 1]);
  const items = rows.slice(0, HISTORY_PAGE).map(
    (r): ConversationSummaryDTO => ({
      id: r.id as string,
      status: r.status as ConversationStatus,
      createdAt: iso(r.created)!,
      updatedAt: iso(r.updated)!,
      resolvedAt: iso(r.resolved),
      unread: Number(r.unread),
      rated: Boolean(r.rated),
      lastMessage: r.kind
        ? {
            author: r.author as MessageDTO['author'],
            authorName: (r.agent_name as string | null) ?? null,
            body: r.body as string,
            kind: r.kind as MessageDTO['kind'],
            createdAt: iso(r.m_created)!,
          }
        : null,
    }),
  );
  return { items, more: rows.length > HISTORY_PAGE };
}

/** Agent messages the visitor has not read, over all their conversations. */
export async function visitorUnread(raw: RawQuery, visitorId: string): Promise<number> {
  const [row] = await raw<Row>(
    `SELECT count(*)::int AS n FROM conversations c
     JOIN messages m ON m.conversation_id = c.id AND m.seq > c.visitor_read_seq AND m.author = 'agent' AND m.kind <> 'note'
     WHERE c.visitor_id = $1`,
    [visitorId],
  );
  return Number(row?.n ?? 0);
}

export function registerHistoryHandlers(ctx: Ctx, socket: WidgetSocket): void {
  const on = widgetHandlerFactory(ctx.log);
  socket.on(
    'conversations:list',
    on('conversations:list', ConversationsList, (input) => listVisitorConversations(ctx.raw, socket.data.visitor.id, input.before)),
  );
}

/**
 * `POST /api/widget/unread?site=KEY`, the body the visitor token as text/plain: `{ unread }`. The
 * launcher asks it of a returning visitor before anything else loads. A plain-text POST needs no CORS
 * preflight, and the token stays out of URLs and logs. An unknown token has nothing unread.
 */
export function unreadHandlers(ctx: Ctx): RequestHandler[] {
  return [
    express.text({ type: () => true, limit: '1kb' }),
    async (req, res, next) => {
      try {
        const site = await checkSiteAccess(ctx.sites, req.query.site, req.headers.origin);
        // req.ip follows `trust proxy` (a hop count): the address our own proxies saw.
        const wait = await ctx.limiter.hit(`unread:ip:${req.ip ?? req.socket.remoteAddress}`, LIMITS.unreadPerIp.limit, LIMITS.unreadPerIp.windowMs);
        if (wait) throw new AppError('RATE_LIMITED', wait);
        const visitor = await findVisitorByToken(ctx.db, site.id, typeof req.body === 'string' ? req.body.trim() : undefined);
        res.json({ ok: true, data: { unread: visitor ? await visitorUnread(ctx.raw, visitor.id) : 0 } });
      } catch (err) {
        next(err);
      }
    },
  ];
}
