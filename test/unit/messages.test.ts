import { describe, expect, it } from 'vitest';
import { completeAfter, lastSeq, mergeMessages, syncAfter } from '../../shared/messages.ts';
import { message } from '../support/messages.ts';

describe('merging the messages a client receives', () => {
  it('shows each message once, in seq order, whatever order they arrive in', () => {
    const merged = mergeMessages([message(1), message(3)], [message(2), message(3), message(1)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('lets a newer copy of a message replace the old one', () => {
    const answer = message(2, { kind: 'faq_answer', meta: { questionId: 'q' } });
    const merged = mergeMessages([message(1), answer], [{ ...answer, meta: { questionId: 'q', outcome: 'solved' } }]);
    expect(merged).toHaveLength(2);
    expect(merged[1].meta.outcome).toBe('solved');
  });

  it('puts an older conversation above the current one', () => {
    const old = message(5, { id: 'old', conversationId: 'c0', createdAt: '2024-12-31T00:00:00.000Z' });
    expect(mergeMessages([message(1)], [old]).map((m) => m.id)).toEqual(['old', 'm1']);
  });

  it('asks to catch up after the last seq it holds for the conversation', () => {
    const other = message(9, { id: 'x', conversationId: 'c2' });
    expect(lastSeq([message(1), message(4), other], 'c1')).toBe(4);
    expect(lastSeq([], 'c1')).toBe(0);
  });

  it('asks to catch up after the last seq of all it holds when no conversation is named', () => {
    expect(lastSeq([message(1), message(4, { id: 'x', conversationId: 'c2' })])).toBe(4);
  });
});

describe('what a client asks for after a lost push', () => {
  it('asks after the last message before the first hole, so the hole is filled', () => {
    const held = mergeMessages([], [message(3), message(4), message(6), message(7), message(9)]);
    expect(syncAfter(held, 'c1')).toBe(4);
  });

  it('asks after the highest seq when nothing is missing, and after 0 when nothing is held', () => {
    expect(syncAfter(mergeMessages([], [message(1), message(2), message(3)]), 'c1')).toBe(3);
    expect(syncAfter([], 'c1')).toBe(0);
    expect(syncAfter([message(1, { conversationId: 'other' })], 'c1')).toBe(0);
  });

  it('stops asking about a hole a sync has shown to be a message it never gets (an agents’ note, for a visitor)', () => {
    // Seqs 3 and 4 are notes: the visitor's sync after 2 answered 5 and 6.
    const page = [message(5), message(6)];
    const held = mergeMessages([message(1), message(2)], page);
    const complete = completeAfter(2, page);
    expect(complete).toBe(6);
    expect(syncAfter(held, 'c1')).toBe(2);
    expect(syncAfter(held, 'c1', complete)).toBe(6);
    // A later hole, past what the sync proved, is still asked about.
    const later = mergeMessages(held, [message(9)]);
    expect(syncAfter(later, 'c1', complete)).toBe(6);
  });
});
