import { LitElement, css, html } from 'lit';
import type { FaqEntryDTO, LearnedVariantDTO } from '../../shared/types.ts';
import { api, withQuery, type ClientError } from '../shared/api.ts';
import { DownloadController, downloadStyles } from '../shared/download-controller.ts';
import { LoadController } from '../shared/load-controller.ts';
import { emptyFields, entryToFields, importFormat, jsonImportBody, type FaqFormFields } from './faq-form.ts';
import { i18n, type Phrase, type StringKey } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles, listItemStyles, splitStyles } from '../shared/styles.ts';
import type { FaqRequest } from '../console-shell.ts';
import './console-faq-editor.ts';
import './console-faq-calibration.ts';
import './console-faq-drafts.ts';
import './console-faq-learned.ts';

interface Editing {
  entry: FaqEntryDTO | null;
  fields: FaqFormFields;
  note: StringKey | null;
}

const SEARCH_DELAY_MS = 250;

/** The site's FAQ: search, create, edit, delete, publish drafts, review learned variants, import a file and export one. */
export class ConsoleFaq extends LitElement {
  static override properties = {
    siteId: { attribute: false },
    request: { attribute: false },
    _q: { state: true },
    _entries: { state: true },
    _editing: { state: true },
    _importing: { state: true },
    _importResult: { state: true },
    _importError: { state: true },
  };
  static override styles = [
    baseStyles,
    downloadStyles,
    splitStyles,
    listItemStyles,
    css`
      :host {
        display: block;
        height: 100%;
      }
      .toolbar {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        margin-bottom: 0.75rem;
      }
      input[type='search'] {
        width: 100%;
      }
      /* The native file input speaks the browser's language; its label is the visible button. */
      label.button {
        font-weight: normal;
        font-size: inherit;
      }
      input[type='file']:focus-visible + label {
        outline: 3px solid var(--sc-focus);
        outline-offset: 2px;
      }
      input[type='file']:disabled + label {
        opacity: 0.55;
        cursor: not-allowed;
      }
      .tags {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
        margin-top: 0.2rem;
      }
    `,
  ];

  declare siteId: string | undefined;
  declare request: FaqRequest | null;
  declare _q: string;
  declare _entries: FaqEntryDTO[];
  declare _editing: Editing | null;
  declare _importing: boolean;
  declare _importResult: number | null;
  declare _importError: Phrase | ClientError | null;

  private readonly _loader = new LoadController(this);
  private readonly _downloads = new DownloadController(this);
  private _searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.siteId = undefined;
    this.request = null;
    this._q = '';
    this._entries = [];
    this._editing = null;
    this._importing = false;
    this._importResult = null;
    this._importError = null;
    new StoreController(this, i18n);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this._searchTimer);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('siteId')) void this._load();
    if (changed.has('request') && this.request) {
      const r = this.request;
      this._editing = { entry: r.entry, fields: entryToFields(r.entry), note: r.note };
    }
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const site = this.siteId;
    const selected = this._editing?.entry?.id;
    const drafts = this._entries.filter((e) => e.status === 'draft');
    const published = this._entries.filter((e) => e.status !== 'draft');
    return html`<div class="split">
      <section class="pane" aria-labelledby="faq-h">
        <h2 id="faq-h">${t('faq.title')}</h2>
        <div class="toolbar">
          <div class="field">
            <label for="q">${t('faq.search')}</label>
            <input id="q" type="search" .value=${this._q} @input=${this._onSearch} />
          </div>
          <div class="row">
            <button class="primary" type="button" ?disabled=${!site} @click=${this._new}>${t('faq.new')}</button>
            ${site
              ? html`<a class="button" href=${withQuery('/api/faqs/export', { siteId: site, format: 'csv' })} download @click=${this._downloads.click}
                    >${t('faq.exportCsv')}</a
                  ><a class="button" href=${withQuery('/api/faqs/export', { siteId: site, format: 'json' })} download @click=${this._downloads.click}
                    >${t('faq.exportJson')}</a
                  >`
              : ''}
          </div>
          ${this._downloads.render()}
          <div>
            <input
              id="import"
              class="visually-hidden"
              type="file"
              accept=".csv,.json,text/csv,application/json"
              ?disabled=${!site || this._importing}
              @change=${this._onImport}
            />
            <label for="import" class="button">${t('faq.import')}</label>
          </div>
          <div role="status">
            ${this._importing ? html`<p class="muted">${t('faq.importing')}</p>` : ''}
            ${this._importResult !== null ? html`<p class="success">${t('faq.imported', { n: this._importResult })}</p>` : ''}
          </div>
          ${this._importError ? html`<p class="error" role="alert">${i18n.say(this._importError)}</p>` : ''}
        </div>
        <console-faq-calibration .siteId=${site} @faq-open=${(e: CustomEvent<{ id: string }>) => this._onOpen(e.detail.id)}></console-faq-calibration>
        ${this._loader.error ? html`<p class="error" role="alert">${i18n.error(this._loader.error)}</p>` : ''}
        ${this._loader.loading ? html`<p class="muted" role="status">${t('common.loading')}</p>` : ''}
        <console-faq-drafts .drafts=${drafts} .selectedId=${selected} @faq-edit=${this._onEditDraft} @faq-saved=${this._onSaved}></console-faq-drafts>
        ${!this._loader.loading && !this._loader.error
          ? html`<p class="muted small">${published.length === 0 ? t('faq.empty') : t('faq.count', { n: published.length })}</p>`
          : ''}
        <ul class="plain">
          ${published.map(
            (e) => html`<li>
              <button class="item" type="button" aria-current=${selected === e.id ? 'true' : 'false'} @click=${() => this._edit(e)}>
                <span class="title">${e.question}</span>
                <span class="line">${e.answer}</span>
                <span class="tags">
                  <span class="badge">${t(e.language === 'zh' ? 'faq.lang.zh' : 'faq.lang.en')}</span>
                  ${e.variants.length ? html`<span class="badge">${t('faq.variantsCount', { n: e.variants.length })}</span>` : ''}
                  ${e.tags.map((tag) => html`<span class="badge">${tag}</span>`)}
                </span>
              </button>
            </li>`,
          )}
        </ul>
      </section>
      <div class="pane">
        ${this._editing
          ? html`<console-faq-editor
              .siteId=${site}
              .entry=${this._editing.entry}
              .fields=${this._editing.fields}
              .note=${this._editing.note}
              @faq-saved=${this._onSaved}
              @faq-deleted=${this._onDeleted}
              @editor-close=${this._closeEditor}
            ></console-faq-editor>
            <console-faq-learned .entry=${this._editing.entry} @learned-changed=${this._onLearnedChanged}></console-faq-learned>`
          : html`<p class="muted">${t('faq.placeholder')}</p>`}
      </div>
    </div>`;
  }

  private _onSearch = (e: Event): void => {
    this._q = (e.target as HTMLInputElement).value;
    clearTimeout(this._searchTimer);
    this._searchTimer = setTimeout(() => void this._load(), SEARCH_DELAY_MS);
  };

  private async _load(): Promise<void> {
    if (!this.siteId) return;
    const data = await this._loader.run(() => api<FaqEntryDTO[]>('/api/faqs', { query: { siteId: this.siteId, q: this._q.trim() || undefined } }));
    if (data) this._entries = data;
  }

  private _new = (): void => {
    this._editing = { entry: null, fields: emptyFields(i18n.locale), note: null };
  };

  private _edit(entry: FaqEntryDTO): void {
    this._editing = { entry, fields: entryToFields(entry), note: null };
  }

  private _onOpen(id: string): void {
    const entry = this._entries.find((x) => x.id === id);
    if (entry) this._edit(entry);
  }

  private _onEditDraft = (e: CustomEvent<FaqEntryDTO>): void => this._edit(e.detail);

  /** The list keeps up with the editor's learned variants; the editor itself is left as the agent has it. */
  private _onLearnedChanged = (e: CustomEvent<{ entryId: string; learned: LearnedVariantDTO[] }>): void => {
    this._entries = this._entries.map((x) => (x.id === e.detail.entryId ? { ...x, learned: e.detail.learned } : x));
  };

  private _onSaved = (e: CustomEvent<FaqEntryDTO>): void => {
    const saved = e.detail;
    const known = this._entries.some((x) => x.id === saved.id);
    this._entries = known ? this._entries.map((x) => (x.id === saved.id ? saved : x)) : [saved, ...this._entries];
    this._editing = { entry: saved, fields: entryToFields(saved), note: null };
  };

  private _onDeleted = async (e: CustomEvent<{ id: string }>): Promise<void> => {
    this._entries = this._entries.filter((x) => x.id !== e.detail.id);
    await this._closeEditor();
  };

  private _closeEditor = async (): Promise<void> => {
    this._editing = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#q')?.focus();
  };

  private _onImport = async (e: Event): Promise<void> => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    const siteId = this.siteId;
    if (!file || !siteId) return;
    this._importResult = null;
    this._importError = null;
    const format = importFormat(file.name);
    if (!format) {
      this._importError = { key: 'faq.importUnsupported' };
      input.value = '';
      return;
    }
    const text = await file.text();
    let res;
    this._importing = true;
    if (format === 'csv') {
      res = await api<{ imported: number }>('/api/faqs/import', {
        query: { siteId, format: 'csv' },
        text,
        contentType: 'text/csv',
      });
    } else {
      const body = jsonImportBody(text, siteId);
      if (!body) {
        this._importing = false;
        this._importError = { key: 'faq.importBadJson' };
        input.value = '';
        return;
      }
      res = await api<{ imported: number }>('/api/faqs/import', { query: { siteId, format: 'json' }, json: body });
    }
    this._importing = false;
    input.value = '';
    if (res.ok) {
      this._importResult = res.data.imported;
      void this._load();
    } else {
      this._importError = res.error;
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-faq': ConsoleFaq;
  }
}
customElements.define('console-faq', ConsoleFaq);
