import { describe, expect, it } from 'vitest';
import {
  alikeEntries,
  ALIKE_OVERLAP,
  calibrateFaq,
  controlBound,
  confusedPairs,
  fitThreshold,
  FLOOR_OPTIMISTIC,
  FLOOR_OPTIMISTIC_TWO_TEXTS,
  heldOutSamples,
  measure,
  medianTexts,
  MIN_SAMPLES,
  priorThreshold,
  PRIOR_THRESHOLD,
  PRIOR_UNFIT,
  PRIOR_UNFIT_TWO_TEXTS,
  type Sample,
} from '../../server/faq/engine/calibrate.ts';
import type { FaqDoc } from '../../server/faq/engine/index.ts';

/** Held-out samples: `right` answered rightly at each confidence, then `wrong` wrongly. */
const samples = (rows: [confidence: number, right: boolean][]): Sample[] =>
  rows.map(([confidence, right], i) => ({ entry: `e${i % 7}`, text: `q${i}`, top: right ? `e${i % 7}` : 'other', confidence }));

const FAQ: FaqDoc[] = [
  { id: 'refund', question: 'How do I get a refund?', variants: ['I want my money back', 'refund my course', 'can I return a course I bought', 'money back for a purchase'], language: 'en' },
  { id: 'password', question: 'How do I reset my password?', variants: ['I forgot my password', 'change my login password', 'password reset link', 'cannot remember my password'], language: 'en' },
  { id: 'speed', question: 'Can I change the playback speed?', variants: ['play videos faster', 'watch at 1.5x speed', 'slow down the video', 'playback speed setting'], language: 'en' },
  { id: 'invoice', question: 'How do I get an invoice?', variants: ['I need a receipt for my company', 'request an invoice', 'download my invoice', 'invoice with my company name'], language: 'en' },
  { id: 'certificate', question: 'Where is my certificate?', variants: ['download my certificate', 'certificate of completion', 'my certificate has the wrong name', 'print the certificate'], language: 'en' },
  { id: 'offline', question: 'Can I watch offline?', variants: ['download videos to watch without internet', 'offline viewing on the plane', 'save lessons to my phone', 'watch without wifi'], language: 'en' },
  { id: 'refund-zh', question: '如何申请退款？', variants: ['课程可以退吗', '买错课了想退', '退款多久到账', '不想学了能退钱吗'], language: 'zh' },
  { id: 'invoice-zh', question: '怎么开发票？', variants: ['电子发票在哪里申请', '发票抬头写错了', '公司报销要发票', '发票能开专票吗'], language: 'zh' },
];

describe('calibrating the FAQ threshold of a site', () => {
  it('fits the lowest confidence at which the answers above it are right at the target, counting a prior below the target', () => {
    // 40 right answers from 0.99 down to 0.6, then wrong ones below 0.6.
    const rows: [number, boolean][] = [...Array(40).keys()].map((i) => [0.99 - i * 0.01, true]);
    rows.push([0.59, false], [0.58, false], [0.57, true], [0.56, false]);
    const t = fitThreshold(samples(rows), 0.95);
    // (40 + 9) / (40 + 10) = 0.98 at 0.60; one wrong more: 49/51 = 0.961; two: 49/52 = 0.942 < 0.95.
    expect(t).toBe(0.59);
    expect(measure(samples(rows), t)).toEqual({ precision: 0.9756, answered: 0.9318 });
  });

  it('never answers when no threshold reaches the target precision', () => {
    const rows: [number, boolean][] = [...Array(40).keys()].map((i) => [0.99 - i * 0.01, i % 2 === 0]);
    expect(fitThreshold(samples(rows), 0.95)).toBe(1);
  });

  it('does not fit on a handful of lucky answers: the prior needs ten right answers to reach 0.95', () => {
    expect(fitThreshold(samples([...Array(9).keys()].map((i) => [0.9 - i * 0.01, true])), 0.95)).toBe(1);
    expect(fitThreshold(samples([...Array(10).keys()].map((i) => [0.9 - i * 0.01, true])), 0.95)).toBe(0.81);
  });

  it('keeps the threshold above all but 2% of the off-topic control questions', () => {
    const control = [...Array(50).keys()].map((i) => i / 100); // 0 … 0.49
    const bound = controlBound(control);
    expect(control.filter((c) => c >= bound).length).toBe(1);
    expect(controlBound(control.map(() => 0))).toBe(0);
  });

  it('names the entries whose variants are taken for each other, most confused first', () => {
    const pairs = confusedPairs([
      { entry: 'a', text: 'x', top: 'b', confidence: 0.4 },
      { entry: 'a', text: 'y', top: 'b', confidence: 0.9 },
      { entry: 'c', text: 'z', top: 'a', confidence: 0.5 },
      { entry: 'c', text: 'w', top: 'c', confidence: 0.5 },
    ]);
    expect(pairs).toEqual([
      { from: 'a', to: 'b', count: 2, example: 'x' },
      { from: 'c', to: 'a', count: 1, example: 'z' },
    ]);
  });

  it('asks every variant of an FAQ without it, each entry missing a fifth of its variants in turn', () => {
    const got = heldOutSamples(FAQ);
    expect(got).toHaveLength(FAQ.reduce((n, d) => n + 1 + d.variants.length, 0));
    expect(new Set(got.map((s) => s.text)).size).toBe(got.length);
    // A left-out variant is not found as itself: "refund my course" must come from the other refund variants.
    expect(got.find((s) => s.text === 'refund my course')!.top).toBe('refund');
    expect(got.find((s) => s.text === 'refund my course')!.confidence).toBeLessThan(0.999);
  });

  it('samples at most the given number of variants per entry', () => {
    expect(heldOutSamples(FAQ, { perEntry: 2 })).toHaveLength(2 * FAQ.length);
  });

  it('falls back to the prior threshold, and says so, when the FAQ has too few variants', () => {
    const small = FAQ.slice(0, 3).map((d) => ({ ...d, variants: d.variants.slice(0, 1) }));
    const c = calibrateFaq(small);
    expect(c.samples).toBeLessThan(MIN_SAMPLES);
    expect(c.method).toBe('prior');
    expect(c.threshold).toBeGreaterThanOrEqual(PRIOR_THRESHOLD);
  });

  it('names the entries whose variants repeat nearly the same words, and calls the estimate too kind when many do', () => {
    // Rewordings of one sentence, as an owner writes them when rephrasing rather than asking as visitors do.
    const alike: FaqDoc[] = [
      { id: 'reset', question: 'How do I reset my password?', variants: ['How can I reset my password?', 'How to reset my password', 'reset my password please'], language: 'en' },
      { id: 'refund-zh', question: '怎么申请退款？', variants: ['如何申请退款？', '怎样申请退款', '申请退款怎么弄'], language: 'zh' },
    ];
    const mixed = alikeEntries([...FAQ, ...alike]);
    expect(mixed.alike.map((a) => a.entry).sort()).toEqual(['refund-zh', 'reset']);
    for (const a of mixed.alike) expect(a.overlap).toBeGreaterThanOrEqual(ALIKE_OVERLAP);
    expect(mixed.share).toBeCloseTo(2 / 10);
    // The hand-written FAQ above asks each question in other words: none of its entries is flagged.
    expect(alikeEntries(FAQ)).toEqual({ alike: [], share: 0 });
    expect(calibrateFaq(FAQ).optimistic).toBe(false);
    const c = calibrateFaq([...FAQ.slice(0, 4), ...alike]);
    expect(c.alike.map((a) => a.entry).sort()).toEqual(['refund-zh', 'reset']);
    expect(c.optimistic).toBe(true);
    // Too kind an estimate does not set the threshold: it is kept at a cautious floor or above.
    expect(c.threshold).toBeGreaterThanOrEqual(FLOOR_OPTIMISTIC);
    const twoTexts = [...FAQ.slice(0, 4), ...alike].map((d) => ({ ...d, variants: d.variants.slice(0, 1) }));
    const c2 = calibrateFaq(twoTexts);
    expect(c2.optimistic).toBe(true);
    expect(c2.threshold).toBeGreaterThanOrEqual(FLOOR_OPTIMISTIC_TWO_TEXTS);
  });

  it('takes a prior by texts per entry where the held-out fit cannot speak', () => {
    const entries = (n: number, texts: number): FaqDoc[] =>
      Array.from({ length: n }, (_, i) => ({ id: `e${i}`, question: `question ${i}`, variants: Array.from({ length: texts - 1 }, (_, k) => `variant ${i} ${k}`), language: 'en' }));
    expect(medianTexts(entries(5, 3))).toBe(3);
    expect(medianTexts([...entries(2, 1), ...entries(1, 4)])).toBe(1);
    // Too few held-out variants: entries of two texts or more keep the old prior; entries of one text,
    // which give none, get more cautious the more entries compete, and never answer past 60.
    expect(priorThreshold({ entries: 8, textsPerEntry: 3 }, 0.95, false)).toBe(PRIOR_THRESHOLD);
    expect(priorThreshold({ entries: 10, textsPerEntry: 1 }, 0.95, false)).toBe(0.97);
    expect(priorThreshold({ entries: 45, textsPerEntry: 1 }, 0.95, false)).toBe(0.99);
    expect(priorThreshold({ entries: 77, textsPerEntry: 1 }, 0.95, false)).toBe(1);
    // Variants that reach the target at no threshold.
    expect(priorThreshold({ entries: 77, textsPerEntry: 2 }, 0.95, true)).toBe(PRIOR_UNFIT_TWO_TEXTS);
    expect(priorThreshold({ entries: 77, textsPerEntry: 3 }, 0.95, true)).toBe(PRIOR_UNFIT);
    // The priors were measured at the default target: a site asking for more is not answered by one.
    expect(priorThreshold({ entries: 8, textsPerEntry: 3 }, 0.97, false)).toBe(1);
    expect(priorThreshold({ entries: 77, textsPerEntry: 3 }, 0.99, true)).toBe(1);
  });

  it('calls a FAQ unfit when its held-out variants reach the target at no threshold, and takes the prior', () => {
    // Ten entries whose three texts share nothing: a variant left out is found by no other.
    const words = 'apple river candle orbit violin desert marble tiger window harbor lemon planet castle meadow copper falcon garden mirror pepper rocket saddle thunder velvet walnut anchor bridge cactus dolphin ember forest'.split(' ');
    const unfit: FaqDoc[] = Array.from({ length: 10 }, (_, i) => ({
      id: `u${i}`,
      question: `${words[i * 3]} question`,
      variants: [`${words[i * 3 + 1]} please`, `${words[i * 3 + 2]} thanks`],
      language: 'en',
    }));
    const c = calibrateFaq(unfit);
    expect(c.samples).toBeGreaterThanOrEqual(MIN_SAMPLES);
    expect(c).toMatchObject({ method: 'prior', unfit: true });
    expect(c.threshold).toBeGreaterThanOrEqual(PRIOR_UNFIT);
    expect(c.threshold).toBeLessThan(1);
    // A FAQ that fits is not unfit.
    expect(calibrateFaq(FAQ, { targetPrecision: 0.9 })).toMatchObject({ method: 'fitted', unfit: false });
  });

  it('fits a threshold from enough variants, and its estimate at that threshold meets the target', () => {
    const c = calibrateFaq(FAQ, { targetPrecision: 0.9 });
    expect(c.method).toBe('fitted');
    expect(c.samples).toBe(40);
    expect(c.oosAnswered).toBeLessThanOrEqual(0.02);
    if (c.threshold < 1) expect(c.precision!).toBeGreaterThanOrEqual(0.9);
    expect(calibrateFaq(FAQ, { targetPrecision: 0.9 })).toEqual(c);
  });
});
