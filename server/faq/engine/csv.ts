/**
 * RFC 4180 CSV through csv-parse and csv-stringify: fields separated by commas, rows by CRLF or LF,
 * fields that contain a comma, a quote or a line break quoted and their quotes doubled. Shared by the
 * evaluation command and the server's FAQ import/export, so that a file exported by one reads back
 * identically in the other. Synchronous: FAQ files are at most a few thousand rows.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { stringify, type Options as StringifyOptions } from 'csv-stringify/sync';

/**
 * Parses CSV text into rows of fields. A leading UTF-8 BOM is ignored (Excel writes one), blank
 * lines and a final line break produce no row, and rows may differ in length.
 * @example parseCsv('text,category\n"a, b",x\n') // [['text','category'],['a, b','x']]
 */
export function parseCsv(text: string): string[][] {
  try {
    return parse(text, {
      bom: true,
      // Every line break, not only the first one seen: hand-edited files mix them.
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      relax_column_count: true,
      // A quote inside an unquoted field (`5" screen`) is a character, as spreadsheets write it.
      relax_quotes: true,
    }) as string[][];
  } catch (err) {
    if (err instanceof CsvError) throw new Error(err.code === 'CSV_QUOTE_NOT_CLOSED' ? 'CSV: unterminated quoted field' : `CSV: ${err.code}`);
    throw err;
  }
}

/**
 * The options of every CSV this server writes: CRLF line breaks and a final one (RFC 4180), fields
 * quoted only when they need it: a comma or a quote (csv-stringify's own rule), any line break
 * (it quotes only the record delimiter, CRLF, and would leave a bare LF unquoted), and a space at
 * either end, which spreadsheets would otherwise trim.
 */
export const CSV_WRITE_OPTIONS: StringifyOptions = { record_delimiter: 'windows', eof: true, quoted_match: [/[\r\n]/, /^\s|\s$/] };

/**
 * What visitors and agents typed is opened in spreadsheets: a cell that starts like a formula
 * (= + - @, or a tab or carriage return before one) is prefixed with an apostrophe, which the
 * spreadsheet shows as text (OWASP's advice on CSV injection).
 */
export const asText = (v: string | null) => (v === null ? '' : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

/** The inverse of asText, for a file this server wrote and a spreadsheet kept: the apostrophe before a formula-like start is dropped. */
export const fromText = (v: string) => v.replace(/^'(?=[=+\-@\t\r])/, '');

/**
 * Serialises rows as CSV. With `bom`, the text starts with a UTF-8 byte-order mark, without which
 * Excel reads UTF-8 as the system's code page and Chinese comes out garbled.
 * @example toCsv([['text','category'],['a, b','x']]) // 'text,category\r\n"a, b",x\r\n'
 */
export function toCsv(rows: string[][], opts: { bom?: boolean } = {}): string {
  return stringify(rows, { ...CSV_WRITE_OPTIONS, bom: opts.bom ?? false });
}
