/**
 * Who is at the desk. An agent is present for a site while at least one of their console sockets,
 * on any node, is in the site's `ready:<site>` room; a socket is in it while the agent's chosen
 * availability (agents.availability, read again with the rights every second) is `online`. With
 * the Redis adapter the rooms span every node, so presence needs no store of its own and drops by
 * itself when the agent's last console tab closes: its socket leaves every room.
 */
import { eq } from 'drizzle-orm';
import type { Availability } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { agents } from '../db/schema.ts';
import { pushAgentRights, type AgentSocket } from '../agents/agent-rights.ts';
import { rooms } from '../realtime/realtime.ts';

const READY = rooms.ready('');

/**
 * Puts the socket in the ready rooms its agent's availability and sites call for, and takes it out
 * of the others. Returns the sites whose room it joined or left (their presence may have changed).
 */
export function syncReady(socket: AgentSocket): string[] {
  const { agent, siteIds } = socket.data.auth;
  const want = new Set(agent.availability === 'online' ? siteIds.map(rooms.ready) : []);
  const changed: string[] = [];
  for (const room of [...socket.rooms]) {
    if (room.startsWith(READY) && !want.has(room)) {
      socket.leave(room);
      changed.push(room.slice(READY.length));
    }
  }
  for (const room of want) {
    if (!socket.rooms.has(room)) {
      socket.join(room);
      changed.push(room.slice(READY.length));
    }
  }
  return changed;
}

/**
 * The agent chose an availability: stored, then every tab of theirs on every node re-reads it with
 * their rights (which moves their sockets in or out of the ready rooms) and is told.
 */
export async function setAvailability(ctx: Ctx, socket: AgentSocket, availability: Availability): Promise<{ availability: Availability }> {
  const id = socket.data.auth.agent.id;
  await ctx.db.update(agents).set({ availability }).where(eq(agents.id, id));
  await pushAgentRights(ctx, id);
  ctx.realtime.agents.to(rooms.me(id)).emit('agent:availability', { availability });
  return { availability };
}

const ME = rooms.me('');
let lastWarned = 0;

/**
 * The ids of the agents present and online for a site, on every node (one cluster request), read
 * from their `me:` rooms. When the other nodes cannot be asked (Redis away, a node not answering),
 * this node's own agents: a visitor's message that offers its ticket back to its agent, the
 * assignment and the snoozed tickets' wake-up go on with who is here, as the rest of the node does,
 * instead of failing (a visitor's text into a resolved ticket was refused for the whole outage).
 */
export async function readyAgents(ctx: Ctx, siteId: string): Promise<string[]> {
  const room = rooms.ready(siteId);
  const sockets = await ctx.realtime.agents
    .in(room)
    .fetchSockets()
    .catch((err: unknown) => {
      // Said once a minute at most: during an outage every such lookup fails alike.
      if (Date.now() - lastWarned > 60_000) {
        lastWarned = Date.now();
        ctx.log.warn({ err: String(err) }, 'other nodes not reachable: presence from this node only');
      }
      return ctx.realtime.agents.local.in(room).fetchSockets();
    });
  const ids = sockets.flatMap((s) => [...s.rooms].filter((r) => r.startsWith(ME)).map((r) => r.slice(ME.length)));
  return [...new Set(ids)];
}
