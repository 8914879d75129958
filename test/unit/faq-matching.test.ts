import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_SUGGEST_THRESHOLD, DEFAULT_THRESHOLD, FaqIndex, type FaqDoc } from '../../server/faq/engine/index.ts';
import { analyze } from '../../server/faq/engine/text.ts';
import { calibrate, FEW_ENTRY, WEIGHTS, WEIGHTS_FEW, WEIGHTS_FEW_ZH, weightsFor } from '../../server/faq/engine/confidence.ts';

const DOCS: FaqDoc[] = [
  { id: 'refund-zh', question: '如何申请退款？', variants: ['课程可以退吗', '买错课了想退'], language: 'zh' },
  { id: 'invoice-zh', question: '怎么开发票？', variants: ['电子发票在哪里申请', '发票抬头写错了'], language: 'zh' },
  { id: 'download-zh', question: 'App 怎么下载视频离线观看？', variants: ['课程可以缓存吗', '没网的时候怎么看课'], language: 'zh' },
  { id: 'refund-en', question: 'How do I get a refund?', variants: ['I want my money back', 'return a course I bought'], language: 'en' },
  { id: 'password-en', question: 'How do I reset my password?', variants: ['I forgot my password', 'change my login password'], language: 'en' },
  { id: 'speed-en', question: 'Can I change the playback speed?', variants: ['play videos faster', 'watch at 1.5x'], language: 'en' },
  { id: 'invoice-en', question: 'How do I get an invoice?', variants: ['I need a receipt for my company', 'request an e-invoice'], language: 'en' },
];

function index(docs: FaqDoc[] = DOCS): FaqIndex {
  const idx = new FaqIndex();
  for (const d of docs) idx.upsert(d);
  return idx;
}

describe('the FAQ matcher', () => {
  it('segments Chinese into words and backs the words with character bigrams', () => {
    const { keys } = analyze('我想注销账号');
    // Intl.Segmenter splits this as 我想|注|销账|号; the bigrams still carry 注销 and 账号.
    expect(keys).toContain('z:注销');
    expect(keys).toContain('z:账号');
  });

  it('finds 如何申请退款 when the visitor types 怎么退款', () => {
    const hits = index().search('怎么退款');
    expect(hits[0].id).toBe('refund-zh');
    expect(hits[0].confidence).toBeGreaterThan(hits[1]?.confidence ?? 0);
  });

  it('matches a Chinese question that mixes in English words', () => {
    expect(index().search('app 怎么下载视频')[0].id).toBe('download-zh');
  });

  it('forgives a typo in an English word', () => {
    const idx = index();
    expect(idx.search('how do i get a refnud')[0].id).toBe('refund-en');
    expect(idx.search('forgot my pasword')[0].id).toBe('password-en');
  });

  it('forgives a common Chinese homophone slip', () => {
    const idx = index([...DOCS, { id: 'login-zh', question: '登录不上怎么办？', variants: ['登录失败'], language: 'zh' }]);
    expect(idx.search('登陆不上')[0].id).toBe('login-zh');
  });

  it('returns confidences in [0,1], best first', () => {
    const hits = index().search('how do I get a refund for a course', 5);
    expect(hits.length).toBeGreaterThan(1);
    for (const h of hits) expect(h.confidence).toBeGreaterThanOrEqual(0);
    for (const h of hits) expect(h.confidence).toBeLessThanOrEqual(1);
    expect(hits.map((h) => h.confidence)).toEqual([...hits.map((h) => h.confidence)].sort((a, b) => b - a));
  });

  it('returns nothing for a query that shares no word with any entry', () => {
    expect(index().search('zzz qqq')).toEqual([]);
    expect(index().search('')).toEqual([]);
  });
});

describe('decide', () => {
  it('answers a clear question automatically', () => {
    const d = decide(index(), 'I forgot my password, how can I reset it?');
    expect(d).toMatchObject({ kind: 'answer', hit: { id: 'password-en' } });
  });

  it('still answers a question that starts with a greeting or ends with thanks', () => {
    expect(decide(index(), 'hi, how do I get a refund?')).toMatchObject({ kind: 'answer', hit: { id: 'refund-en' } });
    expect(decide(index(), '你好，课程可以退款吗？谢谢')).toMatchObject({ kind: 'answer', hit: { id: 'refund-zh' } });
  });

  it('suggests entries instead of answering when the threshold is out of reach', () => {
    const d = decide(index(), 'refund or invoice', { threshold: 1, suggestThreshold: 0 });
    expect(d.kind).toBe('suggest');
    if (d.kind !== 'suggest') return;
    expect(d.hits.length).toBeGreaterThan(0);
    expect(d.hits.length).toBeLessThanOrEqual(3);
    expect(d.hits.map((h) => h.id)).toEqual(expect.arrayContaining(['refund-en']));
  });

  it('offers at most three suggestions, all above the suggestion threshold', () => {
    const d = decide(index(), 'how do I', { threshold: 1, suggestThreshold: 0 });
    if (d.kind === 'suggest') expect(d.hits.length).toBeLessThanOrEqual(3);
    const strict = decide(index(), 'refund or invoice', { threshold: 1, suggestThreshold: 0.999 });
    expect(strict.kind).toBe('none');
  });

  it('answers at a threshold of zero and refuses at a threshold of one', () => {
    expect(decide(index(), 'play faster', { threshold: 0 }).kind).toBe('answer');
    expect(decide(index(), 'play faster', { threshold: 1, suggestThreshold: 1 }).kind).toBe('none');
  });

  it('keeps the default thresholds ordered', () => {
    expect(DEFAULT_SUGGEST_THRESHOLD).toBeLessThan(DEFAULT_THRESHOLD);
    expect(DEFAULT_THRESHOLD).toBeLessThanOrEqual(1);
  });

  it('hands a question about something else to a person', () => {
    expect(decide(index(), 'how do I bake sourdough bread').kind).not.toBe('answer');
    expect(decide(index(), '北京到上海的高铁要多久').kind).not.toBe('answer');
  });

  it('answers nothing from an empty index', () => {
    expect(decide(new FaqIndex(), 'how do I get a refund?')).toEqual({ kind: 'none' });
  });
  it('is confident in an entry of two variants when the visitor words it in forms neither variant has', () => {
    const idx = index([
      { id: 'top-up-limit', question: 'Is there a limit on top-ups?', variants: ['How much can I top up?'], language: 'en' },
      {
        id: 'top-up-failed',
        question: 'My top up failed',
        variants: ['Why did my top up not work?', 'the top up was declined', 'top up did not go through', 'could not add money', 'adding money failed', 'my top up is not showing'],
        language: 'en',
      },
    ]);
    // "limit" and "top-offs" share only word pieces and one of two meaningful words with the entry: before
    // few-variant entries counted their pieces more and half-covered queries kept their confidence, 0.77.
    const [hit] = idx.search('Do you limit my top-offs?', 1);
    expect(hit.id).toBe('top-up-limit');
    expect(hit.confidence).toBeGreaterThan(0.9);
  });

  it('keeps the confidence of a hand-written entry that covers half the question, not of a grown one', () => {
    const signals = { nearest: 0.6, centroid: 0.6, margin: 0.5 };
    const logistic = (coverage: number) => 1 / (1 + Math.exp(-(-1.064 + 0.434 * 0.6 + 0.422 * 0.6 + 0.849 * coverage + 5.068 * 0.5)));
    expect(calibrate({ ...signals, coverage: 0.5 }, 10)).toBeCloseTo(logistic(0.5), 6);
    expect(calibrate({ ...signals, coverage: 0.2 }, 10)).toBeCloseTo(logistic(0.2) * 0.5, 6);
    expect(calibrate({ ...signals, coverage: 0.5 }, 100)).toBeCloseTo((logistic(0.5) * 0.5) / 0.6, 6);
  });

  it('judges an entry of a few hand-written variants by its centroid more than by its closest variant', () => {
    const signals = { nearest: 0.9, centroid: 0.5, coverage: 1, margin: 0.3 };
    expect(weightsFor(3)).toEqual(WEIGHTS_FEW);
    expect(weightsFor(FEW_ENTRY)).toEqual(WEIGHTS_FEW);
    expect(weightsFor(10)).toEqual(WEIGHTS);
    // One close variant with little else in common convinces the global model, not the few-variant one.
    expect(calibrate(signals, 3)).toBeLessThan(calibrate(signals, 10));
    expect(calibrate({ ...signals, nearest: 0.5, centroid: 0.9 }, 3)).toBeGreaterThan(calibrate({ ...signals, nearest: 0.5, centroid: 0.9 }, 10));
    // From FEW_ENTRY variants on, the confidence moves to the global model's step by step, without a jump.
    const along = [5, 6, 7, 8, 9].map((n) => calibrate(signals, n));
    for (let i = 1; i < along.length; i++) expect(along[i]).toBeGreaterThanOrEqual(along[i - 1]);
    expect(along[3]).toBeCloseTo(calibrate(signals, 10), 9);
  });

  it('judges a Chinese question of a few-variant entry by the model fitted on Chinese questions', () => {
    expect(weightsFor(3, 'zh')).toEqual(WEIGHTS_FEW_ZH);
    expect(weightsFor(3, 'en')).toEqual(WEIGHTS_FEW);
    expect(weightsFor(10, 'zh')).toEqual(WEIGHTS);
    // Between FEW_ENTRY and the global model, the Chinese one gives way as the English one does.
    expect(weightsFor(6, 'zh').centroid).toBeCloseTo((2 / 3) * WEIGHTS_FEW_ZH.centroid + (1 / 3) * WEIGHTS.centroid, 9);

    const idx = new FaqIndex();
    idx.upsert({ id: 'refund', question: '怎么申请退款？', variants: ['退款流程是什么', '买错了能退钱吗'], language: 'zh' });
    idx.upsert({ id: 'invoice', question: '怎么开发票？', variants: ['发票在哪里申请', '能开专票吗'], language: 'zh' });
    idx.upsert({ id: 'password', question: 'How do I reset my password?', variants: ['I forgot my password', 'Change my password'], language: 'en' });
    const asked = (q: string) => idx.explain(q, 1)[0];
    const zh = asked('我想退款 怎么弄');
    expect(zh.id).toBe('refund');
    expect(zh.confidence).toBeCloseTo(calibrate(zh, 3, WEIGHTS_FEW_ZH), 9);
    expect(zh.confidence).not.toBeCloseTo(calibrate(zh, 3, WEIGHTS_FEW), 3);
    // A question with Chinese in it is a Chinese question, English words and all.
    const mixed = asked('app里怎么申请退款');
    expect(mixed.confidence).toBeCloseTo(calibrate(mixed, 3, WEIGHTS_FEW_ZH), 9);
    const en = asked('how can I reset my password');
    expect(en.id).toBe('password');
    expect(en.confidence).toBeCloseTo(calibrate(en, 3, WEIGHTS_FEW), 9);
  });
});
