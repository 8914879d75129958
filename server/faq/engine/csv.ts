/**
 * RFC 4180 CSV: fields separated by commas, rows by CRLF or LF, fields that contain a comma, a quote
 * or a line break are quoted and their quotes doubled. Shared by the evaluation command and the
 * server's FAQ import/export, so that a file exported by one reads back identically in the other.
 */

/**
 * Parses CSV text into rows of fields. A leading UTF-8 BOM is ignored (Excel writes one), and a
 * final line break does not produce an empty row.
 * @example parseCsv('text,category\n"a, b",x\n') // [['text','category'],['a, b','x']]
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Whether the current row has started: distinguishes an empty last line from a row of one empty field.
  let started = false;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      started = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      started = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (started || field !== '') {
        row.push(field);
        rows.push(row);
      }
      row = [];
      field = '';
      started = false;
    } else {
      field += ch;
      started = true;
    }
  }
  if (quoted) throw new Error('CSV: unterminated quoted field');
  if (started || field !== '') {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Quotes a field only when it needs it, so that plain files stay readable. */
function quoteField(field: string): string {
  // A leading = + - @ is left as is: escaping formulas is the exporter's decision, not the format's.
  return /[",\r\n]/.test(field) || /^\s|\s$/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/**
 * Serialises rows as CSV with CRLF line breaks (RFC 4180) and a final line break.
 * @example toCsv([['text','category'],['a, b','x']]) // 'text,category\r\n"a, b",x\r\n'
 */
export function toCsv(rows: string[][]): string {
  return rows.map((r) => r.map(quoteField).join(',')).join('\r\n') + (rows.length ? '\r\n' : '');
}
