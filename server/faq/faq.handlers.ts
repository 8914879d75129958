/** The console's FAQ API: CRUD, drafts, import/export, turning a conversation into a draft, demand, learning from agents. */
import express, { Router } from 'express';
import { z } from 'zod';
import { FaqAssist, FaqEntryInput, FaqFromConversation, FaqFromDemand, FaqImportJson, FaqLearn, Id, SiteQuery } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import { json, parse, pgDate } from '../http/respond.ts';
import { assertAdmin } from '../agents/agents.service.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { pickSite } from '../sites/pick-site.ts';
import { perAgent } from '../http/agent-limit.ts';
import { LIMITS } from '../limits.ts';
import * as repo from './faq.repository.ts';
import { faqFromCsv, faqToCsv } from './faq.csv.ts';
import { entryFromConversation, entryFromDemand, demand, importEntries } from './faq.admin.ts';
import { learnedByEntry } from './learned.repository.ts';
import * as learning from './learned.service.ts';
import type { Db } from '../db/client.ts';
import type { FaqEntry } from '../db/schema.ts';

/** Entries as the console shows them, each with its learned variants. */
async function withLearned(db: Db, entries: FaqEntry[]) {
  const learned = await learnedByEntry(db, entries.map((e) => e.id));
  return entries.map((e) => repo.toFaqDTO(e, learned.get(e.id)));
}

const ListQuery = z.object({ siteId: z.string().max(64).optional(), q: z.string().max(200).optional() });
const ExportQuery = z.object({ siteId: z.string().max(64).optional(), format: z.enum(['csv', 'json']).default('json') });
const ImportQuery = z.object({ siteId: z.string().max(64).optional(), format: z.enum(['csv', 'json']).default('json'), replace: z.enum(['0', '1', 'true', 'false']).optional() });
const DemandQuery = z.object({ siteId: z.string().max(64).optional(), from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() });

export function faqRouter(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAgent(ctx);

  r.get(
    '/api/faqs',
    auth,
    json(async (req) => {
      const q = parse(ListQuery, req.query);
      const sites = q.siteId ? [pickSite(req.agent!, q.siteId)] : req.agent!.siteIds;
      return withLearned(ctx.db, await repo.listEntries(ctx.db, sites, q.q));
    }),
  );

  r.post(
    '/api/faqs',
    auth,
    json(async (req) => {
      const input = parse(FaqEntryInput, req.body);
      const siteId = pickSite(req.agent!, input.siteId ?? parse(SiteQuery, req.query).siteId);
      const row = await repo.insertEntry(ctx.db, siteId, input, ctx.clock());
      await ctx.faq.changed({ siteId, kind: 'faq', id: row.id });
      return repo.toFaqDTO(row);
    }),
  );

  r.get(
    '/api/faqs/export',
    auth,
    async (req, res, next) => {
      try {
        const q = parse(ExportQuery, req.query);
        const siteId = pickSite(req.agent!, q.siteId);
        const entries = await repo.listEntries(ctx.db, [siteId], undefined, { published: true });
        res.setHeader('Content-Disposition', `attachment; filename="faq-${siteId}.${q.format}"`);
        if (q.format === 'csv') res.type('text/csv; charset=utf-8').send(faqToCsv(entries));
        else res.json(entries.map((e) => repo.toFaqDTO(e)));
      } catch (err) {
        next(err);
      }
    },
  );

  r.post(
    '/api/faqs/import',
    auth,
    express.text({ type: ['text/csv', 'text/plain'], limit: '2mb' }),
    json(async (req) => {
      assertAdmin(req.agent!);
      const q = parse(ImportQuery, req.query);
      const siteId = pickSite(req.agent!, q.siteId);
      let entries: FaqEntryInput[];
      let replace = q.replace === '1' || q.replace === 'true';
      if (q.format === 'csv' || typeof req.body === 'string') {
        if (typeof req.body !== 'string') throw new AppError('INVALID_PAYLOAD');
        entries = faqFromCsv(req.body);
      } else {
        const body = parse(FaqImportJson, req.body);
        entries = body.entries;
        replace ||= body.replace;
      }
      return { imported: await importEntries(ctx, siteId, entries, replace) };
    }),
  );

  r.post(
    '/api/faqs/from-conversation',
    auth,
    json(async (req) => repo.toFaqDTO(await entryFromConversation(ctx, req.agent!, parse(FaqFromConversation, req.body)))),
  );

  r.post(
    '/api/faqs/from-demand',
    auth,
    perAgent(ctx, 'faq-drafts', LIMITS.teamToolsPerAgent),
    json(async (req) => repo.toFaqDTO(await entryFromDemand(ctx, req.agent!, parse(FaqFromDemand, req.body)))),
  );

  r.post('/api/faqs/assist', auth, json(async (req) => learning.assist(ctx, req.agent!, parse(FaqAssist, req.body))));
  r.post('/api/faqs/learned', auth, json(async (req) => learning.learn(ctx, req.agent!, parse(FaqLearn, req.body))));
  r.post('/api/faqs/learned/:id/approve', auth, json(async (req) => learning.approve(ctx, req.agent!, parse(Id, req.params.id))));
  r.delete(
    '/api/faqs/learned/:id',
    auth,
    json(async (req) => {
      await learning.remove(ctx, req.agent!, parse(Id, req.params.id));
      return {};
    }),
  );

  r.get(
    '/api/faqs/demand',
    auth,
    json(async (req) => {
      const q = parse(DemandQuery, req.query);
      const siteId = pickSite(req.agent!, q.siteId);
      const to = q.to ? pgDate(q.to) : ctx.clock();
      const from = pgDate(q.from ?? new Date(to.getTime() - 30 * 86400_000).toISOString());
      const previousFrom = pgDate(new Date(from.getTime() - (to.getTime() - from.getTime())).toISOString());
      return demand(ctx, { sites: [siteId], from, to, previousFrom, language: null });
    }),
  );

  r.put(
    '/api/faqs/:id',
    auth,
    json(async (req) => {
      const id = parse(Id, req.params.id);
      const input = parse(FaqEntryInput, req.body);
      const current = await repo.findEntry(ctx.db, id);
      if (!current || !req.agent!.siteIds.includes(current.siteId)) throw new AppError('NOT_FOUND');
      const row = await repo.updateEntry(ctx.db, id, current.siteId, input, ctx.clock());
      await ctx.faq.changed({ siteId: row.siteId, kind: 'faq', id });
      return (await withLearned(ctx.db, [row]))[0];
    }),
  );

  /** A draft starts answering visitors. */
  r.post(
    '/api/faqs/:id/publish',
    auth,
    json(async (req) => {
      const id = parse(Id, req.params.id);
      const current = await repo.findEntry(ctx.db, id);
      if (!current || !req.agent!.siteIds.includes(current.siteId)) throw new AppError('NOT_FOUND');
      // A draft from demand has no answer until an agent writes one: it must not answer anyone with nothing.
      if (!current.answer.trim()) throw new AppError('CONFLICT');
      const row = (await repo.publishEntry(ctx.db, id, ctx.clock())) ?? current;
      await ctx.faq.changed({ siteId: row.siteId, kind: 'faq', id });
      return (await withLearned(ctx.db, [row]))[0];
    }),
  );

  r.delete(
    '/api/faqs/:id',
    auth,
    json(async (req) => {
      const id = parse(Id, req.params.id);
      const current = await repo.findEntry(ctx.db, id);
      if (!current || !req.agent!.siteIds.includes(current.siteId)) throw new AppError('NOT_FOUND');
      await repo.deleteEntry(ctx.db, id);
      await ctx.faq.changed({ siteId: current.siteId, kind: 'faq', id });
      return {};
    }),
  );
  return r;
}
