import { LitElement, css, html } from 'lit';
import type { FeedbackDTO } from '../../shared/types.ts';
import { api } from '../shared/api.ts';
import { formatFullTimestamp, formatTimestamp, safeHttpUrl } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { RequestController } from '../shared/request-controller.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

/**
 * One piece of feedback: what the visitor wrote, how to reach them, where they were; and, while
 * unprocessed, a note and the button that marks it processed.
 * @fires feedback-processed - CustomEvent<FeedbackDTO> once the server recorded it
 */
export class ConsoleFeedbackItem extends LitElement {
  static override properties = {
    item: { attribute: false },
    _note: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      article {
        border: 1px solid var(--sc-border);
        border-radius: var(--sc-radius);
        background: var(--sc-surface);
        padding: 0.75rem;
      }
      .content {
        font-size: 0.95rem;
        margin-bottom: 0.5rem;
      }
      dl {
        display: grid;
        grid-template-columns: max-content minmax(0, 1fr);
        gap: 0.15rem 0.75rem;
        margin: 0 0 0.5rem;
        font-size: 0.85rem;
      }
      dt {
        color: var(--sc-muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      textarea {
        width: 100%;
        min-height: 3.5rem;
      }
      form {
        border-top: 1px solid var(--sc-border);
        padding-top: 0.5rem;
      }
    `,
  ];

  declare item: FeedbackDTO | null;
  declare _note: string;
  private _request = new RequestController(this);

  constructor() {
    super();
    this.item = null;
    this._note = '';
    new StoreController(this, i18n);
  }

  override render() {
    const f = this.item;
    if (!f) return html``;
    const t = i18n.t.bind(i18n);
    const href = safeHttpUrl(f.pageUrl);
    const noteId = `note-${f.id}`;
    return html`<article aria-label=${`${t('fb.title')} · ${formatTimestamp(f.createdAt, i18n.locale)}`}>
      <div class="content user-text">${f.content}</div>
      <dl>
        <dt>${t('fb.contact')}</dt>
        <dd>${f.contact ? html`<span class="user-text">${f.contact}</span>` : html`<span class="muted">${t('fb.noContact')}</span>`}</dd>
        ${f.pageUrl
          ? html`<dt>${t('fb.page')}</dt>
              <dd>
                ${href
                  ? html`<a href=${href} target="_blank" rel="noopener noreferrer"
                      >${f.pageTitle || f.pageUrl}<span class="visually-hidden"> ${t('common.opensNewTab')}</span></a
                    >`
                  : f.pageTitle || f.pageUrl}
                ${href && f.pageTitle ? html`<div class="muted small">${f.pageUrl}</div>` : ''}
              </dd>`
          : ''}
        <dt>${t('fb.received')}</dt>
        <dd><time datetime=${f.createdAt} title=${formatFullTimestamp(f.createdAt, i18n.locale)}>${formatTimestamp(f.createdAt, i18n.locale)}</time></dd>
        ${f.status === 'processed'
          ? html`<dt>${t('fb.note')}</dt>
              <dd>
                <span class="user-text">${f.note ?? ''}</span>
                <div class="muted small">
                  ${t('fb.processedBy', {
                    name: f.processedByName ?? '—',
                    time: f.processedAt ? formatTimestamp(f.processedAt, i18n.locale) : '—',
                  })}
                </div>
              </dd>`
          : ''}
      </dl>
      ${f.status === 'new'
        ? html`<form @submit=${this._onSubmit}>
            <div class="field">
              <label for=${noteId}>${t('fb.note')}</label>
              <textarea id=${noteId} maxlength="2000" .value=${this._note} @input=${this._onInput}></textarea>
            </div>
            ${this._request.error ? html`<p class="error" role="alert">${i18n.error(this._request.error)}</p>` : ''}
            <button class="primary" type="submit" ?disabled=${this._request.busy || !this._note.trim()}>${t('fb.process')}</button>
          </form>`
        : ''}
    </article>`;
  }

  private _onInput = (e: Event): void => {
    this._note = (e.target as HTMLTextAreaElement).value;
  };

  private _onSubmit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    const f = this.item;
    const note = this._note.trim();
    if (!f || !note || this._request.busy) return;
    const res = await this._request.send(() => api<FeedbackDTO>(`/api/feedback/${encodeURIComponent(f.id)}/process`, { json: { note } }));
    if (!res.ok) return;
    this._note = '';
    this.dispatchEvent(new CustomEvent('feedback-processed', { detail: res.data, bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-feedback-item': ConsoleFeedbackItem;
  }
}
customElements.define('console-feedback-item', ConsoleFeedbackItem);
