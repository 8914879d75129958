/**
 * `<support-chat-suggest>`: up to three FAQ entries that match what the visitor is typing, above the
 * composer. The draft is sent only to be matched (`faq:suggest`: nothing stored, nothing shown to
 * agents); choosing an entry (`faq:pick`) puts its answer in the conversation, with its outcome
 * buttons, and makes no ticket. Loaded when the visitor first types a few characters.
 * @fires support-chat-picked - an entry was chosen and its answer is in the conversation
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { Locale } from '../shared/schemas.ts';
import type { ChatClient } from './chat-client.ts';
import { renderInPlace, tm } from './later.ts';

type Suggestion = { entryId: string; question: string };

export class SupportChatSuggest extends LitElement {
  static override properties = {
    client: { attribute: false },
    text: {},
    locale: {},
    _items: { state: true },
    _failed: { state: true },
  };

  /** Added to the conversation's shadow root, where this renders (later.ts renderInPlace). */
  static sheet = css`
    support-chat-suggest {
      display: block;
      padding: 8px 12px 0;
      border-top: 1px solid #e5e7eb;
    }
    support-chat-suggest p {
      margin: 0 0 6px;
      font-size: 12px;
      color: #4b5563;
    }
    support-chat-suggest ul {
      display: grid;
      justify-items: start;
      gap: 6px;
      margin: 0;
      padding: 0;
      list-style: none;
    }
  `;

  protected override createRenderRoot(): HTMLElement {
    return renderInPlace(this, SupportChatSuggest.sheet);
  }

  declare client: ChatClient;
  declare text: string;
  declare locale: Locale;
  declare private _items: Suggestion[];
  declare private _failed: boolean;
  /** Answers to older drafts that come back late are dropped. */
  private _asked = 0;

  constructor() {
    super();
    this.text = '';
    this.locale = 'en';
    this._items = [];
    this._failed = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('text')) void this._ask();
  }

  private async _ask(): Promise<void> {
    const asked = ++this._asked;
    const res = await this.client.request('faq:suggest', { text: this.text.slice(0, 500) });
    if (asked === this._asked) this._items = res.ok ? res.data.suggestions : [];
  }

  private async _pick(entryId: string): Promise<void> {
    this._failed = false;
    const res = await this.client.request('faq:pick', { entryId });
    if (!res.ok) return void (this._failed = true);
    this._items = [];
    this.dispatchEvent(new Event('support-chat-picked', { bubbles: true, composed: true }));
  }

  override render() {
    if (!this._items.length) return nothing;
    return html`<div role="group" aria-labelledby="suggest-title">
      <p id="suggest-title">${tm(this.locale, 'suggestTitle')}</p>
      <ul>
        ${this._items.map((s) => html`<li><button class="chip" @click=${() => this._pick(s.entryId)}>${s.question}</button></li>`)}
      </ul>
      ${this._failed ? html`<p role="alert">${tm(this.locale, 'actionFailed')}</p>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat-suggest': SupportChatSuggest;
  }
}

if (!customElements.get('support-chat-suggest')) customElements.define('support-chat-suggest', SupportChatSuggest);
