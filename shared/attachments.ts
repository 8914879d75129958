/**
 * The attachment types a site accepts when it has not chosen (sites.attachment_types null): what the
 * server checks a file's bytes against, and what the widget checks a file against before sending it.
 * The widget's session leaves the list out when it is this one (half a kilobyte on every connect).
 */

/** Shown inline (thumbnails); every other type is served as a download. Never SVG: it can carry script. */
export const RASTER_IMAGES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

export const DEFAULT_ATTACHMENT_TYPES = [
  ...RASTER_IMAGES,
  'application/pdf',
  'text/plain',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
];

/** Text files browsers name by their extension, which the server takes as plain text. */
const TEXTS = /^text\/(plain|csv|markdown|tab-separated-values)$/;

/**
 * Why a file cannot be sent under a site's limits (`types` absent: the default list), before any byte
 * leaves: its size, or the type the browser gives it from its name. The server reads the bytes again;
 * this only spares a useless upload. Used by the widget and the console.
 */
export function attachmentRefusal(
  file: { size: number; type: string; name: string },
  limits: { maxBytes: number; types?: string[] } | undefined,
): 'FILE_TOO_LARGE' | 'FILE_TYPE_NOT_ALLOWED' | undefined {
  if (!limits) return undefined;
  if (file.size > limits.maxBytes) return 'FILE_TOO_LARGE';
  const types = limits.types ?? DEFAULT_ATTACHMENT_TYPES;
  const type = file.type.toLowerCase();
  const textual = TEXTS.test(type) || (!type && /\.(txt|log|csv|md)$/i.test(file.name));
  if (types.includes(type) || (textual && types.includes('text/plain'))) return undefined;
  return 'FILE_TYPE_NOT_ALLOWED';
}
