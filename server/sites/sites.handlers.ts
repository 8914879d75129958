import { Router } from 'express';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { SiteDTO } from '../../shared/http.ts';
import { SiteSettings } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { sites, type Site } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { json, parse } from '../http/respond.ts';
import { assertAdmin } from '../agents/agents.service.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { DEFAULT_THRESHOLD } from '../faq/engine/index.ts';
import { listSites } from './sites.repository.ts';
import { normalizeOrigin } from './sites.service.ts';

const toDTO = (s: Site): SiteDTO => ({ id: s.id, name: s.name, origins: s.origins, faqThreshold: s.faqThreshold ?? DEFAULT_THRESHOLD });

export function sitesRouter(ctx: Ctx): Router {
  const r = Router();
  r.get(
    '/api/sites',
    requireAgent(ctx),
    json(async (req) => (await listSites(ctx.db, req.agent!.siteIds)).map(toDTO)),
  );
  /** Admin only: origins, the FAQ answer threshold, identity rules. */
  r.put(
    '/api/sites/:id',
    requireAgent(ctx),
    json(async (req) => {
      assertAdmin(req.agent!);
      const id = parse(z.string().min(1).max(64), req.params.id);
      if (!req.agent!.siteIds.includes(id)) throw new AppError('NOT_FOUND');
      const body = parse(SiteSettings, req.body);
      const set = { ...body, ...(body.origins ? { origins: [...new Set(body.origins.map(normalizeOrigin))] } : {}) };
      if (Object.keys(set).length === 0) throw new AppError('INVALID_PAYLOAD');
      const [row] = await ctx.db.update(sites).set(set).where(eq(sites.id, id)).returning();
      await ctx.sites.changed(id);
      return toDTO(row);
    }),
  );
  return r;
}
