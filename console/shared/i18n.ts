/**
 * The console's two interface languages. `translate` and `pickLocale` are pure; `Localizer`
 * remembers the choice and tells the elements (through StoreController) to re-render.
 */
import type { Locale } from '../../shared/schemas.ts';
import { en, type StringKey } from './strings-en.ts';
import { zh } from './strings-zh.ts';
import { humanizeDuration } from './format.ts';
import type { ClientError } from './api.ts';

export type { StringKey };
export type Params = Record<string, string | number>;

const TABLES: Record<Locale, Record<StringKey, string>> = { en, zh };
export const LOCALE_STORAGE_KEY = 'sc-console-locale';

/**
 * A string in the given language with `{name}` placeholders filled.
 * @example translate('en', 'queue.waiting', { n: 3 }) // "Waiting (3)"
 */
export function translate(locale: Locale, key: StringKey, params?: Params): string {
  const text = TABLES[locale][key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * A string cut at its placeholders, each replaced by the value given (markup, say): for words around
 * elements, so that the translation, not the template, places the punctuation and the order.
 * @example translateParts('zh', 'common.labelled', { label: '邮箱', value: html`<b>a@b.c</b>` }) // ['邮箱', '：', <b>…]
 */
export function translateParts<T>(locale: Locale, key: StringKey, params: Record<string, T>): (string | T)[] {
  const text = TABLES[locale][key] ?? key;
  return text
    .split(/(\{\w+\})/)
    .filter((part) => part !== '')
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      return name !== undefined && name in params ? params[name] : part;
    });
}

/** A parameter of kept words: a value, or one that is itself worded in the language of the moment (a date, a list of field names). */
export type PhraseParam = string | number | ((locale: Locale) => string);

/**
 * Words a view keeps in its state (a problem, a confirmation) as a key and its parameters rather than
 * as text, so that they are worded when shown and a switch of language re-words them.
 */
export interface Phrase {
  key: StringKey;
  params?: Record<string, PhraseParam>;
}

/** Kept words, or an error code, in the given language. */
export function phraseText(locale: Locale, phrase: Phrase | ClientError): string {
  if ('code' in phrase) return errorMessage(phrase, locale);
  const params: Params = {};
  for (const [name, value] of Object.entries(phrase.params ?? {})) params[name] = typeof value === 'function' ? value(locale) : value;
  return translate(locale, phrase.key, params);
}

/** The remembered choice if valid, else Chinese when the browser prefers any Chinese, else English. */
export function pickLocale(stored: string | null, languages: readonly string[]): Locale {
  if (stored === 'zh' || stored === 'en') return stored;
  const first = languages[0]?.toLowerCase() ?? '';
  return first.startsWith('zh') ? 'zh' : 'en';
}

/** A retry delay rounded up, so "try again in 1 min" is never too early. */
export function humanizeRetry(ms: number, locale: Locale): string {
  const up = ms < 60_000 ? Math.ceil(ms / 1000) * 1000 : Math.ceil(ms / 60_000) * 60_000;
  return humanizeDuration(Math.max(1000, up), locale);
}

/** A localized sentence for an error code from the server or the client itself. */
export function errorMessage(error: ClientError, locale: Locale): string {
  const { code, retryAfterMs } = error;
  if (code === 'LOCKED_OUT' || code === 'RATE_LIMITED') {
    return retryAfterMs && retryAfterMs > 0
      ? translate(locale, `error.${code}`, { time: humanizeRetry(retryAfterMs, locale) })
      : translate(locale, `error.${code}_LATER`);
  }
  const key = `error.${code}`;
  return key in en ? translate(locale, key as StringKey) : translate(locale, 'error.OTHER', { code });
}

/** What a Localizer or other remembered choice needs of localStorage: a test passes a Map-like stand-in. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Holds the interface language; dispatches `change` when it switches. */
export class Localizer extends EventTarget {
  locale: Locale;

  constructor(private readonly storage: KeyValueStore | null, languages: readonly string[]) {
    super();
    this.locale = pickLocale(this._read(), languages);
  }

  t(key: StringKey, params?: Params): string {
    return translate(this.locale, key, params);
  }

  /** Whether a key exists: for codes that come from the server and may be newer than this build. */
  has(key: string): key is StringKey {
    return key in en;
  }

  error(error: ClientError): string {
    return errorMessage(error, this.locale);
  }

  /** Kept words (a Phrase) or an error, in the current language. */
  say(phrase: Phrase | ClientError): string {
    return phraseText(this.locale, phrase);
  }

  /** A string with markup in its placeholders, in the current language (see translateParts). */
  parts<T>(key: StringKey, params: Record<string, T>): (string | T)[] {
    return translateParts(this.locale, key, params);
  }

  set(locale: Locale): void {
    if (locale === this.locale) return;
    this.locale = locale;
    try {
      this.storage?.setItem(LOCALE_STORAGE_KEY, locale);
    } catch {
      // Storage can be full or blocked; the choice then lasts for this page only.
    }
    this.dispatchEvent(new Event('change'));
  }

  private _read(): string | null {
    try {
      return this.storage?.getItem(LOCALE_STORAGE_KEY) ?? null;
    } catch {
      return null;
    }
  }
}

/** localStorage, or null where it does not exist or refuses access. */
export function browserStorage(): KeyValueStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The console's one localizer. */
export const i18n = new Localizer(
  browserStorage(),
  typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language],
);
