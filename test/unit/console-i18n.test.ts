import { describe, expect, it } from 'vitest';
import { en } from '../../console/shared/strings-en.ts';
import { zh } from '../../console/shared/strings-zh.ts';
import { LOCALE_STORAGE_KEY, Localizer, errorMessage, pickLocale, translate } from '../../console/shared/i18n.ts';

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
