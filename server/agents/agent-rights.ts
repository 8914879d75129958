/**
 * Rights are checked when used. An agent socket keeps its session's rights (agent, role, sites) in
 * socket.data.auth for the handlers; this keeps that copy at most about a second old, on every node:
 * - every RIGHTS.checkEveryMs, one query re-reads the rights of every agent socket on this node, so
 *   a socket that sends nothing also stops receiving the broadcasts of a site it lost;
 * - before each event, rights older than RIGHTS.maxAgeMs are read again (one query): only when the
 *   periodic check is late or failing, since it is twice the period (at the same period, every
 *   event in the moments before each periodic check paid a query of its own);
 * - pushAgentRights applies a change made through this server at once, on every node.
 * A socket whose session ended (expired, logged out, agent deleted) is disconnected; one that lost
 * a site leaves that site's room and the rooms of that site's conversations it had open.
 */
import type { Socket } from 'socket.io';
import type { DefaultEventsMap } from 'socket.io';
import { fail, type Ack } from '../../shared/result.ts';
import type { Ctx } from '../context.ts';
import { toFailure } from '../realtime/handler.ts';
import { rooms } from '../realtime/realtime.ts';
import { conversationSites, sessionRights } from './agents.repository.ts';
import type { AgentContext } from './agents.service.ts';
import { syncReady } from '../presence/presence.ts';

/** Changed by tests only (a long period isolates pushAgentRights from the periodic check). */
export const RIGHTS = { maxAgeMs: 2000, checkEveryMs: 1000 };

/** The server-to-server event that makes every node re-check one agent's sockets. */
const RIGHTS_CHANGED = 'agent:rights-changed';

export interface AgentSocketData {
  auth: AgentContext;
  /** sha256 of the session cookie: the sessions row these rights come from. */
  sessionId: string;
  /** When auth was last read from the database (ms since epoch). */
  checkedAt: number;
}

// Events stay untyped here, as every handler parses its payload itself (realtime/handler.ts).
export type AgentSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, AgentSocketData>;

/** This node's periodic check, per app: present while it has agent sockets. */
const watches = new WeakMap<Ctx, Watch>();
interface Watch {
  timer?: NodeJS.Timeout;
  running: boolean;
  /** Whether the last check failed: a database outage is logged once, not every second. */
  failing: boolean;
}
/** Apps listening for RIGHTS_CHANGED from other nodes. */
const listening = new WeakSet<Ctx>();
const refreshing = new WeakMap<AgentSocket, Promise<void>>();

const CONV = rooms.conversation('');
const openConversations = (s: AgentSocket) => [...s.rooms].filter((r) => r.startsWith(CONV)).map((r) => r.slice(CONV.length));

/**
 * Re-reads the rights of these local sockets and applies them: one query for the sessions, and one
 * for the sites of the conversations they have open (every time, not only when a site was lost: an
 * open that was under way during the change may have joined its room after the change was applied).
 */
async function recheck(ctx: Ctx, sockets: AgentSocket[]): Promise<void> {
  if (!sockets.length) return;
  const at = Date.now();
  const rights = await sessionRights(ctx.db, [...new Set(sockets.map((s) => s.data.sessionId))], ctx.clock());
  const convSites = await conversationSites(ctx.db, [...new Set(sockets.flatMap(openConversations))]);
  for (const s of sockets) apply(ctx, s, rights.get(s.data.sessionId), convSites, at);
}

function apply(ctx: Ctx, socket: AgentSocket, fresh: AgentContext | undefined, convSites: Map<string, string>, at: number): void {
  // A read that started before the one already applied may hold older rights.
  if (!socket.connected || at < socket.data.checkedAt) return;
  if (!fresh) {
    socket.disconnect(true);
    return;
  }
  const before = socket.data.auth.siteIds;
  socket.data.auth = fresh;
  socket.data.checkedAt = at;
  for (const id of openConversations(socket)) {
    const siteId = convSites.get(id);
    if (siteId === undefined || !fresh.siteIds.includes(siteId)) socket.leave(rooms.conversation(id));
  }
  const lost = before.filter((id) => !fresh.siteIds.includes(id));
  const gained = fresh.siteIds.filter((id) => !before.includes(id));
  for (const id of lost) {
    socket.leave(rooms.site(id));
    socket.leave(rooms.agent(fresh.agent.id, id));
  }
  socket.join(gained.flatMap((id) => [rooms.site(id), rooms.agent(fresh.agent.id, id)]));
  // Sites lost or gained, or an availability chosen elsewhere: in or out of the ready rooms.
  const ready = syncReady(socket);
  for (const id of ready) if (socket.rooms.has(rooms.ready(id))) ctx.realtime.assigner.poke(id);
  const changed = [...new Set([...lost, ...gained, ...ready])];
  if (changed.length) void ctx.realtime.presenceChanged(changed);
}

/** Reads one socket's rights again now (joining a read already under way). */
function refresh(ctx: Ctx, socket: AgentSocket): Promise<void> {
  let p = refreshing.get(socket);
  if (!p) {
    p = recheck(ctx, [socket]).finally(() => refreshing.delete(socket));
    refreshing.set(socket, p);
  }
  return p;
}

const localAgentSockets = (ctx: Ctx) => [...ctx.realtime.agents.sockets.values()] as unknown as AgentSocket[];

/** One periodic check per node, running while it has agent sockets. */
function tick(ctx: Ctx): void {
  const watch = watches.get(ctx)!;
  const sockets = localAgentSockets(ctx);
  if (!sockets.length) {
    clearInterval(watch.timer);
    watches.delete(ctx);
    return;
  }
  if (watch.running) return; // the previous check is still waiting for the database
  watch.running = true;
  recheck(ctx, sockets).then(
    () => {
      if (watch.failing) ctx.log.info('agent rights check works again');
      watch.failing = watch.running = false;
    },
    (err) => {
      if (!watch.failing) ctx.log.warn({ err }, 'agent rights check failed; events are refused until rights can be read');
      watch.failing = true;
      watch.running = false;
    },
  );
}

/**
 * Called once per agent socket, after the handshake: re-reads stale rights before each event (an
 * event whose rights cannot be read is refused), and starts this node's periodic check.
 */
export function watchAgentRights(ctx: Ctx, socket: AgentSocket): void {
  if (!watches.has(ctx)) {
    const watch: Watch = { running: false, failing: false };
    watches.set(ctx, watch);
    watch.timer = setInterval(() => tick(ctx), RIGHTS.checkEveryMs);
    watch.timer.unref();
  }
  if (!listening.has(ctx)) {
    listening.add(ctx);
    ctx.realtime.agents.on(RIGHTS_CHANGED, (agentId: string) => void recheckAgent(ctx, agentId));
  }
  socket.use((packet, next) => {
    if (Date.now() - socket.data.checkedAt < RIGHTS.maxAgeMs) return next();
    const ack = typeof packet.at(-1) === 'function' ? (packet.at(-1) as (res: Ack<unknown>) => void) : () => {};
    refresh(ctx, socket).then(
      () => (socket.connected ? next() : ack(fail('UNAUTHORIZED'))),
      (err) => ack(toFailure(ctx.log, String(packet[0]), err)),
    );
  });
}

async function recheckAgent(ctx: Ctx, agentId: string): Promise<void> {
  const sockets = localAgentSockets(ctx).filter((s) => s.data.auth.agent.id === agentId);
  await recheck(ctx, sockets).catch((err) => ctx.log.warn({ err }, 'agent rights check failed'));
}

/**
 * After this server changes an agent's sites, role or sessions (an admin API), applies the change
 * to their open sockets at once, on every node, rather than within the periodic check.
 */
export async function pushAgentRights(ctx: Ctx, agentId: string): Promise<void> {
  // The change is stored already: when the other nodes cannot be counted (Redis away), tell them
  // anyway (a publish that cannot go is lost, adapter.ts) and their periodic check applies it.
  const nodes = await ctx.realtime.agents.adapter.serverCount().catch(() => 2);
  if (nodes > 1) ctx.realtime.agents.serverSideEmit(RIGHTS_CHANGED, agentId);
  await recheckAgent(ctx, agentId);
}
