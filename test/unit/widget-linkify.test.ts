import { describe, expect, it } from 'vitest';
import { linkify, safeHref } from '../../widget/linkify.ts';

const links = (text: string) => linkify(text).filter((p) => p.href).map((p) => p.href);

describe('widget linkify', () => {
  it('turns URLs in an answer into links and keeps the rest as text', () => {
    expect(linkify('See https://example.com/refund for details')).toEqual([
      { text: 'See ' },
      { text: 'https://example.com/refund', href: 'https://example.com/refund' },
      { text: ' for details' },
    ]);
  });

  it('leaves sentence punctuation out of the link, in English and Chinese', () => {
    expect(links('Read https://a.io/x.')).toEqual(['https://a.io/x']);
    expect(links('(see https://a.io/x)')).toEqual(['https://a.io/x']);
    expect(links('详见 https://a.io/help。谢谢')).toEqual(['https://a.io/help']);
    expect(links('请访问https://a.io/help，或联系我们')).toEqual(['https://a.io/help']);
  });

  it('keeps parentheses that belong to the URL', () => {
    expect(links('https://en.wikipedia.org/wiki/Lit_(library) is it')).toEqual(['https://en.wikipedia.org/wiki/Lit_(library)']);
  });

  it('never makes a link of anything but http and https', () => {
    expect(links('javascript:alert(1) data:text/html,x ftp://a.io')).toEqual([]);
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('https://a.io/x')).toBe('https://a.io/x');
    expect(safeHref('not a url')).toBeUndefined();
  });

  it('returns markup as plain text parts, to be rendered as text', () => {
    expect(linkify('<img src=x onerror=alert(1)>')).toEqual([{ text: '<img src=x onerror=alert(1)>' }]);
    expect(links('https://a.io/"><script>')).toEqual(['https://a.io/']);
  });

  it('returns nothing for an empty message', () => {
    expect(linkify('')).toEqual([]);
  });
});
