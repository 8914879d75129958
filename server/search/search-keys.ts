/**
 * The keys a message is found by: every pair of adjacent characters of its text, lower-cased, neither
 * of them white space ("退款" in "申请退款", "fu" and "un" in "refund"), each as one int4. Stored with
 * the message (messages.search_keys, a GIN index over them) and computed the same way for a query: a
 * message holding every key of a query is a candidate, and strpos() on its text confirms it
 * (search.service.ts). Trigrams (pg_trgm) cannot serve a two-character query, and most Chinese words
 * are two characters.
 *
 * Computed here rather than by the database: the index on `search_grams(body)` (migration 0006, a
 * PL/pgSQL function of the text, its pairs as text keys) was the largest part of what storing a
 * message cost PostgreSQL, about 48 of 105 µs a message in bench:store-cost (2026-12-07), of which
 * the function 17. With integer keys computed here (1.4 µs for a 42-character text) a message cost
 * the database about 25 µs less (the same bench, four runs of each alternating: medians 84-116 µs
 * against 112-125; README, "Numbers").
 *
 * A pair of characters of the Basic Multilingual Plane (every CJK, Latin, Cyrillic or Greek letter)
 * is its two UTF-16 units, `(a << 16) | b`: exact. A pair with a character beyond it (an emoji, a rare
 * CJK ideograph) is FNV-1a over the two code points, which may equal another pair's key: a key only
 * selects candidates, and strpos() drops the wrong ones. Characters are lower-cased one at a time, each
 * to one code point, as PostgreSQL's lower() does, not with the context of the whole text (a final
 * sigma stays σ), so that a query's keys are those of the same characters in a message.
 *
 * migrations/0013 holds the same definition in PL/pgSQL, to give the messages stored before it their
 * keys; test/integration/search-keys.test.ts holds the two to each other.
 */

/**
 * White space, as JavaScript's `\s` has it, spelt out so that the PL/pgSQL twin (migration 0013) has
 * the same set whatever the database's locale (PostgreSQL's `\s` is the locale's: without the no-break
 * spaces under C.UTF-8).
 */
export const SPACES = '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/** A character's lower case as one code point: the first of toLowerCase()'s (İ: i, as PostgreSQL's lower() has it). */
function lowered(ch: string, c: number): number {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c + 32 : c;
  return ch.toLowerCase().codePointAt(0)!;
}

/** A pair's key: its two UTF-16 units, or FNV-1a over (a, 0, b) when one is outside the BMP. */
function keyOf(a: number, b: number): number {
  if (a <= 0xffff && b <= 0xffff) return (a << 16) | b;
  let h = Math.imul(0x811c9dc5 ^ a, 0x01000193);
  h = Math.imul(h, 0x01000193);
  return Math.imul(h ^ b, 0x01000193) | 0;
}

/** The distinct keys of a text, in the order first seen; none for a text shorter than two characters. */
export function searchKeys(text: string): number[] {
  const keys = new Set<number>();
  let prev = -1;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80 ? c === 0x20 || (c >= 0x09 && c <= 0x0d) : SPACES.includes(ch)) {
      prev = -1;
      continue;
    }
    const lower = lowered(ch, c);
    if (prev >= 0) keys.add(keyOf(prev, lower));
    prev = lower;
  }
  return [...keys];
}
