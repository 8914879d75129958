/**
 * A visitor's data on request: everything stored about them as JSON, and erasure. Erasure removes
 * what they wrote and who they are, but keeps the bare ticket and question rows (timestamps,
 * statuses) so the site's metrics for past periods stay what they were.
 */
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { attachments, conversations, feedback, mailJobs, messages, questions, visitorLinks, visitors } from '../db/schema.ts';
import { rooms } from '../realtime/realtime.ts';
import { AppError } from '../errors.ts';
import { randomToken, sha256 } from '../crypto.ts';
import { attachmentsOfVisitor } from '../attachments/attachments.repository.ts';

async function visitorOf(ctx: Ctx, siteIds: string[], id: string) {
  const [v] = await ctx.db.select().from(visitors).where(eq(visitors.id, id)).limit(1);
  if (!v || !siteIds.includes(v.siteId)) throw new AppError('NOT_FOUND');
  return v;
}

/**
 * Each conversation with its messages, in the order `msgs` lists them. One pass over each list: a
 * filter per conversation read every message once per conversation, and a visitor with a long
 * history held the event loop for conversations × messages steps.
 */
export function withMessages<C extends { id: string }, M extends { conversationId: string }>(convs: C[], msgs: M[]): (C & { messages: M[] })[] {
  const byConversation = new Map<string, M[]>();
  for (const m of msgs) {
    const list = byConversation.get(m.conversationId);
    if (list) list.push(m);
    else byConversation.set(m.conversationId, [m]);
  }
  return convs.map((c) => ({ ...c, messages: byConversation.get(c.id) ?? [] }));
}

export async function exportVisitor(ctx: Ctx, siteIds: string[], id: string) {
  const v = await visitorOf(ctx, siteIds, id);
  const convs = await ctx.db.select().from(conversations).where(eq(conversations.visitorId, id)).orderBy(asc(conversations.createdAt));
  const ids = convs.map((c) => c.id);
  // Agents' private notes are the team's, not the visitor's data about themselves: left out.
  const msgs = ids.length ? await ctx.db.select().from(messages).where(and(inArray(messages.conversationId, ids), ne(messages.kind, 'note'))).orderBy(asc(messages.seq)) : [];
  const fb = await ctx.db.select().from(feedback).where(eq(feedback.visitorId, id)).orderBy(asc(feedback.createdAt));
  const files = await attachmentsOfVisitor(ctx.db, id);
  const { tokenHash: _secret, ...visitor } = v;
  return {
    exportedAt: ctx.clock().toISOString(),
    visitor,
    conversations: withMessages(convs, msgs),
    feedback: fb,
    // The files of their conversations: what was stored about each, and where the admin downloads it.
    attachments: files.map(({ storageKey: _key, ...a }) => ({ ...a, download: `/api/attachments/${a.id}` })),
  };
}

export async function eraseVisitor(ctx: Ctx, siteIds: string[], id: string) {
  await visitorOf(ctx, siteIds, id);
  const files = await attachmentsOfVisitor(ctx.db, id);
  await ctx.db.transaction(async (tx) => {
    if (files.length) await tx.delete(attachments).where(inArray(attachments.id, files.map((f) => f.id)));
    const convIds = (await tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.visitorId, id))).map((c) => c.id);
    if (convIds.length) {
      await tx.update(questions).set({ text: '' }).where(inArray(questions.conversationId, convIds));
      await tx.delete(messages).where(inArray(messages.conversationId, convIds));
      await tx.update(conversations).set({ question: null, pageUrl: null, pageTitle: null, csatComment: null }).where(inArray(conversations.id, convIds));
    }
    await tx.update(feedback).set({ content: '', contact: null, note: null, pageUrl: null, pageTitle: null }).where(eq(feedback.visitorId, id));
    // Every other way back in goes too: links not yet followed, browsers bound by a followed one
    // (each a token of its own), and mails still to send (their payload holds the address).
    await tx.delete(visitorLinks).where(eq(visitorLinks.visitorId, id));
    await tx.delete(mailJobs).where(eq(mailJobs.visitorId, id));
    // A new random token hash: the old token no longer opens anything.
    await tx
      .update(visitors)
      .set({ tokenHash: sha256(randomToken()), externalId: null, name: null, email: null, locale: null, identitySource: null, attributes: {}, userAgent: null, timezone: null })
      .where(eq(visitors.id, id));
  });
  // Widgets still open on the visitor hold it in their socket: closed, on every node; they come back as a new visitor.
  ctx.realtime.widget.in(rooms.visitor(id)).disconnectSockets(true);
  // The rows are gone with the transaction; the bytes after it. A failure here (the store away) leaves
  // a file no row refers to, never a reachable one, and the uploads sweep removes it (attachments/sweep.ts).
  for (const f of files) await ctx.uploads.delete(f.storageKey).catch((err) => ctx.log.error({ err }, 'attachment erase failed; the uploads sweep removes the file'));
  return { erased: true };
}
