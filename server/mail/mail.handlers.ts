/** The widget's email events, and whether email is on (for the console). */
import { Router } from 'express';
import { ConversationRef, VisitorContact } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';
import { sha256 } from '../crypto.ts';
import { json } from '../http/respond.ts';
import { requireAgent } from '../agents/agents.handlers.ts';
import { widgetHandlerFactory } from '../realtime/handler.ts';
import { enforceLimits, LIMITS } from '../limits.ts';
import { findConversation } from '../conversations/conversations.repository.ts';
import type { WidgetSocket } from '../visitors/visitors.handlers.ts';
import { contactOf, saveContact } from './contact.ts';
import { enqueueTranscript } from './mail-jobs.repository.ts';
import type { MailWorker } from './mail-worker.ts';

export function registerWidgetMailHandlers(ctx: Ctx, worker: MailWorker, socket: WidgetSocket): void {
  const on = widgetHandlerFactory(ctx.log);

  socket.on(
    'visitor:contact',
    on('visitor:contact', VisitorContact, async (input) => {
      socket.data.visitor = await saveContact(ctx.db, socket.data.visitor, input);
      return contactOf(socket.data.site, socket.data.visitor, ctx.config);
    }),
  );

  socket.on(
    'transcript:email',
    on('transcript:email', ConversationRef, async ({ conversationId }) => {
      const { visitor, site } = socket.data;
      const conversation = await findConversation(ctx.db, conversationId);
      if (!conversation || conversation.visitorId !== visitor.id) throw new AppError('NOT_FOUND');
      if (!visitor.email) throw new AppError('CONTACT_REQUIRED');
      // The mailbox by its hash: a rate limiter's keys may sit in Redis, and an address is personal data.
      const buckets = [
        [`transcript:v:${visitor.id}`, LIMITS.transcriptsPerVisitor],
        [`transcript:ip:${socket.data.ip}`, LIMITS.transcriptsPerIp],
        [`transcript:to:${sha256(visitor.email.toLowerCase())}`, LIMITS.transcriptsPerAddress],
      ] as const;
      await enforceLimits(ctx.limiter, buckets);
      await enqueueTranscript(ctx.db, { siteId: site.id, visitorId: visitor.id, conversationId, upToSeq: conversation.lastSeq }, ctx.clock());
      void worker.poke();
      return { queued: true };
    }),
  );
}

/** GET /api/mail/status: whether this server sends email (the console says so when it does not). */
export function mailRouter(ctx: Ctx, worker: MailWorker): Router {
  const r = Router();
  r.get('/api/mail/status', requireAgent(ctx), json(async () => ({ enabled: worker.mailer.enabled })));
  return r;
}
