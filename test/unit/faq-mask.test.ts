import { describe, expect, it } from 'vitest';
import { MASK, maskedExcerpt, maskPersonalData } from '../../server/faq/mask.ts';

describe('maskPersonalData', () => {
  it.each([
    ['where is my order 2024112233?', `where is my order ${MASK}?`],
    ['order #55667 has not arrived', `order ${MASK} has not arrived`],
    ['order ORD-20241122-7788 is late', `order ${MASK} is late`],
    ['call me on +1 (415) 555-0134', `call me on ${MASK}`],
    ['my email is li.wei+shop@example.com.cn thanks', `my email is ${MASK} thanks`],
    ['card 4111 1111 1111 1111 was charged twice', `card ${MASK} was charged twice`],
  ])('masks %j', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  it.each([
    ['订单号2024112233还没到', `订单号${MASK}还没到`],
    ['我的手机13812345678收不到验证码', `我的手机${MASK}收不到验证码`],
    ['电话 +86 138-1234-5678', `电话 ${MASK}`],
    ['座机 (010) 6552 1234', `座机 ${MASK}`],
    ['身份证11010519491231002X怎么实名', `身份证${MASK}怎么实名`],
    ['邮箱 张三@例子.中国 改不了', `邮箱 ${MASK} 改不了`],
    ['全角号码１３８１２３４５６７８', `全角号码${MASK}`],
    ['订单A12345678退款', `订单${MASK}退款`],
  ])('masks Chinese %j', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  it.each([
    'how do I top up 100 dollars with my iphone13',
    'why was I charged 2,500 yuan on 3 May',
    '会员399元一年怎么续费',
    'is v2 of the app out',
  ])('keeps %j, which names nobody', (input) => {
    expect(maskPersonalData(input)).toBe(input);
  });

  it('leaves nothing of the number for the matcher to index', () => {
    expect(maskPersonalData('order 1234567 and order 7654321')).toBe(maskPersonalData('order 9999999 and order 1111111'));
  });
});

describe('maskPersonalData on long text', () => {
  // 4000 characters of Chinese with no @ and no punctuation: one run of letters and digits, on which
  // the address pattern used to rescan the rest of the run from every character (0.2-0.3 s a call):
  // 400 calls took over a minute then, past the test's timeout; the same output now comes at once.
  const sentence = '我的订单2024112233一直没有到请问什么时候可以发货呢';
  const masked = `我的订单${MASK}一直没有到请问什么时候可以发货呢`;
  const times = Math.ceil(4000 / sentence.length);

  it('masks 4000 characters of Chinese without @ as before, without the cost growing with the square of the length', () => {
    const text = sentence.repeat(times);
    expect(text.length).toBeGreaterThanOrEqual(4000);
    expect(text).not.toContain('@');
    for (let i = 0; i < 400; i++) expect(maskPersonalData(text)).toBe(masked.repeat(times));
  });

  it('masks an address among long runs of Chinese as before, and keeps long words without digits, as cheaply', () => {
    const run = '很长的一句话'.repeat(600);
    const text = `${run}，邮箱 li@example.cn，${run}`;
    // Letters and hyphens with no digit: the reference pattern rescanned each word from every letter.
    const words = `${'abc-'.repeat(2000)} ${'x'.repeat(8000)}`;
    for (let i = 0; i < 400; i++) {
      expect(maskPersonalData(text)).toBe(`${run}，邮箱 ${MASK}，${run}`);
      expect(maskPersonalData(words)).toBe(words);
    }
  });

  it.each([
    // An address right after another: both masked, as when the pattern was tried from every character.
    ['a@b.cn_c@d.cn', `${MASK}${MASK}`],
    ['x li@a.cn_wang@b.cn y', `x ${MASK}${MASK} y`],
    ['x li@a.cn.wang@b.cn y', `x ${MASK}@b.cn y`],
    ['a#b12345', `a${MASK}`],
    ['--ORD123456', `--${MASK}`],
    ['#-A12345', `#-${MASK}`],
  ])('masks %j as the plain patterns did', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  it('masks random text exactly as the plain patterns did', () => {
    // The patterns before they were made linear: the reference for what is masked.
    const D = '[0-9\\uFF10-\\uFF19]';
    const digits = (s: string) => (s.match(/[0-9\uFF10-\uFF19]/g) ?? []).length;
    const plain = (text: string) =>
      text
        .replace(/[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu, MASK)
        .replace(/#?[A-Za-z][A-Za-z0-9-]*[0-9][A-Za-z0-9-]*|#?[0-9][A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*/g, (m) => (digits(m) >= 5 ? MASK : m))
        .replace(new RegExp(`(?:[+\\uFF0B]\\s?)?\\(?${D}(?:[\\s.()\\-\\uFF0D]{0,2}${D}){6,}[Xx]?`, 'g'), (m) => (digits(m) >= 7 ? MASK : m))
        .replace(/#?[0-9\uFF10-\uFF19]{5,}/g, MASK);
    // Few characters, so that addresses, words and numbers run into each other; a fixed seed.
    const alphabets = [
      ['a', '1', '-', '#'],
      ['a', '1', '@', '.', '-', '_'],
      ['中', '@', '.', 'a', '1', '+', '%'],
      ['1', ' ', '-', '.', '(', '+', 'X', 'a', '#'],
      ['a', 'X', '1', '9', '@', '.', '_', '-', '#', '%', '+', ' ', '(', ')', '中', '１', '＋', 'é'],
    ];
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let i = 0; i < 50_000; i++) {
      const alphabet = alphabets[i % alphabets.length];
      let text = '';
      for (let n = 1 + random(40); n > 0; n--) text += alphabet[random(alphabet.length)];
      expect(maskPersonalData(text), JSON.stringify(text)).toBe(plain(text));
    }
  });
});

describe('maskedExcerpt', () => {
  it('keeps the first characters, masked, and masks a number across the cut whole', () => {
    const text = `${'问'.repeat(495)}电话13812345678，${'问'.repeat(4000)}`;
    const excerpt = maskedExcerpt(text, 500);
    expect(excerpt).toBe(`${'问'.repeat(495)}电话${MASK}`);
    expect(maskedExcerpt('  订单 2024112233  ', 500)).toBe(`订单 ${MASK}`);
  });
});
