import { LitElement, css, html } from 'lit';
import type { SearchHitDTO } from '../../shared/types.ts';
import type { AgentDTO } from '../../shared/types.ts';
import { api } from '../shared/api.ts';
import { LoadController } from '../shared/load-controller.ts';
import type { Desk } from '../shared/desk.ts';
import { formatTimestamp } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { labelStore } from '../shared/labels.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles, listItemStyles } from '../shared/styles.ts';

const STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const;

/** Conversations named elsewhere for History to list: the ones behind a group of "what to write next". */
export interface ConversationGroup {
  conversationIds: string[];
  /** What they have in common, shown above the list. */
  question: string;
}

/**
 * History: the tickets of the chosen site, newest first, searched by text (a message, the
 * visitor's name or email, in any language), label, status, "only mine" and dates
 * (GET /api/conversations/search). Resolved ones at first; selecting one opens it. Given a `group`,
 * it lists those conversations instead, on any of the agent's sites, until the agent searches or
 * asks for all tickets.
 */
export class ConsoleHistory extends LitElement {
  static override properties = {
    desk: { attribute: false },
    siteId: { attribute: false },
    agent: { attribute: false },
    group: { attribute: false },
    _items: { state: true },
    _tooShort: { state: true },
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
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem 0.6rem;
        align-items: end;
        margin-bottom: 0.5rem;
      }
      form label {
        display: flex;
        flex-direction: column;
        font-size: 0.8rem;
        gap: 0.15rem;
      }
      form .q {
        flex: 1 1 14rem;
      }
      form .check {
        flex-direction: row;
        align-items: center;
      }
      .group {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 0.75rem;
        margin: 0 0 0.5rem;
        font-size: 0.9rem;
      }
      mark {
        background: var(--sc-accent-soft, #fff3b0);
      }
    `,
  ];

  declare desk: Desk | null;
  declare siteId: string | undefined;
  declare agent: AgentDTO | null;
  declare group: ConversationGroup | null;
  declare _items: SearchHitDTO[];
  declare _tooShort: boolean;
  private readonly _loader = new LoadController(this);
  private _query: Record<string, string | undefined> = { status: 'resolved' };

  constructor() {
    super();
    this.desk = null;
    this.siteId = undefined;
    this.agent = null;
    this.group = null;
    this._items = [];
    this._tooShort = false;
    new StoreController(this, i18n, () => this.desk, labelStore);
    void labelStore.load();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!this.hasUpdated || changed.has('siteId') || changed.has('group')) void this._load();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const selected = this.desk?.current?.id ?? this.desk?.openingId;
    const labels = this.siteId ? labelStore.ofSite(this.siteId) : labelStore.all;
    return html`<section class="pane" aria-labelledby="history-h">
      <div class="head">
        <h2 id="history-h">${t('search.title')}</h2>
        <button type="button" @click=${this._load} ?disabled=${this._loader.loading}>${t('common.refresh')}</button>
      </div>
      <form role="search" aria-label=${t('search.title')} @submit=${this._onSubmit}>
        <label class="q">${t('search.q')}<input name="q" type="search" maxlength="200" .value=${this._query.q ?? ''} /></label>
        <label
          >${t('search.status')}
          <select name="status">
            <option value="" ?selected=${!this._query.status}>${t('search.anyStatus')}</option>
            ${STATUSES.map((s) => html`<option value=${s} ?selected=${this._query.status === s}>${t(`status.${s}`)}</option>`)}
          </select></label
        >
        <label
          >${t('labels.filter')}
          <select name="label">
            <option value="">${t('labels.any')}</option>
            ${labels.map((l) => html`<option value=${l.id} ?selected=${this._query.label === l.id}>${l.name}</option>`)}
          </select></label
        >
        <label>${t('search.from')}<input name="from" type="date" .value=${this._query.fromDay ?? ''} /></label>
        <label>${t('search.to')}<input name="to" type="date" .value=${this._query.toDay ?? ''} /></label>
        <label class="check"><input name="mine" type="checkbox" ?checked=${!!this._query.agentId} /> ${t('search.mine')}</label>
        <button class="primary" type="submit" ?disabled=${this._loader.loading}>${t('search.submit')}</button>
      </form>
      ${this.group
        ? html`<p class="group">
            <span class="user-text">${t('search.group', { question: this.group.question })}</span>
            <button type="button" class="link" @click=${this._showAll}>${t('search.showAll')}</button>
          </p>`
        : ''}
      ${this._tooShort ? html`<p class="error" role="alert">${t('search.tooShort')}</p>` : ''}
      ${this._loader.error ? html`<p class="error" role="alert">${i18n.error(this._loader.error)}</p>` : ''}
      ${this._loader.loading ? html`<p class="muted" role="status">${t('common.loading')}</p>` : ''}
      ${!this._loader.loading && !this._loader.error
        ? html`<p class="muted small" role="status">${this._items.length ? t('search.results', { n: this._items.length }) : t('search.empty')}</p>`
        : ''}
      <ul class="plain">
        ${this._items.map(
          ({ conversation: c, match }) => html`<li>
            <button class="item" type="button" aria-current=${selected === c.id ? 'true' : 'false'} @click=${() => this.desk?.open(c.id)}>
              <span class="title">${c.question ?? t('queue.noQuestion')}</span>
              ${match ? html`<span class="line">${this._highlight(match.body)}</span>` : ''}
              <span class="line"
                >${c.visitorName ?? c.visitorEmail ?? t('queue.anonymous')}${c.assignedAgentName ? ` · ${c.assignedAgentName}` : ''} ·
                ${t(`status.${c.status}`)}${(c.labels ?? []).map((id) => ` · ${labelStore.byId(id)?.name ?? ''}`)}</span
              >
              <span class="line">${formatTimestamp(c.resolvedAt ?? c.escalatedAt ?? c.createdAt, i18n.locale)}</span>
            </button>
          </li>`,
        )}
      </ul>
    </section>`;
  }

  /** The matched message, the searched text marked. */
  private _highlight(body: string) {
    const q = this._query.q;
    const at = q ? body.toLowerCase().indexOf(q.toLowerCase()) : -1;
    if (!q || at < 0) return body;
    const start = Math.max(0, at - 40);
    return html`${start > 0 ? '…' : ''}${body.slice(start, at)}<mark>${body.slice(at, at + q.length)}</mark>${body.slice(at + q.length, at + q.length + 80)}`;
  }

  private _onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const get = (k: string) => String(form.get(k) ?? '').trim() || undefined;
    const q = get('q');
    this._tooShort = q !== undefined && q.length < 2;
    if (this._tooShort) return;
    const fromDay = get('from');
    const toDay = get('to');
    // Dates are the agent's own days: from the start of the first to the end of the last.
    const day = (d: string, plus: number) => {
      const at = new Date(`${d}T00:00:00`);
      at.setDate(at.getDate() + plus);
      return at.toISOString();
    };
    this._query = {
      q,
      status: get('status'),
      label: get('label'),
      agentId: form.get('mine') ? this.agent?.id : undefined,
      fromDay,
      toDay,
      from: fromDay ? day(fromDay, 0) : undefined,
      to: toDay ? day(toDay, 1) : undefined,
    };
    // A search leaves a group's list; willUpdate then loads it.
    if (this.group) this.group = null;
    else void this._load();
  };

  private _showAll = (): void => {
    this.group = null;
  };

  private _load = async (): Promise<void> => {
    const { fromDay: _f, toDay: _t, ...filters } = this._query;
    // A group's conversations may be on another of the agent's sites (the metrics view can show all).
    const query = this.group ? { ids: this.group.conversationIds.join(',') } : { ...filters, siteId: this.siteId };
    const data = await this._loader.run(() => api<SearchHitDTO[]>('/api/conversations/search', { query }));
    if (data) this._items = data;
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-history': ConsoleHistory;
  }
}
customElements.define('console-history', ConsoleHistory);
