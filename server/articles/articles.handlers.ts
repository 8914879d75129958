import { Router, type Request } from 'express';
import { z } from 'zod';
import { ArticlesPut, SiteQuery } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import { json, parse, storable } from '../http/respond.ts';
import { safeEqual } from '../crypto.ts';
import { authenticate } from '../agents/agents.service.ts';
import { readCookie, requireAgent } from '../agents/agents.handlers.ts';
import { SESSION_COOKIE } from '../../shared/http.ts';
import { findSite } from '../sites/sites.repository.ts';
import { pickSite } from '../sites/pick-site.ts';
import { listArticles, upsertArticles } from './articles.service.ts';
import { activeSecrets } from '../sites/sites.service.ts';

/** A site's back end authenticates with `Authorization: Bearer <site secret>`; the console with its session. */
async function siteForWrite(ctx: Ctx, req: Request, siteId: string | undefined): Promise<string> {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) {
    const site = typeof siteId === 'string' && storable(siteId) ? await findSite(ctx.db, siteId) : undefined;
    if (!site || !activeSecrets(site, ctx.clock()).some((secret) => safeEqual(secret, bearer))) throw new AppError('UNAUTHORIZED');
    return site.id;
  }
  const auth = await authenticate(ctx.db, readCookie(req.headers.cookie, SESSION_COOKIE), ctx.clock());
  if (!auth) throw new AppError('UNAUTHORIZED');
  return pickSite(auth, siteId);
}

export function articlesRouter(ctx: Ctx): Router {
  const r = Router();
  r.put(
    '/api/articles',
    json(async (req) => {
      const body = parse(ArticlesPut, req.body);
      const list = Array.isArray(body) ? body : [body];
      const siteId = await siteForWrite(ctx, req, parse(SiteQuery, req.query).siteId ?? list[0].siteId);
      if (list.some((a) => a.siteId && a.siteId !== siteId)) throw new AppError('FORBIDDEN');
      return { count: await upsertArticles(ctx, siteId, list) };
    }),
  );
  r.get(
    '/api/articles',
    requireAgent(ctx),
    json(async (req) => {
      const q = parse(z.object({ siteId: z.string().max(64).optional() }), req.query);
      return listArticles(ctx, q.siteId ? [pickSite(req.agent!, q.siteId)] : req.agent!.siteIds);
    }),
  );
  return r;
}
