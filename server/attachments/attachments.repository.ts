/** Attachment rows: one per stored file, with the conversation (and so the visitor and site) it belongs to. */
import { and, eq, inArray } from 'drizzle-orm';
import type { AttachmentDTO } from '../../shared/types.ts';
import type { Db } from '../db/client.ts';
import { attachments, conversations, visitors, type Attachment } from '../db/schema.ts';
import { isRasterImage } from './detect.ts';

export const toAttachmentDTO = (a: Pick<Attachment, 'id' | 'name' | 'size' | 'mime'>): AttachmentDTO => ({
  id: a.id,
  name: a.name,
  size: a.size,
  mime: a.mime,
  isImage: isRasterImage(a.mime),
});

/** An attachment with who may see it: its conversation's site and visitor, and that visitor's token hash (the key of its signed links). */
export async function findAttachment(db: Db, id: string) {
  const [row] = await db
    .select({ attachment: attachments, siteId: conversations.siteId, visitorId: conversations.visitorId, tokenHash: visitors.tokenHash })
    .from(attachments)
    .innerJoin(conversations, eq(conversations.id, attachments.conversationId))
    .innerJoin(visitors, eq(visitors.id, conversations.visitorId))
    .where(eq(attachments.id, id))
    .limit(1);
  return row;
}

/** Those of `ids` that are in the visitor's conversations. */
export async function visitorAttachments(db: Db, visitorId: string, ids: string[]): Promise<Attachment[]> {
  if (!ids.length) return [];
  return db
    .select({ a: attachments })
    .from(attachments)
    .innerJoin(conversations, eq(conversations.id, attachments.conversationId))
    .where(and(inArray(attachments.id, ids), eq(conversations.visitorId, visitorId)))
    .then((rows) => rows.map((r) => r.a));
}

/** Every attachment of a visitor's conversations (export, erasure). */
export async function attachmentsOfVisitor(db: Db, visitorId: string): Promise<Attachment[]> {
  return db
    .select({ a: attachments })
    .from(attachments)
    .innerJoin(conversations, eq(conversations.id, attachments.conversationId))
    .where(eq(conversations.visitorId, visitorId))
    .orderBy(attachments.createdAt)
    .then((rows) => rows.map((r) => r.a));
}
