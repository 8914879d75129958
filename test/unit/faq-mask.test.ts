import { describe, expect, it } from 'vitest';
import { MASK, maskPersonalData } from '../../server/faq/mask.ts';

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
