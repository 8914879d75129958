import { describe, expect, it } from 'vitest';
import { customRange, periodRange, toLocalInputValue } from '../../console/shared/periods.ts';

describe('console report periods', () => {
  const now = new Date(2025, 2, 10, 15, 30, 0);

  it('starts "today" at local midnight and ends now', () => {
    const r = periodRange('today', now);
    expect(new Date(r.from).getTime()).toBe(new Date(2025, 2, 10, 0, 0, 0).getTime());
    expect(r.to).toBe(now.toISOString());
  });

  it('covers the last 7 and 30 days up to now', () => {
    expect(Date.parse(now.toISOString()) - Date.parse(periodRange('7d', now).from)).toBe(7 * 86_400_000);
    expect(Date.parse(now.toISOString()) - Date.parse(periodRange('30d', now).from)).toBe(30 * 86_400_000);
  });

  it('reads custom datetime-local values as local time', () => {
    const r = customRange('2025-03-01T08:00', '2025-03-02T18:30');
    expect(r).not.toBeNull();
    expect(new Date(r!.from).getTime()).toBe(new Date(2025, 2, 1, 8, 0).getTime());
    expect(new Date(r!.to).getTime()).toBe(new Date(2025, 2, 2, 18, 30, 59, 999).getTime());
  });

  it('includes the whole end minute, so what happened "at 18:30" is counted', () => {
    expect(customRange('2025-03-02T18:30', '2025-03-02T18:30')).not.toBeNull();
    const withSeconds = customRange('2025-03-02T18:30', '2025-03-02T18:30:15');
    expect(new Date(withSeconds!.to).getTime()).toBe(new Date(2025, 2, 2, 18, 30, 15).getTime());
  });

  it('refuses a custom range that is empty, malformed or backwards', () => {
    expect(customRange('', '2025-03-02T18:30')).toBeNull();
    expect(customRange('yesterday', '2025-03-02T18:30')).toBeNull();
    expect(customRange('2025-03-03T00:00', '2025-03-02T00:00')).toBeNull();
  });

  it('fills a datetime-local input with a local time to the minute', () => {
    expect(toLocalInputValue(new Date(2025, 0, 5, 7, 3, 59))).toBe('2025-01-05T07:03');
  });
});
