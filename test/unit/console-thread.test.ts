import { describe, expect, it } from 'vitest';
import type { ConversationDTO } from '../../shared/types.ts';
import { applyConversationUpdate, normalizeQueue, overdueBy, withMessage } from '../../console/shared/thread.ts';

const ME = 'agent-me';

function conv(id: string, over: Partial<ConversationDTO> = {}): ConversationDTO {
  return {
    id,
    siteId: 'demo',
    updatedAt: '2026-01-01T00:00:00.000Z',
    status: 'open',
    visitorId: 'v',
    visitorName: null,
    visitorEmail: null,
    assignedAgentId: null,
    assignedAgentName: null,
    pageUrl: null,
    pageTitle: null,
    question: 'help',
    lastSeq: 1,
    createdAt: '2025-01-01T00:00:00Z',
    escalatedAt: '2025-01-01T00:01:00Z',
    firstResponseAt: null,
    resolvedAt: null,
    ...over,
  };
}

describe('console live queue', () => {
  const empty = { waiting: [], mine: [] };

  it('lists a new unclaimed conversation as waiting, oldest first', () => {
    let q = applyConversationUpdate(empty, conv('late', { escalatedAt: '2025-01-01T00:05:00Z' }), ME);
    q = applyConversationUpdate(q, conv('early', { escalatedAt: '2025-01-01T00:02:00Z' }), ME);
    expect(q.waiting.map((c) => c.id)).toEqual(['early', 'late']);
    expect(q.mine).toEqual([]);
  });

  it('moves a conversation from waiting to mine when I claim it', () => {
    const q1 = applyConversationUpdate(empty, conv('c1'), ME);
    const q2 = applyConversationUpdate(q1, conv('c1', { assignedAgentId: ME, assignedAgentName: 'Me' }), ME);
    expect(q2.waiting).toEqual([]);
    expect(q2.mine.map((c) => c.id)).toEqual(['c1']);
  });

  it('drops a conversation another agent claimed, and mine once resolved', () => {
    const q1 = applyConversationUpdate(empty, conv('c1'), ME);
    expect(applyConversationUpdate(q1, conv('c1', { assignedAgentId: 'other' }), ME)).toEqual(empty);
    const mine = applyConversationUpdate(empty, conv('c2', { assignedAgentId: ME, status: 'pending' }), ME);
    expect(mine.mine).toHaveLength(1);
    expect(applyConversationUpdate(mine, conv('c2', { assignedAgentId: ME, status: 'resolved' }), ME)).toEqual(empty);
  });

  it('ignores conversations still with the bot', () => {
    expect(applyConversationUpdate(empty, conv('c1', { status: 'bot', escalatedAt: null }), ME)).toEqual(empty);
  });

  it('sorts a queue from the server oldest first', () => {
    const q = normalizeQueue({
      waiting: [conv('b', { escalatedAt: '2025-01-01T00:09:00Z' }), conv('a', { escalatedAt: '2025-01-01T00:01:00Z' })],
      mine: [],
    });
    expect(q.waiting.map((c) => c.id)).toEqual(['a', 'b']);
  });
});

describe('whose turn it is, from the messages', () => {
  const msg = (author: 'visitor' | 'agent' | 'bot', seq: number) => ({ conversationId: 'c', author, seq, createdAt: '2026-02-01T00:00:00.000Z' });

  it('makes a ticket pending after the agent replies and open again when the visitor writes', () => {
    const replied = withMessage(conv('c', { assignedAgentId: ME, lastSeq: 3 }), msg('agent', 4));
    expect(replied).toMatchObject({ status: 'pending', lastSeq: 4, updatedAt: '2026-02-01T00:00:00.000Z' });
    expect(withMessage(replied, msg('visitor', 5)).status).toBe('open');
  });

  it('ignores old messages, other conversations and conversations no person has', () => {
    const c = conv('c', { assignedAgentId: ME, lastSeq: 3, status: 'pending' });
    expect(withMessage(c, msg('visitor', 3))).toBe(c);
    expect(withMessage(c, { ...msg('visitor', 9), conversationId: 'other' })).toBe(c);
    const resolved = conv('c', { status: 'resolved' });
    expect(withMessage(resolved, msg('visitor', 9))).toBe(resolved);
  });
});

describe('first-response target', () => {
  const at = (iso: string) => Date.parse(iso);
  const waiting = { status: 'open' as const, escalatedAt: '2026-01-05T10:00:00.000Z', firstResponseAt: null };

  it('marks a ticket overdue once it has waited past the target without a first reply', () => {
    expect(overdueBy(waiting, 300, at('2026-01-05T10:04:59.000Z'))).toBeNull();
    expect(overdueBy(waiting, 300, at('2026-01-05T10:06:00.000Z'))).toBe(60_000);
  });

  it('never marks one that was answered, is not a ticket, waits for the visitor, or whose site is unknown', () => {
    const late = at('2026-01-05T12:00:00.000Z');
    expect(overdueBy({ ...waiting, firstResponseAt: '2026-01-05T10:01:00.000Z' }, 300, late)).toBeNull();
    expect(overdueBy({ ...waiting, escalatedAt: null }, 300, late)).toBeNull();
    expect(overdueBy({ ...waiting, status: 'pending' }, 300, late)).toBeNull();
    expect(overdueBy(waiting, undefined, late)).toBeNull();
  });
});
