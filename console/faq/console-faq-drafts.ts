import { LitElement, css, html } from 'lit';
import type { FaqEntryDTO } from '../../shared/types.ts';
import { api, type ClientError } from '../shared/api.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles, listItemStyles } from '../shared/styles.ts';

/**
 * Drafts waiting to be published (made from conversations, or from frequent questions): they answer
 * nobody until an agent checks them and publishes them, here or from the editor.
 * @fires faq-edit - CustomEvent<FaqEntryDTO> when the agent opens a draft
 * @fires faq-saved - CustomEvent<FaqEntryDTO> after a draft was published
 */
export class ConsoleFaqDrafts extends LitElement {
  static override properties = {
    drafts: { attribute: false },
    selectedId: { attribute: false },
    _busy: { state: true },
    _error: { state: true },
    _published: { state: true },
  };
  static override styles = [
    baseStyles,
    listItemStyles,
    css`
      :host {
        display: block;
        margin-bottom: 0.75rem;
      }
      h3 {
        font-size: 1rem;
        margin: 0 0 0.25rem;
      }
      li {
        display: flex;
        gap: 0.5rem;
        align-items: center;
      }
      li > button.item {
        flex: 1 1 auto;
        min-width: 0;
      }
    `,
  ];

  declare drafts: FaqEntryDTO[];
  declare selectedId: string | undefined;
  declare _busy: string | null;
  declare _error: ClientError | null;
  declare _published: boolean;

  constructor() {
    super();
    this.drafts = [];
    this.selectedId = undefined;
    this._busy = null;
    this._error = null;
    this._published = false;
    new StoreController(this, i18n);
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<div role="status">${this._published ? html`<p class="success">${t('faq.published')}</p>` : ''}</div>
      ${this._error ? html`<p class="error" role="alert">${i18n.error(this._error)}</p>` : ''}
      ${this.drafts.length
        ? html`<section aria-labelledby="drafts-h">
            <h3 id="drafts-h">${t('faq.drafts', { n: this.drafts.length })}</h3>
            <ul class="plain">
              ${this.drafts.map(
                (d) => html`<li>
                  <button class="item" type="button" aria-current=${this.selectedId === d.id ? 'true' : 'false'} @click=${() => this._edit(d)}>
                    <span class="title">${d.question}</span>
                    <span class="line">${d.answer}</span>
                  </button>
                  <button type="button" ?disabled=${this._busy !== null} aria-label=${t('faq.publishLabel', { q: d.question })} @click=${() => this._publish(d)}>
                    ${t('faq.publish')}
                  </button>
                </li>`,
              )}
            </ul>
          </section>`
        : ''}`;
  }

  private _edit(d: FaqEntryDTO): void {
    this._published = false;
    this.dispatchEvent(new CustomEvent('faq-edit', { detail: d, bubbles: true, composed: true }));
  }

  private async _publish(d: FaqEntryDTO): Promise<void> {
    if (this._busy) return;
    this._busy = d.id;
    this._published = false;
    const res = await api<FaqEntryDTO>(`/api/faqs/${encodeURIComponent(d.id)}/publish`, { method: 'POST' });
    this._busy = null;
    this._error = res.ok ? null : res.error;
    if (!res.ok) return;
    this._published = true;
    this.dispatchEvent(new CustomEvent('faq-saved', { detail: res.data, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-faq-drafts': ConsoleFaqDrafts;
  }
}
customElements.define('console-faq-drafts', ConsoleFaqDrafts);
