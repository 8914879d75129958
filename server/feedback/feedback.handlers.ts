/** Feedback over the widget socket (visitors) and over HTTP (agents). */
import { Router } from 'express';
import { Empty, FeedbackListQuery, FeedbackProcess, FeedbackSeen, FeedbackSubmit, Id } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { json, parse } from '../http/respond.ts';
import { widgetHandlerFactory } from '../realtime/handler.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { assertMayAsk, type WidgetSocket } from '../visitors/visitors.handlers.ts';
import { enforceLimits, LIMITS } from '../limits.ts';
import * as service from './feedback.service.ts';

export function registerWidgetFeedbackHandlers(ctx: Ctx, socket: WidgetSocket): void {
  const on = widgetHandlerFactory(ctx.log);
  socket.on(
    'feedback:submit',
    on('feedback:submit', FeedbackSubmit, async (input) => {
      // Feedback carries a contact field of its own: the pre-chat form is not asked for it.
      assertMayAsk(socket, { contact: false });
      await enforceLimits(ctx.limiter, [[`fb:v:${socket.data.visitor.id}`, LIMITS.feedbackPerVisitor]]);
      return service.submitFeedback(ctx, socket.data.site, socket.data.visitor, input);
    }),
  );
  socket.on('feedback:list', on('feedback:list', Empty, () => service.visitorFeedback(ctx, socket.data.visitor)));
  socket.on(
    'feedback:seen',
    on('feedback:seen', FeedbackSeen, async (input) => ({ count: await service.markSeen(ctx, socket.data.visitor, input.ids) })),
  );
}

export function feedbackRouter(ctx: Ctx): Router {
  const r = Router();
  r.get(
    '/api/feedback',
    requireAgent(ctx),
    json(async (req) => {
      const q = parse(FeedbackListQuery, req.query);
      const sites = q.siteId ? req.agent!.siteIds.filter((s) => s === q.siteId) : req.agent!.siteIds;
      return service.listFeedback(ctx, sites, q.status);
    }),
  );
  r.post(
    '/api/feedback/:id/process',
    requireAgent(ctx),
    json(async (req) => {
      const id = parse(Id, req.params.id);
      const body = parse(FeedbackProcess, req.body);
      return service.processFeedback(ctx, req.agent!.agent, req.agent!.siteIds, id, body.note);
    }),
  );
  return r;
}
