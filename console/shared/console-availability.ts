import { LitElement, css, html } from 'lit';
import type { Availability } from '../../shared/schemas.ts';
import type { AgentConnection } from './connection.ts';
import { i18n } from './i18n.ts';
import { StoreController } from './store-controller.ts';
import { baseStyles } from './styles.ts';

const CHOICES: Availability[] = ['online', 'away', 'offline'];

/**
 * The agent's availability, in the console header: online (takes conversations, automatic
 * assignment included), away (at the desk, gets none), offline. Every tab of the agent follows a
 * change made in any of them (`agent:availability` push).
 */
export class ConsoleAvailability extends LitElement {
  static override properties = {
    connection: { attribute: false },
    value: { type: String },
    _error: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: inline-flex;
        align-items: center;
        gap: 0.35rem;
      }
      .dot {
        width: 0.6rem;
        height: 0.6rem;
        border-radius: 50%;
        background: var(--sc-muted);
      }
      .dot.online {
        background: #15803d;
      }
      .dot.away {
        background: #b45309;
      }
    `,
  ];

  declare connection: AgentConnection | null;
  declare value: Availability;
  declare _error: boolean;
  private _stop?: () => void;
  private _listeningTo: AgentConnection | null = null;

  constructor() {
    super();
    this.connection = null;
    this.value = 'online';
    this._error = false;
    new StoreController(this, i18n);
  }

  protected override willUpdate(): void {
    if (this.connection === this._listeningTo) return;
    this._stop?.();
    this._listeningTo = this.connection;
    this._stop = this.connection?.on('agent:availability', ({ availability }) => {
      this.value = availability;
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._stop?.();
    this._stop = undefined;
    this._listeningTo = null;
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<span class="dot ${this.value}" aria-hidden="true"></span>
      <select aria-label=${t('availability.label')} @change=${this._onChange}>
        ${CHOICES.map((c) => html`<option value=${c} ?selected=${c === this.value}>${t(`availability.${c}`)}</option>`)}
      </select>
      ${this._error ? html`<span role="alert">${t('availability.failed')}</span>` : ''}`;
  }

  private _onChange = async (e: Event): Promise<void> => {
    const select = e.target as HTMLSelectElement;
    const wanted = select.value as Availability;
    const before = this.value;
    this.value = wanted;
    const res = await this.connection?.request('agent:availability', { availability: wanted });
    this._error = !res?.ok;
    if (!res?.ok) {
      this.value = before;
      select.value = before;
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-availability': ConsoleAvailability;
  }
}
customElements.define('console-availability', ConsoleAvailability);
