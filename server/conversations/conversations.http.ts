import { Router } from 'express';
import { z } from 'zod';
import { Id } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { json, parse } from '../http/respond.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { listTickets, openForAgent } from './conversations.service.ts';
import { transferTargets } from './lifecycle.service.ts';

const ListQuery = z.object({ status: z.enum(['open', 'pending', 'snoozed', 'resolved']).optional(), siteId: z.string().max(64).optional(), label: Id.optional() });

/** Ticket history for the console (the live queue is on the socket). */
export function conversationsRouter(ctx: Ctx): Router {
  const r = Router();
  r.get(
    '/api/conversations',
    requireAgent(ctx),
    json(async (req) => {
      const q = parse(ListQuery, req.query);
      const sites = q.siteId ? req.agent!.siteIds.filter((s) => s === q.siteId) : req.agent!.siteIds;
      return listTickets(ctx, sites, q.status, q.label);
    }),
  );
  r.get(
    '/api/conversations/:id/agents',
    requireAgent(ctx),
    json(async (req) => transferTargets(ctx, req.agent!.siteIds, parse(Id, req.params.id))),
  );
  r.get(
    '/api/conversations/:id',
    requireAgent(ctx),
    json(async (req) => openForAgent(ctx, req.agent!.siteIds, parse(Id, req.params.id))),
  );
  return r;
}
