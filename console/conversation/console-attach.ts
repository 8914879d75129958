import { LitElement, css, html } from 'lit';
import type { AttachmentLimitsDTO } from '../../shared/types.ts';
import { UploadQueue, type Upload } from '../../shared/uploads.ts';
import { api } from '../shared/api.ts';
import { newClientId } from '../shared/client-id.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import { fileSize } from './console-file.ts';

/** Each site's limits, asked once per page (GET /api/attachments/limits). */
let limits: Promise<Record<string, AttachmentLimitsDTO>> | undefined;
const siteLimits = (siteId: string) => {
  limits ??= api<Record<string, AttachmentLimitsDTO>>('/api/attachments/limits').then((r) => (r.ok ? r.data : {}));
  return limits.then((all) => all[siteId]);
};

/** Text files browsers name by their extension, which the server takes as plain text. */

/**
 * The agent's attachments for one conversation: a button that picks files, and files pasted or
 * dropped anywhere on the conversation view (the element it is placed in). Each is checked against
 * the site's limits first, then uploaded with its progress shown; a failed one can be sent again
 * (same clientId: never stored twice). The sent file arrives in the conversation as the server's message.
 */
export class ConsoleAttach extends LitElement {
  static override properties = {
    conversationId: { type: String },
    siteId: { type: String },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        margin-top: 0.4rem;
      }
      ul {
        list-style: none;
        margin: 0.3rem 0 0;
        padding: 0;
        font-size: 0.85rem;
      }
      li {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        flex-wrap: wrap;
      }
      .bad {
        color: var(--sc-danger);
      }
    `,
  ];

  declare conversationId: string;
  declare siteId: string;
  private readonly _uploads = new UploadQueue(this, {
    target: () => ({ url: `/api/conversations/${encodeURIComponent(this.conversationId)}/attachments` }),
    newId: () => newClientId(),
  });
  private _host?: HTMLElement;
  private _limits?: AttachmentLimitsDTO;

  constructor() {
    super();
    this.conversationId = this.siteId = '';
    new StoreController(this, i18n);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Paste and drop are composed events: the conversation view sees them from its composer too.
    const root = this.getRootNode();
    this._host = root instanceof ShadowRoot ? (root.host as HTMLElement) : undefined;
    this._host?.addEventListener('paste', this._onPaste);
    this._host?.addEventListener('dragover', this._onDragOver);
    this._host?.addEventListener('drop', this._onDrop);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._host?.removeEventListener('paste', this._onPaste);
    this._host?.removeEventListener('dragover', this._onDragOver);
    this._host?.removeEventListener('drop', this._onDrop);
  }

  private _onPaste = (e: Event): void => {
    const files = [...((e as ClipboardEvent).clipboardData?.files ?? [])];
    if (!files.length) return;
    e.preventDefault();
    void this.add(files);
  };

  private _onDragOver = (e: Event): void => {
    if ((e as DragEvent).dataTransfer?.types.includes('Files')) e.preventDefault();
  };

  private _onDrop = (e: Event): void => {
    const files = [...((e as DragEvent).dataTransfer?.files ?? [])];
    if (!files.length) return;
    e.preventDefault();
    void this.add(files);
  };

  /** Checks each file against the site's limits, then uploads those that pass. */
  async add(files: File[]): Promise<void> {
    this._limits = await siteLimits(this.siteId);
    this._uploads.add(files, this._limits);
  }

  private _pick(): void {
    this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')?.click();
  }

  private _onFiles(e: Event): void {
    const input = e.target as HTMLInputElement;
    void this.add([...(input.files ?? [])]);
    input.value = '';
  }

  private _line(item: Upload) {
    const t = i18n.t.bind(i18n);
    const name = item.file.name;
    const remove = html`<button type="button" class="link" aria-label=${t('file.remove', { name })} @click=${() => this._uploads.remove(item.clientId)}>${t('file.removeShort')}</button>`;
    if (item.status === 'sending') {
      return html`<li><span>${t('file.sending', { name })}</span><progress max="1" .value=${item.progress} aria-label=${t('file.progress', { name })}></progress></li>`;
    }
    if (item.status === 'failed') {
      return html`<li class="bad"><span role="alert">${t('file.failed', { name, reason: i18n.error({ code: (item.code ?? 'NETWORK') as never }) })}</span>
        <button type="button" class="link" aria-label=${t('file.retry', { name })} @click=${() => void this._uploads.send(item)}>${t('common.retry')}</button>${remove}</li>`;
    }
    const max = fileSize(this._limits?.maxBytes ?? 0);
    const why = item.code === 'FILE_TOO_LARGE' ? 'file.tooLarge' : item.code === 'FILE_TYPE_NOT_ALLOWED' ? 'file.badType' : 'file.refused';
    return html`<li class="bad"><span role="alert">${t(why, { name, max })}</span>${remove}</li>`;
  }

  override render() {
    return html`<input type="file" multiple hidden @change=${this._onFiles} />
      <button type="button" @click=${this._pick}>${i18n.t('file.attach')}</button>
      ${this._uploads.items.length ? html`<ul>${this._uploads.items.map((i) => this._line(i))}</ul>` : ''}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-attach': ConsoleAttach;
  }
}
customElements.define('console-attach', ConsoleAttach);
