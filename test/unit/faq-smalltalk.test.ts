import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decide, detectSmallTalk, FaqIndex, stripPleasantries } from '../../server/faq/engine/index.ts';

/** The demo site's FAQ, as the server loads it. */
function demoIndex(): FaqIndex {
  const entries = JSON.parse(readFileSync(new URL('../../demo/faq.json', import.meta.url), 'utf8')) as {
    question: string;
    variants: string[];
    language: 'zh' | 'en';
  }[];
  const idx = new FaqIndex();
  entries.forEach((e, i) => idx.upsert({ id: String(i), question: e.question, variants: e.variants, language: e.language }));
  return idx;
}

describe('small talk', () => {
  it.each([
    ['hi', 'greeting'],
    ['Hello!!', 'greeting'],
    ['good morning team', 'greeting'],
    ['你好', 'greeting'],
    ['在吗？', 'greeting'],
    ['thanks a lot!', 'thanks'],
    ['ok thanks', 'thanks'],
    ['谢谢！', 'thanks'],
    ['好的，知道了', 'thanks'],
    ['bye', 'goodbye'],
    ['thank you, bye!', 'goodbye'],
    ['拜拜', 'goodbye'],
    ['who are you?', 'smalltalk'],
    ['are you a robot', 'smalltalk'],
    ['tell me a joke', 'smalltalk'],
    ["what's the weather like today?", 'smalltalk'],
    ['今天天气怎么样', 'smalltalk'],
    ['讲个笑话', 'smalltalk'],
    ['你是机器人吗', 'smalltalk'],
  ])('recognises %j as %s', (text, type) => {
    expect(detectSmallTalk(text)).toBe(type);
  });

  it.each(['hi, how do I get a refund?', '你好，我想退款', 'no card arrived yet', 'how are you charging me twice?', '好像扣了两次钱', 'thanks, but how do I cancel?'])(
    'treats %j as a question, not small talk',
    (text) => {
      expect(detectSmallTalk(text)).toBeNull();
    },
  );

  it('tells a run of pleasantries from a question in one pass, however long the run', () => {
    // 哦 is a pleasantry, 哦哦 another, and a particle too: one regular expression repeating the
    // group tried every way to split such a run before failing (22 and a 中: 9 s; 30 would take hours).
    expect(detectSmallTalk('哦'.repeat(30) + '中')).toBeNull();
    expect(detectSmallTalk('哦'.repeat(30))).toBe('thanks');
    expect(detectSmallTalk('好的'.repeat(20) + '退款')).toBeNull();
    expect(detectSmallTalk('嗯嗯 好的 谢谢')).toBe('thanks');
  });

  it('peels pleasantries off both ends of a question', () => {
    expect(stripPleasantries('Hi there! How do I get a refund? Thanks')).toBe('how do i get a refund');
    expect(stripPleasantries('你好，请问发票怎么开？谢谢')).toBe('发票怎么开');
    expect(stripPleasantries('hello')).toBe('hello');
  });
});

describe('out of scope', () => {
  const idx = demoIndex();

  it.each(['hi', 'thanks!', 'bye', '你好', '谢谢', '再见'])('replies to %j as small talk, not with an FAQ entry', (text) => {
    expect(decide(idx, text).kind).toBe('smalltalk');
  });

  it.each(['who are you', 'tell me a joke', '今天天气怎么样', '讲个笑话', '你是谁', 'what time is it'])(
    'does not answer the chit-chat %j with an FAQ entry',
    (text) => {
      expect(decide(idx, text).kind).toBe('smalltalk');
    },
  );

  it.each(['what is the capital of Australia', 'how do I cook rice in a microwave', 'recommend a movie for tonight', '怎么做红烧肉', '明天股市会涨吗', '感冒了吃什么药'])(
    'does not answer the unrelated question %j',
    (text) => {
      expect(['none', 'suggest']).toContain(decide(idx, text).kind);
    },
  );

  it('still answers a course question on the same site', () => {
    expect(decide(idx, '怎么退款').kind).toBe('answer');
    expect(decide(idx, 'how do I get a refund?').kind).toBe('answer');
  });
});
