/**
 * The metrics view's words that are computed rather than looked up: language names, changes in
 * percentage points, the time axis of the charts. No DOM, no Lit: the unit tests run them in Node.
 */
import type { Locale } from '../../shared/schemas.ts';
import { intlTag } from '../shared/format.ts';
import { translate } from '../shared/i18n.ts';

const HOUR = 60 * 60;
const DAY = 24 * HOUR;

/**
 * A visitors' language (a filter option, a breakdown row) named in the interface language.
 * @example languageName('en', 'zh') // '英文'
 */
export function languageName(code: string, locale: Locale): string {
  if (code === 'zh') return translate(locale, 'metrics.lang.zh');
  if (code === 'en') return translate(locale, 'metrics.lang.en');
  return translate(locale, 'metrics.unknown');
}

/**
 * A change of a share, in percentage points, signed; `null` (nothing to compare) becomes an em dash.
 * @example pointChange(0.035, 'zh') // '+3.5 个百分点'
 */
export function pointChange(v: number | null, locale: Locale): string {
  if (v === null) return '—';
  const n = new Intl.NumberFormat(intlTag(locale), { maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(v * 100);
  return translate(locale, 'metrics.points', { n });
}

/**
 * The labels of a time axis (uPlot's ticks, in seconds), in local time and the interface language:
 * hours and minutes when the ticks are less than a day apart (the date too at the first tick and where
 * a day begins, on a second line), the day when less than a month apart, else the month. `utc`: days
 * and months as UTC names them, for a chart of UTC days (the metrics' day buckets), so that west of UTC
 * a day's point is not labelled with the day before.
 * @example timeAxisLabels([1741132800, 1741219200], DAY, 'zh') // ['3月5日', '3月6日']
 */
export function timeAxisLabels(ticks: number[], incr: number, locale: Locale, utc = false): string[] {
  const tag = intlTag(locale);
  const zone = utc ? { timeZone: 'UTC' } : {};
  const time = new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit' });
  const day = new Intl.DateTimeFormat(tag, { month: 'short', day: 'numeric', ...zone });
  const month = new Intl.DateTimeFormat(tag, { year: 'numeric', month: 'short', ...zone });
  return ticks.map((s, i) => {
    const d = new Date(s * 1000);
    if (incr >= 28 * DAY) return month.format(d);
    if (incr >= DAY) return day.format(d);
    const before = i > 0 ? new Date(ticks[i - 1] * 1000) : null;
    return before && before.toDateString() === d.toDateString() ? time.format(d) : `${time.format(d)}\n${day.format(d)}`;
  });
}
