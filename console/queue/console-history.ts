import { LitElement, css, html } from 'lit';
import type { ConversationDTO } from '../../shared/types.ts';
import { api } from '../shared/api.ts';
import { LoadController } from '../shared/load-controller.ts';
import type { Desk } from '../shared/desk.ts';
import { formatTimestamp } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles, listItemStyles } from '../shared/styles.ts';

/** Resolved conversations of the chosen site; selecting one opens it (e.g. to turn it into an FAQ entry). */
export class ConsoleHistory extends LitElement {
  static override properties = {
    desk: { attribute: false },
    siteId: { attribute: false },
    _items: { state: true },
  };
  static override styles = [
    baseStyles,
    listItemStyles,
    css`
      :host {
        display: block;
        min-height: 0;
      }
      .head {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 0.5rem;
      }
    `,
  ];

  declare desk: Desk | null;
  declare siteId: string | undefined;
  declare _items: ConversationDTO[];
  private readonly _loader = new LoadController(this);

  constructor() {
    super();
    this.desk = null;
    this.siteId = undefined;
    this._items = [];
    new StoreController(this, i18n, () => this.desk);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!this.hasUpdated || changed.has('siteId')) void this._load();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const selected = this.desk?.current?.id ?? this.desk?.openingId;
    return html`<section class="pane" aria-labelledby="history-h">
      <div class="head">
        <h2 id="history-h">${t('history.title')}</h2>
        <button type="button" @click=${this._load} ?disabled=${this._loader.loading}>${t('common.refresh')}</button>
      </div>
      ${this._loader.error ? html`<p class="error" role="alert">${i18n.error(this._loader.error)}</p>` : ''}
      ${this._loader.loading ? html`<p class="muted" role="status">${t('common.loading')}</p>` : ''}
      ${!this._loader.loading && !this._loader.error && this._items.length === 0 ? html`<p class="muted">${t('history.empty')}</p>` : ''}
      <ul class="plain">
        ${this._items.map(
          (c) => html`<li>
            <button class="item" type="button" aria-current=${selected === c.id ? 'true' : 'false'} @click=${() => this.desk?.open(c.id)}>
              <span class="title">${c.question ?? t('queue.noQuestion')}</span>
              <span class="line">${c.visitorName ?? c.visitorEmail ?? t('queue.anonymous')}${c.assignedAgentName ? ` · ${c.assignedAgentName}` : ''}</span>
              ${c.resolvedAt
                ? html`<span class="line">${t('history.resolvedAt', { time: formatTimestamp(c.resolvedAt, i18n.locale) })}</span>`
                : ''}
            </button>
          </li>`,
        )}
      </ul>
    </section>`;
  }

  private _load = async (): Promise<void> => {
    const data = await this._loader.run(() => api<ConversationDTO[]>('/api/conversations', { query: { status: 'resolved', siteId: this.siteId } }));
    if (data) this._items = [...data].sort((a, b) => Date.parse(b.resolvedAt ?? b.createdAt) - Date.parse(a.resolvedAt ?? a.createdAt));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-history': ConsoleHistory;
  }
}
customElements.define('console-history', ConsoleHistory);
