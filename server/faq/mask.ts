/**
 * Masks personal data in a visitor's words before they are kept as FAQ content (a learned variant,
 * a draft): emails, phone numbers (Chinese mobiles with or without +86, landlines, international),
 * identity and card numbers, and order-like references (a word with five or more digits in it).
 * The mask has no letters or digits, so the matcher does not index it as a word: "where is order
 * 2024112233" and "where is order 5566778899" become the same question.
 */

/** What replaces each piece of personal data. */
export const MASK = '***';

// Half-width and full-width digits (a Chinese keyboard types either).
const D = '[0-9\\uFF10-\\uFF19]';
/**
 * An address: a run of local-part characters, @, a dotted domain. A match starts only where such a
 * run starts (the lookbehind): tried from every character of a long run without @ (Chinese text is
 * one run of letters), the plain pattern rescanned the rest of the run each time, quadratic (4000
 * characters took 300 ms). Inside a run, a start further on reaches the same @, so it matches just
 * when the run's start does; the one such start that counts is right after an address, where the
 * plain pattern went on (a@b.cn_c@d.cn is two addresses): the repeated group takes those addresses
 * into the same match, and the replacement masks each one (one @ each).
 */
const EMAIL = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+(?:[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)*/gu;
/**
 * Seven or more digits, optionally after + and a country code, split by at most one space, dot,
 * dash or bracket at a time: 13812345678, +86 138-1234-5678, (010) 6552 1234, 4111 1111 1111 1111,
 * 11010519491231002X (an 18-character identity number ends in a digit or X).
 */
const LONG_NUMBER = new RegExp(`(?:[+\\uFF0B]\\s?)?\\(?${D}(?:[\\s.()\\-\\uFF0D]{0,2}${D}){6,}[Xx]?`, 'g');
/**
 * A word mixing letters and digits with five or more digits: ORD-20241122, A1234567, #55667. Tried
 * only at a word's first letter or digit (after a # or the hyphens it may begin with, which the
 * first group keeps), for the same reason as EMAIL: from every letter of a long word without
 * digits, the plain pattern rescanned the rest of the word. A later start in a word matches only if
 * its first letter or digit does, so the matches are the plain pattern's.
 */
const REFERENCE = /(#|(?<![A-Za-z0-9-])-*)([A-Za-z][A-Za-z0-9-]*[0-9][A-Za-z0-9-]*|[0-9][A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*)/g;
/** Five or more digits in a row that are not a phone: 55667, #2024112. */
const DIGITS = /#?[0-9\uFF10-\uFF19]{5,}/g;
const digits = (s: string) => (s.match(/[0-9\uFF10-\uFF19]/g) ?? []).length;

/**
 * The text with personal data replaced by `MASK`.
 * @example maskPersonalData('订单 2024112233 还没到，电话 13812345678') // '订单 *** 还没到，电话 ***'
 */
export function maskPersonalData(text: string): string {
  // Most messages have no @: no need to look for addresses at all.
  return (text.includes('@') ? text.replace(EMAIL, (m) => MASK.repeat(m.split('@').length - 1)) : text)
    .replace(REFERENCE, (m, lead: string, word: string) => (digits(word) < 5 ? m : lead === '#' ? MASK : lead + MASK))
    .replace(LONG_NUMBER, (m) => (digits(m) >= 7 ? MASK : m))
    .replace(DIGITS, MASK);
}

/**
 * The masked text, trimmed, cut to `max` characters. Only its start is masked, so a long message
 * costs what a short one does; twice `max`, so that a number or address across `max` is masked
 * whole (cut at `max` first, the part before the cut could be too short to mask and be kept).
 * @example maskedExcerpt(message.body, 500)
 */
export function maskedExcerpt(text: string, max: number): string {
  return maskPersonalData(text.slice(0, 2 * max)).trim().slice(0, max);
}
