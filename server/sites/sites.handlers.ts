import { Router } from 'express';
import type { SiteDTO } from '../../shared/http.ts';
import type { Ctx } from '../context.ts';
import { json } from '../http/respond.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { DEFAULT_THRESHOLD } from '../faq/engine/index.ts';
import { listSites } from './sites.repository.ts';

export function sitesRouter(ctx: Ctx): Router {
  const r = Router();
  r.get(
    '/api/sites',
    requireAgent(ctx),
    json(async (req): Promise<SiteDTO[]> => {
      const rows = await listSites(ctx.db, req.agent!.siteIds);
      return rows.map((s) => ({ id: s.id, name: s.name, origins: s.origins, faqThreshold: s.faqThreshold ?? DEFAULT_THRESHOLD }));
    }),
  );
  return r;
}
