import { LitElement, css, html } from 'lit';
import type { SiteDTO } from '../../shared/http.ts';
import type { AgentDTO, CannedReplyDTO } from '../../shared/types.ts';
import { CannedReplyCreate } from '../../shared/schemas.ts';
import { api, type ClientError } from '../shared/api.ts';
import { LoadController } from '../shared/load-controller.ts';
import { i18n, type Phrase } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles, listItemStyles, splitStyles } from '../shared/styles.ts';

/**
 * The Canned replies page: the chosen site's shared replies (written by its admins) and the agent's
 * own, each with its short code (typed after `/` in the reply box), an optional title and the text.
 * Every agent manages their own; admins also the site's.
 */
export class ConsoleCannedReplies extends LitElement {
  static override properties = {
    agent: { attribute: false },
    siteId: { attribute: false },
    sites: { attribute: false },
    _replies: { state: true },
    _editing: { state: true },
    _deleting: { state: true },
    _busy: { state: true },
    _error: { state: true },
    _problem: { state: true },
    _done: { state: true },
  };
  static override styles = [
    baseStyles,
    listItemStyles,
    splitStyles,
    css`
      :host {
        display: block;
      }
      input,
      textarea {
        width: 100%;
      }
      h3 {
        margin-top: 0.75rem;
      }
      .code {
        font-family: ui-monospace, monospace;
      }
      fieldset {
        border: 0;
        padding: 0;
        margin: 0 0 0.75rem;
      }
      .vars code {
        font-family: ui-monospace, monospace;
        background: var(--sc-chip);
        padding: 0 0.2rem;
        border-radius: 4px;
      }
    `,
  ];

  declare agent: AgentDTO;
  declare siteId: string | undefined;
  declare sites: SiteDTO[];
  declare _replies: CannedReplyDTO[];
  /** The reply in the form: 'new', one being edited, or null (no form). */
  declare _editing: CannedReplyDTO | 'new' | null;
  /** The reply whose deletion waits for a confirmation. */
  declare _deleting: string | null;
  declare _busy: boolean;
  declare _error: ClientError | null;
  /** A field the browser found wrong before sending. */
  declare _problem: Phrase | null;
  /** What the last save or deletion did, said once. */
  declare _done: Phrase | null;
  private _load = new LoadController(this);
  /** The code sent with the last save, named in a "taken" error. */
  private _sentCode = '';

  constructor() {
    super();
    this.siteId = undefined;
    this.sites = [];
    this._replies = [];
    this._editing = null;
    this._deleting = null;
    this._busy = false;
    this._error = null;
    this._problem = null;
    this._done = null;
    new StoreController(this, i18n);
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('siteId')) {
      this._editing = null;
      void this._reload();
    }
  }

  private get _admin(): boolean {
    return this.agent?.role === 'admin';
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const shared = this._replies.filter((r) => !r.personal);
    const mine = this._replies.filter((r) => r.personal);
    const site = this.sites.find((s) => s.id === this.siteId)?.name;
    return html`<div class="split">
      <section class="pane" aria-labelledby="canned-title">
        <div class="row">
          <h2 id="canned-title">${t('cannedAdmin.title')}</h2>
          <button type="button" ?disabled=${!this.siteId} @click=${this._startNew}>${t('cannedAdmin.new')}</button>
        </div>
        ${site ? html`<p class="muted small">${t('cannedAdmin.ofSite', { site })}</p>` : ''}
        ${this._load.error ? html`<p class="error" role="alert">${i18n.error(this._load.error)}</p>` : ''}
        ${this._done ? html`<p class="success" role="status">${i18n.say(this._done)}</p>` : ''}
        <h3>${t('cannedAdmin.shared')}</h3>
        ${this._renderList(shared, 'cannedAdmin.noneShared')}
        <h3>${t('cannedAdmin.mine')}</h3>
        ${this._renderList(mine, 'cannedAdmin.noneMine')}
      </section>
      <section class="pane">${this._renderForm()}</section>
    </div>`;
  }

  private _renderList(list: CannedReplyDTO[], empty: 'cannedAdmin.noneShared' | 'cannedAdmin.noneMine') {
    const t = i18n.t.bind(i18n);
    if (list.length === 0) return html`<p class="muted small">${t(empty)}</p>`;
    return html`<ul class="plain">
      ${list.map((r) => {
        const code = `/${r.shortCode}`;
        const writable = r.personal || this._admin;
        const current = this._editing !== 'new' && this._editing?.id === r.id;
        return html`<li>
          <button type="button" class="item" aria-current=${current ? 'true' : 'false'} ?disabled=${!writable} @click=${() => this._edit(r)}>
            <span class="title"><span class="code">${code}</span> ${r.title}</span>
            <span class="line">${r.body}</span>
          </button>
          ${writable && this._deleting === r.id
            ? html`<div class="row" role="alertdialog" aria-labelledby=${`del-${r.id}`}>
                <span id=${`del-${r.id}`}>${t('cannedAdmin.deleteConfirm', { code })}</span>
                <button class="danger" type="button" ?disabled=${this._busy} @click=${() => this._delete(r)}>${t('cannedAdmin.deleteYes')}</button>
                <button type="button" @click=${() => (this._deleting = null)}>${t('common.cancel')}</button>
              </div>`
            : writable
              ? html`<button type="button" class="link" @click=${() => this._askDelete(r.id)}>${t('cannedAdmin.delete', { code })}</button>`
              : ''}
        </li>`;
      })}
    </ul>`;
  }

  private _renderForm() {
    const t = i18n.t.bind(i18n);
    const editing = this._editing;
    if (!editing) return html`<p class="muted">${t(this._admin ? 'cannedAdmin.placeholderAdmin' : 'cannedAdmin.placeholder')}</p>`;
    const reply = editing === 'new' ? null : editing;
    return html`<form @submit=${this._save}>
      <h2>${reply ? t('cannedAdmin.editTitle', { code: `/${reply.shortCode}` }) : t('cannedAdmin.new')}</h2>
      ${reply
        ? html`<p class="muted small">${t(reply.personal ? 'cannedAdmin.isMine' : 'cannedAdmin.isShared')}</p>`
        : this._admin
          ? html`<fieldset>
              <legend>${t('cannedAdmin.scope')}</legend>
              <label class="row"><input type="radio" name="scope" value="shared" checked /> ${t('cannedAdmin.scopeShared')}</label>
              <label class="row"><input type="radio" name="scope" value="personal" /> ${t('cannedAdmin.scopeMine')}</label>
            </fieldset>`
          : html`<p class="muted small">${t('cannedAdmin.isMine')}</p>`}
      <div class="field">
        <label for="canned-code">${t('cannedAdmin.code')}</label>
        <input id="canned-code" name="shortCode" class="code" required maxlength="32" autocomplete="off" .value=${reply?.shortCode ?? ''} aria-describedby="canned-code-hint" />
        <p id="canned-code-hint" class="muted small">${t('cannedAdmin.codeHint')}</p>
      </div>
      <div class="field">
        <label for="canned-label">${t('cannedAdmin.label')}</label>
        <input id="canned-label" name="title" maxlength="120" .value=${reply?.title ?? ''} />
      </div>
      <div class="field">
        <label for="canned-body">${t('cannedAdmin.body')}</label>
        <textarea id="canned-body" name="body" rows="6" required .value=${reply?.body ?? ''} aria-describedby="canned-vars"></textarea>
        <p id="canned-vars" class="vars muted small">
          ${i18n.parts('cannedAdmin.vars', { visitor: html`<code>{visitor.name}</code>`, agent: html`<code>{agent.name}</code>`, email: html`<code>{visitor.email}</code>` })}
        </p>
      </div>
      ${this._problem ? html`<p class="error" role="alert">${i18n.say(this._problem)}</p>` : ''}
      ${this._error ? html`<p class="error" role="alert">${this._errorText(this._error)}</p>` : ''}
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this._busy}>${t(reply ? 'cannedAdmin.save' : 'cannedAdmin.create')}</button>
        <button type="button" @click=${() => (this._editing = null)}>${t('common.cancel')}</button>
      </div>
    </form>`;
  }

  /** The server's refusal in words about canned replies where a general one would be vague. */
  private _errorText(error: ClientError): string {
    if (error.code === 'CONFLICT') return i18n.t('cannedAdmin.taken', { code: `/${this._sentCode}` });
    if (error.code === 'FORBIDDEN') return i18n.t('cannedAdmin.forbidden');
    return i18n.error(error);
  }

  private async _reload(): Promise<void> {
    if (!this.siteId) return;
    const replies = await this._load.run(() => api<CannedReplyDTO[]>('/api/canned-replies', { query: { siteId: this.siteId } }));
    if (replies) this._replies = replies;
  }

  private async _openForm(editing: CannedReplyDTO | 'new'): Promise<void> {
    this._editing = editing;
    this._error = null;
    this._problem = null;
    this._done = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#canned-code')?.focus();
  }

  private _startNew = (): void => void this._openForm('new');

  private _edit(r: CannedReplyDTO): void {
    void this._openForm(r);
  }

  private async _askDelete(id: string): Promise<void> {
    this._deleting = id;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[role=alertdialog] button')?.focus();
  }

  private _save = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    if (this._busy || !this._editing || !this.siteId) return;
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const reply = this._editing === 'new' ? null : this._editing;
    const fields = {
      siteId: reply?.siteId ?? this.siteId,
      personal: reply ? reply.personal : !this._admin || data.get('scope') === 'personal',
      shortCode: String(data.get('shortCode') ?? '').trim().replace(/^\//, ''),
      title: String(data.get('title') ?? ''),
      body: String(data.get('body') ?? ''),
    };
    // The server's own schema, so a wrong field is named here rather than refused there.
    const checked = CannedReplyCreate.safeParse(fields);
    if (!checked.success) {
      const field = checked.error.issues[0]?.path[0];
      this._problem = { key: field === 'shortCode' ? 'cannedAdmin.badCode' : field === 'body' ? 'cannedAdmin.badBody' : 'cannedAdmin.badLabel' };
      return;
    }
    this._problem = null;
    this._error = null;
    this._busy = true;
    this._sentCode = checked.data.shortCode;
    const { shortCode, title, body } = checked.data;
    const res = reply
      ? await api<CannedReplyDTO>(`/api/canned-replies/${encodeURIComponent(reply.id)}`, { method: 'PUT', json: { shortCode, title, body } })
      : await api<CannedReplyDTO>('/api/canned-replies', { json: checked.data });
    this._busy = false;
    if (!res.ok) {
      this._error = res.error;
      return;
    }
    this._editing = null;
    this._done = { key: 'cannedAdmin.saved', params: { code: `/${res.data.shortCode}` } };
    await this._reload();
  };

  private async _delete(r: CannedReplyDTO): Promise<void> {
    if (this._busy) return;
    this._busy = true;
    const res = await api(`/api/canned-replies/${encodeURIComponent(r.id)}`, { method: 'DELETE' });
    this._busy = false;
    this._deleting = null;
    if (!res.ok) {
      this._done = null;
      this._load.error = res.error;
      this.requestUpdate();
      return;
    }
    if (this._editing !== 'new' && this._editing?.id === r.id) this._editing = null;
    this._done = { key: 'cannedAdmin.deleted', params: { code: `/${r.shortCode}` } };
    await this._reload();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-canned-replies': ConsoleCannedReplies;
  }
}
customElements.define('console-canned-replies', ConsoleCannedReplies);
