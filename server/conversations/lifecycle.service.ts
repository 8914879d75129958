/**
 * The ticket's life after its first reply: reopen, snooze, transfer, private notes, and what a
 * visitor's message does to a resolved or snoozed ticket. None of it is on the hot path: the
 * one-statement store (message-store.ts) takes only tickets that are open or pending, and leaves
 * the rest to the transaction in conversations.service.ts, which calls `resumeForVisitor` here.
 */
import { and, count, eq, inArray, isNotNull, desc, sql } from 'drizzle-orm';
import type { AgentMessageSend, ConversationSnooze, ConversationTransfer } from '../../shared/schemas.ts';
import type { ConversationDTO, MessageDTO, TransferTargetDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import type { Db } from '../db/client.ts';
import { agentSites, agents, conversations, type Agent, type SessionAgent, type Conversation, type Site } from '../db/schema.ts';
import { AppError, isUniqueViolation } from '../errors.ts';
import { readyAgents } from '../presence/presence.ts';
import { periodic } from '../ops/periodic.ts';
import * as repo from './conversations.repository.ts';
import { changeOf, notice, publish, type New, type Outcome } from './conversations.service.ts';
import type { ConversationChange } from '../realtime/realtime.ts';

/** Furthest ahead a snooze may be set. */
const SNOOZE_MAX_MS = 90 * 86400_000;

/** The agent, if active and with rights on the site (admins have every site); their row locked, as automatic assignment locks it. */
async function lockAgentOnSite(tx: Db, agentId: string, siteId: string): Promise<Agent | undefined> {
  const [row] = await tx
    .select()
    .from(agents)
    .where(
      and(
        eq(agents.id, agentId),
        eq(agents.active, true),
        sql`(${agents.role} = 'admin' or exists (select 1 from ${agentSites} s where s.agent_id = ${agents.id} and s.site_id = ${siteId}))`,
      ),
    )
    .for('update');
  return row;
}

/**
 * The agent who had the ticket, if they can take it back now: active with rights on the site,
 * present and online for it (in `ready`, asked before the transaction: priorOf), below their
 * capacity. Else the ticket waits in the queue.
 */
async function offerTo(tx: Db, agentId: string | null, siteId: string, ready: string[] | undefined): Promise<Agent | undefined> {
  if (!agentId || !ready?.includes(agentId)) return undefined;
  const agent = await lockAgentOnSite(tx, agentId, siteId);
  if (!agent || agent.availability !== 'online') return undefined;
  const [{ n }] = await tx
    .select({ n: count() })
    .from(conversations)
    .where(and(eq(conversations.assignedAgentId, agentId), inArray(conversations.status, ['open', 'pending'])));
  return n < agent.capacity ? agent : undefined;
}

/**
 * What the transaction of a visitor's message will find, read before it (no lock), so that it holds
 * its locks only for its own statements: the visitor's unresolved conversation, else their latest
 * ticket. Index reads only (conversations_visitor_active_uq, conversations_visitor_idx).
 */
const PRIOR = `
SELECT a.status AS active_status, a.assigned_agent_id AS active_agent,
  l.status AS last_status, l.assigned_agent_id AS last_agent, (extract(epoch from l.resolved_at) * 1000)::float8 AS last_resolved
FROM (SELECT 1) one
LEFT JOIN LATERAL (SELECT status, assigned_agent_id FROM conversations WHERE visitor_id = $1 AND status <> 'resolved' LIMIT 1) a ON true
LEFT JOIN LATERAL (
  SELECT status, assigned_agent_id, resolved_at FROM conversations WHERE visitor_id = $1 AND escalated_at IS NOT NULL ORDER BY created_at DESC LIMIT 1
) l ON true`;

export interface Prior {
  /** The message will start a new conversation: the new-conversation limits apply (a Redis round trip with several nodes). */
  opens: boolean;
  /** The site's agents ready to take back the ticket the message wakes or reopens (on every node: readyAgents); undefined when there is none to offer. */
  ready: string[] | undefined;
}

/**
 * Asked before the transaction of a visitor's message that is not on the hot path: whether it will
 * start a new conversation, and, when it will wake a snoozed ticket or reopen one resolved within the
 * window that had an agent, who is ready to take it back. Should the visitor's tickets change before
 * the transaction locks them (another tab's message), the transaction decides by what it finds and the
 * worst is a limit counted once too often, or once inside it, or a reopened ticket that waits in the
 * queue for assignment instead of going back to its agent.
 */
export async function priorOf(ctx: Ctx, site: Site, visitorId: string, now: Date): Promise<Prior> {
  const [row] = await ctx.raw<{ active_status: string | null; active_agent: string | null; last_status: string | null; last_agent: string | null; last_resolved: number | null }>(PRIOR, [visitorId]);
  let resumes: string | null = null;
  let opens = false;
  if (row.active_status) {
    if (row.active_status === 'snoozed') resumes = row.active_agent;
  } else if (row.last_status === 'resolved' && row.last_resolved !== null && inWindow(site, row.last_resolved, now)) {
    resumes = row.last_agent;
  } else {
    opens = true;
  }
  return { opens, ready: resumes ? await readyAgents(ctx, site.id) : undefined };
}

/** Whether a ticket resolved at `resolvedAt` (ms) reopens when its visitor writes at `now`. */
const inWindow = (site: Site, resolvedAt: number, now: Date) => site.reopenWindowSec > 0 && now.getTime() - resolvedAt <= site.reopenWindowSec * 1000;

/**
 * What a visitor's message does when they have no open or pending ticket, inside the caller's
 * transaction, before the message is appended:
 * - a snoozed ticket wakes up, offered first to its agent;
 * - a ticket resolved within the site's reopen window opens again, offered first to the agent who had it;
 * - after the window, the new conversation links the earlier ticket (previousId).
 * `active` is the visitor's unresolved conversation, locked, if any.
 */
export async function resumeForVisitor(
  tx: Db,
  site: Site,
  visitorId: string,
  active: Conversation | undefined,
  now: Date,
  /** The site's agents ready to take a ticket back (priorOf), asked before the transaction. */
  ready: string[] | undefined,
): Promise<{ conv?: Conversation; previousId: string | null; reopened?: boolean; agentName?: string; before?: ConversationChange }> {
  if (active && active.status !== 'snoozed') return { conv: active, previousId: null };
  let conv = active;
  if (!conv) {
    const [last] = await tx
      .select()
      .from(conversations)
      .where(and(eq(conversations.visitorId, visitorId), isNotNull(conversations.escalatedAt)))
      .orderBy(desc(conversations.createdAt))
      .limit(1)
      .for('update');
    if (!last) return { previousId: null };
    // Another tab's message reopened it while this one waited for the lock.
    if (last.status !== 'resolved') return { conv: last, previousId: null };
    if (last.resolvedAt === null || !inWindow(site, last.resolvedAt.getTime(), now)) return { previousId: last.id };
    conv = last;
  }
  const agent = await offerTo(tx, conv.assignedAgentId, conv.siteId, ready);
  const reopened = conv.status === 'resolved';
  const row = await repo.updateConversation(tx, conv.id, {
    status: 'open',
    assignedAgentId: agent?.id ?? null,
    snoozedUntil: null,
    ...(reopened ? { resolvedAt: null, reopenedAt: now } : {}),
    updatedAt: now,
  });
  return { conv: row, previousId: null, reopened, agentName: agent?.name, before: changeOf(conv) };
}

/** The ticket, locked, if it is of one of the agent's sites. */
async function lockTicket(tx: Db, siteIds: string[], id: string): Promise<Conversation> {
  const conv = await repo.lockConversation(tx, id);
  if (!conv || !siteIds.includes(conv.siteId)) throw new AppError('NOT_FOUND');
  return conv;
}

/** Only the assignee (or an admin) changes a ticket someone has; anyone of the site one nobody has. */
function assertMayHandle(conv: Conversation, agent: SessionAgent): void {
  if (conv.assignedAgentId && conv.assignedAgentId !== agent.id && agent.role !== 'admin') throw new AppError('ALREADY_CLAIMED');
}

/** An agent reopens a resolved ticket and takes it; one that is not resolved comes back as it is. */
export async function reopen(ctx: Ctx, agent: SessionAgent, siteIds: string[], id: string): Promise<ConversationDTO> {
  const now = ctx.clock();
  let outcome: Outcome;
  try {
    outcome = await ctx.db.transaction(async (tx) => {
      const conv = await lockTicket(tx, siteIds, id);
      if (conv.status !== 'resolved') return { conversationId: id, created: [], before: changeOf(conv) };
      if (!conv.escalatedAt) throw new AppError('INVALID_STATE');
      await repo.updateConversation(tx, id, { status: 'open', assignedAgentId: agent.id, resolvedAt: null, reopenedAt: now, updatedAt: now });
      const message = await repo.appendMessage(tx, id, notice('reopened', { agentName: agent.name }), now);
      return { conversationId: id, created: [{ message, authorName: null }], before: changeOf(conv) };
    });
  } catch (err) {
    // The visitor has started another ticket since: one unresolved conversation per visitor.
    if (isUniqueViolation(err)) throw new AppError('INVALID_STATE');
    throw err;
  }
  return publish(ctx, outcome);
}

/** Sets a ticket aside until `until`; the periodic wake-up (or the visitor writing) puts it back in the queue. */
export async function snooze(ctx: Ctx, agent: SessionAgent, siteIds: string[], input: ConversationSnooze): Promise<ConversationDTO> {
  const now = ctx.clock();
  const until = new Date(input.until);
  if (until.getTime() <= now.getTime() || until.getTime() - now.getTime() > SNOOZE_MAX_MS) throw new AppError('INVALID_TIME');
  const outcome = await ctx.db.transaction(async (tx) => {
    const conv = await lockTicket(tx, siteIds, input.conversationId);
    if (conv.status === 'resolved') throw new AppError('CONVERSATION_CLOSED');
    if (conv.status === 'bot') throw new AppError('INVALID_STATE');
    assertMayHandle(conv, agent);
    // Set aside by someone, it stays theirs (in their Mine, marked snoozed) rather than nobody's.
    await repo.updateConversation(tx, conv.id, { status: 'snoozed', snoozedUntil: until, assignedAgentId: conv.assignedAgentId ?? agent.id, updatedAt: now });
    return { conversationId: conv.id, created: [], before: changeOf(conv) };
  });
  return publish(ctx, outcome);
}

/**
 * Hands a ticket to another agent of its site, or back to the waiting queue (agentId null). The
 * note, if any, is a private note addressed to the receiver; the visitor sees who joined, or that
 * a person will reply.
 */
export async function transfer(ctx: Ctx, agent: SessionAgent, siteIds: string[], input: ConversationTransfer): Promise<ConversationDTO> {
  const now = ctx.clock();
  const outcome = await ctx.db.transaction(async (tx) => {
    const conv = await lockTicket(tx, siteIds, input.conversationId);
    if (conv.status === 'resolved') throw new AppError('CONVERSATION_CLOSED');
    if (conv.status === 'bot') throw new AppError('INVALID_STATE');
    assertMayHandle(conv, agent);
    const to = input.agentId ? await lockAgentOnSite(tx, input.agentId, conv.siteId) : null;
    if (input.agentId && !to) throw new AppError('AGENT_NOT_ON_SITE');
    if ((to?.id ?? null) === conv.assignedAgentId) return { conversationId: conv.id, created: [], before: changeOf(conv) };
    const created: New[] = [];
    // A snoozed ticket handed over is awake again: the receiver should see it now.
    await repo.updateConversation(tx, conv.id, { assignedAgentId: to?.id ?? null, status: 'open', snoozedUntil: null, updatedAt: now });
    if (input.note) {
      const meta = { transfer: { fromName: agent.name, toName: to?.name ?? null } };
      created.push({ message: await repo.appendMessage(tx, conv.id, { author: 'agent', agentId: agent.id, kind: 'note', body: input.note, meta }, now), authorName: agent.name });
    }
    const line = to ? notice('agent_joined', { agentName: to.name }) : notice('waiting_for_agent');
    created.push({ message: await repo.appendMessage(tx, conv.id, line, now), authorName: null });
    return { conversationId: conv.id, created, before: changeOf(conv) };
  });
  return publish(ctx, outcome);
}

/**
 * A private note: any agent of the site may add one, at any status; it changes nothing about the
 * ticket (not its status, not the first response). Stored once per clientId.
 */
export async function addNote(ctx: Ctx, agent: SessionAgent, siteIds: string[], input: Pick<AgentMessageSend, 'conversationId' | 'clientId' | 'body'>): Promise<MessageDTO> {
  const now = ctx.clock();
  const outcome = await ctx.db.transaction(async (tx) => {
    const conv = await lockTicket(tx, siteIds, input.conversationId);
    const dup = await repo.findMessageByClientId(tx, conv.id, input.clientId);
    if (dup) {
      if (dup.agentId !== agent.id || dup.kind !== 'note') throw new AppError('CONFLICT');
      return { conversationId: conv.id, created: [{ message: dup, authorName: agent.name }], before: changeOf(conv) };
    }
    const message = await repo.appendMessage(tx, conv.id, { author: 'agent', agentId: agent.id, kind: 'note', body: input.body, clientId: input.clientId }, now);
    return { conversationId: conv.id, created: [{ message, authorName: agent.name }], before: changeOf(conv) };
  });
  await publish(ctx, outcome);
  return repo.toMessageDTO(outcome.created[0].message, agent.name);
}

/** Who a ticket can be transferred to: the active agents with rights on its site (admins included), by name. */
export async function transferTargets(ctx: Ctx, siteIds: string[], id: string): Promise<TransferTargetDTO[]> {
  const conv = await repo.findConversation(ctx.db, id);
  if (!conv || !siteIds.includes(conv.siteId)) throw new AppError('NOT_FOUND');
  return ctx.db
    .select({ id: agents.id, name: agents.name, availability: agents.availability })
    .from(agents)
    .where(
      and(
        eq(agents.active, true),
        sql`(${agents.role} = 'admin' or exists (select 1 from ${agentSites} s where s.agent_id = ${agents.id} and s.site_id = ${conv.siteId}))`,
      ),
    )
    .orderBy(agents.name);
}

/**
 * Wakes the snoozed tickets whose time has come: one UPDATE … RETURNING, so with several nodes
 * running it each ticket is woken by exactly one, which pushes the change. A woken ticket is
 * open and keeps its agent while they are present for the site; else it waits in the queue.
 */
const WAKE = `
UPDATE conversations SET status = 'open', snoozed_until = NULL, updated_at = $1
WHERE status = 'snoozed' AND snoozed_until <= $1
RETURNING id, site_id, assigned_agent_id`;

export async function wakeSnoozed(ctx: Ctx): Promise<number> {
  const now = ctx.clock();
  const rows = await ctx.raw<{ id: string; site_id: string; assigned_agent_id: string | null }>(WAKE, [now.toISOString()]);
  const ready = new Map<string, Promise<string[]>>();
  for (const row of rows) {
    const before = { status: 'snoozed' as const, assignedAgentId: row.assigned_agent_id };
    if (row.assigned_agent_id) {
      if (!ready.has(row.site_id)) ready.set(row.site_id, readyAgents(ctx, row.site_id));
      if (!(await ready.get(row.site_id))!.includes(row.assigned_agent_id)) {
        await repo.updateConversation(ctx.db, row.id, { assignedAgentId: null }, and(eq(conversations.status, 'open'), eq(conversations.assignedAgentId, row.assigned_agent_id)));
      }
    }
    const conv = await repo.getConversationDTO(ctx.db, row.id);
    if (conv) ctx.realtime.conversationUpdated(conv, before);
  }
  return rows.length;
}

/** Runs wakeSnoozed every `everyMs` on this node (every node may run it). */
export function snoozeTimer(ctx: Ctx, everyMs: number): ReturnType<typeof periodic> {
  return periodic(() => wakeSnoozed(ctx), {
    everyMs,
    onError: (err) => ctx.log.warn({ err }, 'waking snoozed conversations failed; the next tick tries again'),
  });
}
