/**
 * `<support-chat-file>`: a file in the conversation. An image shows as a thumbnail that opens full
 * size in a new tab; any other file as its name and size, a download link. The bytes come through a
 * short-lived link the server signs for this visitor (attachments.ts `linkFor`).
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import type { Locale } from '../shared/schemas.ts';
import type { AttachmentDTO } from '../shared/types.ts';
import type { ChatClient } from './chat-client.ts';
import { linkFor, sizeText } from './attachments.ts';
import { icon, renderInPlace, tm } from './later.ts';

/** icons.ts PAPERCLIP, the attach button's. */
const PAPERCLIP = 'M20.3 13.5l-6.4 6.3a6 6 0 0 1-8.4-8.4l7.7-7.8a4 4 0 0 1 5.7 5.6l-7.8 7.8a2 2 0 0 1-2.8-2.8l5.6-5.7';

export class SupportChatFile extends LitElement {
  static override properties = {
    client: { attribute: false },
    attachment: { attribute: false },
    locale: {},
    _url: { state: true },
    _missing: { state: true },
  };

  /** Added to the conversation's shadow root, where this renders (later.ts renderInPlace). */
  static sheet = css`
    support-chat-file {
      display: block;
    }
    support-chat-file img {
      display: block;
      max-width: 100%;
      max-height: 200px;
      border-radius: 8px;
      background: #fff;
    }
    support-chat-file a {
      color: inherit;
    }
  `;

  protected override createRenderRoot(): HTMLElement {
    return renderInPlace(this, SupportChatFile.sheet);
  }

  declare client: ChatClient;
  declare attachment: AttachmentDTO;
  declare locale: Locale;
  declare private _url: string | undefined;
  declare private _missing: boolean;
  private _expiresAt = 0;

  constructor() {
    super();
    this.locale = 'en';
    this._missing = false;
  }

  // Not connectedCallback: an element rendered before this module loaded gets its properties only at its first update.
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('attachment')) void this._load();
  }

  private async _load(): Promise<void> {
    const link = await linkFor(this.client, this.attachment.id);
    this._url = link?.url;
    this._expiresAt = link?.expiresAt ?? 0;
    this._missing = !link;
  }

  /** A link is short-lived: one about to expire is renewed before it is followed. */
  private _onOpen(event: Event): void {
    if (this._expiresAt - Date.now() > 60_000) return;
    event.preventDefault();
    void this._load().then(() => this._url && window.open(this._url, '_blank', 'noopener,noreferrer'));
  }

  override render() {
    const { name, size, isImage } = this.attachment;
    const params = { name, size: sizeText(size) };
    if (this._missing) return html`<span>${tm(this.locale, 'fileUnavailable', params)}</span>`;
    if (!this._url) return html`<span aria-busy="true">${name} · ${params.size}</span>`;
    if (isImage) {
      return html`<a href=${this._url} target="_blank" rel="noopener noreferrer" aria-label=${tm(this.locale, 'fileOpen', params)} @click=${this._onOpen}>
        <img src=${this._url} alt=${name} loading="lazy" />
      </a>`;
    }
    // Served with Content-Disposition: attachment, so following the link downloads it.
    return html`<a href=${this._url} target="_blank" rel="noopener noreferrer" aria-label=${tm(this.locale, 'fileDownload', params)} @click=${this._onOpen}>${icon(PAPERCLIP)} ${name} · ${params.size}</a>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat-file': SupportChatFile;
  }
}

if (!customElements.get('support-chat-file')) customElements.define('support-chat-file', SupportChatFile);
