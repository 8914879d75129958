import { describe, expect, it } from 'vitest';
import { FaqEntryInput } from '../../shared/schemas.ts';
import type { FaqEntryDTO } from '../../shared/types.ts';
import {
  entryToFields,
  fieldsToInput,
  importFormat,
  jsonImportBody,
  splitLines,
  splitTags,
} from '../../console/faq/faq-form.ts';

const entry: FaqEntryDTO = {
  id: '7a0b2a0e-0b7b-4a34-9d43-3d2d7d0f6a11',
  siteId: 'demo',
  question: 'How do I reset my password?',
  variants: ['forgot password', 'cannot log in'],
  answer: 'Use the link on the sign-in page.',
  language: 'en',
  tags: ['account', 'login'],
  articleUrls: ['https://example.com/help/password'],
  status: 'published',
  sourceConversationId: null,
  learned: [],
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
};

describe('console FAQ editor fields', () => {
  it('turns an entry into text and back without losing anything', () => {
    const res = fieldsToInput(entryToFields(entry), 'demo');
    expect(res).toEqual({
      ok: true,
      input: {
        siteId: 'demo',
        question: entry.question,
        variants: entry.variants,
        answer: entry.answer,
        language: 'en',
        tags: entry.tags,
        articleUrls: entry.articleUrls,
      },
    });
    if (res.ok) expect(FaqEntryInput.safeParse(res.input).success).toBe(true);
  });

  it('reads one variant per line and tags separated by any comma', () => {
    expect(splitLines('  a \n\nb\r\na\n')).toEqual(['a', 'b']);
    expect(splitTags('账号, 登录，密码、 account ,,')).toEqual(['账号', '登录', '密码', 'account']);
  });

  it('asks for a question and an answer', () => {
    const fields = { ...entryToFields(entry), answer: '   ' };
    expect(fieldsToInput(fields, 'demo')).toEqual({ ok: false, problem: 'required' });
  });

  it('refuses article links that are not http(s)', () => {
    const fields = { ...entryToFields(entry), articleUrls: 'https://ok.example/a\njavascript:alert(1)\nnot a url' };
    expect(fieldsToInput(fields, 'demo')).toEqual({
      ok: false,
      problem: 'badUrls',
      lines: ['javascript:alert(1)', 'not a url'],
    });
  });

  it('does not repeat the question among its variants', () => {
    const fields = { ...entryToFields(entry), variants: `${entry.question}\nforgot password` };
    const res = fieldsToInput(fields, undefined);
    expect(res.ok && res.input.variants).toEqual(['forgot password']);
    expect(res.ok && 'siteId' in res.input).toBe(false);
  });

  it('recognises import files by extension', () => {
    expect(importFormat('faq.CSV')).toBe('csv');
    expect(importFormat('export.json')).toBe('json');
    expect(importFormat('faq.xlsx')).toBeNull();
  });

  it('accepts a bare array or an export object as a JSON import', () => {
    expect(jsonImportBody('[{"question":"q"}]', 'demo')).toEqual({ siteId: 'demo', entries: [{ question: 'q' }] });
    expect(jsonImportBody('{"entries":[{"question":"q"}],"other":1}', 'demo')).toEqual({
      siteId: 'demo',
      entries: [{ question: 'q' }],
    });
    expect(jsonImportBody('{"question":"q"}', 'demo')).toBeNull();
    expect(jsonImportBody('not json', 'demo')).toBeNull();
  });
});
