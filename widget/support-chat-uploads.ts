/**
 * `<support-chat-uploads>`: the files the visitor is sending. Each is checked against the site's limits
 * first (a refused one is explained and never uploaded), then posted with its progress shown; one that
 * fails can be sent again (same clientId: the server never stores it twice) or removed. The server's
 * refusal (its check of the bytes) is explained the same way. A sent file leaves this list for the
 * conversation, as the server's message.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { Locale } from '../shared/schemas.ts';
import type { ConversationDTO, MessageDTO } from '../shared/types.ts';
import { UploadQueue, type Upload } from '../shared/uploads.ts';
import type { ChatClient } from './chat-client.ts';
import { sizeText } from './attachments.ts';
import { icon, renderInPlace, tm } from './later.ts';

const RETRY = 'M20 3v6h-6M18.9 16a8 8 0 1 1-1.2-9.7L20 9';
const CROSS = 'M18 6 6 18M6 6l12 12';

/** As the outbox makes them (outbox.ts), not imported: that would split it out of the panel's chunk, one request more on opening. */
const newClientId = (): string => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b + 256).toString(16).slice(1)).join('');

export class SupportChatUploads extends LitElement {
  static override properties = {
    client: { attribute: false },
    locale: {},
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
  private readonly _uploads = new UploadQueue<{ message: MessageDTO; conversation: ConversationDTO }>(this, {
    target: () => {
      const { url, token } = this.client.uploadTarget();
      return { url, fields: token ? { token } : undefined };
    },
    newId: newClientId,
    sent: ({ message, conversation }) => this.client.delivered(message, conversation),
  });

  constructor() {
    super();
    this.locale = 'en';
  }

  /** Files picked, pasted or dropped: each checked, then sent. */
  add(files: File[]): void {
    this._uploads.add(files, this.client.state.attachments);
  }

  private _line(item: Upload) {
    const name = item.file.name;
    const retry = html`<button class="chip" aria-label=${tm(this.locale, 'fileRetry', { name })} @click=${() => void this._uploads.send(item)}>${icon(RETRY)}</button>`;
    const remove = html`<button class="chip" aria-label=${tm(this.locale, 'fileRemove', { name })} @click=${() => this._uploads.remove(item.clientId)}>${icon(CROSS)}</button>`;
    if (item.status === 'sending') {
      return html`<li><span>${tm(this.locale, 'fileUploading', { name })}</span><progress max="1" .value=${item.progress} aria-label=${tm(this.locale, 'fileProgress', { name })}></progress></li>`;
    }
    if (item.status === 'failed') return html`<li class="failed"><span role="alert">${tm(this.locale, 'fileFailed', { name })}</span>${retry}${remove}</li>`;
    const max = sizeText(this.client.state.attachments?.maxBytes ?? 0);
    const why = item.code === 'FILE_TOO_LARGE' ? 'fileTooLarge' : item.code === 'FILE_TYPE_NOT_ALLOWED' ? 'fileBadType' : 'fileRefused';
    return html`<li class="refused"><span role="alert">${tm(this.locale, why, { name, max })}</span>${remove}</li>`;
  }

  override render() {
    return this._uploads.items.length ? html`<ul>${this._uploads.items.map((i) => this._line(i))}</ul>` : nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat-uploads': SupportChatUploads;
  }
}

if (!customElements.get('support-chat-uploads')) customElements.define('support-chat-uploads', SupportChatUploads);
