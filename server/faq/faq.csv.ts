/**
 * FAQ as CSV for spreadsheets: header `question,variants,answer,language,tags,articleUrls`;
 * the list cells (variants, tags, articleUrls) hold one item per line.
 */
import { FaqEntryInput } from '../../shared/schemas.ts';
import type { FaqEntry } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { storable } from '../http/respond.ts';
import { asText, fromText, parseCsv, toCsv } from './engine/csv.ts';

export const FAQ_CSV_HEADER = ['question', 'variants', 'answer', 'language', 'tags', 'articleUrls'] as const;

const list = (cell: string | undefined) =>
  fromText(cell ?? '')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * With a byte-order mark, so that Excel opens Chinese correctly; the import skips it. Every cell
 * that could start like a formula is written as text (asText): visitors' words reach entries
 * through drafts and learned questions. The import takes the apostrophe off again.
 */
export function faqToCsv(entries: FaqEntry[]): string {
  return toCsv(
    [
      [...FAQ_CSV_HEADER],
      ...entries.map((e) => [e.question, e.variants.join('\n'), e.answer, e.language, e.tags.join('\n'), e.articleUrls.join('\n')].map(asText)),
    ],
    { bom: true },
  );
}

/** Parses and validates every row; one bad row rejects the file, so nothing half-imports. */
export function faqFromCsv(text: string): FaqEntryInput[] {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch {
    throw new AppError('INVALID_PAYLOAD');
  }
  const header = rows.shift()?.map((h) => h.trim());
  if (!header || FAQ_CSV_HEADER.some((h, i) => header[i] !== h)) throw new AppError('INVALID_PAYLOAD');
  if (rows.length === 0 || rows.length > 5000) throw new AppError('INVALID_PAYLOAD');
  return rows.map((r) => {
    const parsed = FaqEntryInput.safeParse({
      question: r[0] === undefined ? r[0] : fromText(r[0]),
      variants: list(r[1]),
      answer: r[2] === undefined ? r[2] : fromText(r[2]),
      language: r[3]?.trim(),
      tags: list(r[4]),
      articleUrls: list(r[5]),
    });
    if (!parsed.success || !storable(parsed.data)) throw new AppError('INVALID_PAYLOAD');
    return parsed.data;
  });
}
