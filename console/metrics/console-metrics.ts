import { LitElement, css, html, type TemplateResult } from 'lit';
import type { MetricsDTO } from '../../shared/types.ts';
import { api } from '../shared/api.ts';
import { LoadController } from '../shared/load-controller.ts';
import { durationOrDash, formatCount, formatRate } from '../shared/format.ts';
import { i18n, type StringKey } from '../shared/i18n.ts';
import { periodRange, type Period } from '../shared/periods.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import { DEFAULT_PERIOD } from '../shared/console-period.ts';

/** How the product is doing over a period: automatic answers, agents' tickets, feedback. */
export class ConsoleMetrics extends LitElement {
  static override properties = {
    siteId: { attribute: false },
    _period: { state: true },
    _data: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        max-width: 70rem;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        align-items: end;
        gap: 0.75rem;
        margin-bottom: 1rem;
      }
      section {
        margin-bottom: 1.25rem;
      }
      dl {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr));
        gap: 0.5rem;
        margin: 0;
      }
      dl > div {
        background: var(--sc-surface);
        border: 1px solid var(--sc-border);
        border-radius: var(--sc-radius);
        padding: 0.6rem 0.75rem;
      }
      dt {
        font-size: 0.8rem;
        color: var(--sc-muted);
      }
      dd {
        margin: 0.2rem 0 0;
        font-size: 1.35rem;
        font-weight: 600;
      }
      dd .sub {
        display: block;
        font-size: 0.8rem;
        font-weight: normal;
        color: var(--sc-muted);
      }
      table {
        width: 100%;
        border-collapse: collapse;
        background: var(--sc-surface);
        border: 1px solid var(--sc-border);
      }
      caption {
        text-align: left;
        font-weight: 600;
        padding: 0 0 0.4rem;
      }
      th,
      td {
        text-align: left;
        padding: 0.4rem 0.6rem;
        border-bottom: 1px solid var(--sc-border);
      }
      td.num,
      th.num {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  declare siteId: string | undefined;
  declare _period: Period;
  declare _data: MetricsDTO | null;
  private readonly _loader = new LoadController(this);

  constructor() {
    super();
    this.siteId = undefined;
    this._period = periodRange(DEFAULT_PERIOD, new Date());
    this._data = null;
    new StoreController(this, i18n);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!this.hasUpdated || changed.has('siteId') || changed.has('_period')) void this._load();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<div class="head">
        <h2>${t('metrics.title')}</h2>
        <console-period @period-change=${(e: CustomEvent<Period>) => (this._period = e.detail)}></console-period>
      </div>
      ${this._loader.error ? html`<p class="error" role="alert">${i18n.error(this._loader.error)}</p>` : ''}
      ${this._loader.loading ? html`<p class="muted" role="status">${t('common.loading')}</p>` : ''}
      ${this._data ? this._renderData(this._data) : ''}`;
  }

  private _renderData(d: MetricsDTO): TemplateResult {
    const t = i18n.t.bind(i18n);
    const loc = i18n.locale;
    const n = (v: number) => formatCount(v, loc);
    const card = (label: StringKey, value: string | TemplateResult) => html`<div><dt>${t(label)}</dt><dd>${value}</dd></div>`;
    const timing = (v: { median: number | null; p90: number | null }) =>
      html`${durationOrDash(v.median, loc)}<span class="sub">${t('metrics.median')}</span
        ><span class="sub">${t('metrics.p90')}: ${durationOrDash(v.p90, loc)}</span>`;
    return html`<section aria-labelledby="m-auto">
        <h3 id="m-auto">${t('metrics.automatic')}</h3>
        <dl>
          ${card('metrics.questions', n(d.questions))} ${card('metrics.faqAnswered', n(d.faqAnswered))}
          ${card('metrics.faqSolved', n(d.faqSolved))} ${card('metrics.escalated', n(d.escalated))}
          ${card('metrics.deflectionRate', formatRate(d.deflectionRate, loc))}
        </dl>
      </section>
      <section aria-labelledby="m-people">
        <h3 id="m-people">${t('metrics.people')}</h3>
        <dl>
          ${card('metrics.tickets', n(d.tickets))} ${card('metrics.responded', n(d.responded))}
          ${card('metrics.responseRate', formatRate(d.responseRate, loc))} ${card('metrics.resolved', n(d.resolved))}
          ${card('metrics.resolutionRate', formatRate(d.resolutionRate, loc))}
          ${card('metrics.firstResponse', timing(d.firstResponseMs))} ${card('metrics.resolution', timing(d.resolutionMs))}
        </dl>
      </section>
      <section aria-labelledby="m-fb">
        <h3 id="m-fb">${t('metrics.feedback')}</h3>
        <dl>
          ${card('metrics.feedbackReceived', n(d.feedback.received))}
          ${card('metrics.feedbackProcessed', n(d.feedback.processed))}
        </dl>
      </section>
      <section>
        ${d.topEntries.length === 0
          ? html`<h3>${t('metrics.topEntries')}</h3>
              <p class="muted">${t('metrics.noEntries')}</p>`
          : html`<table>
              <caption>${t('metrics.topEntries')}</caption>
              <thead>
                <tr>
                  <th scope="col">${t('metrics.entry')}</th>
                  <th scope="col" class="num">${t('metrics.answered')}</th>
                  <th scope="col" class="num">${t('metrics.solved')}</th>
                  <th scope="col" class="num">${t('metrics.escalatedCol')}</th>
                </tr>
              </thead>
              <tbody>
                ${d.topEntries.map(
                  (e) => html`<tr>
                    <td class="user-text">${e.question}</td>
                    <td class="num">${n(e.answered)}</td>
                    <td class="num">${n(e.solved)}</td>
                    <td class="num">${n(e.escalated)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      </section>`;
  }

  private async _load(): Promise<void> {
    const data = await this._loader.run(() => api<MetricsDTO>('/api/metrics', { query: { ...this._period, siteId: this.siteId } }));
    if (data) this._data = data;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-metrics': ConsoleMetrics;
  }
}
customElements.define('console-metrics', ConsoleMetrics);
