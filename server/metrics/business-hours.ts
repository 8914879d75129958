/**
 * Time counted in a site's business hours (`sites.business_hours`: an IANA time zone and, per ISO
 * weekday, the open minutes [start, end) after local midnight). docs/metrics.md says how it is used.
 */
import type { BusinessHours } from '../db/schema.ts';

const DAY_MS = 86_400_000;

/**
 * One formatter per time zone, made on first use: making one costs about 240 µs (it loads the zone's
 * data), reading the parts of a date from it a few µs, and the rollup counts two spans per escalated
 * ticket every minute. Zones come from sites' settings, checked against the known ones, so few are kept.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let zone = formatters.get(timeZone);
  if (!zone) {
    zone = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, zone);
  }
  return zone;
}

/** The zone's offset from UTC at an instant, in ms (Intl knows the zone's rules, daylight saving included). */
function offsetMs(zone: Intl.DateTimeFormat, at: number): number {
  const p = Object.fromEntries(zone.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
  return local - (at - (at % 1000));
}

/** The instant of a local wall-clock time (day as UTC midnight of the local date, plus minutes). */
function instant(zone: Intl.DateTimeFormat, localDay: number, minutes: number): number {
  const wall = localDay + minutes * 60_000;
  const first = wall - offsetMs(zone, wall);
  return wall - offsetMs(zone, first);
}

/**
 * Seconds of [start, end) that fall inside business hours.
 * @example businessSeconds({ timezone: 'UTC', days: { '1': [540, 1020] } }, mondayAt8, mondayAt10) // 3600
 */
export function businessSeconds(hours: BusinessHours, start: Date, end: Date): number {
  if (end <= start) return 0;
  const zone = formatter(hours.timezone);
  const s = start.getTime();
  const e = end.getTime();
  // Local dates from the one before the start's to the one after the end's: a zone is at most 14 h away.
  let day = Math.floor((s + offsetMs(zone, s)) / DAY_MS) * DAY_MS;
  let total = 0;
  for (; day <= e + offsetMs(zone, e); day += DAY_MS) {
    const weekday = ((new Date(day).getUTCDay() + 6) % 7) + 1;
    const open = hours.days[String(weekday) as keyof BusinessHours['days']];
    if (!open) continue;
    const from = Math.max(s, instant(zone, day, open[0]));
    const to = Math.min(e, instant(zone, day, open[1]));
    if (to > from) total += to - from;
  }
  return total / 1000;
}
