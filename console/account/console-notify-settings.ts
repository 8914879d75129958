import { LitElement, html } from 'lit';
import { i18n } from '../shared/i18n.ts';
import { chime, notifySettings, type NotifyPermission } from '../shared/notifications.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

/**
 * The agent's notification settings in this browser: sound and desktop notifications on or off,
 * and the button that asks the browser for desktop notifications (a click is the only moment a
 * browser lets a page ask).
 */
export class ConsoleNotifySettings extends LitElement {
  static override properties = { _permission: { state: true } };
  static override styles = [baseStyles];

  /** Read again after asking: the browser's answer is not an event. */
  declare _permission: NotifyPermission;

  constructor() {
    super();
    this._permission = notifySettings.permission;
    new StoreController(this, i18n, notifySettings);
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const p = this._permission;
    return html`<section aria-labelledby="notify-title">
      <h3 id="notify-title">${t('notify.title')}</h3>
      <p class="muted small">${t('notify.intro')}</p>
      <label class="row">
        <input type="checkbox" .checked=${notifySettings.sound} @change=${(e: Event) => notifySettings.set({ sound: (e.target as HTMLInputElement).checked })} />
        ${t('notify.sound')}
      </label>
      <label class="row">
        <input
          type="checkbox"
          .checked=${notifySettings.desktop}
          ?disabled=${p === 'unsupported'}
          @change=${(e: Event) => notifySettings.set({ desktop: (e.target as HTMLInputElement).checked })}
        />
        ${t('notify.desktop')}
      </label>
      <p class="small" role="status">${t(p === 'granted' ? 'notify.granted' : p === 'denied' ? 'notify.denied' : p === 'unsupported' ? 'notify.unsupported' : 'notify.notAsked')}</p>
      <div class="row">
        ${p === 'default' ? html`<button type="button" class="primary" @click=${this._ask}>${t('notify.allow')}</button>` : ''}
        <button type="button" @click=${() => chime()}>${t('notify.test')}</button>
      </div>
    </section>`;
  }

  private _ask = async (): Promise<void> => {
    this._permission = await notifySettings.requestPermission();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-notify-settings': ConsoleNotifySettings;
  }
}
customElements.define('console-notify-settings', ConsoleNotifySettings);
