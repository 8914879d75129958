import { LitElement, css, html } from 'lit';
import type { FaqEntryDTO } from '../../shared/types.ts';
import { api, type ClientError } from '../shared/api.ts';
import { emptyFields, fieldsToInput, type FaqFormFields } from './faq-form.ts';
import { i18n, type Phrase, type StringKey } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

/**
 * Creates or edits one FAQ entry; deleting asks for a confirmation first.
 * @fires faq-saved - CustomEvent<FaqEntryDTO> after a create or an update
 * @fires faq-deleted - CustomEvent<{ id }> after a delete
 * @fires editor-close - when the agent closes the editor
 */
export class ConsoleFaqEditor extends LitElement {
  static override properties = {
    siteId: { attribute: false },
    entry: { attribute: false },
    fields: { attribute: false },
    note: { attribute: false },
    _fields: { state: true },
    _busy: { state: true },
    _error: { state: true },
    _problem: { state: true },
    _saved: { state: true },
    _confirming: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      .head {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 0.5rem;
      }
      input,
      textarea,
      select {
        width: 100%;
      }
      select {
        width: auto;
      }
      .note {
        background: var(--sc-selected);
        border-radius: var(--sc-radius);
        padding: 0.4rem 0.6rem;
      }
      .confirm {
        border: 1px solid var(--sc-danger-border);
        background: var(--sc-danger-bg);
        border-radius: var(--sc-radius);
        padding: 0.5rem 0.75rem;
        margin-top: 0.75rem;
      }
      .actions {
        justify-content: space-between;
      }
    `,
  ];

  declare siteId: string | undefined;
  /** The entry being edited; null for a new one. */
  declare entry: FaqEntryDTO | null;
  /** The starting text of the form. */
  declare fields: FaqFormFields | null;
  /** Why the editor opened, when it was not the agent's own click. */
  declare note: StringKey | null;
  declare _fields: FaqFormFields;
  declare _busy: boolean;
  declare _error: ClientError | null;
  declare _problem: Phrase | null;
  declare _saved: boolean;
  declare _confirming: boolean;
  /** The id of the entry this editor just saved. */
  private _savedId: string | null = null;
  private _keepFocus = false;

  constructor() {
    super();
    this.siteId = undefined;
    this.entry = null;
    this.fields = null;
    this.note = null;
    this._fields = emptyFields(i18n.locale);
    this._busy = false;
    this._error = null;
    this._problem = null;
    this._saved = false;
    this._confirming = false;
    new StoreController(this, i18n);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('entry') || changed.has('fields')) {
      this._fields = this.fields ?? emptyFields(i18n.locale);
      // The saved entry coming back from the list is the same edit: keep "Saved." on screen.
      if (this.entry && this.entry.id === this._savedId) {
        this._keepFocus = true;
        this._savedId = null;
        return;
      }
      this._error = null;
      this._problem = null;
      this._saved = false;
      this._confirming = false;
    }
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    const reopened = changed.has('entry') || changed.has('fields');
    if (reopened && !this._keepFocus) this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
    this._keepFocus = false;
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const f = this._fields;
    return html`<form @submit=${this._onSave} @input=${this._onInput}>
      <div class="head">
        <h2 tabindex="-1">${this.entry ? t('faq.editTitle') : t('faq.newTitle')}</h2>
        <button type="button" @click=${this._close}>${t('faq.closeEditor')}</button>
      </div>
      ${this.note ? html`<p class="note">${t(this.note)}</p>` : ''}
      ${this.entry?.status === 'draft' ? html`<p class="note">${t('faq.draftNote')}</p>` : ''}
      <div class="field">
        <label for="question">${t('faq.question')}</label>
        <input id="question" name="question" maxlength="500" required .value=${f.question} />
      </div>
      <div class="field">
        <label for="variants">${t('faq.variants')}</label>
        <textarea id="variants" name="variants" rows="4" .value=${f.variants}></textarea>
      </div>
      <div class="field">
        <label for="answer">${t('faq.answer')}</label>
        <textarea id="answer" name="answer" rows="7" maxlength="4000" required .value=${f.answer}></textarea>
      </div>
      <div class="field">
        <label for="language">${t('faq.language')}</label>
        <select id="language" name="language">
          <option value="zh" ?selected=${f.language === 'zh'}>${t('faq.lang.zh')}</option>
          <option value="en" ?selected=${f.language === 'en'}>${t('faq.lang.en')}</option>
        </select>
      </div>
      <div class="field">
        <label for="tags">${t('faq.tags')}</label>
        <input id="tags" name="tags" .value=${f.tags} />
      </div>
      <div class="field">
        <label for="articleUrls">${t('faq.articleUrls')}</label>
        <textarea id="articleUrls" name="articleUrls" rows="3" .value=${f.articleUrls}></textarea>
      </div>
      ${this._problem ? html`<p class="error" role="alert">${i18n.say(this._problem)}</p>` : ''}
      ${this._error ? html`<p class="error" role="alert">${i18n.error(this._error)}</p>` : ''}
      ${this._saved ? html`<p class="success" role="status">${t('faq.saved')}</p>` : ''}
      <div class="row actions">
        <span class="row">
          <button class=${this.entry?.status === 'draft' ? '' : 'primary'} type="submit" ?disabled=${this._busy}>${t('faq.save')}</button>
          ${this.entry?.status === 'draft'
            ? html`<button class="primary" type="submit" value="publish" ?disabled=${this._busy}>${t('faq.saveAndPublish')}</button>`
            : ''}
        </span>
        ${this.entry && !this._confirming
          ? html`<button class="danger" type="button" ?disabled=${this._busy} @click=${this._askDelete}>${t('faq.delete')}</button>`
          : ''}
      </div>
      ${this._confirming
        ? html`<div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
            <p id="confirm-text">${t('faq.deleteConfirm')}</p>
            <div class="row">
              <button class="danger" type="button" ?disabled=${this._busy} @click=${this._delete}>${t('faq.deleteYes')}</button>
              <button type="button" @click=${this._cancelDelete}>${t('common.cancel')}</button>
            </div>
          </div>`
        : ''}
    </form>`;
  }

  private _onInput = (e: Event): void => {
    this._savedId = null;
    const target = e.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    const name = target.name as keyof FaqFormFields;
    if (!(name in this._fields)) return;
    this._fields = { ...this._fields, [name]: target.value };
    this._saved = false;
  };

  private _onSave = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    if (this._busy) return;
    const parsed = fieldsToInput(this._fields, this.entry?.siteId ?? this.siteId);
    const publish = (e.submitter as HTMLButtonElement | null)?.value === 'publish';
    this._error = null;
    this._saved = false;
    if (!parsed.ok) {
      this._problem = parsed.problem === 'required' ? { key: 'faq.required' } : { key: 'faq.badUrls', params: { list: parsed.lines.join(', ') } };
      return;
    }
    this._problem = null;
    this._busy = true;
    const res = this.entry
      ? await api<FaqEntryDTO>(`/api/faqs/${encodeURIComponent(this.entry.id)}`, {
          method: 'PUT',
          json: publish ? { ...parsed.input, status: 'published' } : parsed.input,
        })
      : await api<FaqEntryDTO>('/api/faqs', { method: 'POST', json: parsed.input });
    this._busy = false;
    if (!res.ok) {
      this._error = res.error;
      return;
    }
    this._savedId = res.data.id;
    this._saved = true;
    this.dispatchEvent(new CustomEvent('faq-saved', { detail: res.data, bubbles: true, composed: true }));
  };

  private _askDelete = async (): Promise<void> => {
    this._confirming = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('.confirm button')?.focus();
  };

  private _cancelDelete = async (): Promise<void> => {
    this._confirming = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('.actions .danger')?.focus();
  };

  private _delete = async (): Promise<void> => {
    const entry = this.entry;
    if (!entry || this._busy) return;
    this._busy = true;
    const res = await api<Record<string, never>>(`/api/faqs/${encodeURIComponent(entry.id)}`, { method: 'DELETE' });
    this._busy = false;
    if (!res.ok) {
      this._error = res.error;
      this._confirming = false;
      return;
    }
    this.dispatchEvent(new CustomEvent('faq-deleted', { detail: { id: entry.id }, bubbles: true, composed: true }));
  };

  private _close = (): void => {
    this.dispatchEvent(new CustomEvent('editor-close', { bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-faq-editor': ConsoleFaqEditor;
  }
}
customElements.define('console-faq-editor', ConsoleFaqEditor);
