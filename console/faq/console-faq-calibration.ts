import { LitElement, css, html } from 'lit';
import type { FaqCalibrationDTO, FaqConfusedPairDTO } from '../../shared/types.ts';
import { api } from '../shared/api.ts';
import { formatCount, formatRate, formatTimestamp } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { LoadController } from '../shared/load-controller.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

/**
 * A calibrated threshold from which the FAQ answers only when all but certain: its own variants reached
 * the target precision nowhere lower (a 3-variant Chinese FAQ, or variants written to differ, calibrate to 1).
 */
const NEARLY_CERTAIN = 0.99;

/**
 * From this many automatic answers, a share of visitors asking for a person above what the target allows
 * to be wrong is worth a warning; fewer are too few to tell.
 */
const VERDICTS_TO_WARN = 20;

/** While a calibration is being computed, ask again this often (it takes seconds, after a 2 s pause). */
const POLL_MS = 3_000;

/**
 * What the site's FAQ will do at its current threshold: the estimated precision and share of questions
 * answered on their own, the threshold and where it comes from, what visitors did after the automatic
 * answers of the last 30 days (measured), and the entries the matcher takes for
 * each other or whose variants are near-duplicates (an estimate too kind), so the owner adds variants where it matters.
 * @fires faq-open - CustomEvent<{ id: string }> to open an entry named in a confused pair
 */
export class ConsoleFaqCalibration extends LitElement {
  static override properties = {
    siteId: { attribute: false },
    _data: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        margin-bottom: 0.75rem;
      }
      details {
        background: var(--sc-surface);
        border: 1px solid var(--sc-border);
        border-radius: var(--sc-radius);
        padding: 0.5rem 0.75rem;
      }
      summary {
        cursor: pointer;
        font-weight: 600;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.2rem 0.75rem;
        margin: 0.5rem 0;
      }
      dt {
        color: var(--sc-muted);
      }
      dd {
        margin: 0;
        font-variant-numeric: tabular-nums;
      }
      ul {
        margin: 0.3rem 0;
        padding-left: 1.1rem;
      }
      li {
        margin-bottom: 0.4rem;
      }
      .warning {
        border-inline-start: 3px solid var(--sc-warn);
        padding-inline-start: 0.5rem;
      }
      button.link {
        background: none;
        border: none;
        padding: 0;
        min-height: 0;
        color: var(--sc-accent);
        text-decoration: underline;
        cursor: pointer;
        font: inherit;
        text-align: start;
      }
    `,
  ];

  declare siteId: string | undefined;
  declare _data: FaqCalibrationDTO | null;
  private readonly _loader = new LoadController(this);
  private _poll: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.siteId = undefined;
    this._data = null;
    new StoreController(this, i18n);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this._poll);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('siteId')) void this.refresh();
  }

  /** Loads the site's calibration again (after an edit, say). */
  async refresh(): Promise<void> {
    clearTimeout(this._poll);
    const siteId = this.siteId;
    if (!siteId) return;
    const data = await this._loader.run(() => api<FaqCalibrationDTO>('/api/faqs/calibration', { query: { siteId } }));
    if (!data || siteId !== this.siteId) return;
    this._data = data;
    if (data.pending) this._poll = setTimeout(() => void this.refresh(), POLL_MS);
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const loc = i18n.locale;
    const d = this._data;
    const c = d?.calibration;
    return html`<details>
      <summary>${t('faqCal.title')}</summary>
      ${this._loader.error ? html`<p class="error" role="alert">${i18n.error(this._loader.error)}</p>` : ''}
      <div role="status">
        ${d?.pending ? html`<p class="muted small">${t('faqCal.pending')}</p>` : ''}
      </div>
      ${d && c
        ? html`<p class="small">${t(c.unfit && c.threshold < 1 ? 'faqCal.summaryUnfit' : 'faqCal.summary', { answered: formatRate(c.answered, loc), precision: formatRate(c.precision, loc) })}</p>
            <dl class="small">
              <dt>${t('faqCal.precision')}</dt>
              <dd>${formatRate(c.precision, loc)} (${t('faqCal.target', { target: formatRate(d.targetPrecision, loc) })})</dd>
              <dt>${t('faqCal.answered')}</dt>
              <dd>${formatRate(c.answered, loc)}</dd>
              <dt>${t('faqCal.threshold')}</dt>
              <dd>${d.threshold.toFixed(2)} · ${d.source === 'site' ? t('faqCal.sourceSite', { calibrated: c.threshold.toFixed(2) }) : t(c.method === 'fitted' ? 'faqCal.methodFitted' : c.unfit ? 'faqCal.methodUnfit' : 'faqCal.methodPrior', { n: formatCount(c.samples, loc) })}</dd>
              <dt>${t('faqCal.offTopic')}</dt>
              <dd>${formatRate(c.oosAnswered, loc)}</dd>
            </dl>
            ${this._verdicts(d)}
            ${c.optimistic ? html`<p class="small warning">${t('faqCal.optimistic', { threshold: c.threshold.toFixed(3) })}</p>` : ''}
            ${c.method === 'prior' ? html`<p class="small${d.threshold >= 1 ? ' warning' : ''}">${t(d.threshold >= 1 ? 'faqCal.never' : 'faqCal.addVariants')}</p>` : ''}
            ${c.method === 'fitted' && !c.optimistic && c.threshold >= NEARLY_CERTAIN ? html`<p class="small warning">${t('faqCal.nearlyNever')}</p>` : ''}
            ${c.confused.length
              ? html`<p class="small">${t('faqCal.confusedIntro')}</p>
                  <ul class="small">
                    ${c.confused.map((p) => this._pair(p))}
                  </ul>`
              : html`<p class="small muted">${t('faqCal.noneConfused')}</p>`}
            ${c.alike.length
              ? html`<p class="small">${t('faqCal.alikeIntro')}</p>
                  <ul class="small">
                    ${c.alike.map((a) => html`<li>${this._entry(a.id, a.question)} <span class="muted">${t('faqCal.alikeItem', { overlap: formatRate(a.overlap, loc) })}</span></li>`)}
                  </ul>`
              : ''}
            <p class="small muted">${t('faqCal.computedAt', { time: formatTimestamp(c.computedAt, loc) })}</p>`
        : ''}
      <button
        type="button"
        ?disabled=${!this.siteId}
        aria-disabled=${this._loader.loading ? 'true' : 'false'}
        @click=${() => {
          // Not disabled while loading: a disabled button would drop the keyboard's focus to the page.
          if (!this._loader.loading) void this.refresh();
        }}
      >
        ${t('faqCal.refresh')}
      </button>
    </details>`;
  }

  /** What visitors did after the automatic answers: measured, beside the estimate above. */
  private _verdicts(d: FaqCalibrationDTO) {
    const t = i18n.t.bind(i18n);
    const loc = i18n.locale;
    const v = d.visitors;
    if (!v.answered) return html`<p class="small muted">${t('faqCal.visitorsNone', { days: formatCount(v.days, loc) })}</p>`;
    const asked = v.askedForPerson / v.answered;
    const high = v.answered >= VERDICTS_TO_WARN && asked > 1 - d.targetPrecision;
    return html`<p class="small">
        ${t('faqCal.visitors', {
          days: formatCount(v.days, loc),
          answered: formatCount(v.answered, loc),
          solved: formatCount(v.solved, loc),
          asked: formatCount(v.askedForPerson, loc),
          share: formatRate(asked, loc),
        })}
      </p>
      ${high ? html`<p class="small warning">${t('faqCal.visitorsHigh', { allowed: formatRate(1 - d.targetPrecision, loc) })}</p>` : ''}`;
  }

  /** A button that opens an entry, named by its question. */
  private _entry(id: string, question: string) {
    return html`<button type="button" class="link user-text" aria-label=${i18n.t('faqCal.open', { question })} @click=${() => this._open(id)}>${question}</button>`;
  }

  private _pair(p: FaqConfusedPairDTO) {
    const t = i18n.t.bind(i18n);
    return html`<li>
      ${t('faqCal.pair', { n: formatCount(p.count, i18n.locale) })} ${this._entry(p.from.id, p.from.question)} → ${this._entry(p.to.id, p.to.question)}
      <br /><span class="muted">${t('faqCal.example')} <span class="user-text">${p.example}</span></span>
    </li>`;
  }

  private _open(id: string): void {
    this.dispatchEvent(new CustomEvent('faq-open', { detail: { id }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-faq-calibration': ConsoleFaqCalibration;
  }
}
customElements.define('console-faq-calibration', ConsoleFaqCalibration);
