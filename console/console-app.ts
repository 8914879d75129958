import { LitElement, css, html } from 'lit';
import type { AgentDTO } from '../shared/types.ts';
import { api, apiEvents, type ClientError } from './shared/api.ts';
import { i18n } from './shared/i18n.ts';
import { intlTag } from './shared/format.ts';
import { StoreController } from './shared/store-controller.ts';
import { baseStyles } from './shared/styles.ts';

type Phase = 'checking' | 'login' | 'invite' | 'ready' | 'error';

/** An invitation link is /console#invite=TOKEN: the fragment never reaches a server or a Referer. */
const INVITE_PREFIX = '#invite=';

/**
 * The console's root: asks the server who is signed in, then shows the sign-in form or the
 * workspace. Both load on demand, so the first download stays small.
 */
export class ConsoleApp extends LitElement {
  static override properties = {
    _phase: { state: true },
    _agent: { state: true },
    _error: { state: true },
    _expired: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        height: 100%;
      }
      .center {
        padding: 2rem;
      }
    `,
  ];

  declare _phase: Phase;
  declare _agent: AgentDTO | null;
  declare _error: ClientError | null;
  /** The session ended while the agent worked: say so on the sign-in form. */
  declare _expired: boolean;
  private _inviteToken = '';

  constructor() {
    super();
    this._phase = 'checking';
    this._agent = null;
    this._error = null;
    this._expired = false;
    new StoreController(this, i18n);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    apiEvents.addEventListener('unauthorized', this._onUnauthorized);
    if (location.hash.startsWith(INVITE_PREFIX)) {
      this._inviteToken = location.hash.slice(INVITE_PREFIX.length);
      // Out of the address bar and the history: the link works once, and only for its owner.
      history.replaceState(null, '', location.pathname + location.search);
      void this._showInvite();
      return;
    }
    void this._checkSession();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    apiEvents.removeEventListener('unauthorized', this._onUnauthorized);
  }

  protected override willUpdate(): void {
    document.documentElement.lang = intlTag(i18n.locale);
  }

  override render() {
    switch (this._phase) {
      case 'checking':
        return html`<p class="center muted" role="status">${i18n.t('app.loading')}</p>`;
      case 'error':
        return html`<div class="center">
          <p class="error" role="alert">${this._error ? i18n.error(this._error) : ''}</p>
          <button type="button" @click=${this._checkSession}>${i18n.t('common.retry')}</button>
        </div>`;
      case 'invite':
        return html`<console-invite .token=${this._inviteToken} @signed-in=${this._onSignedIn}></console-invite>`;
      case 'login':
        return html`<console-login ?expired=${this._expired} @signed-in=${this._onSignedIn}></console-login>`;
      case 'ready':
        return html`<console-shell .agent=${this._agent} @signed-out=${this._onSignedOut}></console-shell>`;
    }
  }

  private _checkSession = async (): Promise<void> => {
    this._phase = 'checking';
    const res = await api<AgentDTO>('/api/auth/me');
    if (res.ok) {
      await import('./console-shell.ts');
      this._agent = res.data;
      this._phase = 'ready';
    } else if (res.error.code === 'UNAUTHORIZED') {
      await this._showLogin();
    } else {
      this._error = res.error;
      this._phase = 'error';
    }
  };

  private async _showInvite(): Promise<void> {
    await import('./account/console-invite.ts');
    this._phase = 'invite';
  }

  private async _showLogin(): Promise<void> {
    await import('./console-login.ts');
    this._agent = null;
    this._phase = 'login';
  }

  private _onSignedIn = async (e: CustomEvent<AgentDTO>): Promise<void> => {
    await import('./console-shell.ts');
    this._expired = false;
    this._agent = e.detail;
    this._phase = 'ready';
  };

  private _onSignedOut = (): void => {
    this._expired = false;
    void this._showLogin();
  };

  private _onUnauthorized = (): void => {
    if (this._phase !== 'ready') return;
    this._expired = true;
    void this._showLogin();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-app': ConsoleApp;
  }
}
customElements.define('console-app', ConsoleApp);
