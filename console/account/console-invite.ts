import { LitElement, html } from 'lit';
import type { AgentDTO } from '../../shared/types.ts';
import { api } from '../shared/api.ts';
import { i18n, type Phrase } from '../shared/i18n.ts';
import { RequestController } from '../shared/request-controller.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles, formPageStyles } from '../shared/styles.ts';
import { newPassword, newPasswordFields } from '../shared/new-password.ts';
import '../shared/console-lang-toggle.ts';

/**
 * The page an invitation link opens: the invited agent chooses a password and is signed in.
 * @fires signed-in - CustomEvent<AgentDTO> once the password is set
 */
export class ConsoleInvite extends LitElement {
  static override properties = {
    token: { attribute: false },
    _problem: { state: true },
  };
  static override styles = [
    baseStyles,
    formPageStyles,
  ];

  /** The token from the link's fragment. */
  declare token: string;
  private _request = new RequestController(this);
  declare _problem: Phrase | null;

  constructor() {
    super();
    this._problem = null;
    new StoreController(this, i18n);
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<form @submit=${this._submit}>
      <div class="top">
        <h1>${t('invite.title')}</h1>
        <console-lang-toggle></console-lang-toggle>
      </div>
      <p>${t('invite.intro')}</p>
      ${newPasswordFields()}
      ${this._problem ? html`<p class="error" role="alert">${i18n.say(this._problem)}</p>` : ''}
      ${this._request.error ? html`<p class="error" role="alert">${this._request.error.code === 'NOT_FOUND' ? t('invite.invalid') : i18n.error(this._request.error)}</p>` : ''}
      <button class="primary" type="submit" ?disabled=${this._request.busy}>${t('invite.submit')}</button>
    </form>`;
  }

  protected override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLInputElement>('#new')?.focus();
  }

  private _submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    if (this._request.busy) return;
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const { password, problem } = newPassword(data);
    this._request.setError(null);
    this._problem = problem;
    if (this._problem) return;
    const res = await this._request.send(() => api<AgentDTO>(`/api/invitations/${encodeURIComponent(this.token)}/accept`, { json: { password } }));
    if (!res.ok) return;
    this.dispatchEvent(new CustomEvent('signed-in', { detail: res.data, bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-invite': ConsoleInvite;
  }
}
customElements.define('console-invite', ConsoleInvite);
