import { afterEach, describe, expect, it, vi } from 'vitest';
import { when } from '../../widget/i18n.ts';

describe('message timestamps', () => {
  afterEach(() => vi.unstubAllGlobals());
  const now = new Date(2026, 11, 1, 15, 0);

  it('shows only the time today, and the date too on another day, in the browser’s conventions', () => {
    vi.stubGlobal('navigator', { language: 'en-GB' });
    // en-GB: a 24-hour clock, no AM/PM; the day before the month.
    expect(when(new Date(2026, 11, 1, 21, 5).toISOString(), 'en', now)).toBe('21:05');
    expect(when(new Date(2026, 10, 30, 21, 5).toISOString(), 'en', now)).toMatch(/^30 Nov,? 21:05$/);
    expect(when(new Date(2025, 10, 30, 9, 5).toISOString(), 'en', now)).toContain('2025');
  });

  it('follows the interface language when the browser speaks another', () => {
    vi.stubGlobal('navigator', { language: 'fr-FR' });
    expect(when(new Date(2026, 10, 30, 21, 5).toISOString(), 'zh', now)).toMatch(/11月30日.*9:05|11月30日.*21:05/);
    expect(when(new Date(2026, 11, 1, 21, 5).toISOString(), 'en', now)).toBe('9:05 PM');
  });
});
