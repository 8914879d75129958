import { LitElement, css, html } from 'lit';
import type { SiteAdminDTO, SiteSecretDTO } from '../../shared/http.ts';
import { api, type ClientError } from '../shared/api.ts';
import { formatFullTimestamp } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import './console-site-settings.ts';

/**
 * One site for its admin: key, embed snippet, secret rotation (the new secret shown once) and
 * settings (console-site-settings).
 */
export class ConsoleSiteDetail extends LitElement {
  static override properties = {
    siteId: { attribute: false },
    created: { attribute: false },
    _site: { state: true },
    _secret: { state: true },
    _confirming: { state: true },
    _busy: { state: true },
    _error: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      input:not([type='checkbox']),
      textarea {
        width: 100%;
      }
      code,
      textarea.code {
        font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
        font-size: 0.85rem;
      }
      .secret {
        border: 1px solid var(--sc-danger-border);
        background: var(--sc-danger-bg);
        border-radius: var(--sc-radius);
        padding: 0.5rem 0.75rem;
        margin-bottom: 0.75rem;
      }
      section + section {
        margin-top: 1rem;
      }
    `,
  ];

  declare siteId: string;
  /** Set right after the site was created: its secret is shown once. */
  declare created: SiteSecretDTO | null;
  declare _site: SiteAdminDTO | null;
  declare _secret: string | null;
  declare _confirming: boolean;
  declare _busy: boolean;
  declare _error: ClientError | null;

  constructor() {
    super();
    this.created = null;
    this._site = null;
    this._secret = null;
    this._confirming = false;
    this._busy = false;
    this._error = null;
    new StoreController(this, i18n);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('siteId') || changed.has('created')) {
      this._secret = this.created?.secret ?? null;
      this._site = this.created?.site ?? null;
      this._confirming = false;
      this._error = null;
          if (!this._site) void this._fetch();
    }
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const s = this._site;
    if (!s) return this._error ? html`<p class="error" role="alert">${i18n.error(this._error)}</p>` : html`<p class="muted">${t('common.loading')}</p>`;
    return html`<h2>${s.name}</h2>
      <section>
        <div class="field">
          <label for="site-key">${t('sites.key')}</label>
          <input id="site-key" class="code" readonly .value=${s.id} />
        </div>
        <div class="field">
          <label for="site-snippet">${t('sites.snippet')}</label>
          <textarea id="site-snippet" class="code" rows="2" readonly .value=${s.snippet}></textarea>
        </div>
      </section>
      <section aria-labelledby="secret-title">
        <h3 id="secret-title">${t('sites.secretTitle')}</h3>
        ${this._secret
          ? html`<div class="secret" role="status">
              <p>${t('sites.secretOnce')}</p>
              <label for="site-secret">${t('sites.secretTitle')}</label>
              <input id="site-secret" class="code" readonly .value=${this._secret} />
            </div>`
          : html`<p class="muted small">${t('sites.secretHint')}</p>`}
        ${s.previousSecretExpiresAt ? html`<p class="small">${t('sites.grace', { time: formatFullTimestamp(s.previousSecretExpiresAt, i18n.locale) })}</p>` : ''}
        ${this._confirming
          ? html`<div class="secret" role="alertdialog" aria-labelledby="rotate-text">
              <p id="rotate-text">${t('sites.rotateConfirm')}</p>
              <div class="row">
                <button class="danger" type="button" ?disabled=${this._busy} @click=${this._rotate}>${t('sites.rotateYes')}</button>
                <button type="button" @click=${() => (this._confirming = false)}>${t('common.cancel')}</button>
              </div>
            </div>`
          : html`<button type="button" @click=${this._askRotate}>${t('sites.rotate')}</button>`}
      </section>
      <section aria-labelledby="settings-title">
        <h3 id="settings-title">${t('sites.settings')}</h3>
        <console-site-settings .site=${s} @site-saved=${(e: CustomEvent<SiteAdminDTO>) => (this._site = e.detail)}></console-site-settings>
      </section>`;
  }

  private async _fetch(): Promise<void> {
    const id = this.siteId;
    const res = await api<SiteAdminDTO>(`/api/sites/${encodeURIComponent(id)}`);
    if (id !== this.siteId) return;
    if (res.ok) this._site = res.data;
    else this._error = res.error;
  }

  private _askRotate = async (): Promise<void> => {
    this._confirming = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[role=alertdialog] button')?.focus();
  };

  private _rotate = async (): Promise<void> => {
    if (this._busy) return;
    this._busy = true;
    const res = await api<SiteSecretDTO>(`/api/sites/${encodeURIComponent(this.siteId)}/secret`, { method: 'POST' });
    this._busy = false;
    this._confirming = false;
    if (!res.ok) {
      this._error = res.error;
      return;
    }
    this._site = res.data.site;
    this._secret = res.data.secret;
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-site-detail': ConsoleSiteDetail;
  }
}
customElements.define('console-site-detail', ConsoleSiteDetail);
