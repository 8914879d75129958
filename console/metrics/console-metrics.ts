import { LitElement, css, html, type TemplateResult } from 'lit';
import type { BreakdownKind, BreakdownRowDTO, MetricsDTO, SatisfactionFactors, SeriesDTO } from '../../shared/types.ts';
import { api, withQuery } from '../shared/api.ts';
import { DownloadController, downloadStyles } from '../shared/download-controller.ts';
import { LoadController } from '../shared/load-controller.ts';
import { durationOrDash, formatCount, formatRate, intlTag } from '../shared/format.ts';
import { i18n, type StringKey } from '../shared/i18n.ts';
import { periodRange, type Period } from '../shared/periods.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import { DEFAULT_PERIOD } from '../shared/console-period.ts';
import { languageName, pointChange } from './metrics-format.ts';
import type { ChartLine } from './console-metrics-chart.ts';
import './console-metrics-chart.ts';
import './console-write-next.ts';

const BREAKDOWNS: BreakdownKind[] = ['site', 'agent', 'language', 'page', 'article'];
const FACTORS = ['S', 'C', 'R', 'A'] as const;
type Scope = 'site' | 'all';

/**
 * How the product is doing over a period: satisfaction S = C × R × A and its factors against the previous
 * period, automatic answers, agents' tickets, ratings and feedback, charts over time, breakdowns per site,
 * agent, language, page and article, what to write next (console-write-next.ts), and every table as CSV
 * (docs/metrics.md defines each figure).
 */
export class ConsoleMetrics extends LitElement {
  static override properties = {
    siteId: { attribute: false },
    _period: { state: true },
    _data: { state: true },
    _series: { state: true },
    _by: { state: true },
    _rows: { state: true },
    _scope: { state: true },
    _language: { state: true },
    _page: { state: true },
    _unanswered: { state: true },
  };
  static override styles = [
    baseStyles,
    downloadStyles,
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
      .filters {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 0.75rem;
        align-items: end;
      }
      .filters .field {
        margin: 0;
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr));
        gap: 0.75rem;
      }
      .exports {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem 1rem;
        margin: 0.4rem 0 0;
        font-size: 0.9rem;
      }
      .up {
        color: #047857;
      }
      .down {
        color: #b91c1c;
      }
      .url {
        word-break: break-all;
      }
      th button.link {
        text-align: left;
        font-weight: 600;
      }
      .field.inline select {
        width: auto;
      }
      .scroll {
        overflow-x: auto;
      }
    `,
  ];

  declare siteId: string | undefined;
  declare _period: Period;
  declare _data: MetricsDTO | null;
  declare _series: SeriesDTO | null;
  declare _by: BreakdownKind;
  declare _rows: BreakdownRowDTO[] | null;
  declare _scope: Scope;
  declare _language: '' | 'zh' | 'en';
  declare _page: string | null;
  declare _unanswered: { question: string; count: number }[] | null;
  private readonly _loader = new LoadController(this);
  private readonly _seriesLoader = new LoadController(this);
  private readonly _breakdownLoader = new LoadController(this);
  private readonly _pageLoader = new LoadController(this);
  private readonly _downloads = new DownloadController(this);
  private _lastQuery: Record<string, string | undefined> | null = null;

  constructor() {
    super();
    this.siteId = undefined;
    this._period = periodRange(DEFAULT_PERIOD, new Date());
    this._data = null;
    this._series = null;
    this._by = 'page';
    this._rows = null;
    this._scope = 'site';
    this._language = '';
    this._page = null;
    this._unanswered = null;
    new StoreController(this, i18n);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    const scope = changed.has('siteId') || changed.has('_period') || changed.has('_scope') || changed.has('_language');
    if (!this.hasUpdated || scope) void this._load();
    if (!this.hasUpdated || scope || changed.has('_by')) void this._loadBreakdown();
  }

  /** The query every request of the view shares: the period, the sites, the language. */
  private _query(): Record<string, string | undefined> {
    return {
      ...this._period,
      siteId: this._scope === 'site' ? this.siteId : undefined,
      language: this._language || undefined,
    };
  }

  /** The same object while the query is the same, so the section reloads only when the scope changes. */
  private _writeNextQuery(): Record<string, string | undefined> {
    const q = this._query();
    if (!this._lastQuery || JSON.stringify(this._lastQuery) !== JSON.stringify(q)) this._lastQuery = q;
    return this._lastQuery;
  }

  private _csv(table: string): string {
    return withQuery('/api/metrics/export.csv', { ...this._query(), table });
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<div class="head">
        <h2>${t('metrics.title')}</h2>
        <div class="filters">
          <console-period @period-change=${(e: CustomEvent<Period>) => (this._period = e.detail)}></console-period>
          ${this.siteId
            ? html`<div class="field">
                <label for="scope">${t('metrics.scope')}</label>
                <select id="scope" @change=${(e: Event) => (this._scope = (e.target as HTMLSelectElement).value as Scope)}>
                  <option value="site" ?selected=${this._scope === 'site'}>${t('metrics.thisSite')}</option>
                  <option value="all" ?selected=${this._scope === 'all'}>${t('metrics.allSites')}</option>
                </select>
              </div>`
            : ''}
          <div class="field">
            <label for="language">${t('metrics.language')}</label>
            <select id="language" @change=${(e: Event) => (this._language = (e.target as HTMLSelectElement).value as '' | 'zh' | 'en')}>
              <option value="" ?selected=${this._language === ''}>${t('metrics.allLanguages')}</option>
              <option value="zh" ?selected=${this._language === 'zh'}>${languageName('zh', i18n.locale)}</option>
              <option value="en" ?selected=${this._language === 'en'}>${languageName('en', i18n.locale)}</option>
            </select>
          </div>
        </div>
      </div>
      ${this._loader.error ? html`<p class="error" role="alert">${i18n.error(this._loader.error)}</p>` : ''}
      ${this._loader.loading ? html`<p class="muted" role="status">${t('common.loading')}</p>` : ''}
      ${this._data ? this._renderData(this._data) : ''}`;
  }

  private _renderData(d: MetricsDTO): TemplateResult {
    const t = i18n.t.bind(i18n);
    const loc = i18n.locale;
    const n = (v: number) => formatCount(v, loc);
    const card = (label: StringKey, value: string | TemplateResult, vars?: Record<string, string>) =>
      html`<div><dt>${t(label, vars)}</dt><dd>${value}</dd></div>`;
    const timing = (v: { median: number | null; p90: number | null }) =>
      html`${durationOrDash(v.median, loc)}<span class="sub">${t('metrics.median')}</span
        ><span class="sub">${t('common.labelled', { label: t('metrics.p90'), value: durationOrDash(v.p90, loc) })}</span>`;
    const sat = d.satisfaction;
    const factor = (k: (typeof FACTORS)[number]) => html`<div data-figure=${k}>
      <dt>${t(`metrics.${k}`)}</dt>
      <dd>
        ${formatRate(sat[k], loc)}<span class="sub ${this._direction(sat.change, k)}"
          >${t('metrics.change', { delta: pointChange(sat.change[k], loc) })}</span
        >
      </dd>
    </div>`;
    return html`<section aria-labelledby="m-sat">
        <h3 id="m-sat">${t('metrics.satisfaction')}</h3>
        <dl>
          ${FACTORS.map(factor)} ${card('metrics.verified', formatRate(d.verifiedResolutionRate, loc))}
        </dl>
      </section>
      <section aria-labelledby="m-auto">
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
      <section aria-labelledby="m-ratings">
        <h3 id="m-ratings">${t('metrics.ratings')}</h3>
        <dl>
          ${card('metrics.ratingAverage', d.ratings.average === null ? '—' : d.ratings.average.toFixed(2))}
          ${card('metrics.ratingCount', n(d.ratings.count))} ${card('metrics.surveyRate', formatRate(d.ratings.responseRate, loc))}
          ${d.ratings.distribution.map((c, i) => card('metrics.stars', n(c), { n: String(i + 1) }))}
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
        ${d.topEntries.length ? this._exportLink('entries', t('metrics.topEntries')) : ''}
      </section>
      ${this._series ? this._renderCharts(this._series) : ''} ${this._renderBreakdown()}
      <console-write-next .query=${this._writeNextQuery()}></console-write-next>
      <section aria-labelledby="m-exports">
        <h3 id="m-exports">${t('metrics.csv')}</h3>
        <p class="exports">
          <a href=${this._csv('summary')} download @click=${this._downloads.click}>${t('metrics.exportSummary')}</a>
          <a href=${this._ticketsCsv({})} download @click=${this._downloads.click}>${t('metrics.exportTickets')}</a>
        </p>
        ${this._downloads.render()}
      </section>`;
  }

  /** The tickets of the view's period, sites and language, narrowed to one breakdown row's. */
  private _ticketsCsv(row: { siteId?: string; agent?: string; locale?: string; page?: string }): string {
    const q = this._query();
    // withQuery drops empty values, and '' is a row (unassigned, unknown language): sent as is.
    const path = withQuery('/api/conversations.csv', { ...q, siteId: row.siteId ?? q.siteId });
    const extra = Object.entries(row).filter(([k, v]) => k !== 'siteId' && v !== undefined) as [string, string][];
    return extra.length ? `${path}&${new URLSearchParams(extra).toString()}` : path;
  }

  /** The tickets behind a breakdown row. */
  private _rowCsv(r: BreakdownRowDTO): string {
    switch (this._by) {
      case 'site':
        return this._ticketsCsv({ siteId: r.key });
      case 'agent':
        return this._ticketsCsv({ agent: r.key });
      case 'language':
        return this._ticketsCsv({ locale: r.key });
      case 'page':
        return this._ticketsCsv({ page: r.key });
      case 'article':
        return this._ticketsCsv({ page: r.key.split('#')[0].split('?')[0] });
    }
  }

  private _exportLink(table: string, name: string): TemplateResult {
    return html`<p class="exports"><a href=${this._csv(table)} download @click=${this._downloads.click}>${i18n.t('metrics.exportNamed', { name })}</a></p>`;
  }

  private _direction(change: SatisfactionFactors, k: keyof SatisfactionFactors): string {
    const v = change[k];
    return v === null || v === 0 ? '' : v > 0 ? 'up' : 'down';
  }

  private _renderCharts(s: SeriesDTO): TemplateResult {
    const t = i18n.t.bind(i18n);
    const loc = i18n.locale;
    const count = (v: number) => formatCount(Math.round(v), loc);
    const rate = (v: number) => formatRate(v, loc);
    const minutes = (v: number) => new Intl.NumberFormat(intlTag(loc), { maximumFractionDigits: 1 }).format(v / 60_000);
    const charts: [string, ChartLine[]][] = [
      [t('metrics.chart.questions'), [
        { key: 'questions', label: t('metrics.questions'), format: count },
        { key: 'faqAnswered', label: t('metrics.faqAnswered'), format: count },
      ]],
      [t('metrics.chart.deflection'), [{ key: 'deflectionRate', label: t('metrics.deflectionRate'), format: rate }]],
      [t('metrics.chart.tickets'), [{ key: 'tickets', label: t('metrics.tickets'), format: count }]],
      [t('metrics.chart.firstResponse'), [
        { key: 'firstResponseP50Ms', label: t('metrics.frtP50'), format: minutes, scale: 1 / 60_000 },
        { key: 'firstResponseP90Ms', label: t('metrics.frtP90'), format: minutes, scale: 1 / 60_000 },
      ]],
      [t('metrics.chart.resolution'), [{ key: 'resolutionRate', label: t('metrics.resolutionRate'), format: rate }]],
      [t('metrics.chart.rating'), [{ key: 'ratingAverage', label: t('metrics.ratingAverage'), format: (v) => v.toFixed(2) }]],
      [t('metrics.chart.S'), [{ key: 'S', label: t('metrics.S'), format: rate }]],
    ];
    return html`<section aria-labelledby="m-trends">
      <h3 id="m-trends">${t('metrics.trends')}</h3>
      <div class="charts">
        ${charts.map(
          ([heading, lines]) =>
            html`<console-metrics-chart .heading=${heading} .bucket=${s.bucket} .lines=${lines} .points=${s.points} .previous=${s.previous}></console-metrics-chart>`,
        )}
      </div>
      ${this._exportLink('series', t('metrics.trends'))}
    </section>`;
  }

  private _breakdownLabel(r: BreakdownRowDTO): string {
    const t = i18n.t.bind(i18n);
    if (this._by === 'agent') return r.key === '' ? t('metrics.unassigned') : (r.label ?? r.key);
    if (this._by === 'language') return languageName(r.key, i18n.locale);
    if (this._by === 'page') return r.key === '' ? t('metrics.noPage') : r.key;
    return r.label ?? r.key;
  }

  private _renderBreakdown(): TemplateResult {
    const t = i18n.t.bind(i18n);
    const loc = i18n.locale;
    const n = (v: number | null) => (v === null ? '—' : formatCount(v, loc));
    const name = t(`metrics.by.${this._by}`);
    const questions = this._by !== 'agent';
    const rows = this._rows;
    return html`<section aria-labelledby="m-breakdowns">
      <h3 id="m-breakdowns">${t('metrics.breakdowns')}</h3>
      <div class="field inline">
        <label for="by">${t('metrics.breakdownBy')}</label>
        <select id="by" @change=${(e: Event) => ((this._by = (e.target as HTMLSelectElement).value as BreakdownKind), (this._page = null))}>
          ${BREAKDOWNS.map((b) => html`<option value=${b} ?selected=${b === this._by}>${t(`metrics.by.${b}`)}</option>`)}
        </select>
      </div>
      ${[this._breakdownLoader.error, this._pageLoader.error, this._seriesLoader.error].map((e) => (e ? html`<p class="error" role="alert">${i18n.error(e)}</p>` : ''))}
      ${rows === null
        ? ''
        : rows.length === 0
          ? html`<p class="muted">${t('metrics.noRows')}</p>`
          : html`<div class="scroll">
              <table data-breakdown=${this._by}>
                <caption>${name}</caption>
                <thead>
                  <tr>
                    <th scope="col">${t(`metrics.col.${this._by}`)}</th>
                    ${questions
                      ? html`<th scope="col" class="num">${t('metrics.questions')}</th>
                          <th scope="col" class="num">${t('metrics.faqAnswered')}</th>
                          <th scope="col" class="num">${t('metrics.col.neededPerson')}</th>`
                      : ''}
                    <th scope="col" class="num">${t('metrics.tickets')}</th>
                    <th scope="col" class="num">${t('metrics.resolutionRate')}</th>
                    <th scope="col" class="num">${t('common.qualified', { name: t('metrics.firstResponse'), detail: t('metrics.frtP50') })}</th>
                    <th scope="col" class="num">${t('metrics.col.rating')}</th>
                    <th scope="col">${t('metrics.col.conversations')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map((r) => {
                    const label = this._breakdownLabel(r);
                    return html`<tr>
                      <th scope="row" class="user-text url">
                        ${this._by === 'page' && r.key !== ''
                          ? html`<button type="button" class="link" aria-expanded=${this._page === r.key ? 'true' : 'false'} @click=${() => this._toggleUnanswered(r.key)}>
                              ${label}
                            </button>`
                          : label}
                      </th>
                      ${questions
                        ? html`<td class="num">${n(r.questions)}</td>
                            <td class="num">${n(r.faqAnswered)}</td>
                            <td class="num">${n(r.escalated)}</td>`
                        : ''}
                      <td class="num">${n(r.tickets)}</td>
                      <td class="num">${formatRate(r.resolutionRate, loc)}</td>
                      <td class="num">${durationOrDash(r.firstResponseP50Ms, loc)}</td>
                      <td class="num">${r.ratingAverage === null ? '—' : t('common.qualified', { name: r.ratingAverage.toFixed(2), detail: formatCount(r.ratings, loc) })}</td>
                      <td>
                        ${r.tickets > 0
                          ? html`<a href=${this._rowCsv(r)} download @click=${this._downloads.click} aria-label=${t('metrics.rowCsv', { name: label })}>${t('metrics.csv')}</a>`
                          : ''}
                      </td>
                    </tr>`;
                  })}
                </tbody>
              </table>
            </div>`}
      ${this._page !== null && this._unanswered !== null
        ? html`<div role="region" aria-label=${t('common.labelled', { label: t('metrics.unanswered'), value: this._page })}>
            <h4>${t('metrics.unanswered')}</h4>
            <p class="muted url">${this._page}</p>
            ${this._unanswered.length === 0
              ? html`<p class="muted">${t('metrics.noRows')}</p>`
              : html`<ol>
                  ${this._unanswered.map((u) => html`<li>${i18n.parts('common.qualified', { name: html`<span class="user-text">${u.question}</span>`, detail: formatCount(u.count, loc) })}</li>`)}
                </ol>`}
          </div>`
        : ''}
      ${this._exportLink(this._by, name)}
    </section>`;
  }

  private async _toggleUnanswered(page: string): Promise<void> {
    if (this._page === page) {
      this._page = null;
      return;
    }
    this._page = page;
    this._unanswered = null;
    const res = await this._pageLoader.run(() => api<{ question: string; count: number }[]>('/api/metrics/unanswered', { query: { ...this._query(), page } }));
    if (res && this._page === page) this._unanswered = res;
  }

  private async _loadBreakdown(): Promise<void> {
    const by = this._by;
    const rows = await this._breakdownLoader.run(() => api<BreakdownRowDTO[]>('/api/metrics/breakdown', { query: { ...this._query(), by } }));
    if (rows && this._by === by) this._rows = rows;
  }

  private async _load(): Promise<void> {
    const query = this._query();
    const [data, series] = await Promise.all([
      this._loader.run(() => api<MetricsDTO>('/api/metrics', { query })),
      this._seriesLoader.run(() => api<SeriesDTO>('/api/metrics/series', { query })),
    ]);
    if (data) this._data = data;
    if (series) this._series = series;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-metrics': ConsoleMetrics;
  }
}
customElements.define('console-metrics', ConsoleMetrics);
