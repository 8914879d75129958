/**
 * The FAQ editor's text fields and the API's FaqEntryInput, both ways. Agents type lists as
 * lines (variants, article URLs) or comma-separated text (tags, with Chinese commas too).
 */
import type { FaqEntryInput, Locale } from '../../shared/schemas.ts';
import type { FaqEntryDTO } from '../../shared/types.ts';
import { safeHttpUrl } from '../shared/format.ts';

export interface FaqFormFields {
  question: string;
  variants: string;
  answer: string;
  language: Locale;
  tags: string;
  articleUrls: string;
}

export type FaqFormResult =
  | { ok: true; input: FaqEntryInput }
  | { ok: false; problem: 'required' }
  | { ok: false; problem: 'badUrls'; lines: string[] };

/** Non-empty trimmed lines, each once, in order. */
export function splitLines(text: string): string[] {
  return unique(text.split(/\r?\n/));
}

/** Comma-separated items (`,`, `，`, `、`), trimmed, each once. */
export function splitTags(text: string): string[] {
  return unique(text.split(/[,，、]/));
}

function unique(parts: string[]): string[] {
  const seen = new Set<string>();
  for (const p of parts) {
    const v = p.trim();
    if (v) seen.add(v);
  }
  return [...seen];
}

/** Empty fields for a new entry in the given language. */
export function emptyFields(language: Locale): FaqFormFields {
  return { question: '', variants: '', answer: '', language, tags: '', articleUrls: '' };
}

/** An entry from the server as editable text. */
export function entryToFields(entry: FaqEntryDTO): FaqFormFields {
  return {
    question: entry.question,
    variants: entry.variants.join('\n'),
    answer: entry.answer,
    language: entry.language,
    tags: entry.tags.join(', '),
    articleUrls: entry.articleUrls.join('\n'),
  };
}

/** The editor's text as an API payload, or what the agent has to fix first. */
export function fieldsToInput(fields: FaqFormFields, siteId: string | undefined): FaqFormResult {
  const question = fields.question.trim();
  const answer = fields.answer.trim();
  if (!question || !answer) return { ok: false, problem: 'required' };
  const urls = splitLines(fields.articleUrls);
  const bad = urls.filter((u) => safeHttpUrl(u) === null);
  if (bad.length > 0) return { ok: false, problem: 'badUrls', lines: bad };
  return {
    ok: true,
    input: {
      ...(siteId ? { siteId } : {}),
      question,
      variants: splitLines(fields.variants).filter((v) => v !== question),
      answer,
      language: fields.language,
      tags: splitTags(fields.tags),
      articleUrls: urls,
    },
  };
}

/** The kind of import a chosen file is, by its name. */
export function importFormat(fileName: string): 'csv' | 'json' | null {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.json')) return 'json';
  return null;
}

/**
 * The body of a JSON import: a bare array of entries, or an object that already has `entries`.
 * Returns null when the text is not JSON of either shape.
 */
export function jsonImportBody(text: string, siteId: string | undefined): { siteId?: string; entries: unknown[] } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const entries = Array.isArray(parsed)
    ? parsed
    : typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { entries?: unknown }).entries)
      ? (parsed as { entries: unknown[] }).entries
      : null;
  if (!entries) return null;
  return siteId ? { siteId, entries } : { entries };
}
