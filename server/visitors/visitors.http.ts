import { Router } from 'express';
import { Id } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { json, parse } from '../http/respond.ts';
import { assertAdmin } from '../agents/agents.service.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { eraseVisitor, exportVisitor } from './privacy.ts';
import { visitorPanel } from './visitor-panel.ts';

/** The visitor beside a conversation, for its site's agents; and, admin only, a visitor's data exported or erased on their request. */
export function visitorsRouter(ctx: Ctx): Router {
  const r = Router();
  r.get(
    '/api/conversations/:id/visitor',
    requireAgent(ctx),
    json(async (req) => visitorPanel(ctx.db, req.agent!.siteIds, parse(Id, req.params.id))),
  );
  r.get(
    '/api/visitors/:id/export',
    requireAgent(ctx),
    json(async (req) => {
      assertAdmin(req.agent!);
      return exportVisitor(ctx, req.agent!.siteIds, parse(Id, req.params.id));
    }),
  );
  r.delete(
    '/api/visitors/:id',
    requireAgent(ctx),
    json(async (req) => {
      assertAdmin(req.agent!);
      return eraseVisitor(ctx, req.agent!.siteIds, parse(Id, req.params.id));
    }),
  );
  return r;
}
