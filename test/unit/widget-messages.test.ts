import { describe, expect, it } from 'vitest';
import { refusalOf } from '../../widget/connection-controller.ts';
import { awaitsAnswer } from '../../widget/messages.ts';
import { message } from '../support/messages.ts';

describe('widget messages', () => {
  it('offers the FAQ buttons until they are answered or the conversation moves on', () => {
    const answer = message(2, { kind: 'faq_answer', meta: { questionId: 'q' } });
    expect(awaitsAnswer(answer, [message(1), answer])).toBe(true);
    expect(awaitsAnswer({ ...answer, meta: { questionId: 'q', outcome: 'human' } }, [answer])).toBe(false);
    expect(awaitsAnswer(answer, [answer, message(3, { author: 'visitor' })])).toBe(false);
  });
});

describe('widget connection refusals', () => {
  it('gives up with the code when the server refuses the site or origin', () => {
    expect(refusalOf({ message: 'UNKNOWN_SITE' }, 0)).toEqual({ code: 'UNKNOWN_SITE' });
    expect(refusalOf({ message: 'ORIGIN_NOT_ALLOWED', data: { code: 'ORIGIN_NOT_ALLOWED' } }, 3)).toEqual({ code: 'ORIGIN_NOT_ALLOWED' });
  });

  it('tries again after a rate limit, as late as the server asks', () => {
    expect(refusalOf({ message: 'RATE_LIMITED', data: { retryAfterMs: 5000 } }, 0)).toEqual({ retryInMs: 5000 });
  });

  it('tries again when the database is away, as late as the server asks', () => {
    expect(refusalOf({ message: 'UNAVAILABLE', data: { code: 'UNAVAILABLE', retryAfterMs: 2000 } }, 0)).toEqual({ retryInMs: 2000 });
  });

  it('tries again with backoff after a server error or an error that is no code', () => {
    const internal = refusalOf({ message: 'INTERNAL' }, 0);
    expect('retryInMs' in internal && internal.retryInMs).toBeGreaterThan(0);
    expect(refusalOf({ message: 'xhr poll error' }, 1)).toHaveProperty('retryInMs');
  });
});
