import { describe, expect, it } from 'vitest';
import { asText, parseCsv, toCsv } from '../../server/faq/engine/csv.ts';
import type { FaqEntry } from '../../server/db/schema.ts';
import { faqFromCsv, faqToCsv } from '../../server/faq/faq.csv.ts';

describe('CSV as written by the server', () => {
  it('quotes a field with any line break, so that it reads back as one field', () => {
    const rows = [['a\nb', 'c\rd', 'e\r\nf'], ['x', 'y', 'z']];
    expect(toCsv(rows)).toBe('"a\nb","c\rd","e\r\nf"\r\nx,y,z\r\n');
    expect(parseCsv(toCsv(rows))).toEqual(rows);
  });

  it('starts with a byte-order mark only when asked, and reads back the same', () => {
    const rows = [['问题', '答案'], ['怎么退款', '七天内可退']];
    expect(toCsv(rows, { bom: true })).toBe('\ufeff问题,答案\r\n怎么退款,七天内可退\r\n');
    expect(toCsv(rows).charCodeAt(0)).not.toBe(0xfeff);
    expect(parseCsv(toCsv(rows, { bom: true }))).toEqual(rows);
  });

  it('reads a quote inside an unquoted field as a character, as spreadsheets write it', () => {
    expect(parseCsv('a 5" screen,x\n')).toEqual([['a 5" screen', 'x']]);
  });

  it("makes a visitor's text that looks like a formula plain text for spreadsheets", () => {
    for (const v of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) expect(asText(v)).toBe(`'${v}`);
    for (const v of ['退款', 'a=1', ' =1']) expect(asText(v)).toBe(v);
    expect(asText(null)).toBe('');
  });

  it('writes an FAQ cell that starts like a formula as text, and reads it back as it was', () => {
    const entry = {
      question: '=HYPERLINK("https://evil.example","Open")',
      variants: ['+1 how do I get a refund', 'refund please'],
      answer: '-5% for members; @support answers the rest',
      language: 'en',
      tags: ['=cmd', 'refund'],
      articleUrls: ['https://example.com/refund'],
    } as unknown as FaqEntry;
    const csv = faqToCsv([entry]);
    const [, row] = parseCsv(csv);
    expect(row.slice(0, 2)).toEqual([`'=HYPERLINK("https://evil.example","Open")`, `'+1 how do I get a refund\nrefund please`]);
    expect(row[2]).toBe(`'-5% for members; @support answers the rest`);
    expect(row[4]).toBe(`'=cmd\nrefund`);
    const [back] = faqFromCsv(csv);
    expect(back).toMatchObject({ question: entry.question, variants: entry.variants, answer: entry.answer, tags: entry.tags, articleUrls: entry.articleUrls });
  });
});
