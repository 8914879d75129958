/** The `/widget` namespace: who the visitor is, and the session snapshot the widget starts from. */
import type { Socket } from 'socket.io';
import { Identify, knownTimeZone, SessionHello, SessionLink } from '../../shared/schemas.ts';
import type { SessionDTO } from '../../shared/types.ts';
import type { Ctx } from '../context.ts';
import type { Site, Visitor } from '../db/schema.ts';
import { AppError, publicError } from '../errors.ts';
import { hmacHex, safeEqual, sha256 } from '../crypto.ts';
import { toFailure, widgetHandlerFactory } from '../realtime/handler.ts';
import { forVisitor, isWaiting, rooms, type WidgetNamespace } from '../realtime/realtime.ts';
import { activeSecrets, checkSiteAccess } from '../sites/sites.service.ts';
import { currentConversation } from '../conversations/message-store.ts';
import { visitorFeedback } from '../feedback/feedback.service.ts';
import { findVisitorByToken, newVisitor, storeVisitor, setVisitorIdentity, touchVisitor, visitorOfUser } from './visitors.service.ts';
import { clientIp, LIMITS } from '../limits.ts';
import { boundElsewhere, findLinkedVisitor, LINK_TOKEN, peekVisitorLink, redeemVisitorLink, spendVisitorLink } from './links.ts';
import { contactMissing, contactOf } from '../mail/contact.ts';
import { sessionLimitsOf } from '../attachments/attachments.service.ts';

export interface WidgetSocketData {
  site: Site;
  visitor: Visitor;
  ip: string;
  /** Set when this handshake issued a new visitor token: sent once, in session:hello. */
  issuedToken?: string;
  /** The handshake carried a link from a reply email: its own visitor's browser, spent or expired, or another visitor's, waiting for session:link. */
  link?: 'bound' | 'refused' | 'pending';
  /** With link 'pending': the link's sha256 (as stored: no way in), and the address it was mailed to, masked. */
  pendingLink?: { hash: string; to: string };
  /** The visitor was issued at this handshake and its row is not written yet (saveVisitorFirst). */
  unsaved?: boolean;
  /** This browser reached its visitor through a reply email's link, not with the visitor's own first token. */
  linked?: boolean;
  /** A signed identity was verified on this connection (session:identify): what a site that requires one asks of every event. */
  identified?: boolean;
}

export type WidgetSocket = Socket & { data: WidgetSocketData };

/**
 * What a site asks of a visitor before a question of theirs reaches it: a signed identity verified
 * on this connection (not one stored by an earlier one: a site's user who signed out is not signed
 * in any more), and the pre-chat form's answers. Checked by every event that asks a question or
 * opens a ticket, so that no path around message:send (a suggestion picked while typing, then
 * "talk to a person") skips it.
 */
export function assertMayAsk(socket: WidgetSocket, { contact = true } = {}): void {
  const { site, visitor } = socket.data;
  if (site.requireIdentity && !socket.data.identified) throw new AppError('IDENTITY_REQUIRED');
  if (contact && contactMissing(site, visitor)) throw new AppError('CONTACT_REQUIRED');
}

/** Longest User-Agent kept: real ones are a few hundred characters; the rest is noise or an attack. */
const USER_AGENT_MAX = 512;

/** Handshake: known site, allowed origin, and a visitor token the server issued (or a new one). */
export function widgetMiddleware(ctx: Ctx) {
  return async (socket: Socket, next: (err?: Error) => void) => {
    try {
      const site = await checkSiteAccess(ctx.sites, socket.handshake.query.site, socket.handshake.headers.origin);
      const ip = clientIp(socket.handshake.address, socket.handshake.headers, ctx.config.trustProxy);
      const auth = (socket.handshake.auth ?? {}) as { token?: unknown; link?: unknown };
      // Read once, then dropped, as the agents' cookie is: a handshake is what the Redis adapter
      // would send to another node that fetches this socket, and a token is a way in.
      socket.handshake.auth = {};
      let visitor = auth.link === undefined ? await knownVisitor(ctx, site.id, auth.token) : await peekLink(ctx, socket, site.id, auth);
      socket.data.linked = Boolean(visitor && visitor.tokenHash !== sha256(String(auth.token)));
      if (!visitor) {
        const wait = await ctx.limiter.hit(`visitor-new:ip:${ip}`, LIMITS.newVisitorsPerIp.limit, LIMITS.newVisitorsPerIp.windowMs);
        if (wait) throw new AppError('RATE_LIMITED', wait);
        const issued = newVisitor(site.id, ctx.clock());
        visitor = issued.visitor;
        socket.data.issuedToken = issued.token;
        socket.data.unsaved = true;
      }
      socket.data.site = site;
      socket.data.visitor = visitor;
      socket.data.ip = ip;
      next();
    } catch (err) {
      const { code, retryAfterMs } = publicError(ctx.log, 'widget handshake', err);
      const e = new Error(code) as Error & { data?: unknown };
      e.data = { code, retryAfterMs };
      next(e);
    }
  };
}

/**
 * A visitor issued at the handshake is written before the socket's first event is handled, whatever
 * the event (every handler may rely on the row), and only then: the widget opens its socket with the
 * chat, and a reader who opens it and leaves without a word costs no write. Installed after the flood
 * guard, so that a refused event writes nothing. Events that arrive while the row is being written wait
 * for it in the order they came; if it cannot be written (database down) each is answered UNAVAILABLE
 * and the next event tries again.
 */
export function saveVisitorFirst(ctx: Ctx, socket: WidgetSocket): void {
  let saving: Promise<void> | undefined;
  socket.use((packet, next) => {
    if (!socket.data.unsaved) return next();
    saving ??= storeVisitor(ctx.store, socket.data.visitor).then(
      () => void (socket.data.unsaved = false),
      (err) => {
        saving = undefined;
        throw err;
      },
    );
    saving.then(
      () => next(),
      (err) => {
        const ack = packet.at(-1);
        if (typeof ack === 'function') (ack as (res: unknown) => void)(toFailure(ctx.log, 'visitor store', err));
      },
    );
  });
}

/** The visitor of a widget token: the visitor's own, or one a reply email's link bound (visitors/links.ts). */
export async function knownVisitor(ctx: Ctx, siteId: string, token: unknown): Promise<Visitor | undefined> {
  const own = await findVisitorByToken(ctx.db, siteId, token);
  if (own || typeof token !== 'string' || !LINK_TOKEN.test(token)) return own;
  return findLinkedVisitor(ctx.db, siteId, token, ctx.clock());
}

/**
 * A link from a reply email, at the handshake: the browser stays the visitor its token says. The
 * link's own visitor's browser spends it; any other browser is told whose it is (masked), and opens
 * it only when the visitor says it is theirs (session:link). A spent or expired link changes nothing.
 */
async function peekLink(ctx: Ctx, socket: Socket, siteId: string, auth: { token?: unknown; link?: unknown }): Promise<Visitor | undefined> {
  const now = ctx.clock();
  const [own, peeked] = await Promise.all([knownVisitor(ctx, siteId, auth.token), peekVisitorLink(ctx.db, siteId, auth.link, now)]);
  socket.data.link = !peeked ? 'refused' : own?.id === peeked.visitorId ? 'bound' : 'pending';
  if (socket.data.link === 'bound') await spendVisitorLink(ctx.db, siteId, auth.link as string, now);
  if (socket.data.link === 'pending') socket.data.pendingLink = { hash: sha256(auth.link as string), to: peeked!.to };
  return own;
}

/** Puts this socket in another visitor's place, with the token that browser keeps from now on. */
function becomeVisitor(socket: WidgetSocket, visitor: Visitor, token: string): void {
  socket.leave(rooms.visitor(socket.data.visitor.id));
  socket.join(rooms.visitor(visitor.id));
  socket.data.visitor = visitor;
  socket.data.issuedToken = token;
  socket.data.unsaved = false;
  socket.data.linked = visitor.tokenHash !== sha256(token);
}

export async function sessionSnapshot(ctx: Ctx, socket: WidgetSocket): Promise<SessionDTO> {
  const { site, visitor } = socket.data;
  // Two queries, side by side: the conversation with its latest messages, and the feedback.
  const [current, agentsOnline, feedback] = await Promise.all([
    currentConversation(ctx.raw, visitor.id, 200),
    ctx.realtime.agentsOnline(site.id),
    visitorFeedback(ctx, visitor),
  ]);
  return {
    visitorId: visitor.id,
    ...(socket.data.issuedToken ? { token: socket.data.issuedToken } : {}),
    siteName: site.name,
    conversation: current ? forVisitor(current.conversation) : null,
    messages: current?.messages ?? [],
    agentsOnline,
    feedback,
    identified: visitor.externalId !== null,
    replySound: site.replySound,
    csatEnabled: site.csatEnabled,
    attachments: sessionLimitsOf(site),
    contact: contactOf(site, visitor, ctx.config),
    ...(socket.data.link ? { link: socket.data.link } : {}),
    ...(socket.data.pendingLink ? { linkTo: socket.data.pendingLink.to } : {}),
  };
}

/**
 * Checks a site's signature of its logged-in user: HMAC-SHA256 over `${id}:${ts}` with the site
 * secret (or the previous one during its grace period), ts in seconds, no older than the site
 * allows (and not from the future).
 */
export function verifyIdentity(site: Site, input: Identify, now: Date): void {
  const signed = `${input.id}:${input.ts}`;
  if (!activeSecrets(site, now).some((secret) => safeEqual(hmacHex(secret, signed), input.hash))) throw new AppError('INVALID_IDENTITY');
  const age = now.getTime() / 1000 - input.ts;
  if (age > site.identityMaxAgeSec || age < -300) throw new AppError('INVALID_IDENTITY');
}

export function registerVisitorHandlers(ctx: Ctx, nsp: WidgetNamespace, socket: WidgetSocket): void {
  const { site, visitor } = socket.data;
  socket.join([rooms.visitor(visitor.id), rooms.site(site.id)]);
  const on = widgetHandlerFactory(ctx.log);

  socket.on(
    'session:hello',
    on('session:hello', SessionHello, async (input) => {
      // "Last seen" to the minute is all anyone reads: a reconnect storm does not rewrite the row.
      const visitor = socket.data.visitor;
      const now = ctx.clock();
      const seen = {
        locale: input.locale,
        // What the agent's side panel shows as browser, OS and device (parsed when asked for).
        userAgent: socket.handshake.headers['user-agent']?.slice(0, USER_AGENT_MAX) || undefined,
        timezone: input.tz && knownTimeZone(input.tz) ? input.tz : undefined,
      };
      const changed = (['locale', 'userAgent', 'timezone'] as const).filter((k) => seen[k] && seen[k] !== visitor[k]);
      const touch = changed.length > 0 || now.getTime() - visitor.lastSeenAt.getTime() > 60_000;
      if (touch) {
        visitor.lastSeenAt = now;
        Object.assign(visitor, Object.fromEntries(changed.map((k) => [k, seen[k]])));
      }
      const [session] = await Promise.all([sessionSnapshot(ctx, socket), touch && touchVisitor(ctx.db, visitor, now, seen)]);
      // A reloaded widget of a waiting visitor learns its place (queue:updated) soon after.
      if (session.conversation && isWaiting(session.conversation)) ctx.realtime.queue.hello(socket.data.site.id, session.conversation.id);
      return session;
    }),
  );

  socket.on(
    'session:identify',
    on('session:identify', Identify, async (input) => {
      const now = ctx.clock();
      verifyIdentity(socket.data.site, input, now);
      const current = socket.data.visitor;
      // A signed identity goes only to a visitor that is this user's, or that nobody else can open.
      // Another user's visitor (the last one signed in on this browser) is never relabelled: they
      // would read each other's conversations, and agents would answer the wrong person. Nor is an
      // anonymous visitor that another browser opens too (through a reply email's link: whoever
      // sent the link would read the signed-in user's chat and write as them). In both cases this
      // browser becomes the user's own visitor, with a new token.
      if (current.externalId !== input.id && (current.externalId !== null || socket.data.linked || (await boundElsewhere(ctx.db, current.id, now)))) {
        const own = await visitorOfUser(ctx.db, socket.data.site.id, input.id, now);
        becomeVisitor(socket, own.visitor, own.token);
      }
      socket.data.visitor = await setVisitorIdentity(ctx.db, socket.data.visitor.id, {
        externalId: input.id,
        name: input.name,
        email: input.email,
        attributes: input.attributes,
      });
      socket.data.identified = true;
      return sessionSnapshot(ctx, socket);
    }),
  );

  socket.on(
    'session:link',
    on('session:link', SessionLink, async (input) => {
      const now = ctx.clock();
      const { pendingLink, site } = socket.data;
      // Only the link this handshake left pending (another one changes nothing), and never out of a
      // signed-in user's visitor into another's: a signed identity stays with its visitor (session:identify).
      if (!pendingLink || sha256(input.link) !== pendingLink.hash) throw new AppError('FORBIDDEN');
      const { visitor: before, issuedToken, unsaved, linked } = socket.data;
      let redeemed: Awaited<ReturnType<typeof redeemVisitorLink>>;
      try {
        // The socket becomes the link's visitor inside the transaction that spends it (links.ts).
        redeemed = socket.data.identified ? undefined : await redeemVisitorLink(ctx.db, site.id, input.link, now, (v, token) => becomeVisitor(socket, v, token));
      } catch (err) {
        // Bound, then not committed: back to the visitor it was.
        if (socket.data.visitor !== before) {
          socket.leave(rooms.visitor(socket.data.visitor.id));
          socket.join(rooms.visitor(before.id));
          Object.assign(socket.data, { visitor: before, issuedToken, unsaved, linked });
        }
        throw err;
      }
      delete socket.data.pendingLink;
      socket.data.link = redeemed ? 'bound' : 'refused';
      return sessionSnapshot(ctx, socket);
    }),
  );
  void nsp;
}
