/** GET /api/conversations/search: the History view's search (server/search/search.service.ts). */
import { Router } from 'express';
import { ConversationSearch } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { json, parse } from '../http/respond.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { searchConversations } from './search.service.ts';

export function searchRouter(ctx: Ctx): Router {
  const r = Router();
  // Mounted before conversationsRouter, whose /api/conversations/:id would take "search" for an id.
  r.get('/api/conversations/search', requireAgent(ctx), json(async (req) => searchConversations(ctx, req.agent!, parse(ConversationSearch, req.query))));
  return r;
}
