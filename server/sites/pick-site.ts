import type { AgentContext } from '../agents/agents.service.ts';
import { AppError } from '../errors.ts';

/** The site a console request is about: the one named (if the agent may see it), or the agent's only site. */
export function pickSite(auth: AgentContext, siteId: unknown): string {
  if (typeof siteId === 'string' && siteId.length) {
    if (!auth.siteIds.includes(siteId)) throw new AppError('FORBIDDEN');
    return siteId;
  }
  if (auth.siteIds.length === 1) return auth.siteIds[0];
  throw new AppError(auth.siteIds.length ? 'INVALID_PAYLOAD' : 'FORBIDDEN');
}
