/**
 * `<support-chat-uploads>`: the files the visitor is sending. Each is checked against the site's limits
 * first (a refused one is explained and never uploaded), then posted with its progress shown; one that
 * fails can be sent again (same clientId: the server never stores it twice) or removed. The server's
 * refusal (its check of the bytes) is explained the same way. A sent file leaves this list for the
 * conversation, as the server's message.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { Ack } from '../shared/result.ts';
import type { Locale } from '../shared/schemas.ts';
import type { ConversationDTO, MessageDTO } from '../shared/types.ts';
import type { ChatClient } from './chat-client.ts';
import { refusal, sizeText } from './attachments.ts';
import { icon, renderInPlace, tm } from './later.ts';

const RETRY = 'M20 3v6h-6M18.9 16a8 8 0 1 1-1.2-9.7L20 9';
const CROSS = 'M18 6 6 18M6 6l12 12';

/** As the outbox makes them (outbox.ts), not imported: that would split it out of the panel's chunk, one request more on opening. */
const newClientId = (): string => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b + 256).toString(16).slice(1)).join('');

interface Upload {
  clientId: string;
  file: File;
  /** 0 to 1. */
  progress: number;
  status: 'sending' | 'failed' | 'refused';
  code?: string;
}

export class SupportChatUploads extends LitElement {
  static override properties = {
    client: { attribute: false },
    locale: {},
    _items: { state: true },
  };

  /** Added to the conversation's shadow root, where this renders (later.ts renderInPlace). */
  static sheet = css`
    support-chat-uploads ul {
      margin: 0;
      padding: 0 12px;
      list-style: none;
    }
    support-chat-uploads li {
      display: flex;
      /* In a row, not in the conversation's column of messages (the same shadow root). */
      flex-direction: row;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px;
      margin-top: 8px;
      font-size: 13px;
    }
    support-chat-uploads progress {
      flex: 1;
      min-width: 80px;
      accent-color: var(--sc-accent);
    }
    support-chat-uploads .refused,
    support-chat-uploads .failed {
      color: #b91c1c;
    }
  `;

  protected override createRenderRoot(): HTMLElement {
    return renderInPlace(this, SupportChatUploads.sheet);
  }

  declare client: ChatClient;
  declare locale: Locale;
  declare private _items: Upload[];

  constructor() {
    super();
    this.locale = 'en';
    this._items = [];
  }

  /** Files picked, pasted or dropped: each checked, then sent one after the other. */
  add(files: File[]): void {
    const limits = this.client.state.attachments;
    for (const file of files) {
      const code = refusal(file, limits);
      const item: Upload = { clientId: newClientId(), file, progress: 0, status: code ? 'refused' : 'sending', code };
      this._items = [...this._items, item];
      if (!code) void this._send(item);
    }
  }

  private _patch(clientId: string, patch: Partial<Upload>): void {
    this._items = this._items.map((i) => (i.clientId === clientId ? { ...i, ...patch } : i));
  }

  private _remove(clientId: string): void {
    this._items = this._items.filter((i) => i.clientId !== clientId);
  }

  /** XMLHttpRequest, not fetch: it reports upload progress. A plain multipart POST needs no CORS preflight. */
  private _send(item: Upload): Promise<void> {
    const { url, token } = this.client.uploadTarget();
    const form = new FormData();
    if (token) form.append('token', token);
    form.append('clientId', item.clientId);
    form.append('file', item.file, item.file.name);
    this._patch(item.clientId, { status: 'sending', progress: 0, code: undefined });
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      xhr.responseType = 'json';
      xhr.upload.onprogress = (e) => e.lengthComputable && this._patch(item.clientId, { progress: e.loaded / e.total });
      xhr.onload = () => {
        const res = xhr.response as Ack<{ message: MessageDTO; conversation: ConversationDTO }> | null;
        if (res?.ok) {
          this.client.delivered(res.data.message, res.data.conversation);
          this._remove(item.clientId);
        } else {
          const code = res && !res.ok ? res.error.code : undefined;
          const final = code === 'FILE_TOO_LARGE' || code === 'FILE_TYPE_NOT_ALLOWED' || code === 'INVALID_PAYLOAD';
          this._patch(item.clientId, { status: final ? 'refused' : 'failed', code });
        }
        resolve();
      };
      xhr.onerror = xhr.ontimeout = () => {
        this._patch(item.clientId, { status: 'failed' });
        resolve();
      };
      xhr.send(form);
    });
  }

  private _line(item: Upload) {
    const name = item.file.name;
    const retry = html`<button class="chip" aria-label=${tm(this.locale, 'fileRetry', { name })} @click=${() => void this._send(item)}>${icon(RETRY)}</button>`;
    const remove = html`<button class="chip" aria-label=${tm(this.locale, 'fileRemove', { name })} @click=${() => this._remove(item.clientId)}>${icon(CROSS)}</button>`;
    if (item.status === 'sending') {
      return html`<li><span>${tm(this.locale, 'fileUploading', { name })}</span><progress max="1" .value=${item.progress} aria-label=${tm(this.locale, 'fileProgress', { name })}></progress></li>`;
    }
    if (item.status === 'failed') return html`<li class="failed"><span role="alert">${tm(this.locale, 'fileFailed', { name })}</span>${retry}${remove}</li>`;
    const max = sizeText(this.client.state.attachments?.maxBytes ?? 0);
    const why = item.code === 'FILE_TOO_LARGE' ? 'fileTooLarge' : item.code === 'FILE_TYPE_NOT_ALLOWED' ? 'fileBadType' : 'fileRefused';
    return html`<li class="refused"><span role="alert">${tm(this.locale, why, { name, max })}</span>${remove}</li>`;
  }

  override render() {
    return this._items.length ? html`<ul>${this._items.map((i) => this._line(i))}</ul>` : nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat-uploads': SupportChatUploads;
  }
}

if (!customElements.get('support-chat-uploads')) customElements.define('support-chat-uploads', SupportChatUploads);
