import { LitElement, css, html } from 'lit';
import type { DemandGroupDTO } from '../../shared/types.ts';
import { api } from '../shared/api.ts';
import { LoadController } from '../shared/load-controller.ts';
import type { FaqFormFields } from './faq-form.ts';
import { formatCount, formatTimestamp } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { periodRange, type Period } from '../shared/periods.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import { DEFAULT_PERIOD } from '../shared/console-period.ts';

/**
 * "What to write next": the questions that most often reached a person, grouped, so the team
 * writes the FAQ entries that would have answered them.
 * @fires faq-draft - CustomEvent<Partial<FaqFormFields>> to start an entry from a group
 */
export class ConsoleDemand extends LitElement {
  static override properties = {
    siteId: { attribute: false },
    _period: { state: true },
    _groups: { state: true },
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
        justify-content: space-between;
        align-items: end;
        gap: 0.75rem;
      }
      ol {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      li.group {
        background: var(--sc-surface);
        border: 1px solid var(--sc-border);
        border-radius: var(--sc-radius);
        padding: 0.75rem;
        margin-bottom: 0.6rem;
      }
      .count {
        font-weight: 600;
        color: var(--sc-accent);
      }
      ul {
        margin: 0.3rem 0 0.5rem;
        padding-left: 1.2rem;
      }
    `,
  ];

  declare siteId: string | undefined;
  declare _period: Period;
  declare _groups: DemandGroupDTO[];
  private readonly _loader = new LoadController(this);

  constructor() {
    super();
    this.siteId = undefined;
    this._period = periodRange(DEFAULT_PERIOD, new Date());
    this._groups = [];
    new StoreController(this, i18n);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('siteId') || changed.has('_period')) void this._load();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const loc = i18n.locale;
    return html`<div class="head">
        <h2>${t('demand.title')}</h2>
        <console-period @period-change=${(e: CustomEvent<Period>) => (this._period = e.detail)}></console-period>
      </div>
      <p class="muted">${t('demand.intro')}</p>
      ${this._loader.error ? html`<p class="error" role="alert">${i18n.error(this._loader.error)}</p>` : ''}
      ${this._loader.loading ? html`<p class="muted" role="status">${t('common.loading')}</p>` : ''}
      ${!this._loader.loading && !this._loader.error && this._groups.length === 0 && this.siteId
        ? html`<p class="muted">${t('demand.empty')}</p>`
        : ''}
      <ol>
        ${this._groups.map(
          (g) => html`<li class="group">
            <h3 class="user-text">${g.question}</h3>
            <p class="small">
              <span class="count">${g.count === 1 ? t('demand.countOne') : t('demand.count', { n: formatCount(g.count, loc) })}</span>
              · <span class="muted">${t('demand.lastAsked', { time: formatTimestamp(g.lastAskedAt, loc) })}</span>
            </p>
            ${g.examples.length
              ? html`<p class="small muted">${t('demand.examples')}</p>
                  <ul>
                    ${g.examples.map((x) => html`<li class="user-text">${x}</li>`)}
                  </ul>`
              : ''}
            <button type="button" @click=${() => this._write(g)}>${t('demand.write')}</button>
          </li>`,
        )}
      </ol>`;
  }

  private _write(g: DemandGroupDTO): void {
    const variants = g.examples.filter((x) => x.trim() !== g.question.trim());
    const detail: Partial<FaqFormFields> = { question: g.question, variants: variants.join('\n') };
    this.dispatchEvent(new CustomEvent('faq-draft', { detail, bubbles: true, composed: true }));
  }

  private async _load(): Promise<void> {
    if (!this.siteId) return;
    const data = await this._loader.run(() => api<DemandGroupDTO[]>('/api/faqs/demand', { query: { siteId: this.siteId, ...this._period } }));
    if (data) this._groups = data;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-demand': ConsoleDemand;
  }
}
customElements.define('console-demand', ConsoleDemand);
