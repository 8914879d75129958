/**
 * The files a person is sending, for the widget's `<support-chat-uploads>` and the console's
 * `<console-attach>`: each is checked against the site's limits first (a refused one is never
 * uploaded), then posted as multipart with its progress; one that fails can be sent again (the same
 * clientId: the server never stores it twice) or removed. The host element renders `items` and is
 * asked to update whenever they change; it needs no lifecycle hook, so this is not a registered controller.
 */
import type { ReactiveControllerHost } from 'lit';
import type { Ack } from './result.ts';
import { attachmentRefusal } from './attachments.ts';

export interface Upload {
  clientId: string;
  file: File;
  /** 0 to 1. */
  progress: number;
  status: 'sending' | 'failed' | 'refused';
  code?: string;
}

export interface UploadOptions<T> {
  /** Where to post, with the form fields that go before the file (a widget's token). */
  target: () => { url: string; fields?: Record<string, string> };
  /** A new client id, as the caller's bundle makes them. */
  newId: () => string;
  /** The server's answer to a stored file, before the upload leaves the list. */
  sent?: (data: T) => void;
}

/** Codes of the server's that no second try changes. */
const FINAL = new Set(['FILE_TOO_LARGE', 'FILE_TYPE_NOT_ALLOWED', 'INVALID_PAYLOAD']);

export class UploadQueue<T = unknown> {
  items: Upload[] = [];

  constructor(
    private readonly _host: Pick<ReactiveControllerHost, 'requestUpdate'>,
    private readonly _options: UploadOptions<T>,
  ) {}

  /** Checks each file against `limits`, then sends those that pass. */
  add(files: File[], limits: Parameters<typeof attachmentRefusal>[1]): void {
    for (const file of files) {
      const code = attachmentRefusal(file, limits);
      const item: Upload = { clientId: this._options.newId(), file, progress: 0, status: code ? 'refused' : 'sending', code };
      this.items = [...this.items, item];
      if (!code) void this.send(item);
    }
    this._host.requestUpdate();
  }

  remove(clientId: string): void {
    this.items = this.items.filter((i) => i.clientId !== clientId);
    this._host.requestUpdate();
  }

  /** XMLHttpRequest, not fetch: it reports upload progress. A plain multipart POST needs no CORS preflight. */
  send(item: Upload): Promise<void> {
    const { url, fields } = this._options.target();
    const form = new FormData();
    for (const [name, value] of Object.entries(fields ?? {})) form.append(name, value);
    form.append('clientId', item.clientId);
    form.append('file', item.file, item.file.name);
    this._patch(item.clientId, { status: 'sending', progress: 0, code: undefined });
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      xhr.responseType = 'json';
      xhr.upload.onprogress = (e) => e.lengthComputable && this._patch(item.clientId, { progress: e.loaded / e.total });
      xhr.onload = () => {
        const res = xhr.response as Ack<T> | null;
        if (res?.ok) {
          this._options.sent?.(res.data);
          this.remove(item.clientId);
        } else {
          const code = res && !res.ok ? res.error.code : 'NETWORK';
          this._patch(item.clientId, { status: FINAL.has(code) ? 'refused' : 'failed', code });
        }
        resolve();
      };
      xhr.onerror = xhr.ontimeout = () => {
        this._patch(item.clientId, { status: 'failed', code: 'NETWORK' });
        resolve();
      };
      xhr.send(form);
    });
  }

  private _patch(clientId: string, patch: Partial<Upload>): void {
    this.items = this.items.map((i) => (i.clientId === clientId ? { ...i, ...patch } : i));
    this._host.requestUpdate();
  }
}
