/** Splits plain text into text and link parts, so templates can render links without ever parsing HTML. */

export type TextPart = { text: string; href?: undefined } | { text: string; href: string };

// Stops at white space, quotes, angle brackets and CJK text or punctuation, which never belong to a link in prose.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+/gi;
const TRAILING = /[.,;:!?'")\]}*]/;

/** The URL as an href when it is http(s), else undefined (`javascript:` and friends never become links). */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** Drops trailing punctuation, but keeps a closing parenthesis that closes one inside the URL. */
function trimUrl(candidate: string): string {
  let url = candidate;
  while (TRAILING.test(url[url.length - 1] ?? '')) {
    if (url.endsWith(')') && count(url, '(') >= count(url, ')')) break;
    url = url.slice(0, -1);
  }
  return url;
}

const count = (text: string, char: string) => text.split(char).length - 1;

/**
 * @example linkify('See https://a.io/x.') // [{ text: 'See ' }, { text: 'https://a.io/x', href: 'https://a.io/x' }, { text: '.' }]
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    const start = match.index ?? 0;
    if (!href) continue;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ text: url, href });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
