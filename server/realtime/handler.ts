/** Turns a typed service call into a Socket.IO listener that validates first and always acks. */
import type { z } from 'zod';
import { fail, ok, type Ack } from '../../shared/result.ts';
import { publicError } from '../errors.ts';
import { storable } from '../http/respond.ts';
import type { Logger } from '../logger.ts';
import { forVisitorAck } from './realtime.ts';

type AnyAck = (res: Ack<unknown>) => void;

/**
 * The payload is parsed with the shared schema before anything else: an invalid one is answered
 * INVALID_PAYLOAD and nothing is written. Exceptions become INTERNAL; their text stays in the log.
 */
export function socketHandler<S extends z.ZodType, T>(
  log: Logger,
  event: string,
  schema: S,
  fn: (payload: z.infer<S>) => T | Promise<T>,
) {
  return async (...args: unknown[]): Promise<void> => {
    const ack: AnyAck = typeof args.at(-1) === 'function' ? (args.pop() as AnyAck) : () => {};
    if (args.length !== 1) return ack(fail('INVALID_PAYLOAD'));
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success || !storable(parsed.data)) return ack(fail('INVALID_PAYLOAD'));
    try {
      ack(ok(await fn(parsed.data)));
    } catch (err) {
      ack(toFailure(log, event, err));
    }
  };
}

/** An exception as an ack: its code if the client may know it (UNAVAILABLE for a lost database), else INTERNAL, logged. */
export function toFailure(log: Logger, where: string, err: unknown): Ack<never> {
  const { code, retryAfterMs } = publicError(log, where, err);
  return fail(code, retryAfterMs);
}

/** `socketHandler` bound to a logger, keeping its generics (Function.bind would drop them). */
export const handlerFactory =
  (log: Logger) =>
  <S extends z.ZodType, T>(event: string, schema: S, fn: (payload: z.infer<S>) => T | Promise<T>) =>
    socketHandler(log, event, schema, fn);

/**
 * `handlerFactory` for the widget's events: whatever a handler answers, a conversation in its ack goes
 * without the agents' labels (realtime.ts `forVisitorAck`), so no widget event can forget it.
 */
export const widgetHandlerFactory =
  (log: Logger) =>
  <S extends z.ZodType, T>(event: string, schema: S, fn: (payload: z.infer<S>) => T | Promise<T>) =>
    socketHandler(log, event, schema, async (payload: z.infer<S>) => forVisitorAck(await fn(payload)));

/**
 * One socket's calls of one event, run one after the other in the order they arrived. Socket.IO
 * delivers a socket's packets in order but runs their handlers concurrently: two messages sent
 * back to back (the console does not wait for one ack before the next) could otherwise be stored
 * in the opposite order. Wrap a handler once per socket.
 */
export function inOrder(handler: (...args: unknown[]) => Promise<void>): (...args: unknown[]) => void {
  let tail: Promise<void> = Promise.resolve();
  return (...args) => {
    tail = tail.then(() => handler(...args));
  };
}
