import { describe, expect, it } from 'vitest';
import type { CannedReplyDTO } from '../../shared/types.ts';
import { cannedQuery, fillCanned, matchCanned } from '../../console/conversation/canned.ts';

const reply = (shortCode: string, title: string, body: string, personal = false): CannedReplyDTO => ({
  id: shortCode,
  siteId: 'demo',
  personal,
  shortCode,
  title,
  body,
  updatedAt: '2026-12-01T00:00:00Z',
});

describe('canned replies in the composer', () => {
  it('fills in the visitor’s and the agent’s names and the visitor’s email', () => {
    const vars = { visitorName: '王小明', visitorEmail: 'xm@example.cn', agentName: 'Mei' };
    expect(fillCanned('您好 {visitor.name}，我是 {agent.name}。回执发到 {visitor.email}', vars)).toBe('您好 王小明，我是 Mei。回执发到 xm@example.cn');
  });

  it('leaves no placeholder for a visitor it does not know, and keeps other braces', () => {
    expect(fillCanned('Hi {visitor.name}, your code is {code}.', { visitorName: null, visitorEmail: null, agentName: 'Mei' })).toBe(
      'Hi, your code is {code}.',
    );
  });

  it('finds replies by code first, then title or body, the agent’s own first', () => {
    const list = [reply('refund', 'Refund policy', 'Refunds take 5 days'), reply('hello', 'Greeting', 'Hi, about your refund'), reply('ref', 'Mine', 'x', true)];
    expect(matchCanned(list, 'ref').map((r) => r.shortCode)).toEqual(['ref', 'refund', 'hello']);
    expect(matchCanned(list, 'greet').map((r) => r.shortCode)).toEqual(['hello']);
    expect(matchCanned(list, '').length).toBe(3);
    expect(matchCanned(list, 'nothing')).toEqual([]);
  });

  it('opens the list only for a slash at the start of a one-word box', () => {
    expect(cannedQuery('/')).toBe('');
    expect(cannedQuery('/退款')).toBe('退款');
    expect(cannedQuery('see /refund')).toBeNull();
    expect(cannedQuery('/refund and more')).toBeNull();
  });
});
