import { LitElement, css, html } from 'lit';
import type { DemandGroupDTO, FaqEntryDTO } from '../../shared/types.ts';
import { api, withQuery, type ClientError } from '../shared/api.ts';
import { DownloadController, downloadStyles } from '../shared/download-controller.ts';
import { LoadController } from '../shared/load-controller.ts';
import { formatCount } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

/**
 * "What to write next", a section of the metrics view: the questions that most often reached a person in
 * the view's period, grouped, with the pages they came from and the same group's count in the period
 * before; one click saves a group as an FAQ draft (no answer yet, so it answers nobody).
 * Each group opens the conversations behind it in History (the one conversation itself when there is
 * one) and downloads them as CSV, as a breakdown row does.
 * @fires faq-created - CustomEvent<FaqEntryDTO> when the agent opens a saved draft to write its answer
 * @fires conversations-open - CustomEvent<{ conversationIds: string[]; question: string }> when the agent asks to see a group's conversations
 */
export class ConsoleWriteNext extends LitElement {
  static override properties = {
    query: { attribute: false },
    _groups: { state: true },
    _drafts: { state: true },
    _busy: { state: true },
    _error: { state: true },
  };
  static override styles = [
    baseStyles,
    downloadStyles,
    css`
      :host {
        display: block;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        background: var(--sc-surface);
        border: 1px solid var(--sc-border);
      }
      th,
      td {
        text-align: left;
        vertical-align: top;
        padding: 0.4rem 0.6rem;
        border-bottom: 1px solid var(--sc-border);
      }
      .num {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      ul {
        margin: 0;
        padding-left: 1rem;
      }
      .url {
        word-break: break-all;
      }
      .up {
        color: #b91c1c;
      }
      .down {
        color: #047857;
      }
      .scroll {
        overflow-x: auto;
      }
      .exports {
        margin: 0.4rem 0 0;
        font-size: 0.9rem;
      }
    `,
  ];

  /** The metrics view's period, sites and language (GET /api/metrics's query). */
  declare query: Record<string, string | undefined>;
  declare _groups: DemandGroupDTO[] | null;
  /** Drafts saved from this view, by the group's site and question. */
  declare _drafts: Map<string, FaqEntryDTO>;
  declare _busy: string | null;
  declare _error: ClientError | null;
  private readonly _loader = new LoadController(this);
  private readonly _downloads = new DownloadController(this);

  constructor() {
    super();
    this.query = {};
    this._groups = null;
    this._drafts = new Map();
    this._busy = null;
    this._error = null;
    new StoreController(this, i18n);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('query')) void this._load();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const loc = i18n.locale;
    const groups = this._groups;
    return html`<section aria-labelledby="m-write-next">
      <h3 id="m-write-next">${t('demand.title')}</h3>
      <p class="muted">${t('demand.intro')}</p>
      ${this._loader.error ? html`<p class="error" role="alert">${i18n.error(this._loader.error)}</p>` : ''}
      ${this._error ? html`<p class="error" role="alert">${i18n.error(this._error)}</p>` : ''} ${this._downloads.render()}
      ${this._loader.loading ? html`<p class="muted" role="status">${t('common.loading')}</p>` : ''}
      ${groups && groups.length === 0 ? html`<p class="muted">${t('demand.empty')}</p>` : ''}
      ${groups && groups.length
        ? html`<div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">${t('demand.question')}</th>
                    <th scope="col" class="num">${t('demand.countCol')}</th>
                    <th scope="col" class="num">${t('demand.previousCol')}</th>
                    <th scope="col">${t('demand.pages')}</th>
                    <th scope="col">${t('metrics.col.conversations')}</th>
                    <th scope="col"><span class="visually-hidden">${t('demand.action')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${groups.map((g) => this._renderGroup(g, loc))}
                </tbody>
              </table>
            </div>
            <p class="exports"><a href=${withQuery('/api/metrics/export.csv', { ...this.query, table: 'write-next' })} download @click=${this._downloads.click}>${t('metrics.exportNamed', { name: t('demand.title') })}</a></p>`
        : ''}
    </section>`;
  }

  private _renderGroup(g: DemandGroupDTO, loc: typeof i18n.locale) {
    const t = i18n.t.bind(i18n);
    const n = (v: number) => formatCount(v, loc);
    const trend = g.count > g.previousCount ? 'up' : g.count < g.previousCount ? 'down' : '';
    const draft = this._drafts.get(this._key(g));
    const others = g.examples.filter((x) => x.trim() !== g.question.trim());
    return html`<tr data-group>
      <th scope="row">
        <span class="user-text">${g.question}</span>
        ${others.length ? html`<ul class="small muted">${others.map((x) => html`<li class="user-text">${x}</li>`)}</ul>` : ''}
      </th>
      <td class="num">${n(g.count)}</td>
      <td class="num">
        ${n(g.previousCount)}
        <span class="small ${trend}">${t(trend === 'up' ? 'demand.more' : trend === 'down' ? 'demand.fewer' : 'demand.same')}</span>
      </td>
      <td>
        ${g.pages.length
          ? html`<ul>
              ${g.pages.map((p) => html`<li class="url small">${p.url} (${n(p.count)})</li>`)}
            </ul>`
          : html`<span class="muted">—</span>`}
      </td>
      <td>${this._renderConversations(g)}</td>
      <td>
        ${draft
          ? html`<p class="small" role="status">${t('demand.drafted')}</p>
              <button type="button" class="link" aria-label=${t('demand.openDraftNamed', { question: g.question })} @click=${() => this._open(draft)}>
                ${t('demand.openDraft')}
              </button>`
          : html`<button
              type="button"
              aria-label=${t('demand.draftNamed', { question: g.question })}
              ?disabled=${this._busy !== null}
              @click=${() => this._draft(g)}
            >
              ${t('demand.draft')}
            </button>`}
      </td>
    </tr>`;
  }

  /** The conversations behind a group: opened in History, and their tickets as CSV (as a breakdown row's). */
  private _renderConversations(g: DemandGroupDTO) {
    const t = i18n.t.bind(i18n);
    const ids = g.conversationIds;
    if (!ids.length) return html`<span class="muted">—</span>`;
    const vars = { question: g.question, n: formatCount(ids.length, i18n.locale), total: formatCount(g.conversationCount, i18n.locale) };
    const [label, named] =
      ids.length === 1
        ? [t('demand.conversation'), t('demand.conversationNamed', vars)]
        : ids.length < g.conversationCount
          ? [t('demand.latestConversations', vars), t('demand.latestConversationsNamed', vars)]
          : [t('demand.conversations', vars), t('demand.conversationsNamed', vars)];
    const csv = `${withQuery('/api/conversations.csv', { ...this.query, siteId: g.siteId })}&${new URLSearchParams({ ids: ids.join(',') }).toString()}`;
    return html`<button type="button" class="link" aria-label=${named} @click=${() => this._openConversations(g)}>${label}</button>
      <a class="small" href=${csv} download @click=${this._downloads.click} aria-label=${t('metrics.rowCsv', { name: g.question })}>${t('metrics.csv')}</a>`;
  }

  private _openConversations(g: DemandGroupDTO): void {
    const detail = { conversationIds: g.conversationIds, question: g.question };
    this.dispatchEvent(new CustomEvent('conversations-open', { detail, bubbles: true, composed: true }));
  }

  private _key(g: DemandGroupDTO): string {
    return `${g.siteId}\n${g.question}`;
  }

  private async _draft(g: DemandGroupDTO): Promise<void> {
    this._busy = this._key(g);
    this._error = null;
    const variants = g.examples.filter((x) => x.trim() !== g.question.trim());
    const res = await api<FaqEntryDTO>('/api/faqs/from-demand', { method: 'POST', json: { siteId: g.siteId, question: g.question, variants } });
    this._busy = null;
    if (!res.ok) {
      this._error = res.error;
      return;
    }
    this._drafts = new Map(this._drafts).set(this._key(g), res.data);
  }

  private _open(entry: FaqEntryDTO): void {
    this.dispatchEvent(new CustomEvent('faq-created', { detail: entry, bubbles: true, composed: true }));
  }

  private async _load(): Promise<void> {
    const groups = await this._loader.run(() => api<DemandGroupDTO[]>('/api/metrics/write-next', { query: this.query }));
    if (groups) this._groups = groups;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-write-next': ConsoleWriteNext;
  }
}
customElements.define('console-write-next', ConsoleWriteNext);
