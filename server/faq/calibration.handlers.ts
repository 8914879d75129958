/** GET /api/faqs/calibration: what a site's FAQ should do at its threshold, for the console's FAQ view. */
import { Router } from 'express';
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { FaqCalibrationDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import type { Db } from '../db/client.ts';
import { faqEntries, questions } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { json, parse } from '../http/respond.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { outdated } from './calibration.ts';
import { pickSite } from '../sites/pick-site.ts';
import { DEFAULT_TARGET_PRECISION, type AlikeEntry, type ConfusedPair } from './engine/calibrate.ts';

const CalibrationQuery = z.object({ siteId: z.string().max(64).optional() });

/** How far back the visitors' responses to automatic answers are counted. */
const VERDICT_DAYS = 30;

/**
 * What visitors did after the FAQ answered them on its own (in the chat, not a suggestion they picked
 * while typing) over the last VERDICT_DAYS: the measured side of the estimate, which asks the FAQ's own
 * variants. One indexed range of the site's questions (questions_site_created_idx).
 */
async function visitorVerdicts(db: Db, siteId: string, now: Date): Promise<FaqCalibrationDTO['visitors']> {
  const since = new Date(now.getTime() - VERDICT_DAYS * 86_400_000);
  const [row] = await db
    .select({
      answered: sql<number>`count(*)::int`,
      solved: sql<number>`count(*) filter (where ${questions.outcome} = 'solved')::int`,
      askedForPerson: sql<number>`count(*) filter (where ${questions.outcome} = 'human')::int`,
    })
    .from(questions)
    .where(and(eq(questions.siteId, siteId), gte(questions.createdAt, since), eq(questions.decision, 'answer'), eq(questions.channel, 'chat')));
  return { days: VERDICT_DAYS, answered: row?.answered ?? 0, solved: row?.solved ?? 0, askedForPerson: row?.askedForPerson ?? 0 };
}

/** As stored; a calibration stored before a field existed lacks it. */
interface Details { targetPrecision?: number; samples?: number; unfit?: boolean; oosAnswered?: number; confused?: ConfusedPair[]; alike?: AlikeEntry[]; optimistic?: boolean }

export function faqCalibrationRouter(ctx: Ctx): Router {
  const r = Router();
  r.get(
    '/api/faqs/calibration',
    requireAgent(ctx),
    json(async (req): Promise<FaqCalibrationDTO> => {
      const siteId = pickSite(req.agent!, parse(CalibrationQuery, req.query).siteId);
      const site = await ctx.sites.get(siteId);
      if (!site) throw new AppError('NOT_FOUND');
      const target = site.faqTargetPrecision ?? DEFAULT_TARGET_PRECISION;
      // First: for a site never calibrated this computes the calibration (calibration.ts), which the row below then holds.
      const calibrated = await ctx.faq.calibrations.threshold(siteId);
      const row = await ctx.faq.calibrations.stored(siteId);
      const details = (row?.details ?? {}) as Details;
      // Never computed, for another target (the site's setting changed since) or under older rules: calibrate again.
      const stale = !row || details.targetPrecision !== target || outdated(row);
      if (stale) ctx.faq.calibrations.changed(siteId);
      const confused = details.confused ?? [];
      const alike = details.alike ?? [];
      const ids = [...new Set([...confused.flatMap((p) => [p.from, p.to]), ...alike.map((a) => a.entry)])];
      const questions = new Map(
        ids.length ? (await ctx.db.select({ id: faqEntries.id, question: faqEntries.question }).from(faqEntries).where(inArray(faqEntries.id, ids))).map((e) => [e.id, e.question]) : [],
      );
      const visitors = await visitorVerdicts(ctx.db, siteId, ctx.clock());
      return {
        siteId,
        threshold: site.faqThreshold ?? calibrated,
        source: site.faqThreshold === null ? 'calibrated' : 'site',
        targetPrecision: target,
        calibration: row
          ? {
              threshold: row.threshold,
              precision: row.precision,
              answered: row.answered,
              method: row.method,
              samples: details.samples ?? 0,
              unfit: details.unfit ?? false,
              oosAnswered: details.oosAnswered ?? 0,
              // An entry deleted since the calibration is left out of its pairs.
              confused: confused
                .filter((p) => questions.has(p.from) && questions.has(p.to))
                .map((p) => ({ from: { id: p.from, question: questions.get(p.from)! }, to: { id: p.to, question: questions.get(p.to)! }, count: p.count, example: p.example })),
              alike: alike.filter((a) => questions.has(a.entry)).map((a) => ({ id: a.entry, question: questions.get(a.entry)!, overlap: a.overlap })),
              optimistic: details.optimistic ?? false,
              computedAt: row.computedAt.toISOString(),
            }
          : null,
        pending: stale,
        visitors,
      };
    }),
  );
  return r;
}
