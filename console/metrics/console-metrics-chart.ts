import { LitElement, css, html, type PropertyValues } from 'lit';
import type uPlot from 'uplot';
import type { SeriesPointDTO } from '../../shared/types.ts';
import { intlTag } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import { timeAxisLabels } from './metrics-format.ts';
import { uplotStyles } from './uplot-styles.ts';

/** One line of a chart: a field of the series points and how to show its values. */
export interface ChartLine {
  key: keyof SeriesPointDTO;
  label: string;
  /** A value for people (the table) and for the axis. */
  format: (v: number) => string;
  /** Scales a value for drawing (e.g. ms to minutes); the table shows the formatted value. */
  scale?: number;
}

const COLORS = ['#2563eb', '#d97706', '#059669', '#9333ea'];

/**
 * A chart of one or two series over the period, with the previous period dashed, drawn by uPlot
 * (loaded on first use). The numbers are also in a table under "Data" and, as JSON, in the figure's
 * `data-series` attribute: `{ at: ISO[], <key>: (number|null)[], "previous.<key>": … }`.
 */
export class ConsoleMetricsChart extends LitElement {
  static override properties = {
    heading: {},
    bucket: {},
    lines: { attribute: false },
    points: { attribute: false },
    previous: { attribute: false },
  };
  static override styles = [
    baseStyles,
    uplotStyles,
    css`
      :host {
        display: block;
      }
      figure {
        margin: 0;
        background: var(--sc-surface);
        border: 1px solid var(--sc-border);
        border-radius: var(--sc-radius);
        padding: 0.6rem 0.75rem;
      }
      figcaption {
        font-weight: 600;
        font-size: 0.9rem;
        margin-bottom: 0.3rem;
      }
      .plot {
        min-height: 160px;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        font-size: 0.8rem;
        color: var(--sc-muted);
        margin: 0.3rem 0;
      }
      .swatch {
        display: inline-block;
        width: 1.2rem;
        border-top: 2px solid;
        vertical-align: middle;
        margin-right: 0.25rem;
      }
      .c0 {
        border-color: #2563eb;
      }
      .c1 {
        border-color: #d97706;
      }
      .swatch.dashed {
        border-top-style: dashed;
      }
      details {
        font-size: 0.8rem;
      }
      table {
        border-collapse: collapse;
        width: 100%;
      }
      th,
      td {
        text-align: right;
        padding: 0.15rem 0.4rem;
        border-bottom: 1px solid var(--sc-border);
        font-variant-numeric: tabular-nums;
      }
      th:first-child,
      td:first-child {
        text-align: left;
      }
    `,
  ];

  declare heading: string;
  declare bucket: 'hour' | 'day';
  declare lines: ChartLine[];
  declare points: SeriesPointDTO[];
  declare previous: SeriesPointDTO[];
  private _plot: uPlot | null = null;
  private readonly _resize = new ResizeObserver(() => this._plot?.setSize(this._size()));

  constructor() {
    super();
    this.heading = '';
    this.bucket = 'day';
    this.lines = [];
    this.points = [];
    this.previous = [];
    new StoreController(this, i18n);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._resize.disconnect();
    this._plot?.destroy();
    this._plot = null;
  }

  private _label(at: string): string {
    const d = new Date(at);
    const tag = intlTag(i18n.locale);
    return this.bucket === 'hour' ? d.toLocaleTimeString(tag, { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString(tag, { timeZone: 'UTC', month: 'short', day: 'numeric' });
  }

  private _previousLabel(l: ChartLine): string {
    return i18n.t('common.qualified', { name: l.label, detail: i18n.t('metrics.previousPeriod') });
  }

  /** The chart's numbers as the data attribute holds them. */
  private _data(): Record<string, unknown> {
    const data: Record<string, unknown> = { at: this.points.map((p) => p.at) };
    for (const l of this.lines) {
      data[l.key] = this.points.map((p) => p[l.key]);
      data[`previous.${l.key}`] = this.previous.map((p) => p[l.key]);
    }
    return data;
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const cell = (l: ChartLine, v: unknown) => (typeof v === 'number' ? l.format(v) : '–');
    return html`<figure data-series=${JSON.stringify(this._data())}>
      <figcaption>${this.heading}</figcaption>
      <div class="plot" aria-hidden="true"></div>
      <div class="legend">
        ${this.lines.map(
          (l, i) => html`<span><span class="swatch c${i}"></span>${l.label}</span>
            <span><span class="swatch dashed c${i}"></span>${this._previousLabel(l)}</span>`,
        )}
      </div>
      <details>
        <summary>${t('metrics.chartData', { name: this.heading })}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">${t('metrics.at')}</th>
              ${this.lines.map((l) => html`<th scope="col">${l.label}</th><th scope="col">${t('metrics.previousPeriod')}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${this.points.map(
              (p, i) => html`<tr>
                <th scope="row">${this._label(p.at)}</th>
                ${this.lines.map((l) => html`<td>${cell(l, p[l.key])}</td><td>${cell(l, this.previous[i]?.[l.key])}</td>`)}
              </tr>`,
            )}
          </tbody>
        </table>
      </details>
    </figure>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('points') || changed.has('previous') || changed.has('lines')) void this._draw();
  }

  private _size(): { width: number; height: number } {
    const box = this.renderRoot.querySelector('.plot') as HTMLElement;
    return { width: Math.max(200, box.clientWidth), height: 160 };
  }

  private async _draw(): Promise<void> {
    const { default: UPlot } = await import('uplot');
    const box = this.renderRoot.querySelector('.plot') as HTMLElement | null;
    if (!box || !this.isConnected) return;
    this._plot?.destroy();
    const xs = this.points.map((p) => Date.parse(p.at) / 1000);
    const values = (rows: SeriesPointDTO[], l: ChartLine) => xs.map((_, i) => {
      const v = rows[i]?.[l.key];
      return typeof v === 'number' ? v * (l.scale ?? 1) : null;
    });
    const data: uPlot.AlignedData = [xs, ...this.lines.flatMap((l) => [values(this.points, l), values(this.previous, l)])];
    const series: uPlot.Series[] = [
      {},
      ...this.lines.flatMap((l, i): uPlot.Series[] => [
        // Points too: a bucket between two empty ones (no tickets the day before or after) is no line.
        { label: l.label, stroke: COLORS[i], width: 2, spanGaps: false, points: { show: true, size: 4, fill: COLORS[i] } },
        { label: this._previousLabel(l), stroke: COLORS[i], width: 1, dash: [4, 4] },
      ]),
    ];
    const first = this.lines[0];
    const utcDays = this.bucket !== 'hour';
    this._plot = new UPlot(
      {
        ...this._size(),
        series,
        legend: { show: false },
        // From zero, and 0..1 when there is nothing above zero (no data: an empty axis, not one of 0 to 100 "rates").
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max : 1] } },
        // Day buckets are UTC days (server/metrics/figures.ts): ticks on UTC midnights, where the points are.
        ...(utcDays ? { tzDate: (ts: number) => UPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') } : {}),
        // uPlot's own time labels are English: these follow the interface language, and are worded anew at each redraw.
        axes: [
          // A label such as "11月20日" or "Nov 20" is about 60 px wide: ticks 80 px apart at least, or they run together on a phone.
          { values: (_u, ticks, _axis, _space, incr) => timeAxisLabels(ticks, incr, i18n.locale, utcDays), space: 80 },
          { values: (_u, ticks) => ticks.map((v) => (first ? first.format(v / (first.scale ?? 1)) : String(v))), size: 60 },
        ],
      },
      data,
      box,
    );
    this._resize.observe(box);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-metrics-chart': ConsoleMetricsChart;
  }
}
customElements.define('console-metrics-chart', ConsoleMetricsChart);
