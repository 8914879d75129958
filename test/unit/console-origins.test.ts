import { describe, expect, it } from 'vitest';
import { parseOrigins } from '../../console/admin/origins.ts';

describe('origins typed on the Sites page', () => {
  it('keeps one origin per line, normalised and without repeats', () => {
    expect(parseOrigins(' https://Shop.example.com/path\n\nhttp://localhost:8080\nhttps://shop.example.com\n')).toEqual({
      ok: true,
      origins: ['https://shop.example.com', 'http://localhost:8080'],
    });
  });

  it('names every line that is not an http(s) origin', () => {
    expect(parseOrigins('https://ok.example\njavascript:alert(1)\nshop.example.com')).toEqual({ ok: false, bad: ['javascript:alert(1)', 'shop.example.com'] });
    expect(parseOrigins('  \n')).toEqual({ ok: false, bad: [] });
  });
});
