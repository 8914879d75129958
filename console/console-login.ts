import { LitElement, css, html } from 'lit';
import type { AgentDTO } from '../shared/types.ts';
import { api } from './shared/api.ts';
import { i18n } from './shared/i18n.ts';
import { RequestController } from './shared/request-controller.ts';
import { StoreController } from './shared/store-controller.ts';
import { baseStyles, formPageStyles } from './shared/styles.ts';
import './shared/console-lang-toggle.ts';

/**
 * The sign-in form. The server answers with the agent and sets the httpOnly session cookie.
 * @fires signed-in - CustomEvent<AgentDTO> after a successful sign-in
 */
export class ConsoleLogin extends LitElement {
  static override properties = {
    expired: { type: Boolean },
  };
  static override styles = [
    baseStyles,
    formPageStyles,
    css`
      .top {
        margin-bottom: 1rem;
      }
      h1 {
        font-size: 1.25rem;
      }
      button.primary {
        width: 100%;
        justify-content: center;
      }
    `,
  ];

  /** Set when the previous session ended on its own. */
  declare expired: boolean;
  private _request = new RequestController(this);

  constructor() {
    super();
    this.expired = false;
    new StoreController(this, i18n);
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<form @submit=${this._onSubmit} novalidate>
      <div class="top">
        <h1>${t('login.title')}</h1>
        <console-lang-toggle></console-lang-toggle>
      </div>
      ${this.expired && !this._request.error ? html`<p class="error" role="alert">${t('error.UNAUTHORIZED')}</p>` : ''}
      <div class="field">
        <label for="email">${t('login.email')}</label>
        <input id="email" name="email" type="email" autocomplete="username" required maxlength="320" />
      </div>
      <div class="field">
        <label for="password">${t('login.password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200" />
      </div>
      <p class="error" role="alert" ?hidden=${!this._request.error}>${this._request.error ? i18n.error(this._request.error) : ''}</p>
      <button class="primary" type="submit" ?disabled=${this._request.busy}>
        ${this._request.busy ? t('login.submitting') : t('login.submit')}
      </button>
    </form>`;
  }

  protected override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLInputElement>('#email')?.focus();
  }

  private _onSubmit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    if (this._request.busy) return;
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const email = String(data.get('email') ?? '').trim();
    const password = String(data.get('password') ?? '');
    if (!email || !password) {
      this._request.setError({ code: 'INVALID_PAYLOAD' });
      return;
    }
    const res = await this._request.send(() => api<AgentDTO>('/api/auth/login', { json: { email, password } }));
    if (!res.ok) {
      form.querySelector<HTMLInputElement>('#password')?.select();
      return;
    }
    this.dispatchEvent(new CustomEvent('signed-in', { detail: res.data, bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-login': ConsoleLogin;
  }
}
customElements.define('console-login', ConsoleLogin);
