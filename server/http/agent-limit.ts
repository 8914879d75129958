/** A rate limit per logged-in agent for a group of console routes: after requireAgent. */
import type { RequestHandler } from 'express';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';

export function perAgent(ctx: Ctx, name: string, limit: { limit: number; windowMs: number }): RequestHandler {
  return async (req, _res, next) => {
    try {
      const wait = await ctx.limiter.hit(`${name}:${req.agent!.agent.id}`, limit.limit, limit.windowMs);
      next(wait ? new AppError('RATE_LIMITED', wait) : undefined);
    } catch (err) {
      next(err);
    }
  };
}
