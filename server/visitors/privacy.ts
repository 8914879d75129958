/**
 * A visitor's data on request: everything stored about them as JSON, and erasure. Erasure removes
 * what they wrote and who they are, but keeps the bare ticket and question rows (timestamps,
 * statuses, the page without its query) so the site's metrics for past periods stay what they were.
 * The metrics' own rows (metrics_*) hold counts, days, times and those pages, tied to a visitor id
 * that no longer leads to anyone: they stay, for the same reason.
 */
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import {
  attachments,
  conversations,
  faqEntries,
  faqLearnedVariants,
  feedback,
  mailJobs,
  messageColumns,
  messages,
  metricsTickets,
  metricsVisitorDays,
  questions,
  visitorLinks,
  visitors,
} from '../db/schema.ts';
import { rooms } from '../realtime/realtime.ts';
import { AppError } from '../errors.ts';
import { randomToken, sha256 } from '../crypto.ts';
import { attachmentsOfVisitor } from '../attachments/attachments.repository.ts';
import { PAGE } from '../metrics/rollup.ts';
import { maskedExcerpt } from '../faq/mask.ts';
import { getConversationDTO } from '../conversations/conversations.repository.ts';
import type { Db } from '../db/client.ts';

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

/**
 * The site's drafts that hold one of the visitor's questions as a demand group put it (faq.admin.ts
 * entryFromDemand: masked, cut to 500 characters), with the set of those texts. Such a draft has no
 * link to the conversations its words came from: it is found by the words.
 */
async function draftsWithTheirWords(db: Db, siteId: string, conversationIds: string[]) {
  if (!conversationIds.length) return { drafts: [], words: new Set<string>() };
  const [asked, opened] = await Promise.all([
    db.select({ text: questions.text }).from(questions).where(inArray(questions.conversationId, conversationIds)),
    db.select({ text: conversations.question }).from(conversations).where(inArray(conversations.id, conversationIds)),
  ]);
  const words = new Set([...asked, ...opened].map((r) => maskedExcerpt(r.text ?? '', 500)).filter(Boolean));
  if (!words.size) return { drafts: [], words };
  const drafts = await db
    .select({ id: faqEntries.id, question: faqEntries.question, variants: faqEntries.variants, createdAt: faqEntries.createdAt })
    .from(faqEntries)
    .where(and(eq(faqEntries.siteId, siteId), eq(faqEntries.status, 'draft')));
  return { drafts: drafts.filter((d) => words.has(d.question) || d.variants.some((v) => words.has(v))), words };
}

export async function exportVisitor(ctx: Ctx, siteIds: string[], id: string) {
  const v = await visitorOf(ctx, siteIds, id);
  const convs = await ctx.db.select().from(conversations).where(eq(conversations.visitorId, id)).orderBy(asc(conversations.createdAt));
  const ids = convs.map((c) => c.id);
  // Agents' private notes are the team's, not the visitor's data about themselves: left out.
  const msgs = ids.length ? await ctx.db.select(messageColumns).from(messages).where(and(inArray(messages.conversationId, ids), ne(messages.kind, 'note'))).orderBy(asc(messages.seq)) : [];
  const fb = await ctx.db.select().from(feedback).where(eq(feedback.visitorId, id)).orderBy(asc(feedback.createdAt));
  const files = await attachmentsOfVisitor(ctx.db, id);
  const [asked, learned, drafts, mails, links, days, tickets, fromDemand] = await Promise.all([
    // What the FAQ matcher was asked, what it decided and what they did.
    ctx.db
      .select({ id: questions.id, conversationId: questions.conversationId, text: questions.text, decision: questions.decision, entryId: questions.entryId, outcome: questions.outcome, channel: questions.channel, createdAt: questions.createdAt })
      .from(questions)
      .where(inArray(questions.conversationId, ids))
      .orderBy(asc(questions.createdAt)),
    // Their questions as the FAQ learned them (masked), and FAQ drafts agents made from their conversations.
    ctx.db
      .select({ id: faqLearnedVariants.id, entryId: faqLearnedVariants.entryId, text: faqLearnedVariants.text, conversationId: faqLearnedVariants.conversationId, createdAt: faqLearnedVariants.createdAt })
      .from(faqLearnedVariants)
      .where(inArray(faqLearnedVariants.conversationId, ids)),
    ctx.db
      .select({ id: faqEntries.id, question: faqEntries.question, answer: faqEntries.answer, status: faqEntries.status, conversationId: faqEntries.sourceConversationId, createdAt: faqEntries.createdAt })
      .from(faqEntries)
      .where(inArray(faqEntries.sourceConversationId, ids)),
    // Emails to their address: which, about what conversation, and when sent (or given up).
    ctx.db
      .select({ id: mailJobs.id, kind: mailJobs.kind, conversationId: mailJobs.conversationId, createdAt: mailJobs.createdAt, sentAt: mailJobs.sentAt, failedAt: mailJobs.failedAt })
      .from(mailJobs)
      .where(eq(mailJobs.visitorId, id))
      .orderBy(asc(mailJobs.createdAt)),
    // Reply emails' links and the browsers they bound (the token itself is never stored).
    ctx.db
      .select({ conversationId: visitorLinks.conversationId, createdAt: visitorLinks.createdAt, usedAt: visitorLinks.usedAt, expiresAt: visitorLinks.expiresAt })
      .from(visitorLinks)
      .where(eq(visitorLinks.visitorId, id))
      .orderBy(asc(visitorLinks.createdAt)),
    // What the metrics keep of them: the days they were active, and each ticket's page and timings.
    ctx.db
      .select({ day: metricsVisitorDays.day, firstAt: metricsVisitorDays.firstAt, lastAt: metricsVisitorDays.lastAt })
      .from(metricsVisitorDays)
      .where(eq(metricsVisitorDays.visitorId, id))
      .orderBy(asc(metricsVisitorDays.day)),
    ctx.db
      .select({
        conversationId: metricsTickets.conversationId,
        page: metricsTickets.page,
        escalatedAt: metricsTickets.escalatedAt,
        firstResponseSec: metricsTickets.firstResponseSec,
        resolutionSec: metricsTickets.resolutionSec,
        resolved: metricsTickets.resolved,
        csatRating: metricsTickets.csatRating,
      })
      .from(metricsTickets)
      .where(inArray(metricsTickets.conversationId, ids)),
    // Drafts written from the questions that most often reached a person, theirs among them.
    draftsWithTheirWords(ctx.db, v.siteId, ids).then((d) => d.drafts),
  ]);
  const { tokenHash: _secret, ...visitor } = v;
  return {
    exportedAt: ctx.clock().toISOString(),
    visitor,
    conversations: withMessages(convs, msgs),
    questions: asked,
    learnedFaqVariants: learned,
    faqEntriesFromConversations: drafts,
    faqDraftsWithTheirQuestions: fromDemand,
    emails: mails,
    emailLinks: links,
    metrics: { activeDays: days, tickets },
    feedback: fb,
    // The files of their conversations: what was stored about each, and where the admin downloads it.
    attachments: files.map(({ storageKey: _key, ...a }) => ({ ...a, download: `/api/attachments/${a.id}` })),
  };
}

export async function eraseVisitor(ctx: Ctx, siteIds: string[], id: string) {
  const visitor = await visitorOf(ctx, siteIds, id);
  // Widgets open on the visitor, on every node, closed first (nothing more comes from them while the
  // erase runs) and again after it: one that came back in between with the old token, before the new
  // one was committed, is the erased visitor too. After that they come back as a new visitor.
  const closeWidgets = () => ctx.realtime.widget.in(rooms.visitor(id)).disconnectSockets(true);
  closeWidgets();
  const { files, forgotten, convIds } = await ctx.db.transaction(async (tx) => {
    // The visitor's row first: a new random token hash (the old token no longer opens anything), and
    // its lock. An upload holds the row FOR SHARE until it commits (attachments.service.ts): the erase
    // waits for one in progress and then sees its file; one that comes after finds the token gone.
    await tx
      .update(visitors)
      // The language stays, as the page does: metrics group by it (rollup.ts), and it names no one.
      .set({ tokenHash: sha256(randomToken()), externalId: null, name: null, email: null, identitySource: null, attributes: {}, userAgent: null, timezone: null })
      .where(eq(visitors.id, id));
    const files = await attachmentsOfVisitor(tx, id);
    if (files.length) await tx.delete(attachments).where(inArray(attachments.id, files.map((f) => f.id)));
    const convIds = (await tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.visitorId, id))).map((c) => c.id);
    let forgotten: { siteId: string; entryId: string }[] = [];
    if (convIds.length) {
      // Their questions in drafts made from demand groups go, the other visitors' stay; a draft left
      // with nothing to ask goes (read before the questions' texts are blanked below).
      const { drafts, words } = await draftsWithTheirWords(tx, visitor.siteId, convIds);
      for (const d of drafts) {
        const variants = d.variants.filter((v) => !words.has(v));
        const question = words.has(d.question) ? variants[0] : d.question;
        if (question) await tx.update(faqEntries).set({ question, variants }).where(eq(faqEntries.id, d.id));
        else await tx.delete(faqEntries).where(eq(faqEntries.id, d.id));
      }
      await tx.update(questions).set({ text: '' }).where(inArray(questions.conversationId, convIds));
      await tx.delete(messages).where(inArray(messages.conversationId, convIds));
      // The page stays as the metrics keep it (metrics_tickets, metrics_page_days: no query, no fragment),
      // so per-page figures do not move when the rollup or a live edge day reads it again; its title goes.
      await tx
        .update(conversations)
        .set({ question: null, pageUrl: sql.raw(`nullif(${PAGE('page_url')}, '')`), pageTitle: null, csatComment: null })
        .where(inArray(conversations.id, convIds));
      // Their questions as the FAQ learned them: still their words, masked or not. The matcher forgets them below.
      forgotten = await tx
        .delete(faqLearnedVariants)
        .where(inArray(faqLearnedVariants.conversationId, convIds))
        .returning({ siteId: faqLearnedVariants.siteId, entryId: faqLearnedVariants.entryId, status: faqLearnedVariants.status })
        .then((rows) => rows.filter((r) => r.status === 'active'));
      // A draft made from their conversation holds their question until an agent rewrites and
      // publishes it: it goes. A published entry is the site's own text now: it stays, unlinked.
      await tx.delete(faqEntries).where(and(inArray(faqEntries.sourceConversationId, convIds), eq(faqEntries.status, 'draft')));
      await tx.update(faqEntries).set({ sourceConversationId: null }).where(inArray(faqEntries.sourceConversationId, convIds));
    }
    await tx.update(feedback).set({ content: '', contact: null, note: null, pageUrl: null, pageTitle: null }).where(eq(feedback.visitorId, id));
    // Every other way back in goes too: links not yet followed, browsers bound by a followed one
    // (each a token of its own), and mails still to send (to the address erased above).
    await tx.delete(visitorLinks).where(eq(visitorLinks.visitorId, id));
    await tx.delete(mailJobs).where(eq(mailJobs.visitorId, id));
    return { files, forgotten, convIds };
  });
  closeWidgets();
  // Consoles showing their tickets drop the messages they show, and hear the tickets again as they are
  // now: no name, no question, no title. A console away meanwhile finds no messages when it re-opens one.
  for (const conversationId of convIds) {
    ctx.realtime.agents.to([rooms.site(visitor.siteId), rooms.conversation(conversationId)]).emit('conversation:erased', { conversationId });
    const conv = await getConversationDTO(ctx.db, conversationId);
    if (conv?.escalatedAt) ctx.realtime.agents.to(rooms.site(conv.siteId)).emit('conversation:updated', conv);
  }
  // Once per entry, on every node; a failure (a node away) is bounded by the index's staleness check.
  const entries = new Map(forgotten.map((f) => [f.entryId, f.siteId]));
  for (const [entryId, siteId] of entries) {
    await ctx.faq.changed({ siteId, kind: 'faq', id: entryId }).catch((err) => ctx.log.warn({ err }, 'faq index update after an erase failed; the staleness check catches up'));
  }
  // The rows are gone with the transaction; the bytes after it. A failure here (the store away) leaves
  // a file no row refers to, never a reachable one, and the uploads sweep removes it (attachments/sweep.ts).
  for (const f of files) await ctx.uploads.delete(f.storageKey).catch((err) => ctx.log.error({ err }, 'attachment erase failed; the uploads sweep removes the file'));
  return { erased: true };
}
