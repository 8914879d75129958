import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { FeedbackDTO } from '../../shared/types.ts';
import { api } from '../shared/api.ts';
import { LoadController } from '../shared/load-controller.ts';
import type { AgentConnection } from '../shared/connection.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import './console-feedback-item.ts';

type Filter = 'new' | 'processed';

/**
 * Feedback from visitors, unprocessed or processed. New feedback appears live; after a
 * reconnect the list is fetched again, since pushes sent while offline are lost.
 */
export class ConsoleFeedback extends LitElement {
  static override properties = {
    connection: { attribute: false },
    siteId: { attribute: false },
    _filter: { state: true },
    _items: { state: true },
    _announce: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        max-width: 60rem;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1.5rem;
        margin-bottom: 0.75rem;
      }
      .head h2 {
        margin: 0;
      }
      .head button {
        margin-left: auto;
      }
      fieldset {
        border: none;
        margin: 0;
        padding: 0;
        display: flex;
        gap: 0.75rem;
        align-items: center;
      }
      legend {
        float: left;
        margin-right: 0.5rem;
        font-weight: 600;
        font-size: 0.85rem;
      }
      fieldset label {
        font-weight: normal;
        display: inline-flex;
        gap: 0.25rem;
        align-items: center;
      }
      ul > li + li {
        margin-top: 0.6rem;
      }
    `,
  ];

  declare connection: AgentConnection | null;
  declare siteId: string | undefined;
  declare _filter: Filter;
  declare _items: FeedbackDTO[];
  /** Whether to announce that feedback arrived (worded at render, in the language of the moment). */
  declare _announce: boolean;

  private readonly _loader = new LoadController(this);
  private _stop: (() => void) | null = null;

  constructor() {
    super();
    this.connection = null;
    this.siteId = undefined;
    this._filter = 'new';
    this._items = [];
    this._announce = false;
    new StoreController(this, i18n);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this._listen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._unlisten();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('connection') || (!this.hasUpdated && this.connection)) this._listen();
    if (!this.hasUpdated || changed.has('siteId') || changed.has('_filter')) void this._load();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<section aria-labelledby="fb-h">
      <div class="head">
        <h2 id="fb-h">${t('fb.title')}</h2>
        <fieldset>
          <legend>${t('fb.filter')}</legend>
          ${(['new', 'processed'] as const).map(
            (f) => html`<label
              ><input type="radio" name="filter" value=${f} .checked=${this._filter === f} @change=${() => (this._filter = f)} />
              ${t(f === 'new' ? 'fb.new' : 'fb.processed')}</label
            >`,
          )}
        </fieldset>
        <button type="button" @click=${this._load} ?disabled=${this._loader.loading}>${t('common.refresh')}</button>
      </div>
      <p class="visually-hidden" role="status">${this._announce ? t('fb.live') : ''}</p>
      ${this._loader.error ? html`<p class="error" role="alert">${i18n.error(this._loader.error)}</p>` : ''}
      ${this._loader.loading && this._items.length === 0 ? html`<p class="muted" role="status">${t('common.loading')}</p>` : ''}
      ${!this._loader.loading && !this._loader.error && this._items.length === 0 ? html`<p class="muted">${t('fb.empty')}</p>` : ''}
      <ul class="plain" @feedback-processed=${this._onProcessed}>
        ${repeat(
          this._items,
          (f) => f.id,
          (f) => html`<li><console-feedback-item .item=${f}></console-feedback-item></li>`,
        )}
      </ul>
    </section>`;
  }

  private _listen(): void {
    this._unlisten();
    const conn = this.connection;
    if (!conn) return;
    const offCreated = conn.on('feedback:created', this._onCreated);
    const onConnected = () => void this._load();
    conn.addEventListener('connected', onConnected);
    this._stop = () => {
      offCreated();
      conn.removeEventListener('connected', onConnected);
    };
  }

  private _unlisten(): void {
    this._stop?.();
    this._stop = null;
  }

  private _load = async (): Promise<void> => {
    const data = await this._loader.run(() => api<FeedbackDTO[]>('/api/feedback', { query: { status: this._filter, siteId: this.siteId } }));
    if (data) this._items = [...data].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  };

  private _onCreated = (f: FeedbackDTO): void => {
    if (this._filter !== f.status || (this.siteId && f.siteId !== this.siteId)) return;
    if (this._items.some((x) => x.id === f.id)) return;
    this._items = [f, ...this._items];
    this._announce = true;
  };

  private _onProcessed = (e: CustomEvent<FeedbackDTO>): void => {
    const f = e.detail;
    this._items =
      this._filter === f.status ? this._items.map((x) => (x.id === f.id ? f : x)) : this._items.filter((x) => x.id !== f.id);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-feedback': ConsoleFeedback;
  }
}
customElements.define('console-feedback', ConsoleFeedback);
