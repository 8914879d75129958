import { LitElement, css, html } from 'lit';
import type { AttachmentDTO } from '../../shared/types.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

/** 2.4 MB, 312 KB, 90 B. */
export function fileSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/**
 * A file in a conversation: an image as a thumbnail that opens full size in a new tab, anything
 * else as its name and size, a download link. Fetched with the session cookie from
 * `/api/attachments/:id`, which serves only agents of the conversation's site.
 */
export class ConsoleFile extends LitElement {
  static override properties = { attachment: { attribute: false } };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      img {
        display: block;
        max-width: min(100%, 20rem);
        max-height: 14rem;
        border-radius: var(--sc-radius);
        border: 1px solid var(--sc-border);
      }
    `,
  ];

  declare attachment: AttachmentDTO | null;

  constructor() {
    super();
    this.attachment = null;
    new StoreController(this, i18n);
  }

  override render() {
    const a = this.attachment;
    if (!a) return html``;
    const url = `/api/attachments/${encodeURIComponent(a.id)}`;
    const params = { name: a.name, size: fileSize(a.size) };
    if (a.isImage) {
      return html`<a href=${url} target="_blank" rel="noopener noreferrer" aria-label=${i18n.t('file.open', params)}>
        <img src=${url} alt=${a.name} loading="lazy" />
      </a>`;
    }
    // Served as a download (Content-Disposition: attachment), never opened in the console's origin.
    return html`<a href=${url} download=${a.name} aria-label=${i18n.t('file.download', params)}>📎 ${a.name} · ${params.size}</a>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-file': ConsoleFile;
  }
}
customElements.define('console-file', ConsoleFile);
