/** Agent authentication over HTTP (login, logout, me) and for the `/agent` socket namespace. */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Socket } from 'socket.io';
import { Login } from '../../shared/schemas.ts';
import { SESSION_COOKIE } from '../../shared/http.ts';
import type { Ctx } from '../context.ts';
import { AppError, publicError } from '../errors.ts';
import { json, parse } from '../http/respond.ts';
import { rooms } from '../realtime/realtime.ts';
import { authenticate, login, logout, toAgentDTO, type AgentContext } from './agents.service.ts';
import { sha256 } from '../crypto.ts';
import { countLoginAttempt } from './login-guard.ts';
import { watchAgentRights, type AgentSocket } from './agent-rights.ts';
import { teamRouter } from './team.handlers.ts';
import { syncReady } from '../presence/presence.ts';

declare module 'express-serve-static-core' {
  interface Request {
    agent?: AgentContext;
  }
}

export type { AgentSocket } from './agent-rights.ts';

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined; // a malformed %-escape: no session, rather than an error
      }
    }
  }
  return undefined;
}

const sessionRoom = (token: string) => `session:${sha256(token)}`;

/** Every console API needs an agent session. */
export function requireAgent(ctx: Ctx): RequestHandler {
  return async (req, _res, next) => {
    try {
      const auth = await authenticate(ctx.db, readCookie(req.headers.cookie, SESSION_COOKIE), ctx.clock());
      if (!auth) throw new AppError('UNAUTHORIZED');
      req.agent = auth;
      next();
    } catch (err) {
      next(err);
    }
  };
}

export function setSessionCookie(ctx: Ctx, req: Request, res: Response, token: string) {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.secure,
    path: '/',
    maxAge: ctx.config.sessionTtlMs,
  });
}

export function authRouter(ctx: Ctx): Router {
  const r = Router();
  r.post(
    '/api/auth/login',
    json(async (req, res) => {
      const body = parse(Login, req.body);
      // req.ip follows `trust proxy` (a hop count): the address our own proxies saw.
      const attempt = await countLoginAttempt(ctx, body.email, req.ip ?? req.socket.remoteAddress ?? '');
      const { token, agent } = await login(ctx.db, body.email, body.password, ctx.config.sessionTtlMs, ctx.clock());
      await attempt.succeeded();
      setSessionCookie(ctx, req, res, token);
      const auth = await authenticate(ctx.db, token, ctx.clock());
      return toAgentDTO(auth ?? { agent, siteIds: [] });
    }),
  );
  r.post(
    '/api/auth/logout',
    json(async (req, res) => {
      const token = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (token) {
        await logout(ctx.db, token);
        ctx.realtime.agents.in(sessionRoom(token)).disconnectSockets(true);
      }
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      return {};
    }),
  );
  r.get('/api/auth/me', requireAgent(ctx), json(async (req) => toAgentDTO(req.agent!)));
  // The team's routes (agents, invitations, own password) ride on this router: app.ts mounts it.
  r.use(teamRouter(ctx));
  return r;
}

/** A browser page on another site must not ride an agent's cookie into the socket. */
function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function agentMiddleware(ctx: Ctx) {
  return async (socket: Socket, next: (err?: Error) => void) => {
    try {
      if (!sameOrigin(socket.handshake.headers.origin, socket.handshake.headers.host)) throw new AppError('ORIGIN_NOT_ALLOWED');
      const token = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
      // Read once, then dropped: the Redis adapter sends a socket's handshake to the other nodes
      // whenever they ask which agents are present (fetchSockets), and a session cookie is a login.
      delete socket.handshake.headers.cookie;
      const auth = await authenticate(ctx.db, token, ctx.clock());
      if (!auth) throw new AppError('UNAUTHORIZED');
      socket.data.auth = auth;
      socket.data.sessionId = sha256(token!);
      socket.data.checkedAt = Date.now();
      // So that logging out ends the sockets this session opened, on every node.
      socket.join(sessionRoom(token!));
      next();
    } catch (err) {
      next(new Error(publicError(ctx.log, 'agent handshake', err).code));
    }
  };
}

export function onAgentConnected(ctx: Ctx, socket: AgentSocket): void {
  const { agent, siteIds } = socket.data.auth;
  socket.join([rooms.me(agent.id), ...siteIds.flatMap((s) => [rooms.site(s), rooms.agent(agent.id, s)])]);
  watchAgentRights(ctx, socket);
  for (const s of syncReady(socket)) ctx.realtime.assigner.poke(s);
  void ctx.realtime.presenceChanged(siteIds);
  // The sites it has now: they may have changed since the handshake.
  socket.on('disconnect', () => void ctx.realtime.presenceChanged(socket.data.auth.siteIds));
}

export { sameOrigin };
