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

/** The ids of the agents present and online for a site, on every node (one cluster request), read from their `me:` rooms. */
export async function readyAgents(ctx: Ctx, siteId: string): Promise<string[]> {
  const sockets = await ctx.realtime.agents.in(rooms.ready(siteId)).fetchSockets();
  const ids = sockets.flatMap((s) => [...s.rooms].filter((r) => r.startsWith(ME)).map((r) => r.slice(ME.length)));
  return [...new Set(ids)];
}
