import { describe, expect, it } from 'vitest';
import {
  durationOrDash,
  elapsedSince,
  formatRate,
  formatTimestamp,
  humanizeDuration,
  safeHttpUrl,
} from '../../console/shared/format.ts';

describe('console formatting', () => {
  it('says how long a visitor waited the way a person would', () => {
    expect(humanizeDuration(0, 'en')).toBe('0 s');
    expect(humanizeDuration(45_900, 'en')).toBe('45 s');
    expect(humanizeDuration(125_000, 'en')).toBe('2 min');
    expect(humanizeDuration(3_600_000, 'en')).toBe('1 h');
    expect(humanizeDuration(3_900_000, 'en')).toBe('1 h 5 min');
    expect(humanizeDuration(2 * 86_400_000 + 4 * 3_600_000 + 60_000, 'en')).toBe('2 d 4 h');
    expect(humanizeDuration(125_000, 'zh')).toBe('2 分钟');
    expect(humanizeDuration(3_900_000, 'zh')).toBe('1 小时 5 分钟');
  });

  it('never shows a negative wait when the clocks disagree', () => {
    expect(humanizeDuration(-5000, 'en')).toBe('0 s');
    expect(elapsedSince('2025-01-01T00:00:10Z', Date.parse('2025-01-01T00:00:00Z'))).toBe(0);
    expect(elapsedSince('2025-01-01T00:00:00Z', Date.parse('2025-01-01T00:02:00Z'))).toBe(120_000);
  });

  it('shows rates as percentages and missing numbers as a dash', () => {
    expect(formatRate(0.4567, 'en')).toBe('45.7%');
    expect(formatRate(1, 'en')).toBe('100%');
    expect(formatRate(0, 'zh')).toBe('0%');
    expect(formatRate(null, 'en')).toBe('—');
    expect(durationOrDash(null, 'en')).toBe('—');
    expect(durationOrDash(90_000, 'en')).toBe('1 min');
  });

  it('shows only the time for today and the date otherwise', () => {
    const now = new Date(2025, 2, 10, 15, 0);
    const today = new Date(2025, 2, 10, 9, 5).toISOString();
    const earlier = new Date(2025, 1, 3, 9, 5).toISOString();
    expect(formatTimestamp(today, 'en', now)).toMatch(/09:05|9:05/);
    expect(formatTimestamp(today, 'en', now)).not.toMatch(/2025/);
    expect(formatTimestamp(earlier, 'en', now)).toMatch(/2025/);
    expect(formatTimestamp('not a date', 'en', now)).toBe('');
  });

  it('links only to http and https pages', () => {
    expect(safeHttpUrl('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(safeHttpUrl('http://example.com')).toBe('http://example.com/');
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('JaVaScRiPt:alert(1)')).toBeNull();
    expect(safeHttpUrl('data:text/html,<script>alert(1)</script>')).toBeNull();
    expect(safeHttpUrl('/relative')).toBeNull();
    expect(safeHttpUrl(null)).toBeNull();
    expect(safeHttpUrl('')).toBeNull();
  });
});
