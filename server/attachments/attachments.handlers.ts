/** The widget's `attachment:links`: signed, short-lived links to files of the visitor's own conversations. */
import { AttachmentLinks } from '../../shared/schemas.ts';
import type { Ctx } from '../context.ts';
import { widgetHandlerFactory } from '../realtime/handler.ts';
import type { WidgetSocket } from '../visitors/visitors.handlers.ts';
import { visitorAttachments } from './attachments.repository.ts';
import { visitorLink } from './attachments.service.ts';

export function registerWidgetAttachmentHandlers(ctx: Ctx, socket: WidgetSocket): void {
  const on = widgetHandlerFactory(ctx.log);
  socket.on(
    'attachment:links',
    on('attachment:links', AttachmentLinks, async ({ ids }) => {
      const { visitor } = socket.data;
      const now = ctx.clock();
      const links: Record<string, { url: string; expiresAt: string }> = {};
      for (const a of await visitorAttachments(ctx.db, visitor.id, ids)) links[a.id] = visitorLink(visitor.tokenHash, a.id, now);
      return { links };
    }),
  );
}
