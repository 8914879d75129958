/**
 * Attachment rules: a file is checked (size while it arrives, type from its bytes), kept in the
 * store, then attached to a new message of the sender's conversation in one transaction; it is
 * served only to that conversation's visitor (a short-lived link signed for them) and to agents of
 * its site, never as a page.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { AttachmentDTO, AttachmentLimitsDTO, MessageDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import { attachments, type SessionAgent, type Site, type Visitor } from '../db/schema.ts';
import { AppError, isUnavailable, isUniqueViolation } from '../errors.ts';
import { hmacHex, safeEqual } from '../crypto.ts';
import * as repo from '../conversations/conversations.repository.ts';
import { escalate, limitNewConversations, publish, type Outcome } from '../conversations/conversations.service.ts';
import { DEFAULT_ATTACHMENT_TYPES } from '../../shared/attachments.ts';
import { detectType } from './detect.ts';
import type { Received } from './receive.ts';
import { toAttachmentDTO } from './attachments.repository.ts';
import { holdVisitor } from '../visitors/visitors.service.ts';

/** How long a visitor's link to a file works: long enough to open a thumbnail, too short to pass around. */
export const LINK_TTL_MS = 15 * 60_000;

export const limitsOf = (site: Site): AttachmentLimitsDTO => ({ maxBytes: site.attachmentMaxBytes, types: site.attachmentTypes ?? DEFAULT_ATTACHMENT_TYPES });

/** The limits as the widget's session carries them: `types` left out when they are the default list (shared/attachments.ts). */
export const sessionLimitsOf = (site: Site): AttachmentLimitsDTO =>
  site.attachmentTypes ? limitsOf(site) : { maxBytes: site.attachmentMaxBytes };

/** The type of a received file if the site accepts it; FILE_TYPE_NOT_ALLOWED otherwise (and the temporary file is gone). */
async function checkType(site: Site, file: Received): Promise<string> {
  const mime = await detectType(file.sample, file.name);
  if (!mime || !(site.attachmentTypes ?? DEFAULT_ATTACHMENT_TYPES).includes(mime)) {
    await rm(file.tmpPath, { force: true });
    throw new AppError('FILE_TYPE_NOT_ALLOWED');
  }
  return mime;
}

/**
 * SQLSTATEs (and classes of them) with which PostgreSQL refuses a statement or a COMMIT and rolls
 * the transaction back: data exceptions (22), integrity constraints (23, deferred ones at COMMIT
 * too), syntax and access rules (42), WITH CHECK OPTION (44), PL/pgSQL RAISE (P0), serialization
 * failures and deadlocks (40001, 40002, 40P01), lock_timeout (55P03). Not 40003
 * (statement_completion_unknown), nor cancels and ended sessions (57014, 25P03…): those are checked.
 */
const REFUSED_CLASSES = new Set(['22', '23', '42', '44', 'P0']);
const REFUSED_CODES = new Set(['40001', '40002', '40P01', '55P03']);

/**
 * Whether `err` says for certain that the write's transaction did not commit: an AppError thrown
 * inside it (the conversation is closed, a rate limit…), or PostgreSQL refusing one of its
 * statements (the driver's error, or the one drizzle wraps in `cause`). A lost connection never is:
 * the reply to COMMIT may be what was lost.
 */
function refusedBeforeCommit(err: unknown): boolean {
  if (err instanceof AppError) return true;
  if (isUnavailable(err)) return false;
  for (let e = err as { code?: unknown; cause?: unknown } | null, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && (REFUSED_CODES.has(e.code) || REFUSED_CLASSES.has(e.code.slice(0, 2)))) return true;
  }
  return false;
}

/**
 * After a failed write, removes the kept bytes of the attachment if the write was refused (its
 * transaction certainly did not commit). Any other failure (most often a connection lost while the
 * transaction ran, or after COMMIT reached the database but before its reply came back) may hide a
 * committed message that the client's retry will replay: the bytes stay, and the sweep (sweep.ts)
 * removes them an hour later if no row ever came. Asking the database at once could not tell: a
 * COMMIT the server is still finishing reads as not stored. Exported for tests.
 */
export async function discardIfRefused(ctx: Pick<Ctx, 'uploads' | 'log'>, storageKey: string, writeError: unknown): Promise<void> {
  if (!refusedBeforeCommit(writeError)) {
    ctx.log.info({ err: writeError, storageKey }, 'attachment write failed without a refusal: keeping the file for a retry; the uploads sweep removes it if its message was not stored');
    return;
  }
  await ctx.uploads.delete(storageKey).catch((e) => ctx.log.error({ err: e, storageKey }, 'attachment cleanup failed; the uploads sweep removes it'));
}

/**
 * Keeps the file, then stores the row and its message in `write` (a transaction). If the write
 * fails, the kept bytes are removed again unless the row may have been stored after all (see
 * discardIfRefused), so no file outlives a refused message and no stored message loses its
 * file; the error goes on to the client, whose retry with the same clientId replays a stored one.
 */
async function keep(ctx: Ctx, site: Site, file: Received, write: (dto: AttachmentDTO, storageKey: string) => Promise<Outcome>) {
  const mime = await checkType(site, file);
  const dto = toAttachmentDTO({ id: randomUUID(), name: file.name, size: file.size, mime });
  const storageKey = `${site.id}/${dto.id}`;
  await ctx.uploads.put(storageKey, file.tmpPath, file.size);
  try {
    return await write(dto, storageKey);
  } catch (err) {
    await discardIfRefused(ctx, storageKey, err);
    throw err;
  }
}

/**
 * A visitor's file, in their unresolved conversation (a new one if they have none). A file needs a
 * person: a conversation still with the FAQ is handed to one, as "talk to a person" would.
 */
export async function attachForVisitor(ctx: Ctx, site: Site, visitor: Visitor, file: Received, clientId: string, ip: string) {
  const existing = await repo.findVisitorMessageByClientId(ctx.db, visitor.id, clientId);
  if (existing) {
    await rm(file.tmpPath, { force: true });
    return replay(ctx, existing.id, visitor.name);
  }
  const now = ctx.clock();
  // A file in a conversation still with the FAQ hands it to a person: whether one is online is asked
  // before the transaction (see escalate).
  const online = await ctx.realtime.agentsOnline(site.id);
  let outcome: Outcome;
  try {
    outcome = await keep(ctx, site, file, (dto, storageKey) =>
      ctx.db.transaction(async (tx) => {
        await holdVisitor(tx, visitor);
        let conv = await repo.lockActiveConversation(tx, visitor.id);
        const before = conv ? { status: conv.status, assignedAgentId: conv.assignedAgentId } : null;
        if (!conv) await limitNewConversations(ctx, visitor.id, ip);
        conv ??= await repo.insertConversation(tx, { siteId: site.id, visitorId: visitor.id, createdAt: now, updatedAt: now });
        const message = await repo.appendMessage(tx, conv.id, { author: 'visitor', kind: 'attachment', body: dto.name, clientId, meta: { attachment: dto } }, now);
        await tx.insert(attachments).values({ id: dto.id, siteId: site.id, conversationId: conv.id, messageId: message.id, visitorId: visitor.id, name: dto.name, mime: dto.mime, size: dto.size, storageKey, createdAt: now });
        const created = [{ message, authorName: visitor.name }];
        if (conv.status === 'bot') await escalate(tx, conv, dto.name, now, created, online);
        else if (conv.status === 'pending') await repo.updateConversation(tx, conv.id, { status: 'open' });
        return { conversationId: conv.id, created, before };
      }),
    );
  } catch (err) {
    // The same file sent twice at once (a retry racing the first try): answer with the stored one.
    if (isUniqueViolation(err)) {
      const stored = await repo.findVisitorMessageByClientId(ctx.db, visitor.id, clientId);
      if (stored) return replay(ctx, stored.id, visitor.name);
    }
    throw err;
  }
  const conversation = await publish(ctx, outcome);
  return { message: repo.toMessageDTO(outcome.created[0].message, visitor.name), conversation };
}

/** An agent's file, in a ticket of one of their sites that nobody else has; sending it claims an unclaimed ticket, as a reply does. */
export async function attachForAgent(ctx: Ctx, site: Site, agent: SessionAgent, conversationId: string, file: Received, clientId: string) {
  const dup = await repo.findMessageByClientId(ctx.db, conversationId, clientId);
  if (dup) {
    await rm(file.tmpPath, { force: true });
    if (dup.agentId !== agent.id) throw new AppError('CONFLICT');
    return { message: (await replay(ctx, dup.id, agent.name)).message };
  }
  const now = ctx.clock();
  const outcome = await keep(ctx, site, file, (dto, storageKey) =>
    ctx.db.transaction(async (tx) => {
      const conv = await repo.lockConversation(tx, conversationId);
      if (!conv || conv.siteId !== site.id) throw new AppError('NOT_FOUND');
      if (conv.status === 'resolved') throw new AppError('CONVERSATION_CLOSED');
      if (conv.assignedAgentId && conv.assignedAgentId !== agent.id) throw new AppError('ALREADY_CLAIMED');
      const created = [];
      if (!conv.assignedAgentId) {
        const joined = { author: 'system' as const, kind: 'notice' as const, body: 'agent_joined', meta: { notice: 'agent_joined' as const, agentName: agent.name } };
        created.push({ message: await repo.appendMessage(tx, conv.id, joined, now), authorName: null });
      }
      const message = await repo.appendMessage(tx, conv.id, { author: 'agent', agentId: agent.id, kind: 'attachment', body: dto.name, clientId, meta: { attachment: dto } }, now);
      created.push({ message, authorName: agent.name });
      await tx.insert(attachments).values({ id: dto.id, siteId: site.id, conversationId: conv.id, messageId: message.id, visitorId: conv.visitorId, agentId: agent.id, name: dto.name, mime: dto.mime, size: dto.size, storageKey, createdAt: now });
      await repo.updateConversation(tx, conv.id, { status: 'pending', assignedAgentId: agent.id, escalatedAt: conv.escalatedAt ?? now, firstResponseAt: conv.firstResponseAt ?? now });
      return { conversationId: conv.id, created, before: { status: conv.status, assignedAgentId: conv.assignedAgentId } };
    }),
  );
  await publish(ctx, outcome);
  return { message: repo.toMessageDTO(outcome.created.at(-1)!.message, agent.name) };
}

/** A retried upload whose first try was stored: the stored message, pushed again (the first push may have been lost). */
async function replay(ctx: Ctx, messageId: string, authorName: string | null): Promise<{ message: MessageDTO; conversation: NonNullable<Awaited<ReturnType<typeof repo.getConversationDTO>>> }> {
  const stored = await repo.findMessage(ctx.db, messageId);
  const conversation = stored && (await repo.getConversationDTO(ctx.db, stored.conversationId));
  if (!stored || !conversation) throw new AppError('NOT_FOUND');
  const message = repo.toMessageDTO(stored, authorName);
  ctx.realtime.messageCreated(conversation, message);
  return { message, conversation };
}

/** The signature of a visitor's link: keyed by their token's hash, so erasing the visitor (a new hash) voids every link. */
const signature = (tokenHash: string, id: string, exp: number) => hmacHex(tokenHash, `attachment:${id}:${exp}`);

/** A link to a file for the visitor of its conversation, working for LINK_TTL_MS (rounded so a page of thumbnails shares one expiry and the browser cache). */
export function visitorLink(tokenHash: string, id: string, now: Date): { url: string; expiresAt: string } {
  const exp = Math.ceil((now.getTime() + LINK_TTL_MS) / 60_000) * 60_000;
  return { url: `/api/attachments/${id}?exp=${exp}&sig=${signature(tokenHash, id, exp)}`, expiresAt: new Date(exp).toISOString() };
}

export function checkVisitorLink(tokenHash: string, id: string, exp: unknown, sig: unknown, now: Date): boolean {
  if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,15}$/.test(exp)) return false;
  const when = Number(exp);
  // Not expired, and not signed for further ahead than any link this server makes.
  if (when < now.getTime() || when > now.getTime() + LINK_TTL_MS + 60_000) return false;
  return safeEqual(signature(tokenHash, id, when), sig);
}
