/** HTTP routes of the team: the admins' Agents page, invitation links, and every agent's own password. */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { AgentCreate, AgentUpdate, InvitationAccept, InvitationToken, PasswordChange, ProfileUpdate } from '../../shared/schemas.ts';
import { SESSION_COOKIE } from '../../shared/http.ts';
import type { Ctx } from '../context.ts';
import { sha256 } from '../crypto.ts';
import { json, parse } from '../http/respond.ts';
import { authenticate, assertAdmin, toAgentDTO } from './agents.service.ts';
import { countLoginAttempt } from './login-guard.ts';
import { readCookie, requireAgent, setSessionCookie } from './agents.handlers.ts';
import { acceptInvitation, addAgent, changeOwnPassword, listTeamDTOs, reinvite, renameSelf, updateAgent } from './team.service.ts';

/** The address links are made with: PUBLIC_URL, else the address the admin's browser used. */
export const publicUrlOf = (ctx: Ctx, req: Request): string => ctx.config.publicUrl ?? `${req.protocol}://${req.get('host')}`;

const AgentId = z.uuid();

export function teamRouter(ctx: Ctx): Router {
  const r = Router();
  const admin = [requireAgent(ctx), (req: Request, _res: unknown, next: () => void) => (assertAdmin(req.agent!), next())];

  r.get('/api/agents', ...admin, json(async () => listTeamDTOs(ctx)));
  r.post(
    '/api/agents',
    ...admin,
    json(async (req) => addAgent(ctx, parse(AgentCreate, req.body), publicUrlOf(ctx, req))),
  );
  r.put(
    '/api/agents/:id',
    ...admin,
    json(async (req) => updateAgent(ctx, req.agent!, parse(AgentId, req.params.id), parse(AgentUpdate, req.body))),
  );
  r.post(
    '/api/agents/:id/invitation',
    ...admin,
    json(async (req) => reinvite(ctx, parse(AgentId, req.params.id), publicUrlOf(ctx, req))),
  );

  r.post(
    '/api/invitations/:token/accept',
    json(async (req, res) => {
      const token = parse(InvitationToken, req.params.token);
      const { password } = parse(InvitationAccept, req.body);
      const session = await acceptInvitation(ctx, token, password);
      setSessionCookie(ctx, req, res, session.token);
      const auth = await authenticate(ctx.db, session.token, ctx.clock());
      return toAgentDTO(auth!);
    }),
  );

  r.post(
    '/api/auth/password',
    requireAgent(ctx),
    json(async (req) => {
      const body = parse(PasswordChange, req.body);
      const me = req.agent!;
      // The current password is guessed like a login's: a stolen session does not get unlimited tries.
      const attempt = await countLoginAttempt(ctx, me.agent.email, req.ip ?? req.socket.remoteAddress ?? '');
      await changeOwnPassword(ctx, me, sha256(readCookie(req.headers.cookie, SESSION_COOKIE)!), body.currentPassword, body.newPassword);
      await attempt.succeeded();
      return {};
    }),
  );
  r.put(
    '/api/auth/me',
    requireAgent(ctx),
    json(async (req) => toAgentDTO(await renameSelf(ctx, req.agent!, parse(ProfileUpdate, req.body).name))),
  );
  return r;
}
