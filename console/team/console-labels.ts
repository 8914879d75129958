import { LitElement, css, html } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { SiteDTO } from '../../shared/http.ts';
import type { LabelDTO } from '../../shared/types.ts';
import { LabelCreate } from '../../shared/schemas.ts';
import { api, type ClientError } from '../shared/api.ts';
import { i18n, type Phrase } from '../shared/i18n.ts';
import { labelStore } from '../shared/labels.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

const DEFAULT_COLOR = '#64748b';

/** #rgb as #rrggbb: what a colour input takes. */
const fullHex = (c: string) => (c.length === 4 ? `#${[...c.slice(1)].map((x) => x + x).join('')}` : c);

/**
 * Admins' Labels page: the chosen site's labels, each renamed, recoloured or deleted in place
 * (deleting takes it off every conversation), and a form to add one. Agents put them on
 * conversations; the console's one label list (labelStore) is reloaded after every change.
 */
export class ConsoleLabels extends LitElement {
  static override properties = {
    siteId: { attribute: false },
    sites: { attribute: false },
    _deleting: { state: true },
    _busy: { state: true },
    _error: { state: true },
    _done: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        max-width: 44rem;
      }
      form.row,
      div.row {
        align-items: end;
        flex-wrap: wrap;
      }
      ul.plain li {
        padding: 0.4rem 0;
        border-bottom: 1px solid var(--sc-border);
      }
      input[type='color'] {
        width: 3rem;
        padding: 0.1rem;
        min-height: 2rem;
      }
      .swatch {
        width: 0.8rem;
        height: 0.8rem;
        border-radius: 50%;
        background: var(--chip);
        align-self: center;
      }
      .new {
        margin-bottom: 1rem;
      }
    `,
  ];

  declare siteId: string | undefined;
  declare sites: SiteDTO[];
  /** The label whose deletion waits for a confirmation. */
  declare _deleting: string | null;
  declare _busy: boolean;
  declare _error: ClientError | null;
  /** What the last change did, said once. */
  declare _done: Phrase | null;
  /** The name sent with the last write, named in a "taken" error. */
  private _sentName = '';

  constructor() {
    super();
    this.siteId = undefined;
    this.sites = [];
    this._deleting = null;
    this._busy = false;
    this._error = null;
    this._done = null;
    new StoreController(this, i18n, labelStore);
    void labelStore.load(true);
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const labels = this.siteId ? labelStore.ofSite(this.siteId) : [];
    const site = this.sites.find((s) => s.id === this.siteId)?.name;
    return html`<section class="pane" aria-labelledby="labels-title">
      <h2 id="labels-title">${t('labelsAdmin.title')}</h2>
      <p class="muted small">${site ? t('labelsAdmin.intro', { site }) : ''}</p>
      <form class="row new" @submit=${this._create}>
        <div class="field">
          <label for="label-new-name">${t('labelsAdmin.newName')}</label>
          <input id="label-new-name" name="name" required maxlength="40" />
        </div>
        <div class="field">
          <label for="label-new-color">${t('labelsAdmin.newColor')}</label>
          <input id="label-new-color" name="color" type="color" value=${DEFAULT_COLOR} />
        </div>
        <button class="primary" type="submit" ?disabled=${this._busy || !this.siteId}>${t('labelsAdmin.create')}</button>
      </form>
      ${labelStore.error ? html`<p class="error" role="alert">${i18n.error(labelStore.error)}</p>` : ''}
      ${this._error ? html`<p class="error" role="alert">${this._errorText(this._error)}</p>` : ''}
      ${this._done ? html`<p class="success" role="status">${i18n.say(this._done)}</p>` : ''}
      ${labels.length === 0 ? html`<p class="muted">${t('labelsAdmin.empty')}</p>` : ''}
      <ul class="plain">
        ${labels.map((l) => this._renderLabel(l))}
      </ul>
    </section>`;
  }

  private _renderLabel(l: LabelDTO) {
    const t = i18n.t.bind(i18n);
    const name = l.name;
    if (this._deleting === l.id) {
      return html`<li>
        <div class="row" role="alertdialog" aria-labelledby=${`del-${l.id}`}>
          <span id=${`del-${l.id}`}>${t('labelsAdmin.deleteConfirm', { name })}</span>
          <button class="danger" type="button" ?disabled=${this._busy} @click=${() => this._delete(l)}>${t('labelsAdmin.deleteYes')}</button>
          <button type="button" @click=${() => (this._deleting = null)}>${t('common.cancel')}</button>
        </div>
      </li>`;
    }
    return html`<li>
      <form class="row" @submit=${(e: SubmitEvent) => this._update(e, l)}>
        <span class="swatch" style=${styleMap({ '--chip': l.color })}></span>
        <input name="name" required maxlength="40" aria-label=${t('labelsAdmin.name', { name })} .value=${name} />
        <input name="color" type="color" aria-label=${t('labelsAdmin.color', { name })} .value=${fullHex(l.color)} />
        <button type="submit" ?disabled=${this._busy}>${t('labelsAdmin.save', { name })}</button>
        <button type="button" class="danger" @click=${() => this._askDelete(l.id)}>${t('labelsAdmin.delete', { name })}</button>
      </form>
    </li>`;
  }

  private _errorText(error: ClientError): string {
    if (error.code === 'CONFLICT') return i18n.t('labelsAdmin.taken', { name: this._sentName });
    if (error.code === 'INVALID_PAYLOAD') return i18n.t('labelsAdmin.bad');
    return i18n.error(error);
  }

  /** Checks the fields with the server's own schema; null (and a problem shown) when one is wrong. */
  private _fields(form: HTMLFormElement) {
    const data = new FormData(form);
    const checked = LabelCreate.safeParse({ siteId: this.siteId, name: String(data.get('name') ?? ''), color: String(data.get('color') ?? DEFAULT_COLOR) });
    this._done = null;
    this._error = null;
    if (!checked.success) {
      this._error = { code: 'INVALID_PAYLOAD' };
      return null;
    }
    this._sentName = checked.data.name;
    return checked.data;
  }

  private async _after(res: { ok: boolean; error?: ClientError }, done: Phrase): Promise<boolean> {
    this._busy = false;
    if (!res.ok) {
      this._error = res.error ?? null;
      return false;
    }
    this._done = done;
    await labelStore.load(true);
    return true;
  }

  private _create = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const fields = this._fields(form);
    if (!fields || this._busy) return;
    this._busy = true;
    const res = await api<LabelDTO>('/api/labels', { json: fields });
    if (await this._after(res, { key: 'labelsAdmin.created', params: { name: fields.name } })) form.reset();
  };

  private async _update(e: SubmitEvent, l: LabelDTO): Promise<void> {
    e.preventDefault();
    const fields = this._fields(e.currentTarget as HTMLFormElement);
    if (!fields || this._busy) return;
    this._busy = true;
    const res = await api<LabelDTO>(`/api/labels/${encodeURIComponent(l.id)}`, { method: 'PUT', json: { name: fields.name, color: fields.color } });
    await this._after(res, { key: 'labelsAdmin.saved', params: { name: fields.name } });
  }

  private async _askDelete(id: string): Promise<void> {
    this._deleting = id;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[role=alertdialog] button')?.focus();
  }

  private async _delete(l: LabelDTO): Promise<void> {
    if (this._busy) return;
    this._busy = true;
    this._error = null;
    const res = await api(`/api/labels/${encodeURIComponent(l.id)}`, { method: 'DELETE' });
    this._deleting = null;
    await this._after(res, { key: 'labelsAdmin.deleted', params: { name: l.name } });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-labels': ConsoleLabels;
  }
}
customElements.define('console-labels', ConsoleLabels);
