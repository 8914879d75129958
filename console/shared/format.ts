/**
 * Pure formatting helpers for the console: durations, rates, dates and links.
 * No DOM, no Lit: the unit tests run them in Node.
 */
import type { Locale } from '../../shared/schemas.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const UNITS: Record<Locale, { s: string; min: string; h: string; d: string; sep: string }> = {
  en: { s: ' s', min: ' min', h: ' h', d: ' d', sep: ' ' },
  zh: { s: ' 秒', min: ' 分钟', h: ' 小时', d: ' 天', sep: ' ' },
};

/**
 * A duration the way a person says it: the largest unit, plus the next one when it matters.
 * @example humanizeDuration(125_000, 'en') // "2 min"
 * @example humanizeDuration(3_900_000, 'zh') // "1 小时 5 分钟"
 */
export function humanizeDuration(ms: number, locale: Locale): string {
  const u = UNITS[locale];
  const v = Math.max(0, ms);
  if (v < MINUTE) return `${Math.floor(v / SECOND)}${u.s}`;
  if (v < HOUR) return `${Math.floor(v / MINUTE)}${u.min}`;
  if (v < DAY) {
    const h = Math.floor(v / HOUR);
    const m = Math.floor((v % HOUR) / MINUTE);
    return m === 0 ? `${h}${u.h}` : `${h}${u.h}${u.sep}${m}${u.min}`;
  }
  const d = Math.floor(v / DAY);
  const h = Math.floor((v % DAY) / HOUR);
  return h === 0 ? `${d}${u.d}` : `${d}${u.d}${u.sep}${h}${u.h}`;
}

/** Like humanizeDuration, but `null` (nothing measured) becomes an em dash. */
export function durationOrDash(ms: number | null | undefined, locale: Locale): string {
  return ms === null || ms === undefined ? '—' : humanizeDuration(ms, locale);
}

/** The BCP 47 tag Intl should use for an interface language. */
export function intlTag(locale: Locale): string {
  return locale === 'zh' ? 'zh-CN' : 'en';
}

/**
 * A share between 0 and 1 as a percentage; `null` (no denominator) becomes an em dash.
 * @example formatRate(0.4567, 'en') // "45.7%"
 */
export function formatRate(rate: number | null | undefined, locale: Locale): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return new Intl.NumberFormat(intlTag(locale), { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

/** A whole number with the locale's grouping. */
export function formatCount(n: number, locale: Locale): string {
  return new Intl.NumberFormat(intlTag(locale)).format(n);
}

/** Date and time, short; only the time when it is today (relative to `now`). */
export function formatTimestamp(iso: string, locale: Locale, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameDay = d.toDateString() === now.toDateString();
  const opts: Intl.DateTimeFormatOptions = sameDay
    ? { hour: '2-digit', minute: '2-digit' }
    : { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(intlTag(locale), opts).format(d);
}

/** Full date and time, for a `title` or a `<time>` element's tooltip. */
export function formatFullTimestamp(iso: string, locale: Locale): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(intlTag(locale), { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

/**
 * The URL if it is an absolute http(s) URL, else null: anything else (javascript:, data:) must
 * never become an href, because page URLs and article links come from visitors and site content.
 */
export function safeHttpUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Milliseconds from an ISO time to `now`, never negative (clocks drift). */
export function elapsedSince(iso: string, now: number): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.max(0, now - t);
}
