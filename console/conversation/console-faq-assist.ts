import { LitElement, css, html } from 'lit';
import type { FaqAssistDTO, LearnedVariantDTO } from '../../shared/types.ts';
import { api, type ClientError } from '../shared/api.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

type Hit = FaqAssistDTO['hits'][number];

const SEARCH_DELAY_MS = 300;

/**
 * The FAQ entries closest to the visitor's last question, with the matcher's confidence. The agent
 * inserts one's answer into the reply box (and edits it there); sending that reply teaches the
 * matcher the visitor's question as a way of asking the entry (`replySent`). On a resolved
 * conversation the agent can say "this was it" instead. A search field looks further when the
 * visitor's words are far from any entry.
 * @fires faq-insert - CustomEvent<{ text }> when the agent inserts an entry's answer into the reply
 */
export class ConsoleFaqAssist extends LitElement {
  static override properties = {
    conversationId: { type: String },
    /** The visitor's last message: a new one asks again. */
    questionMessageId: { attribute: false },
    /** The agent may reply (inserting answers makes sense). */
    canReply: { type: Boolean },
    /** The conversation is resolved: "this was it" marks it. */
    resolved: { type: Boolean },
    _result: { state: true },
    _query: { state: true },
    _error: { state: true },
    _learned: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      details {
        border: 1px solid var(--sc-border);
        border-radius: var(--sc-radius);
        padding: 0.25rem 0.5rem;
      }
      summary {
        cursor: pointer;
        font-weight: 600;
      }
      ul {
        list-style: none;
        margin: 0.25rem 0 0;
        padding: 0;
        max-height: 14rem;
        overflow: auto;
      }
      li {
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto;
        gap: 0.15rem 0.5rem;
        padding: 0.35rem 0;
        border-top: 1px solid var(--sc-border);
      }
      .q {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .a {
        grid-column: 1 / -1;
        color: var(--sc-muted);
        font-size: 0.85rem;
        overflow: hidden;
        display: -webkit-box;
        -webkit-line-clamp: 2;
        -webkit-box-orient: vertical;
      }
      .actions {
        grid-row: 1 / span 1;
        grid-column: 2;
        display: flex;
        gap: 0.35rem;
        align-items: start;
      }
      input[type='search'] {
        width: 100%;
      }
      p {
        margin: 0.25rem 0;
      }
    `,
  ];

  declare conversationId: string;
  declare questionMessageId: string | null;
  declare canReply: boolean;
  declare resolved: boolean;
  declare _result: FaqAssistDTO | null;
  declare _query: string;
  declare _error: ClientError | null;
  declare _learned: { status: LearnedVariantDTO['status']; question: string } | null;

  /** The entry whose answer went into the reply box, until the reply is sent. */
  private _inserted: { conversationId: string; entryId: string; questionMessageId: string | null; question: string } | null = null;
  private _searchTimer: ReturnType<typeof setTimeout> | undefined;
  private _asked = 0;

  constructor() {
    super();
    this.conversationId = '';
    this.questionMessageId = null;
    this.canReply = false;
    this.resolved = false;
    this._result = null;
    this._query = '';
    this._error = null;
    this._learned = null;
    new StoreController(this, i18n);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this._searchTimer);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('conversationId')) {
      this._query = '';
      this._learned = null;
      this._inserted = null;
    }
    if ((changed.has('conversationId') || changed.has('questionMessageId')) && this.conversationId) void this._ask();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const r = this._result;
    const hits = r?.hits ?? [];
    return html`<details open>
      <summary>${t('assist.title')}${hits.length ? ` (${hits.length})` : ''}</summary>
      <div class="field">
        <label class="visually-hidden" for="assist-q">${t('assist.search')}</label>
        <input id="assist-q" type="search" placeholder=${t('assist.search')} .value=${this._query} @input=${this._onSearch} />
      </div>
      ${r?.question && !this._query ? html`<p class="muted small">${t('assist.for', { q: r.question })}</p>` : ''}
      ${this._error ? html`<p class="error" role="alert">${i18n.error(this._error)}</p>` : ''}
      <div role="status">
        ${this._learned
          ? html`<p class="success">${this._learned.status === 'active' ? t('assist.learned', { q: this._learned.question }) : t('assist.pending')}</p>`
          : ''}
      </div>
      ${r && r.question && hits.length === 0 ? html`<p class="muted">${t('assist.none')}</p>` : ''}
      ${hits.length
        ? html`<ul aria-label=${t('assist.title')}>
            ${hits.map((h) => this._renderHit(h))}
          </ul>`
        : ''}
    </details>`;
  }

  private _renderHit(h: Hit) {
    const t = i18n.t.bind(i18n);
    return html`<li>
      <span class="q">${h.question} <span class="badge">${t('assist.confidence', { n: Math.round(h.confidence * 100) })}</span></span>
      <span class="actions">
        ${this.canReply
          ? html`<button type="button" aria-label=${t('assist.insertLabel', { q: h.question })} @click=${() => this._insert(h)}>
              ${t('assist.insert')}
            </button>`
          : ''}
        ${this.resolved
          ? html`<button type="button" aria-label=${t('assist.markLabel', { q: h.question })} @click=${() => this._mark(h)}>${t('assist.mark')}</button>`
          : ''}
      </span>
      <span class="a">${h.answer}</span>
    </li>`;
  }

  /** Called by the conversation when the agent sent a reply: one that started from an entry's answer teaches the matcher. */
  async replySent(): Promise<void> {
    const inserted = this._inserted;
    this._inserted = null;
    if (!inserted || inserted.conversationId !== this.conversationId) return;
    await this._learn(inserted.entryId, 'assist', inserted.questionMessageId, inserted.question);
  }

  private async _ask(): Promise<void> {
    const ticket = ++this._asked;
    const res = await api<FaqAssistDTO>('/api/faqs/assist', {
      json: { conversationId: this.conversationId, text: this._query.trim() || undefined },
    });
    if (ticket !== this._asked) return;
    this._error = res.ok ? null : res.error;
    this._result = res.ok ? res.data : null;
  }

  private _onSearch = (e: Event): void => {
    this._query = (e.target as HTMLInputElement).value;
    clearTimeout(this._searchTimer);
    this._searchTimer = setTimeout(() => void this._ask(), SEARCH_DELAY_MS);
  };

  private _insert(h: Hit): void {
    // What is learned is the visitor's question, not what the agent typed to search.
    const messageId = this.questionMessageId;
    this._inserted = { conversationId: this.conversationId, entryId: h.entryId, questionMessageId: messageId, question: h.question };
    this._learned = null;
    this.dispatchEvent(new CustomEvent('faq-insert', { detail: { text: h.answer }, bubbles: true, composed: true }));
  }

  private _mark(h: Hit): Promise<void> {
    return this._learn(h.entryId, 'marked', null, h.question);
  }

  private async _learn(entryId: string, source: 'assist' | 'marked', questionMessageId: string | null, question: string): Promise<void> {
    const conversationId = this.conversationId;
    const res = await api<LearnedVariantDTO>('/api/faqs/learned', {
      json: { conversationId, entryId, source, questionMessageId: questionMessageId ?? undefined },
    });
    if (conversationId !== this.conversationId) return;
    this._error = res.ok ? null : res.error;
    this._learned = res.ok ? { status: res.data.status, question } : null;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-faq-assist': ConsoleFaqAssist;
  }
}
customElements.define('console-faq-assist', ConsoleFaqAssist);
