import { LitElement, css, html } from 'lit';
import type { FaqEntryDTO, LearnedVariantDTO } from '../../shared/types.ts';
import { api, type ClientError } from '../shared/api.ts';
import { formatTimestamp } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

/**
 * The ways of asking an entry that the FAQ learned from agents' answers, each with where it came from
 * (the conversation, the agent, the date): approve one that waits for review, remove one that is wrong.
 * @fires learned-changed - CustomEvent<{ entryId, learned }> after an approval or a removal
 * @fires conversation-open - CustomEvent<{ conversationId }> when the agent asks to see the conversation
 */
export class ConsoleFaqLearned extends LitElement {
  static override properties = {
    entry: { attribute: false },
    _items: { state: true },
    _busy: { state: true },
    _error: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        margin-top: 1rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25rem 0.5rem;
        padding: 0.4rem 0;
        border-top: 1px solid var(--sc-border);
      }
      .text {
        flex: 1 1 100%;
        overflow-wrap: anywhere;
      }
      h3 {
        font-size: 1rem;
        margin: 0 0 0.25rem;
      }
    `,
  ];

  declare entry: FaqEntryDTO | null;
  declare _items: LearnedVariantDTO[];
  declare _busy: string | null;
  declare _error: ClientError | null;

  constructor() {
    super();
    this.entry = null;
    this._items = [];
    this._busy = null;
    this._error = null;
    new StoreController(this, i18n);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('entry')) {
      this._items = this.entry?.learned ?? [];
      this._error = null;
    }
  }

  override render() {
    const t = i18n.t.bind(i18n);
    if (this._items.length === 0) return html``;
    return html`<section aria-labelledby="learned-h">
      <h3 id="learned-h">${t('faq.learned', { n: this._items.length })}</h3>
      ${this._error ? html`<p class="error" role="alert">${i18n.error(this._error)}</p>` : ''}
      <ul>
        ${this._items.map(
          (v) => html`<li>
            <span class="text">${v.text}</span>
            ${v.status === 'pending' ? html`<span class="badge">${t('faq.learned.pending')}</span>` : ''}
            <span class="muted small"
              >${t(`faq.learned.${v.source}`)} ·
              ${t('faq.learned.by', { agent: v.agentName ?? t('faq.learned.someone'), date: formatTimestamp(v.createdAt, i18n.locale) })}</span
            >
            ${v.conversationId
              ? html`<button type="button" class="link" @click=${() => this._open(v.conversationId!)}>${t('faq.learned.open')}</button>`
              : ''}
            ${v.status === 'pending'
              ? html`<button type="button" ?disabled=${this._busy !== null} aria-label=${t('faq.learned.approveLabel', { text: v.text })} @click=${() => this._approve(v)}>
                  ${t('faq.learned.approve')}
                </button>`
              : ''}
            <button type="button" class="danger" ?disabled=${this._busy !== null} aria-label=${t('faq.learned.removeLabel', { text: v.text })} @click=${() => this._remove(v)}>
              ${t('faq.learned.remove')}
            </button>
          </li>`,
        )}
      </ul>
    </section>`;
  }

  private _open(conversationId: string): void {
    this.dispatchEvent(new CustomEvent('conversation-open', { detail: { conversationId }, bubbles: true, composed: true }));
  }

  private async _approve(v: LearnedVariantDTO): Promise<void> {
    const res = await this._call(v, () => api<LearnedVariantDTO>(`/api/faqs/learned/${encodeURIComponent(v.id)}/approve`, { method: 'POST' }));
    if (res) this._set(this._items.map((x) => (x.id === v.id ? res : x)));
  }

  private async _remove(v: LearnedVariantDTO): Promise<void> {
    const res = await this._call(v, () => api<Record<string, never>>(`/api/faqs/learned/${encodeURIComponent(v.id)}`, { method: 'DELETE' }));
    if (res) this._set(this._items.filter((x) => x.id !== v.id));
  }

  private async _call<T>(v: LearnedVariantDTO, request: () => Promise<{ ok: true; data: T } | { ok: false; error: ClientError }>): Promise<T | null> {
    if (this._busy) return null;
    this._busy = v.id;
    const res = await request();
    this._busy = null;
    this._error = res.ok ? null : res.error;
    return res.ok ? res.data : null;
  }

  private _set(items: LearnedVariantDTO[]): void {
    this._items = items;
    const entryId = this.entry?.id;
    if (entryId) this.dispatchEvent(new CustomEvent('learned-changed', { detail: { entryId, learned: items }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-faq-learned': ConsoleFaqLearned;
  }
}
customElements.define('console-faq-learned', ConsoleFaqLearned);
