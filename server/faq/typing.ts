/**
 * Answers while typing: the visitor's draft is matched against the site's FAQ (in memory, nothing
 * stored, nothing shown to agents), and an entry they choose is answered in the conversation like an
 * automatic answer, recorded as a question with channel 'typing', without making a ticket.
 */
import { FaqPick, FaqSuggest } from '../../shared/schemas.ts';
import type { ConversationDTO, MessageDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { holdVisitor } from '../visitors/visitors.service.ts';
import { questions, type Site, type Visitor } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { widgetHandlerFactory } from '../realtime/handler.ts';
import { assertMayAsk, type WidgetSocket } from '../visitors/visitors.handlers.ts';
import * as repo from '../conversations/conversations.repository.ts';
import { limitNewConversations, limitVisitorMessages, publish } from '../conversations/conversations.service.ts';

/** The most entries suggested above the composer. */
const MAX_TYPING_SUGGESTIONS = 3;

/** Up to three published entries that plausibly answer a draft, best first (the matcher's "did you mean" band and above). */
export async function suggestWhileTyping(ctx: Ctx, site: Site, text: string): Promise<{ suggestions: { entryId: string; question: string }[] }> {
  const decision = await ctx.faq.decide(site.id, text, site.faqThreshold);
  const hits = decision.kind === 'answer' ? [decision.hit, ...decision.alternatives] : decision.kind === 'suggest' ? decision.hits : [];
  const entries = await Promise.all(hits.map((h) => ctx.faq.entry(site.id, h.id)));
  const suggestions = entries
    .filter((e) => e !== undefined && e.status !== 'draft')
    .slice(0, MAX_TYPING_SUGGESTIONS)
    .map((e) => ({ entryId: e!.id, question: e!.question }));
  return { suggestions };
}

/**
 * The visitor chose an entry suggested while typing: its answer goes into their current conversation
 * (a new one, not a ticket, when they have none), as a faq_answer with the usual outcome buttons; the
 * question row (channel 'typing') holds the entry's question, not the draft.
 */
export async function pickTypingSuggestion(
  ctx: Ctx,
  site: Site,
  visitor: Visitor,
  entryId: string,
  ip: string,
): Promise<{ message: MessageDTO; conversation: ConversationDTO }> {
  const entry = await ctx.faq.entry(site.id, entryId);
  if (!entry || entry.status === 'draft') throw new AppError('NOT_FOUND');
  const now = ctx.clock();
  const outcome = await ctx.db.transaction(async (tx) => {
    await holdVisitor(tx, visitor);
    let conv = await repo.lockActiveConversation(tx, visitor.id);
    const before = conv ? { status: conv.status, assignedAgentId: conv.assignedAgentId } : null;
    if (!conv) await limitNewConversations(ctx, visitor.id, ip);
    conv ??= await repo.insertConversation(tx, { siteId: site.id, visitorId: visitor.id, createdAt: now, updatedAt: now });
    const [q] = await tx
      .insert(questions)
      .values({ siteId: site.id, conversationId: conv.id, text: entry.question, decision: 'answer', entryId: entry.id, channel: 'typing', answeredAt: now, createdAt: now })
      .returning({ id: questions.id });
    const message = await repo.appendMessage(
      tx,
      conv.id,
      { author: 'bot', kind: 'faq_answer', body: entry.answer, meta: { questionId: q.id, entryId: entry.id, question: entry.question } },
      now,
    );
    return { conversationId: conv.id, created: [{ message, authorName: null }], before };
  });
  const conversation = await publish(ctx, outcome);
  return { message: repo.toMessageDTO(outcome.created[0].message, null), conversation };
}

export function registerTypingHandlers(ctx: Ctx, socket: WidgetSocket): void {
  const on = widgetHandlerFactory(ctx.log);
  socket.on('faq:suggest', on('faq:suggest', FaqSuggest, (input) => suggestWhileTyping(ctx, socket.data.site, input.text)));
  socket.on(
    'faq:pick',
    on('faq:pick', FaqPick, async (input) => {
      const { site, visitor, ip } = socket.data;
      assertMayAsk(socket);
      // A pick stores a question and an answer in the conversation: limited as a typed message is.
      await limitVisitorMessages(ctx, visitor.id, ip);
      return pickTypingSuggestion(ctx, site, visitor, input.entryId, ip);
    }),
  );
}
