/**
 * fetch for the console's HTTP API: every call resolves to an Ack-shaped result, never throws.
 * The client adds codes of its own for failures the server never saw.
 */
import type { AppErrorBody, ErrorCode } from '../../shared/result.ts';

export type ClientErrorCode = ErrorCode | 'NETWORK' | 'TIMEOUT' | 'OFFLINE';
export interface ClientError {
  code: ClientErrorCode;
  retryAfterMs?: number;
}
export type Result<T> = { ok: true; data: T } | { ok: false; error: ClientError };

/** Fired on `apiEvents` when any call answers UNAUTHORIZED: the session is gone. */
export const apiEvents = new EventTarget();

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'INVALID_PAYLOAD',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: Record<string, string | undefined>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with `contentType`. */
  text?: string;
  contentType?: string;
}

/** The path with the defined query parameters appended. */
export function withQuery(path: string, query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function isErrorBody(value: unknown): value is { ok: false; error: AppErrorBody } {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

/** Calls the API with the session cookie; `{ ok: false }` for HTTP errors and network failures alike. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<Result<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.text !== undefined) {
    headers['Content-Type'] = opts.contentType ?? 'text/plain';
    body = opts.text;
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      credentials: 'same-origin',
    });
  } catch {
    return { ok: false, error: { code: 'NETWORK' } };
  }
  const parsed: unknown = await res.json().catch(() => null);
  if (res.ok && typeof parsed === 'object' && parsed !== null && (parsed as { ok?: unknown }).ok === true) {
    return parsed as Result<T>;
  }
  return { ok: false, error: errorOf(res, parsed) };
}

/** The error an answer carries: its body's, else one named by its HTTP status. */
function errorOf(res: Response, parsed: unknown): ClientError {
  const error: ClientError = isErrorBody(parsed) ? parsed.error : { code: STATUS_CODES[res.status] ?? 'INTERNAL' };
  if (error.code === 'UNAUTHORIZED') apiEvents.dispatchEvent(new Event('unauthorized'));
  return error;
}

/**
 * Downloads a file the API serves as an attachment (a CSV export), fetched rather than navigated to,
 * so that a refusal (429 while two exports run, 503) comes back as an error the view can show, where
 * a plain download link leaves only a failed entry in the browser's downloads. The file is saved under
 * the name its Content-Disposition gives.
 */
export async function download(path: string): Promise<Result<void>> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin' });
  } catch {
    return { ok: false, error: { code: 'NETWORK' } };
  }
  if (!res.ok) return { ok: false, error: errorOf(res, await res.json().catch(() => null)) };
  let blob: Blob;
  try {
    blob = await res.blob();
  } catch {
    return { ok: false, error: { code: 'NETWORK' } };
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? 'export.csv';
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked once the browser has taken the file.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { ok: true, data: undefined };
}
