/** Business-hours seconds: the same counts as ever, with one date formatter per time zone rather than one per call. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BusinessHours } from '../../server/db/schema.ts';
import { businessSeconds } from '../../server/metrics/business-hours.ts';

const weekdays = (timezone: string, open: [number, number]): BusinessHours => ({
  timezone,
  days: { '1': open, '2': open, '3': open, '4': open, '5': open },
});
const at = (iso: string) => new Date(iso);

describe('businessSeconds', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    // 2024-01-01 is a Monday. 08:00-10:00 UTC with 9:00-17:00 UTC open: one hour.
    ['UTC', weekdays('UTC', [540, 1020]), '2024-01-01T08:00:00Z', '2024-01-01T10:00:00Z', 3600],
    // A whole week: five days of eight hours.
    ['UTC week', weekdays('UTC', [540, 1020]), '2024-01-01T00:00:00Z', '2024-01-08T00:00:00Z', 5 * 8 * 3600],
    // Shanghai is UTC+8: 00:00-02:00 UTC is 8:00-10:00 there.
    ['Shanghai', weekdays('Asia/Shanghai', [540, 1020]), '2024-01-01T00:00:00Z', '2024-01-01T02:00:00Z', 3600],
    // New York's Sunday 10 March 2024 lasts 23 hours (clocks go forward at 2:00).
    ['New York, daylight saving', { timezone: 'America/New_York', days: { '7': [0, 1440] } }, '2024-03-10T05:00:00Z', '2024-03-11T04:00:00Z', 23 * 3600],
    ['an empty span', weekdays('UTC', [540, 1020]), '2024-01-01T10:00:00Z', '2024-01-01T09:00:00Z', 0],
  ] as const)('counts %s', (_name, hours, start, end, seconds) => {
    expect(businessSeconds(hours as BusinessHours, at(start), at(end))).toBe(seconds);
  });

  it('makes one date formatter per time zone, not one per call', () => {
    // Counts the formatters made. Each is a real one: returned from a plain function, it keeps its own
    // prototype (an instance the spy built itself would have the spy's, without the formatter's methods).
    const Real = Intl.DateTimeFormat;
    const made = vi.spyOn(Intl, 'DateTimeFormat').mockImplementation(function (...args: ConstructorParameters<typeof Real>) {
      return new Real(...args);
    } as typeof Real);
    const lisbon = weekdays('Europe/Lisbon', [540, 1020]);
    const tokyo = weekdays('Asia/Tokyo', [540, 1020]);
    for (let i = 0; i < 500; i++) {
      // Monday 2024-01-01, 8:00-10:00 in Lisbon (UTC+0 in winter) and in Tokyo (UTC+9).
      expect(businessSeconds(lisbon, at('2024-01-01T08:00:00Z'), at('2024-01-01T10:00:00Z'))).toBe(3600);
      expect(businessSeconds(tokyo, at('2023-12-31T23:00:00Z'), at('2024-01-01T01:00:00Z'))).toBe(3600);
    }
    expect(made.mock.calls.length).toBeLessThanOrEqual(2);
  });
});
