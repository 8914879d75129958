/** HTTP routes of canned replies: /api/canned-replies (list, create, update, delete). */
import { Router } from 'express';
import { z } from 'zod';
import { CannedReplyCreate, CannedReplyUpdate, Id, SiteKey } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { json, parse } from '../http/respond.ts';
import { perAgent } from '../http/agent-limit.ts';
import { LIMITS } from '../limits.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { createCanned, deleteCanned, listCanned, updateCanned } from './canned.service.ts';

const ListQuery = z.object({ siteId: SiteKey.optional() });

export function cannedRouter(ctx: Ctx): Router {
  const r = Router();
  const agent = [requireAgent(ctx), perAgent(ctx, 'team-tools', LIMITS.teamToolsPerAgent)];
  r.get('/api/canned-replies', ...agent, json(async (req) => listCanned(ctx, req.agent!, parse(ListQuery, req.query).siteId)));
  r.post('/api/canned-replies', ...agent, json(async (req) => createCanned(ctx, req.agent!, parse(CannedReplyCreate, req.body))));
  r.put(
    '/api/canned-replies/:id',
    ...agent,
    json(async (req) => updateCanned(ctx, req.agent!, parse(Id, req.params.id), parse(CannedReplyUpdate, req.body))),
  );
  r.delete(
    '/api/canned-replies/:id',
    ...agent,
    json(async (req) => {
      await deleteCanned(ctx, req.agent!, parse(Id, req.params.id));
      return {};
    }),
  );
  return r;
}
