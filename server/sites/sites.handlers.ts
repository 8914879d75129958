import { Router, type Request } from 'express';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { SiteAdminDTO, SiteDTO, SiteSecretDTO } from '../../shared/http.ts';
import { SiteCreate, SiteSettings } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { sites, type Site } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { json, parse } from '../http/respond.ts';
import { assertAdmin } from '../agents/agents.service.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { pushAgentRights } from '../agents/agent-rights.ts';
import { adminIds } from '../agents/agents.repository.ts';
import { publicUrlOf } from '../agents/team.handlers.ts';
import { DEFAULT_THRESHOLD } from '../faq/engine/index.ts';
import { findSite, listSites } from './sites.repository.ts';
import { createSite, normalizeOrigin, rotateSecret } from './sites.service.ts';

const toDTO = (s: Site): SiteDTO => ({ id: s.id, name: s.name, origins: s.origins, faqThreshold: s.faqThreshold ?? DEFAULT_THRESHOLD, firstResponseTargetSec: s.firstResponseTargetSec });

/** The snippet a site pastes into its pages. */
export const embedSnippet = (publicUrl: string, siteId: string) => `<script src="${publicUrl}/widget.js" data-site="${siteId}" async></script>`;

function toAdminDTO(s: Site, publicUrl: string, now: Date): SiteAdminDTO {
  const grace = s.previousSecretExpiresAt && s.previousSecretExpiresAt > now ? s.previousSecretExpiresAt.toISOString() : null;
  return {
    ...toDTO(s),
    requireIdentity: s.requireIdentity,
    identityMaxAgeSec: s.identityMaxAgeSec,
    keepFullPageUrls: s.keepFullPageUrls,
    assignmentMode: s.assignmentMode,
    reopenWindowSec: s.reopenWindowSec,
    csatEnabled: s.csatEnabled,
    replySound: s.replySound,
    emailUnseenAfterSec: s.emailUnseenAfterSec,
    prechatForm: s.prechatForm,
    attachmentMaxBytes: s.attachmentMaxBytes,
    attachmentTypes: s.attachmentTypes,
    faqTargetPrecision: s.faqTargetPrecision,
    faqReviewLearned: s.faqReviewLearned,
    businessHours: s.businessHours,
    snippet: embedSnippet(publicUrl, s.id),
    previousSecretExpiresAt: grace,
  };
}

/** Admins see every site; a new one reaches their open sockets now rather than at the next check. */
async function pushToAdmins(ctx: Ctx): Promise<void> {
  await Promise.all((await adminIds(ctx.db)).map((id) => pushAgentRights(ctx, id)));
}

export function sitesRouter(ctx: Ctx): Router {
  const r = Router();
  const siteId = (req: Request) => {
    const id = parse(z.string().min(1).max(64), req.params.id);
    if (!req.agent!.siteIds.includes(id)) throw new AppError('NOT_FOUND');
    return id;
  };
  r.get(
    '/api/sites',
    requireAgent(ctx),
    json(async (req) => (await listSites(ctx.db, req.agent!.siteIds)).map(toDTO)),
  );
  /** Admin only: a new site, with its secret shown once. */
  r.post(
    '/api/sites',
    requireAgent(ctx),
    json(async (req): Promise<SiteSecretDTO> => {
      assertAdmin(req.agent!);
      const body = parse(SiteCreate, req.body);
      const site = await createSite(ctx.db, body);
      // A key looked up before it existed is remembered as unknown for a few seconds: forget that.
      await ctx.sites.changed(site.id);
      await pushToAdmins(ctx);
      return { site: toAdminDTO(site, publicUrlOf(ctx, req), ctx.clock()), secret: site.secret };
    }),
  );
  r.get(
    '/api/sites/:id',
    requireAgent(ctx),
    json(async (req) => {
      assertAdmin(req.agent!);
      const site = await findSite(ctx.db, siteId(req));
      if (!site) throw new AppError('NOT_FOUND');
      return toAdminDTO(site, publicUrlOf(ctx, req), ctx.clock());
    }),
  );
  /** Admin only: a new secret; the previous one still verifies identities for SECRET_GRACE_MS. */
  r.post(
    '/api/sites/:id/secret',
    requireAgent(ctx),
    json(async (req): Promise<SiteSecretDTO> => {
      assertAdmin(req.agent!);
      const rotated = await rotateSecret(ctx.db, siteId(req), ctx.clock());
      if (!rotated) throw new AppError('NOT_FOUND');
      await ctx.sites.changed(rotated.site.id);
      return { site: toAdminDTO(rotated.site, publicUrlOf(ctx, req), ctx.clock()), secret: rotated.secret };
    }),
  );
  /** Admin only: any of SiteSettings (origins, FAQ, identity, assignment, reopening, attachments, business hours…). */
  r.put(
    '/api/sites/:id',
    requireAgent(ctx),
    json(async (req) => {
      assertAdmin(req.agent!);
      const id = siteId(req);
      const body = parse(SiteSettings, req.body);
      const set = {
        ...body,
        ...(body.origins ? { origins: [...new Set(body.origins.map(normalizeOrigin))] } : {}),
        ...(body.attachmentTypes ? { attachmentTypes: [...new Set(body.attachmentTypes)] } : {}),
      };
      if (Object.keys(set).length === 0) throw new AppError('INVALID_PAYLOAD');
      const [row] = await ctx.db.update(sites).set(set).where(eq(sites.id, id)).returning();
      await ctx.sites.changed(id);
      return toAdminDTO(row, publicUrlOf(ctx, req), ctx.clock());
    }),
  );
  return r;
}
