/** Report periods for metrics and demand: named ranges and custom datetime-local input. */

export type PeriodKind = 'today' | '7d' | '30d' | 'custom';
export interface Period {
  /** ISO 8601 with offset, as the API expects. */
  from: string;
  to: string;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * The range for a named period, ending now; "today" starts at local midnight.
 * @example periodRange('7d', new Date('2025-03-10T12:00:00Z')).from // "2025-03-03T12:00:00.000Z"
 */
export function periodRange(kind: Exclude<PeriodKind, 'custom'>, now: Date): Period {
  const to = now.toISOString();
  if (kind === 'today') {
    const start = new Date(now);
    start.setHours(0, 0, 0, 0);
    return { from: start.toISOString(), to };
  }
  const days = kind === '7d' ? 7 : 30;
  return { from: new Date(now.getTime() - days * DAY).toISOString(), to };
}

/**
 * A range from two `<input type="datetime-local">` values (local time), the end minute included;
 * null when either is missing or invalid, or the start is after the end.
 */
export function customRange(fromLocal: string, toLocal: string): Period | null {
  const from = parseLocal(fromLocal);
  const start = parseLocal(toLocal);
  if (!from || !start) return null;
  // "To 10:41" means up to the end of that minute, or today's events would be cut off.
  const to = /T\d{2}:\d{2}$/.test(toLocal) ? new Date(start.getTime() + 59_999) : start;
  if (from.getTime() > to.getTime()) return null;
  return { from: from.toISOString(), to: to.toISOString() };
}

function parseLocal(value: string): Date | null {
  // datetime-local gives "YYYY-MM-DDTHH:mm" (seconds optional) without an offset: local time.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The value a datetime-local input shows for a moment, in local time, to the minute. */
export function toLocalInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
