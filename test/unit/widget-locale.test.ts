import { describe, expect, it } from 'vitest';
import { validColor } from '../../widget/color.ts';
import { matchLocale, resolveLocale } from '../../widget/locale.ts';

describe('widget locale', () => {
  it('reads zh* and en* language tags', () => {
    expect(matchLocale('zh')).toBe('zh');
    expect(matchLocale('zh-CN')).toBe('zh');
    expect(matchLocale('zh_Hant_TW')).toBe('zh');
    expect(matchLocale('EN-gb')).toBe('en');
    expect(matchLocale('fr')).toBeUndefined();
    expect(matchLocale('zha')).toBeUndefined();
    expect(matchLocale('')).toBeUndefined();
    expect(matchLocale(null)).toBeUndefined();
  });

  it('prefers data-locale, then the page language, then the browser, then English', () => {
    expect(resolveLocale('en', 'zh-CN', 'zh')).toBe('en');
    expect(resolveLocale(undefined, 'zh-CN', 'en-US')).toBe('zh');
    expect(resolveLocale('de', 'fr', 'zh-TW')).toBe('zh');
    expect(resolveLocale(null, '', 'ja')).toBe('en');
  });

  it('uses data-color only when the browser takes it for a colour', () => {
    const supports = (_: string, value: string) => /^(#[0-9a-f]{3,8}|rgb\(.*\)|teal)$/i.test(value);
    expect(validColor('#0f766e', supports)).toBe('#0f766e');
    expect(validColor(' teal ', supports)).toBe('teal');
    expect(validColor('red; background: url(x)', () => true)).toBeUndefined();
    expect(validColor('not-a-colour', supports)).toBeUndefined();
    expect(validColor(undefined, supports)).toBeUndefined();
  });
});
