import { describe, expect, it } from 'vitest';
import { PRIOR_THRESHOLD } from '../../server/faq/engine/calibrate.ts';
import { parseCsv, toCsv } from '../../server/faq/engine/csv.ts';
import { evaluate, faqDocsFromRows, rowsFromCsv, splitBanking, type Row } from '../../server/faq/engine/evaluate.ts';

describe('CSV', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const text = 'text,category\r\n"a, b",x\n"say ""hi""",y\n"two\nlines",z\n';
    expect(parseCsv(text)).toEqual([
      ['text', 'category'],
      ['a, b', 'x'],
      ['say "hi"', 'y'],
      ['two\nlines', 'z'],
    ]);
  });

  it('ignores a byte-order mark and a missing final line break', () => {
    expect(parseCsv('\ufefftext,category\nhello,greeting')).toEqual([
      ['text', 'category'],
      ['hello', 'greeting'],
    ]);
  });

  it('keeps empty fields and rows of one empty field apart from blank lines', () => {
    expect(parseCsv('a,,c\n\n""\n')).toEqual([['a', '', 'c'], ['']]);
  });

  it('rejects an unterminated quoted field', () => {
    expect(() => parseCsv('"open')).toThrow(/unterminated/);
  });

  it('writes what it reads, quoting only where needed', () => {
    const rows = [['text', 'category'], ['plain', 'x'], ['a, b', 'y'], ['say "hi"', 'z'], ['two\r\nlines', '退款'], [' padded ', '']];
    const csv = toCsv(rows);
    expect(csv.startsWith('text,category\r\nplain,x\r\n"a, b",y\r\n')).toBe(true);
    expect(parseCsv(csv)).toEqual(rows);
  });
});

describe('the evaluation', () => {
  it('reads labelled rows by header name and skips incomplete ones', () => {
    expect(rowsFromCsv('category,text\nrefund,how do I get a refund\n,orphan\n')).toEqual([['how do I get a refund', 'refund']]);
    expect(() => rowsFromCsv('question,answer\n')).toThrow(/text,category/);
  });

  it('turns each category into one entry whose first text is the question', () => {
    const docs = faqDocsFromRows([
      ['How do I get a refund?', 'refund'],
      ['money back', 'refund'],
      ['怎么开发票', 'invoice'],
    ]);
    expect(docs).toEqual([
      { id: 'refund', question: 'How do I get a refund?', variants: ['money back'], language: 'en' },
      { id: 'invoice', question: '怎么开发票', variants: [], language: 'zh' },
    ]);
  });

  it('splits banking77 into 10-shot rows, every fifth later row as a dev query, and the rest', () => {
    const rows: Row[] = Array.from({ length: 25 }, (_, i) => [`q${i + 1}`, 'c']);
    const { full, tenShot, dev } = splitBanking(rows);
    expect(tenShot.map(([t]) => t)).toEqual(rows.slice(0, 10).map(([t]) => t));
    expect(dev.map(([t]) => t)).toEqual(['q15', 'q20', 'q25']);
    expect(full).toHaveLength(22);
  });

  const faq: Row[] = [
    ['How do I get a refund?', 'refund'],
    ['I want my money back', 'refund'],
    ['How do I reset my password?', 'password'],
    ['I forgot my password', 'password'],
  ];

  it('reports ranking, answers and out-of-scope answers on a tiny set', () => {
    const result = evaluate(faq, [['refund please', 'refund'], ['forgot password', 'password']], [['tell me a joke', 'smalltalk']]);
    expect(result).toMatchObject({ queries: 2, top1: 1, top3: 1, oosAnswered: 0 });
    // Four variants are too few to fit a threshold: the calibration falls back to its prior, and says so.
    expect(result).toMatchObject({ threshold: PRIOR_THRESHOLD, thresholdMethod: 'prior', unfit: false });
    expect(evaluate(faq, [['refund please', 'refund']], null, 0.3)).toMatchObject({ threshold: 0.3, thresholdMethod: 'given', answered: 1, precision: 1 });
    expect(Object.keys(result)).toEqual(['queries', 'threshold', 'thresholdMethod', 'optimistic', 'unfit', 'top1', 'top3', 'answered', 'precision', 'bestAnswered', 'oosAnswered', 'buildMs', 'p50Ms', 'p99Ms']);
    expect(evaluate(faq, [], null).oosAnswered).toBeNull();
  });

  it('reports the share a threshold chosen in hindsight would answer at the target precision', () => {
    // Both right: every query can be answered. Labelled wrong: the best threshold answers none of them.
    expect(evaluate(faq, [['refund please', 'refund'], ['forgot password', 'password']], null).bestAnswered).toBe(1);
    expect(evaluate(faq, [['refund please', 'password'], ['forgot password', 'refund']], null).bestAnswered).toBe(0);
    // At a target of 0.5, one right answer in two is enough to answer both.
    const mixed = evaluate(faq, [['refund please', 'refund'], ['forgot password', 'refund']], null, undefined, 0.5);
    expect(mixed.bestAnswered).toBe(1);
  });
});
