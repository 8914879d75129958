/** A rate limit per logged-in agent for a group of console routes: after requireAgent. */
import type { RequestHandler } from 'express';
import type { Ctx } from '../context.ts';
import { enforceLimits, type LimitRule } from '../limits.ts';

export function perAgent(ctx: Ctx, name: string, limit: LimitRule): RequestHandler {
  return async (req, _res, next) => {
    try {
      await enforceLimits(ctx.limiter, [[`${name}:${req.agent!.agent.id}`, limit]]);
      next();
    } catch (err) {
      next(err);
    }
  };
}
