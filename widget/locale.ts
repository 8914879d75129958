/** Picks the interface language and the launcher's own words; kept tiny because it ships in the initial download. */
import type { Locale } from '../shared/schemas.ts';

/** Maps a language tag to a supported locale: `zh-CN` → `zh`, `en-GB` → `en`, anything else → undefined. */
export const matchLocale = (tag: string | null | undefined): Locale | undefined =>
  /^\s*(zh|en)(?![a-z])/i.exec(tag ?? '')?.[1].toLowerCase() as Locale | undefined;

/**
 * The explicit attribute wins, then the page's `<html lang>`, then the browser's language, else English.
 * @example resolveLocale(undefined, 'zh-CN', 'en-US') // 'zh'
 */
export function resolveLocale(
  explicit: string | null | undefined,
  pageLang: string | null | undefined,
  browserLang: string | null | undefined,
): Locale {
  return matchLocale(explicit) ?? matchLocale(pageLang) ?? matchLocale(browserLang) ?? 'en';
}

/** What the launcher says before the panel (and its dictionary) is loaded. */
export const LAUNCHER_TEXT = {
  en: { open: 'Open support chat', unread: (n: number) => `${n} new` },
  zh: { open: '打开在线客服', unread: (n: number) => `${n} 条新消息` },
} satisfies Record<Locale, { open: string; unread: (n: number) => string }>;
