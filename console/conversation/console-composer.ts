import { LitElement, css, html } from 'lit';
import type { CannedReplyDTO } from '../../shared/types.ts';
import { api, type ClientError } from '../shared/api.ts';
import { i18n } from '../shared/i18n.ts';
import { cannedQuery, fillCanned, matchCanned, type CannedVars } from './canned.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

/** The contract's limit for one message. */
const MAX_LENGTH = 4000;

/**
 * The reply box: Enter sends, Shift+Enter adds a line, and an IME composition (Chinese input)
 * is never cut short by its confirming Enter. Keeps a draft per conversation. A `/` at the start
 * opens the site's and the agent's canned replies (arrows, Enter, Escape), filtered by what follows.
 * In note mode what is written is a private note: agents only, shown as such (colour, label,
 * button) before it is sent.
 * @fires compose-send - CustomEvent<{ body, internal }> when the agent sends a reply or a note
 * @fires compose-draft - CustomEvent<{ typing }> as the agent edits: whether a reply draft is being written (never a note's, never its text)
 */
export class ConsoleComposer extends LitElement {
  static override properties = {
    conversationId: { type: String },
    siteId: { type: String },
    vars: { attribute: false },
    _text: { state: true },
    _picker: { state: true },
    _active: { state: true },
    _replies: { state: true },
    _cannedError: { state: true },
    /** The agent may only add notes here (not their ticket, or resolved). */
    noteOnly: { type: Boolean },
    _note: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto;
        gap: 0.5rem;
        align-items: end;
      }
      label {
        grid-column: 1 / -1;
      }
      textarea {
        width: 100%;
        min-height: 4.5rem;
      }
      .hint {
        grid-column: 1 / -1;
        font-size: 0.78rem;
        color: var(--sc-muted);
        margin: 0;
      }
      .over {
        color: var(--sc-danger);
      }
      .box {
        position: relative;
      }
      [role='listbox'] {
        position: absolute;
        bottom: 100%;
        left: 0;
        right: 0;
        max-height: 14rem;
        overflow: auto;
        margin: 0 0 0.25rem;
        padding: 0.25rem;
        list-style: none;
        background: var(--sc-bg, #fff);
        border: 1px solid var(--sc-border);
        border-radius: 6px;
        box-shadow: 0 4px 12px rgb(0 0 0 / 0.12);
        z-index: 2;
      }
      [role='option'] {
        padding: 0.3rem 0.45rem;
        border-radius: 4px;
        cursor: pointer;
      }
      [role='option'][aria-selected='true'] {
        background: var(--sc-accent-soft, #e0ecff);
        outline: 2px solid var(--sc-accent, #2563eb);
      }
      .code {
        font-weight: 600;
      }
      .body {
        display: block;
        font-size: 0.8rem;
        color: var(--sc-muted);
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .mode {
        grid-column: 1 / -1;
        display: flex;
        gap: 0.4rem;
        align-items: center;
        font-size: 0.85rem;
      }
      form.note textarea {
        background: var(--sc-note-bg, #fff8db);
        border-color: var(--sc-note-border, #d4a017);
      }
      .note-banner {
        grid-column: 1 / -1;
        margin: 0;
        font-size: 0.85rem;
        font-weight: 600;
        color: var(--sc-note-text, #7a5b00);
      }
    `,
  ];

  declare conversationId: string;
  declare siteId: string;
  declare vars: CannedVars;
  declare _text: string;
  /** The canned-reply list: null closed; `replace` when opened by a `/` typed first, `append` by the shortcut. */
  declare _picker: 'replace' | 'append' | null;
  declare _active: number;
  declare _replies: CannedReplyDTO[] | null;
  declare _cannedError: ClientError | null;
  declare noteOnly: boolean;
  declare _note: boolean;
  private readonly _drafts = new Map<string, string>();

  constructor() {
    super();
    this.conversationId = '';
    this.siteId = '';
    this.vars = { visitorName: null, visitorEmail: null, agentName: null };
    this._text = '';
    this._picker = null;
    this._active = 0;
    this._replies = null;
    this._cannedError = null;
    this.noteOnly = false;
    this._note = false;
    new StoreController(this, i18n);
  }

  /** Opens the canned replies (the `/` shortcut): a `/` in an empty box, else the list to add one after the text. */
  openCanned(): void {
    if (!this._text.trim()) this._text = '/';
    this._open(this._text === '/' ? 'replace' : 'append');
    this.focus();
  }

  private _open(mode: 'replace' | 'append'): void {
    if (this._picker === null) this._active = 0;
    this._picker = mode;
    if (this._replies === null) void this._loadCanned();
  }

  private async _loadCanned(): Promise<void> {
    this._cannedError = null;
    const res = await api<CannedReplyDTO[]>('/api/canned-replies', { query: { siteId: this.siteId || undefined } });
    if (res.ok) this._replies = res.data;
    else this._cannedError = res.error;
  }

  private _matches(): CannedReplyDTO[] {
    if (!this._replies) return [];
    return matchCanned(this._replies, this._picker === 'replace' ? (cannedQuery(this._text) ?? '') : '');
  }

  private _choose(reply: CannedReplyDTO): void {
    const text = fillCanned(reply.body, this.vars);
    const mode = this._picker;
    this._picker = null;
    if (mode === 'append') this.insert(text);
    else {
      this._text = text;
      this.focus();
    }
  }

  private _renderPicker() {
    if (!this._picker) return '';
    const t = i18n.t.bind(i18n);
    const matches = this._matches();
    const active = Math.min(this._active, Math.max(0, matches.length - 1));
    return html`<ul id="canned" role="listbox" aria-label=${t('canned.list')}>
      ${this._cannedError
        ? html`<li role="option" aria-disabled="true" aria-selected="false">${i18n.error(this._cannedError)}</li>`
        : this._replies === null
          ? html`<li role="option" aria-disabled="true" aria-selected="false">${t('common.loading')}</li>`
          : matches.length === 0
            ? html`<li role="option" aria-disabled="true" aria-selected="false">${t('canned.none')}</li>`
            : matches.map(
                (r, i) => html`<li
                  id=${`canned-${i}`}
                  role="option"
                  aria-selected=${i === active ? 'true' : 'false'}
                  @mousedown=${(e: Event) => e.preventDefault()}
                  @click=${() => this._choose(r)}
                >
                  <span class="code">/${r.shortCode}</span> ${r.title}${r.personal ? html` <span class="muted small">${t('canned.personal')}</span>` : ''}
                  <span class="body">${r.body}</span>
                </li>`,
              )}
    </ul>`;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('conversationId')) {
      const previous = changed.get('conversationId') as string | undefined;
      if (previous) this._drafts.set(previous, this._text);
      this._text = this._drafts.get(this.conversationId) ?? '';
      this._picker = null;
    }
    if (changed.has('siteId')) this._replies = null;
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const over = this._text.trim().length - MAX_LENGTH;
    const matches = this._picker ? this._matches() : [];
    const active = Math.min(this._active, Math.max(0, matches.length - 1));
    const note = this._note || this.noteOnly;
    return html`<form class=${note ? 'note' : ''} @submit=${this._onSubmit}>
      ${this.noteOnly
        ? ''
        : html`<label class="mode"><input type="checkbox" .checked=${this._note} @change=${this._onMode} />${t('life.noteMode')}</label>`}
      ${note ? html`<p class="note-banner" id="note-banner">${t('life.noteModeHint')}</p>` : ''}
      <label for="reply">${note ? t('life.noteLabel') : t('composer.label')}</label>
      <div class="box">
        ${this._renderPicker()}
        <textarea
          id="reply"
          aria-autocomplete="list"
          aria-controls=${this._picker ? 'canned' : ''}
          aria-activedescendant=${matches.length ? `canned-${active}` : ''}
          aria-describedby=${note ? 'note-banner hint' : 'hint'}
          .value=${this._text}
          @input=${this._onInput}
          @keydown=${this._onKeyDown}
          @blur=${() => (this._picker = null)}
        ></textarea>
      </div>
      <button class="primary" type="submit" ?disabled=${!this._text.trim() || over > 0}>${note ? t('life.noteSend') : t('composer.send')}</button>
      <p class="hint" id="hint">
        ${over > 0 ? html`<span class="over">${t('composer.tooLong', { n: over })}</span> · ` : ''}${t('composer.hint')} ${t('canned.hint')}
      </p>
    </form>`;
  }

  /**
   * Puts the cursor in the reply box, once it is rendered: called as the composer appears (on a
   * claim), before its first render the box does not exist yet.
   */
  override focus(): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector('textarea')?.focus());
  }

  /** Puts text (an FAQ answer) in the reply box for the agent to edit and send: after what is typed, on a new line. */
  insert(text: string): void {
    this._text = this._text.trim() ? `${this._text.trimEnd()}\n${text}` : text;
    this.focus();
    this._draftChanged();
  }

  /** Whether a reply is being written: a note's draft never shows as typing to the visitor. */
  private _draftChanged(): void {
    const typing = !this._note && !this.noteOnly && this._text.trim() !== '';
    this.dispatchEvent(new CustomEvent('compose-draft', { detail: { typing }, bubbles: true, composed: true }));
  }

  private _onMode = (e: Event): void => {
    this._note = (e.target as HTMLInputElement).checked;
    this._draftChanged();
    this.focus();
  };

  private _onInput = (e: Event): void => {
    this._text = (e.target as HTMLTextAreaElement).value;
    if (cannedQuery(this._text) !== null) this._open('replace');
    else if (this._picker === 'replace') this._picker = null;
    this._draftChanged();
  };

  private _onKeyDown = (e: KeyboardEvent): void => {
    if (this._picker && !e.isComposing && e.keyCode !== 229 && this._onPickerKey(e)) return;
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    this._send();
  };

  /** Arrows move through the list, Enter takes the reply, Escape closes the list (and only the list). Whether the key was used. */
  private _onPickerKey(e: KeyboardEvent): boolean {
    const n = this._matches().length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (n) this._active = (Math.min(this._active, n - 1) + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
    } else if (e.key === 'Enter' && !e.shiftKey) {
      const reply = this._matches()[Math.min(this._active, n - 1)];
      if (!reply) return false;
      this._choose(reply);
    } else if (e.key === 'Escape') {
      this._picker = null;
      // The desk's shortcuts would also take Escape to leave the box.
      e.stopPropagation();
    } else return false;
    e.preventDefault();
    return true;
  }

  private _onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    this._send();
  };

  private _send(): void {
    const body = this._text.trim();
    if (!body || body.length > MAX_LENGTH) return;
    const internal = this._note || this.noteOnly;
    this.dispatchEvent(new CustomEvent('compose-send', { detail: { body, internal }, bubbles: true, composed: true }));
    this._text = '';
    this._drafts.delete(this.conversationId);
    this._draftChanged();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-composer': ConsoleComposer;
  }
}
customElements.define('console-composer', ConsoleComposer);
