import { LitElement, css, html } from 'lit';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

/** The contract's limit for one message. */
const MAX_LENGTH = 4000;

/**
 * The reply box: Enter sends, Shift+Enter adds a line, and an IME composition (Chinese input)
 * is never cut short by its confirming Enter. Keeps a draft per conversation.
 * @fires compose-send - CustomEvent<{ body }> when the agent sends a reply
 */
export class ConsoleComposer extends LitElement {
  static override properties = {
    conversationId: { type: String },
    _text: { state: true },
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
    `,
  ];

  declare conversationId: string;
  declare _text: string;
  private readonly _drafts = new Map<string, string>();

  constructor() {
    super();
    this.conversationId = '';
    this._text = '';
    new StoreController(this, i18n);
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('conversationId')) {
      const previous = changed.get('conversationId') as string | undefined;
      if (previous) this._drafts.set(previous, this._text);
      this._text = this._drafts.get(this.conversationId) ?? '';
    }
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const over = this._text.trim().length - MAX_LENGTH;
    return html`<form @submit=${this._onSubmit}>
      <label for="reply">${t('composer.label')}</label>
      <textarea
        id="reply"
        aria-describedby="hint"
        .value=${this._text}
        @input=${this._onInput}
        @keydown=${this._onKeyDown}
      ></textarea>
      <button class="primary" type="submit" ?disabled=${!this._text.trim() || over > 0}>${t('composer.send')}</button>
      <p class="hint" id="hint">
        ${over > 0 ? html`<span class="over">${t('composer.tooLong', { n: over })}</span> · ` : ''}${t('composer.hint')}
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
  }

  private _onInput = (e: Event): void => {
    this._text = (e.target as HTMLTextAreaElement).value;
  };

  private _onKeyDown = (e: KeyboardEvent): void => {
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    this._send();
  };

  private _onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    this._send();
  };

  private _send(): void {
    const body = this._text.trim();
    if (!body || body.length > MAX_LENGTH) return;
    this.dispatchEvent(new CustomEvent('compose-send', { detail: { body }, bubbles: true, composed: true }));
    this._text = '';
    this._drafts.delete(this.conversationId);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-composer': ConsoleComposer;
  }
}
customElements.define('console-composer', ConsoleComposer);
