import { LitElement, css, html } from 'lit';
import { customRange, periodRange, toLocalInputValue, type Period, type PeriodKind } from './periods.ts';
import { i18n } from './i18n.ts';
import { StoreController } from './store-controller.ts';
import { baseStyles } from './styles.ts';

const KINDS: PeriodKind[] = ['today', '7d', '30d', 'custom'];

/** The default period of reports. */
export const DEFAULT_PERIOD: Exclude<PeriodKind, 'custom'> = '7d';

/**
 * Chooses a report period: today, the last 7 or 30 days, or a custom range of local times.
 * @fires period-change - CustomEvent<Period> when the agent picks a period
 */
export class ConsolePeriod extends LitElement {
  static override properties = {
    _kind: { state: true },
    _from: { state: true },
    _to: { state: true },
    _invalid: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 0.75rem;
        align-items: end;
      }
      .field {
        margin: 0;
      }
    `,
  ];

  declare _kind: PeriodKind;
  declare _from: string;
  declare _to: string;
  declare _invalid: boolean;

  constructor() {
    super();
    const now = new Date();
    this._kind = DEFAULT_PERIOD;
    this._from = toLocalInputValue(new Date(periodRange(DEFAULT_PERIOD, now).from));
    this._to = toLocalInputValue(now);
    this._invalid = false;
    new StoreController(this, i18n);
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<form @submit=${this._onApply}>
      <div class="field">
        <label for="kind">${t('period.label')}</label>
        <select id="kind" @change=${this._onKind}>
          ${KINDS.map((k) => html`<option value=${k} ?selected=${k === this._kind}>${t(`period.${k}`)}</option>`)}
        </select>
      </div>
      ${this._kind === 'custom'
        ? html`<div class="field">
              <label for="from">${t('period.from')}</label>
              <input id="from" type="datetime-local" .value=${this._from} @input=${(e: Event) => (this._from = (e.target as HTMLInputElement).value)} />
            </div>
            <div class="field">
              <label for="to">${t('period.to')}</label>
              <input id="to" type="datetime-local" .value=${this._to} @input=${(e: Event) => (this._to = (e.target as HTMLInputElement).value)} />
            </div>
            <button type="submit">${t('period.apply')}</button>
            ${this._invalid ? html`<p class="error" role="alert">${t('period.invalid')}</p>` : ''}`
        : ''}
    </form>`;
  }

  private _onKind = (e: Event): void => {
    const kind = (e.target as HTMLSelectElement).value as PeriodKind;
    const previous = this._kind;
    this._kind = kind;
    this._invalid = false;
    if (kind !== 'custom') {
      this._emit(periodRange(kind, new Date()));
    } else if (previous !== 'custom') {
      // Start the custom range from what was shown, up to now.
      const now = new Date();
      this._from = toLocalInputValue(new Date(periodRange(previous, now).from));
      this._to = toLocalInputValue(now);
    }
  };

  private _onApply = (e: SubmitEvent): void => {
    e.preventDefault();
    const range = customRange(this._from, this._to);
    this._invalid = range === null;
    if (range) this._emit(range);
  };

  private _emit(period: Period): void {
    this.dispatchEvent(new CustomEvent('period-change', { detail: period, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-period': ConsolePeriod;
  }
}
customElements.define('console-period', ConsolePeriod);
