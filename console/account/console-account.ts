import { LitElement, css, html } from 'lit';
import type { AgentDTO } from '../../shared/types.ts';
import { api, type ClientError } from '../shared/api.ts';
import { i18n, type Phrase } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import { newPassword, newPasswordFields } from '../shared/new-password.ts';
import './console-notify-settings.ts';

/**
 * Every agent's own account: their name, their password (the server ends their other sessions),
 * and this browser's notification settings.
 * @fires profile-changed - CustomEvent<AgentDTO> after the name was saved
 */
export class ConsoleAccount extends LitElement {
  static override properties = {
    agent: { attribute: false },
    _nameSaved: { state: true },
    _busy: { state: true },
    _error: { state: true },
    _problem: { state: true },
    _done: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        max-width: 28rem;
      }
      input {
        width: 100%;
      }
      form + form,
      console-notify-settings {
        display: block;
        margin-top: 1.25rem;
      }
    `,
  ];

  declare agent: AgentDTO;
  declare _nameSaved: boolean;
  declare _busy: boolean;
  declare _error: ClientError | null;
  declare _problem: Phrase | null;
  declare _done: boolean;

  constructor() {
    super();
    this._nameSaved = false;
    this._busy = false;
    this._error = null;
    this._problem = null;
    this._done = false;
    new StoreController(this, i18n);
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<section class="pane" aria-labelledby="account-title">
      <h2 id="account-title">${t('account.title')}</h2>
      <form @submit=${this._saveName} @input=${() => (this._nameSaved = false)}>
        <h3>${t('account.profile')}</h3>
        <p>${i18n.parts('common.labelled', { label: html`<span class="muted">${t('account.email')}</span>`, value: this.agent.email })}</p>
        <p>${i18n.parts('common.labelled', { label: html`<span class="muted">${t('account.role')}</span>`, value: t(this.agent.role === 'admin' ? 'agents.roleShort.admin' : 'agents.roleShort.agent') })}</p>
        <div class="field">
          <label for="name">${t('account.name')}</label>
          <input id="name" name="name" required maxlength="200" .value=${this.agent.name} />
        </div>
        ${this._nameSaved ? html`<p class="success" role="status">${t('account.nameSaved')}</p>` : ''}
        <button type="submit" ?disabled=${this._busy}>${t('account.saveName')}</button>
      </form>
      <form @submit=${this._submit} @input=${() => (this._done = false)}>
        <h3>${t('account.password')}</h3>
        <div class="field">
          <label for="current">${t('account.current')}</label>
          <input id="current" name="current" type="password" required maxlength="200" autocomplete="current-password" />
        </div>
        ${newPasswordFields()}
        ${this._problem ? html`<p class="error" role="alert">${i18n.say(this._problem)}</p>` : ''}
        ${this._error ? html`<p class="error" role="alert">${this._error.code === 'INVALID_CREDENTIALS' ? t('account.wrongCurrent') : i18n.error(this._error)}</p>` : ''}
        ${this._done ? html`<p class="success" role="status">${t('account.changed')}</p>` : ''}
        <button class="primary" type="submit" ?disabled=${this._busy}>${t('account.submit')}</button>
      </form>
      <console-notify-settings></console-notify-settings>
    </section>`;
  }

  private _saveName = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    if (this._busy) return;
    const name = String(new FormData(e.currentTarget as HTMLFormElement).get('name') ?? '').trim();
    this._error = null;
    this._busy = true;
    const res = await api<AgentDTO>('/api/auth/me', { method: 'PUT', json: { name } });
    this._busy = false;
    if (!res.ok) {
      this._error = res.error;
      return;
    }
    this._nameSaved = true;
    this.dispatchEvent(new CustomEvent('profile-changed', { detail: res.data, bubbles: true, composed: true }));
  };

  private _submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    if (this._busy) return;
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const { password: next, problem } = newPassword(data);
    this._error = null;
    this._problem = problem;
    if (this._problem) return;
    this._busy = true;
    const res = await api<Record<string, never>>('/api/auth/password', { json: { currentPassword: String(data.get('current') ?? ''), newPassword: next } });
    this._nameSaved = false;
    this._busy = false;
    if (!res.ok) {
      this._error = res.error;
      return;
    }
    form.reset();
    this._done = true;
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-account': ConsoleAccount;
  }
}
customElements.define('console-account', ConsoleAccount);
