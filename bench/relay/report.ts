/** The benchmark's output: markdown, to stdout and to a file, written as it goes. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class Report {
  private readonly lines: string[] = [];
  constructor(private readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  line(text = ''): void {
    console.log(text);
    this.lines.push(text);
    // Written on every line: a run stopped halfway still leaves what it measured.
    writeFileSync(this.file, `${this.lines.join('\n')}\n`);
  }

  table(headers: string[], rows: (string | number)[][]): void {
    this.line(`| ${headers.join(' | ')} |`);
    this.line(`|${headers.map(() => '---').join('|')}|`);
    for (const r of rows) this.line(`| ${r.map(String).join(' | ')} |`);
    this.line();
  }
}

/** Progress goes to stderr, so that stdout is the report alone. */
export const progress = (text: string): void => void process.stderr.write(`[bench:relay] ${text}\n`);

export function fmt(x: number | undefined, digits = 1): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(digits);
}
