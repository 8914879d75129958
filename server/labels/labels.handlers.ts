/** HTTP routes of labels: /api/labels (admins write, agents read) and a conversation's labels. */
import { Router } from 'express';
import { z } from 'zod';
import { ConversationLabel, Id, LabelCreate, LabelUpdate, SiteKey } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { json, parse } from '../http/respond.ts';
import { perAgent } from '../http/agent-limit.ts';
import { LIMITS } from '../limits.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { createLabel, deleteLabel, listLabels, setConversationLabel, updateLabel } from './labels.service.ts';

const ListQuery = z.object({ siteId: SiteKey.optional() });

export function labelsRouter(ctx: Ctx): Router {
  const r = Router();
  const agent = [requireAgent(ctx), perAgent(ctx, 'team-tools', LIMITS.teamToolsPerAgent)];
  r.get('/api/labels', ...agent, json(async (req) => listLabels(ctx, req.agent!, parse(ListQuery, req.query).siteId)));
  r.post('/api/labels', ...agent, json(async (req) => createLabel(ctx, req.agent!, parse(LabelCreate, req.body))));
  r.put('/api/labels/:id', ...agent, json(async (req) => updateLabel(ctx, req.agent!, parse(Id, req.params.id), parse(LabelUpdate, req.body))));
  r.delete(
    '/api/labels/:id',
    ...agent,
    json(async (req) => {
      await deleteLabel(ctx, req.agent!, parse(Id, req.params.id));
      return {};
    }),
  );
  r.post(
    '/api/conversations/:id/labels',
    ...agent,
    json(async (req) => setConversationLabel(ctx, req.agent!, parse(Id, req.params.id), parse(ConversationLabel, req.body))),
  );
  return r;
}
