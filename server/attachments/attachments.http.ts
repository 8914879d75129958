/**
 * Attachment routes:
 * - `POST /api/widget/attachments?site=KEY`: a visitor's upload, multipart with the fields `token`
 *   (their widget token, sent as a field: no preflight, and it stays out of URLs and logs) and
 *   `clientId` before the part `file`; the sender is checked when that part begins, before any of
 *   the file is read (a token after the file is no token).
 * - `POST /api/conversations/:id/attachments`: an agent's upload (session cookie), fields `clientId`,
 *   then `file`; the agent's right to the conversation is checked before the body is read.
 * - `GET /api/attachments/:id`: the bytes, to an agent of the site (cookie) or with a visitor's
 *   signed link (`exp`, `sig`; attachments.handlers.ts hands them out).
 * - `GET /api/attachments/limits`: each of the agent's sites' limits, for the console's check before uploading.
 */
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Router, type RequestHandler } from 'express';
import { ClientId, Id } from '../../shared/schemas.ts';
import { SESSION_COOKIE } from '../../shared/http.ts';
import type { Ctx } from '../context.ts';
import type { Visitor } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { json, parse } from '../http/respond.ts';
import { enforceLimits, LIMITS } from '../limits.ts';
import { forVisitorAck } from '../realtime/realtime.ts';
import { authenticate } from '../agents/agents.service.ts';
import { readCookie, requireAgent } from '../agents/agents.handlers.ts';
import { findConversation, findMessageByClientId } from '../conversations/conversations.repository.ts';
import { checkSiteAccess } from '../sites/sites.service.ts';
import { knownVisitor } from '../visitors/visitors.handlers.ts';
import { contactMissing } from '../mail/contact.ts';
import { findAttachment } from './attachments.repository.ts';
import { attachForAgent, attachForVisitor, checkVisitorLink, limitsOf } from './attachments.service.ts';
import { isRasterImage } from './detect.ts';
import { receiveFile, refuseRest } from './receive.ts';

/** The widget's upload: before the /api origin check in app.ts, since it is posted from the sites' pages. */
export function widgetUploadHandler(ctx: Ctx): RequestHandler {
  return json(async (req, res) => {
    const site = await checkSiteAccess(ctx.sites, req.query.site, req.headers.origin).catch((err) => {
      refuseRest(req, res);
      throw err;
    });
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    await enforceLimits(ctx.limiter, [[`attach:ip:${ip}`, LIMITS.attachmentsPerIp]]).catch((err) => {
      refuseRest(req, res);
      throw err;
    });
    let sender: { visitor: Visitor; clientId: string } | undefined;
    // Who sends is known from the fields before the file: checked before any of it is read, so a
    // stranger (no token, a wrong one, another site's) cannot make the server take in and write a
    // whole file only to be refused at its end.
    const admit = async (fields: Readonly<Record<string, string>>) => {
      const visitor = await knownVisitor(ctx, site.id, fields.token);
      if (!visitor) throw new AppError('UNAUTHORIZED');
      // The same conditions as a message (conversations.handlers.ts): a file is a message too.
      if (site.requireIdentity && !visitor.externalId) throw new AppError('IDENTITY_REQUIRED');
      if (contactMissing(site, visitor)) throw new AppError('CONTACT_REQUIRED');
      const clientId = parse(ClientId, fields.clientId);
      await enforceLimits(ctx.limiter, [[`attach:v:${visitor.id}`, LIMITS.attachmentsPerVisitor]]);
      sender = { visitor, clientId };
    };
    const file = await receiveFile(req, res, { maxBytes: site.attachmentMaxBytes, tmpDir: ctx.uploads.tmpDir, admit });
    try {
      if (!sender) throw new AppError('UNAUTHORIZED');
      return forVisitorAck(await attachForVisitor(ctx, site, sender.visitor, file, sender.clientId, ip));
    } finally {
      // Kept files were moved away; a refused one is removed here.
      await rm(file.tmpPath, { force: true });
    }
  });
}

/** `attachment; filename*=UTF-8''…` with an ASCII fallback (RFC 6266): a name is never a header injection. */
function disposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Types served as they are (as downloads); anything else, whatever a site admitted, as octet-stream, so it is never a page. */
const DOWNLOAD_TYPES = /^(application\/(pdf|msword|vnd\.ms-[a-z]+|vnd\.openxmlformats-officedocument\.[a-z.]+|vnd\.oasis\.opendocument\.[a-z]+)|text\/plain)$/;

export function attachmentsRouter(ctx: Ctx): Router {
  const r = Router();
  r.get(
    '/api/attachments/limits',
    requireAgent(ctx),
    json(async (req) => {
      const out: Record<string, ReturnType<typeof limitsOf>> = {};
      for (const id of req.agent!.siteIds) {
        const site = await ctx.sites.get(id);
        if (site) out[id] = limitsOf(site);
      }
      return out;
    }),
  );

  r.post(
    '/api/conversations/:id/attachments',
    requireAgent(ctx),
    json(async (req, res) => {
      // Before the body is read, as a visitor's upload: a refused file is never taken in.
      await enforceLimits(ctx.limiter, [[`attach:a:${req.agent!.agent.id}`, LIMITS.attachmentsPerAgent]]).catch((err) => {
        refuseRest(req, res);
        throw err;
      });
      const conversationId = parse(Id, req.params.id);
      const conv = await findConversation(ctx.db, conversationId);
      const site = conv && req.agent!.siteIds.includes(conv.siteId) ? await ctx.sites.get(conv.siteId) : undefined;
      if (!site) {
        refuseRest(req, res);
        throw new AppError('NOT_FOUND');
      }
      let clientId: string | undefined;
      const admit = async (fields: Readonly<Record<string, string>>) => {
        const id = parse(ClientId, fields.clientId);
        // What the transaction would refuse, refused before the file is read (and checked again
        // there); a retry of a stored upload is answered with it instead, whatever the ticket became.
        if (!(await findMessageByClientId(ctx.db, conversationId, id))) {
          if (conv!.status === 'resolved') throw new AppError('CONVERSATION_CLOSED');
          if (conv!.assignedAgentId && conv!.assignedAgentId !== req.agent!.agent.id) throw new AppError('ALREADY_CLAIMED');
        }
        clientId = id;
      };
      const file = await receiveFile(req, res, { maxBytes: site.attachmentMaxBytes, tmpDir: ctx.uploads.tmpDir, admit });
      try {
        if (clientId === undefined) throw new AppError('INVALID_PAYLOAD');
        return await attachForAgent(ctx, site, req.agent!.agent, conversationId, file, clientId);
      } finally {
        await rm(file.tmpPath, { force: true });
      }
    }),
  );

  r.get('/api/attachments/:id', async (req, res, next) => {
    try {
      const id = parse(Id, req.params.id);
      const found = await findAttachment(ctx.db, id);
      const now = ctx.clock();
      let allowed = false;
      if (found && req.query.sig !== undefined) {
        allowed = checkVisitorLink(found.tokenHash, id, req.query.exp, req.query.sig, now);
      } else if (found) {
        const auth = await authenticate(ctx.db, readCookie(req.headers.cookie, SESSION_COOKIE), now);
        allowed = Boolean(auth?.siteIds.includes(found.siteId));
      }
      // Another site's file, someone else's, or none: one answer, so ids cannot be probed.
      if (!found || !allowed) throw new AppError('NOT_FOUND');
      const a = found.attachment;
      const body = await ctx.uploads.get(a.storageKey);
      const image = isRasterImage(a.mime);
      res.setHeader('Content-Type', image || DOWNLOAD_TYPES.test(a.mime) ? (a.mime === 'text/plain' ? 'text/plain; charset=utf-8' : a.mime) : 'application/octet-stream');
      res.setHeader('Content-Length', String(a.size));
      res.setHeader('Content-Disposition', disposition(image ? 'inline' : 'attachment', a.name));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      // Even if a browser rendered it, it would be an opaque origin with no script, no requests, no forms.
      res.setHeader('Content-Security-Policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
      res.setHeader('Cache-Control', req.query.sig !== undefined ? 'private, max-age=900, immutable' : 'private, no-cache');
      res.setHeader('Referrer-Policy', 'no-referrer');
      // pipeline, not pipe: a download the browser cancels (an image scrolled away, a tab closed)
      // must close the file or the S3 response too, or each one kept a descriptor or a connection.
      pipeline(body, res).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') ctx.log.error({ err }, 'attachment read failed');
      });
    } catch (err) {
      next(err);
    }
  });
  return r;
}
