/** The agent's availability over the `/agent` socket. */
import { AvailabilitySet } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import type { AgentSocket } from '../agents/agent-rights.ts';
import { handlerFactory } from '../realtime/handler.ts';
import { setAvailability } from './presence.ts';

export function registerPresenceHandlers(ctx: Ctx, socket: AgentSocket): void {
  const on = handlerFactory(ctx.log);
  socket.on('agent:availability', on('agent:availability', AvailabilitySet, (input) => setAvailability(ctx, socket, input.availability)));
}
