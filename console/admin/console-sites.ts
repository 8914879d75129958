import { LitElement, css, html } from 'lit';
import type { SiteDTO, SiteSecretDTO } from '../../shared/http.ts';
import { api } from '../shared/api.ts';
import { LoadController } from '../shared/load-controller.ts';
import { i18n, type Phrase } from '../shared/i18n.ts';
import { RequestController } from '../shared/request-controller.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles, listItemStyles, splitStyles } from '../shared/styles.ts';
import { parseOrigins } from './origins.ts';
import './console-site-detail.ts';

/**
 * Admins' Sites page: the list of sites, a form to create one, and the chosen site's key, snippet,
 * secret rotation and settings (console-site-detail).
 * @fires sites-changed - after a site was created or renamed, so that the shell reloads its list
 */
export class ConsoleSites extends LitElement {
  static override properties = {
    _sites: { state: true },
    _selected: { state: true },
    _creating: { state: true },
    _created: { state: true },
    _problem: { state: true },
  };
  static override styles = [
    baseStyles,
    listItemStyles,
    splitStyles,
    css`
      :host {
        display: block;
      }
      textarea,
      input {
        width: 100%;
      }
    `,
  ];

  declare _sites: SiteDTO[];
  declare _selected: string | null;
  declare _creating: boolean;
  /** The site just created, with its secret: shown once. */
  declare _created: SiteSecretDTO | null;
  private _request = new RequestController(this);
  declare _problem: Phrase | null;
  private _load = new LoadController(this);

  constructor() {
    super();
    this._sites = [];
    this._selected = null;
    this._creating = false;
    this._created = null;
    this._problem = null;
    new StoreController(this, i18n);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this._reload();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<div class="split">
      <section class="pane" aria-labelledby="sites-title">
        <div class="row">
          <h2 id="sites-title">${t('sites.title')}</h2>
          <button type="button" @click=${this._startCreate}>${t('sites.new')}</button>
        </div>
        ${this._load.error ? html`<p class="error" role="alert">${i18n.error(this._load.error)}</p>` : ''}
        ${this._sites.length === 0 && !this._load.loading ? html`<p class="muted">${t('sites.empty')}</p>` : ''}
        <ul class="plain">
          ${this._sites.map(
            (s) => html`<li>
              <button type="button" class="item" aria-current=${this._selected === s.id ? 'true' : 'false'} @click=${() => this._select(s.id)}>
                <span class="title">${s.name}</span>
                <span class="line muted small">${s.origins.join(', ')}</span>
              </button>
            </li>`,
          )}
        </ul>
      </section>
      <section class="pane">${this._renderRight()}</section>
    </div>`;
  }

  private _renderRight() {
    const t = i18n.t.bind(i18n);
    if (this._creating) {
      return html`<form @submit=${this._create}>
        <h2>${t('sites.new')}</h2>
        <div class="field">
          <label for="site-name">${t('sites.name')}</label>
          <input id="site-name" name="name" required maxlength="200" />
        </div>
        <div class="field">
          <label for="site-origins">${t('sites.origins')}</label>
          <textarea id="site-origins" name="origins" rows="3" required></textarea>
        </div>
        ${this._problem ? html`<p class="error" role="alert">${i18n.say(this._problem)}</p>` : ''}
        ${this._request.error ? html`<p class="error" role="alert">${i18n.error(this._request.error)}</p>` : ''}
        <div class="row">
          <button class="primary" type="submit" ?disabled=${this._request.busy}>${t('sites.create')}</button>
          <button type="button" @click=${() => (this._creating = false)}>${t('common.cancel')}</button>
        </div>
      </form>`;
    }
    if (!this._selected) return html`<p class="muted">${t('sites.placeholder')}</p>`;
    return html`<console-site-detail
      .siteId=${this._selected}
      .created=${this._created?.site.id === this._selected ? this._created : null}
      @site-saved=${this._onSaved}
    ></console-site-detail>`;
  }

  private async _reload(): Promise<void> {
    const sites = await this._load.run(() => api<SiteDTO[]>('/api/sites'));
    if (sites) this._sites = sites;
  }

  private _select(id: string): void {
    this._creating = false;
    this._selected = id;
    if (this._created?.site.id !== id) this._created = null;
  }

  private _startCreate = async (): Promise<void> => {
    this._creating = true;
    this._request.setError(null);
    this._problem = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#site-name')?.focus();
  };

  private _create = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    if (this._request.busy) return;
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const origins = parseOrigins(String(data.get('origins') ?? ''));
    if (!origins.ok) {
      this._problem = { key: 'sites.badOrigins', params: { list: origins.bad.join(', ') } };
      return;
    }
    this._problem = null;
    const res = await this._request.send(() => api<SiteSecretDTO>('/api/sites', { json: { name: String(data.get('name') ?? '').trim(), origins: origins.origins } }));
    if (!res.ok) return;
    this._created = res.data;
    this._creating = false;
    this._selected = res.data.site.id;
    await this._reload();
    this.dispatchEvent(new CustomEvent('sites-changed', { bubbles: true, composed: true }));
  };

  private _onSaved = (): void => {
    void this._reload();
    this.dispatchEvent(new CustomEvent('sites-changed', { bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-sites': ConsoleSites;
  }
}
customElements.define('console-sites', ConsoleSites);
