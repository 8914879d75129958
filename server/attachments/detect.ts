/**
 * What a file is, from its bytes (file-type), never from its name or the type the browser claimed.
 * Bytes no signature matches count as plain text only when they are UTF-8 without control
 * characters and do not look like markup: an HTML page renamed to .txt or .png is refused, so no
 * stored file can be a page, whatever a browser might guess about it.
 */
import { fileTypeFromBuffer } from 'file-type';
import { RASTER_IMAGES } from '../../shared/attachments.ts';

/** How many first bytes the type is read from: enough for office files' zip entries and OLE headers. */
export const SAMPLE_BYTES = 256 * 1024;

const WORD = 'application/msword';
const EXCEL = 'application/vnd.ms-excel';
const POWERPOINT = 'application/vnd.ms-powerpoint';

export const isRasterImage = (mime: string) => RASTER_IMAGES.includes(mime);

/**
 * Markup a browser could render as a page or a document with script, at the start of the file or
 * anywhere in the sample: refused even where plain text is accepted.
 */
const MARKUP = /<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|meta|\?xml|xsl|style|img|a\s)/i;

function plainText(sample: Buffer): boolean {
  if (sample.length === 0) return false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(sample);
  } catch {
    // A sample may end inside a multi-byte character: decode up to the last whole one.
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, Math.max(0, sample.length - 3)));
    } catch {
      return false;
    }
  }
  // Tab, line feed, carriage return and form feed are text; other C0 controls and DEL are not.
  if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return false;
  return !MARKUP.test(text);
}

/**
 * The MIME type of a file from its first bytes, or undefined when it is none we could ever accept.
 * Old office files share one container (OLE/CFB): which of Word, Excel or PowerPoint it is comes
 * from the name, but it is still served only as a download.
 */
export async function detectType(sample: Buffer, name: string): Promise<string | undefined> {
  const found = await fileTypeFromBuffer(sample);
  if (found) {
    if (found.mime === 'application/x-cfb') {
      const ext = name.toLowerCase().split('.').pop();
      return ext === 'doc' ? WORD : ext === 'xls' ? EXCEL : ext === 'ppt' ? POWERPOINT : undefined;
    }
    return found.mime;
  }
  return plainText(sample) ? 'text/plain' : undefined;
}
