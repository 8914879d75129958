import { LitElement, css, html } from 'lit';
import type { AgentConnection, ConnectionState } from './connection.ts';
import { i18n, type StringKey } from './i18n.ts';
import { StoreController } from './store-controller.ts';
import { baseStyles } from './styles.ts';

const LABELS: Record<ConnectionState, StringKey> = {
  connecting: 'conn.connecting',
  online: 'conn.online',
  reconnecting: 'conn.reconnecting',
  offline: 'conn.offline',
};

/** The live connection's state, always visible, with a way back when it gave up. */
export class ConsoleConnectionStatus extends LitElement {
  static override properties = { connection: { attribute: false } };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: inline-flex;
        align-items: center;
        gap: 0.5rem;
        font-size: 0.85rem;
      }
      .dot {
        width: 0.6rem;
        height: 0.6rem;
        border-radius: 50%;
        background: var(--sc-muted);
        display: inline-block;
      }
      .online .dot {
        background: var(--sc-ok);
      }
      .reconnecting .dot,
      .connecting .dot {
        background: var(--sc-warn);
      }
      .offline .dot {
        background: var(--sc-danger);
      }
    `,
  ];

  declare connection: AgentConnection | null;

  constructor() {
    super();
    this.connection = null;
    new StoreController(this, i18n, () => this.connection);
  }

  override render() {
    const state = this.connection?.state ?? 'connecting';
    return html`<span class="row ${state}" role="status">
        <span class="dot" aria-hidden="true"></span>
        <span class="visually-hidden">${i18n.t('common.labelled', { label: i18n.t('conn.label'), value: i18n.t(LABELS[state]) })}</span>
        <span aria-hidden="true">${i18n.t(LABELS[state])}</span>
      </span>
      ${state === 'offline'
        ? html`<button type="button" @click=${() => this.connection?.reconnect()}>${i18n.t('conn.reconnect')}</button>`
        : ''}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-connection-status': ConsoleConnectionStatus;
  }
}
customElements.define('console-connection-status', ConsoleConnectionStatus);
