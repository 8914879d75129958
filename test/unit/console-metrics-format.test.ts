import { describe, expect, it } from 'vitest';
import { languageName, pointChange, timeAxisLabels } from '../../console/metrics/metrics-format.ts';

const HOUR = 3600;
const DAY = 24 * HOUR;
/** A local time as uPlot's ticks hold it: seconds. */
const at = (...parts: [number, number, number, number?]) => new Date(parts[0], parts[1], parts[2], parts[3] ?? 0).getTime() / 1000;

describe('metrics words', () => {
  it('names the visitors’ languages in the interface language', () => {
    expect([languageName('zh', 'en'), languageName('en', 'en')]).toEqual(['Chinese', 'English']);
    expect([languageName('zh', 'zh'), languageName('en', 'zh')]).toEqual(['中文', '英文']);
    expect([languageName('', 'en'), languageName('fr', 'zh')]).toEqual(['Unknown', '未知']);
  });

  it('says a change of a share in percentage points, in words of the interface language', () => {
    expect(pointChange(0.035, 'en')).toBe('+3.5 pt');
    expect(pointChange(-0.1, 'zh')).toBe('-10 个百分点');
    expect(pointChange(0, 'zh')).toBe('0 个百分点');
    expect(pointChange(null, 'zh')).toBe('—');
  });

  it('labels the days of a chart’s time axis in the interface language', () => {
    const days = [at(2026, 2, 5), at(2026, 2, 6)];
    expect(timeAxisLabels(days, DAY, 'en')).toEqual(['Mar 5', 'Mar 6']);
    expect(timeAxisLabels(days, DAY, 'zh')).toEqual(['3月5日', '3月6日']);
    expect(timeAxisLabels([at(2026, 2, 1), at(2026, 3, 1)], 30 * DAY, 'zh')).toEqual(['2026年3月', '2026年4月']);
  });

  it('names UTC days as UTC does when asked, whatever the browser’s time zone', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    try {
      const utcDays = [Date.UTC(2026, 2, 5) / 1000, Date.UTC(2026, 2, 6) / 1000];
      expect(timeAxisLabels(utcDays, DAY, 'en', true)).toEqual(['Mar 5', 'Mar 6']);
      // In local time, the evening before: the label the chart of UTC days showed west of UTC.
      expect(timeAxisLabels(utcDays, DAY, 'en')).toEqual(['Mar 4', 'Mar 5']);
      expect(timeAxisLabels([Date.UTC(2026, 2, 1) / 1000], 30 * DAY, 'zh', true)).toEqual(['2026年3月']);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('labels hours with the date where a day begins, on a second line', () => {
    const hours = [at(2026, 2, 5, 18), at(2026, 2, 5, 21), at(2026, 2, 6, 0), at(2026, 2, 6, 3)];
    const zh = timeAxisLabels(hours, 3 * HOUR, 'zh');
    expect(zh).toEqual(['18:00\n3月5日', '21:00', '00:00\n3月6日', '03:00']);
    const en = timeAxisLabels(hours, 3 * HOUR, 'en');
    expect(en[0]).toMatch(/^06:00\sPM\nMar 5$/);
    expect(en[1]).toMatch(/^09:00\sPM$/);
  });
});
