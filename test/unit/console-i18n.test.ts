import { describe, expect, it } from 'vitest';
import { en } from '../../console/shared/strings-en.ts';
import { zh } from '../../console/shared/strings-zh.ts';
import { LOCALE_STORAGE_KEY, Localizer, errorMessage, phraseText, pickLocale, translate, translateParts } from '../../console/shared/i18n.ts';

class MemoryStorage {
  readonly data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
}

describe('console interface language', () => {
  it('has every English string in Chinese, with the same placeholders', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(zh[key], key).toBeTruthy();
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(zh[key]), key).toEqual(names(en[key]));
    }
  });

  it('writes Chinese with full-width punctuation, never an ASCII colon, semicolon or bracket beside Chinese text', () => {
    const chinese = /[\u4e00-\u9fff]/;
    for (const [key, text] of Object.entries(zh)) {
      if (!chinese.test(text)) continue;
      // Clock times (9:00), addresses and the technical "http(s)" keep theirs.
      const words = text.replace(/https?:\/\/[\w./-]+|http\(s\)|\d:\d/g, '');
      expect(words, key).not.toMatch(/[:;()]/);
    }
  });

  it('puts the colon between a label and its value in the translation: full-width and without a space in Chinese', () => {
    expect(translate('en', 'common.labelled', { label: 'Email', value: 'mia@example.com' })).toBe('Email: mia@example.com');
    expect(translate('zh', 'common.labelled', { label: '邮箱', value: 'mia@example.com' })).toBe('邮箱：mia@example.com');
    expect(translate('zh', 'common.qualified', { name: '首次响应时长', detail: 'p50' })).toBe('首次响应时长（p50）');
  });

  it('places markup where the translation puts its placeholders', () => {
    const code = { tag: 'code' };
    expect(translateParts('zh', 'common.labelled', { label: code, value: 'x' })).toEqual([code, '：', 'x']);
    expect(translateParts('en', 'common.labelled', { label: code, value: 'x' })).toEqual([code, ': ', 'x']);
    const vars = translateParts('zh', 'cannedAdmin.vars', { visitor: 'V', agent: 'A', email: 'E' }).join('');
    expect(vars).toBe('插入回复时自动替换：V 访客的姓名；A 插入回复的客服的名字；E 访客的邮箱。未知的值会留空。');
    // A placeholder without a value stays visible rather than vanishing.
    expect(translateParts('en', 'common.labelled', { label: 'L' })).toEqual(['L', ': ', '{value}']);
  });

  it('words kept words when they are shown, so a switch of language re-words them', () => {
    const i18n = new Localizer(new MemoryStorage(), ['en']);
    const problem = { key: 'account.tooShort' } as const;
    const notice = { key: 'agents.invitationOnce', params: { name: 'Mia', time: (locale: string) => (locale === 'zh' ? '明天' : 'tomorrow') } } as const;
    const refusal = { code: 'FORBIDDEN' } as const;
    const shown = () => [i18n.say(problem), i18n.say(notice), i18n.say(refusal)];
    expect(shown()).toEqual([
      'The new password needs at least 8 characters.',
      'Send this link to Mia. It works once, until tomorrow, and is shown only now.',
      'You are not allowed to do this.',
    ]);
    i18n.set('zh');
    expect(shown()).toEqual(['新密码至少需要 8 个字符。', '请把此链接发给 Mia。它只能使用一次，明天 前有效，且只显示这一次。', translate('zh', 'error.FORBIDDEN')]);
    expect(phraseText('en', { key: 'sites.badFields', params: { list: () => 'Name' } })).toBe('Check these fields: Name.');
  });

  it('starts in the browser language and remembers the agent choice', () => {
    expect(pickLocale(null, ['zh-CN', 'en'])).toBe('zh');
    expect(pickLocale(null, ['zh-TW'])).toBe('zh');
    expect(pickLocale(null, ['en-US', 'zh-CN'])).toBe('en');
    expect(pickLocale(null, ['fr-FR'])).toBe('en');
    expect(pickLocale(null, [])).toBe('en');
    expect(pickLocale('en', ['zh-CN'])).toBe('en');
    expect(pickLocale('xx', ['zh-CN'])).toBe('zh');
  });

  it('switches language, tells its listeners and stores the choice', () => {
    const storage = new MemoryStorage();
    const i18n = new Localizer(storage, ['en-GB']);
    let changes = 0;
    i18n.addEventListener('change', () => changes++);
    expect(i18n.t('nav.queue')).toBe('Queue');
    i18n.set('zh');
    expect(i18n.t('nav.queue')).toBe('会话队列');
    expect(changes).toBe(1);
    expect(storage.getItem(LOCALE_STORAGE_KEY)).toBe('zh');
    expect(new Localizer(storage, ['en-GB']).locale).toBe('zh');
  });

  it('still works when storage refuses access', () => {
    const broken = {
      getItem(): string | null {
        throw new Error('denied');
      },
      setItem(): void {
        throw new Error('denied');
      },
    };
    const i18n = new Localizer(broken, ['zh']);
    expect(i18n.locale).toBe('zh');
    i18n.set('en');
    expect(i18n.locale).toBe('en');
  });

  it('fills placeholders', () => {
    expect(translate('en', 'queue.waiting', { n: 3 })).toBe('Waiting (3)');
    expect(translate('zh', 'conv.otherAgent', { name: '小王' })).toBe('小王 正在处理此会话。');
  });

  it('explains sign-in failures, with the wait for lockouts and rate limits', () => {
    expect(errorMessage({ code: 'INVALID_CREDENTIALS' }, 'en')).toBe('Wrong email or password.');
    expect(errorMessage({ code: 'LOCKED_OUT', retryAfterMs: 14 * 60_000 + 1 }, 'en')).toBe(
      'Too many failed sign-ins. Try again in 15 min.',
    );
    expect(errorMessage({ code: 'RATE_LIMITED', retryAfterMs: 4200 }, 'zh')).toBe('请求过于频繁，请在 5 秒后重试。');
    expect(errorMessage({ code: 'LOCKED_OUT' }, 'en')).toBe('Too many failed sign-ins. Try again later.');
    expect(errorMessage({ code: 'ALREADY_CLAIMED' }, 'en')).toBe('Claimed by another agent.');
    expect(errorMessage({ code: 'UNKNOWN_SITE' }, 'en')).toBe('Something went wrong (UNKNOWN_SITE).');
  });
});
