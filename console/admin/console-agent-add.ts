import { LitElement, css, html } from 'lit';
import type { AgentCreatedDTO, SiteDTO } from '../../shared/http.ts';
import { api } from '../shared/api.ts';
import { i18n } from '../shared/i18n.ts';
import { RequestController } from '../shared/request-controller.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import { checkedSites, siteCheckboxes } from './site-checkboxes.ts';

/**
 * Adds an agent, with a password set now or with a one-time invitation link.
 * @fires agent-added - CustomEvent<AgentCreatedDTO> after the agent was added
 * @fires editor-close - when the admin closes the form
 */
export class ConsoleAgentAdd extends LitElement {
  static override properties = {
    sites: { attribute: false },
    _invite: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      input:not([type='checkbox']):not([type='radio']) {
        width: 100%;
      }
      fieldset {
        border: 1px solid var(--sc-border);
        border-radius: var(--sc-radius);
        margin: 0 0 0.75rem;
      }
    `,
  ];

  declare sites: SiteDTO[];
  declare _invite: boolean;
  private _request = new RequestController(this);

  constructor() {
    super();
    this.sites = [];
    this._invite = true;
    new StoreController(this, i18n);
  }

  protected override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLInputElement>('#agent-name')?.focus();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<form @submit=${this._submit}>
      <h3>${t('agents.add')}</h3>
      <div class="field">
        <label for="agent-name">${t('agents.name')}</label>
        <input id="agent-name" name="name" required maxlength="200" />
      </div>
      <div class="field">
        <label for="agent-email">${t('agents.email')}</label>
        <input id="agent-email" name="email" type="email" required maxlength="320" autocomplete="off" />
      </div>
      <div class="field">
        <label for="agent-role">${t('agents.role')}</label>
        <select id="agent-role" name="role">
          <option value="agent">${t('agents.role.agent')}</option>
          <option value="admin">${t('agents.role.admin')}</option>
        </select>
      </div>
      ${siteCheckboxes('add-site', this.sites, this.sites.length === 1 ? [this.sites[0].id] : [])}
      <fieldset>
        <legend>${t('agents.access')}</legend>
        <div class="row">
          <input type="radio" id="access-invite" name="access" value="invite" .checked=${this._invite} @change=${() => (this._invite = true)} />
          <label for="access-invite">${t('agents.withInvitation')}</label>
        </div>
        <div class="row">
          <input type="radio" id="access-password" name="access" value="password" .checked=${!this._invite} @change=${() => (this._invite = false)} />
          <label for="access-password">${t('agents.withPassword')}</label>
        </div>
      </fieldset>
      ${this._invite
        ? ''
        : html`<div class="field">
            <label for="agent-password">${t('agents.password')}</label>
            <input id="agent-password" name="password" type="password" required minlength="8" maxlength="200" autocomplete="new-password" />
          </div>`}
      ${this._request.error ? html`<p class="error" role="alert">${this._request.error.code === 'CONFLICT' ? t('agents.emailTaken') : i18n.error(this._request.error)}</p>` : ''}
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this._request.busy}>${t('agents.create')}</button>
        <button type="button" @click=${this._close}>${t('common.cancel')}</button>
      </div>
    </form>`;
  }

  private _submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    if (this._request.busy) return;
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const body = {
      name: String(data.get('name') ?? '').trim(),
      email: String(data.get('email') ?? '').trim(),
      role: String(data.get('role')),
      siteIds: checkedSites(data),
      ...(this._invite ? {} : { password: String(data.get('password') ?? '') }),
    };
    const res = await this._request.send(() => api<AgentCreatedDTO>('/api/agents', { json: body }));
    if (!res.ok) return;
    this.dispatchEvent(new CustomEvent('agent-added', { detail: res.data, bubbles: true, composed: true }));
  };

  private _close = (): void => {
    this.dispatchEvent(new CustomEvent('editor-close', { bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-agent-add': ConsoleAgentAdd;
  }
}
customElements.define('console-agent-add', ConsoleAgentAdd);
