/**
 * `<support-chat-csat>`: after a ticket is resolved, "how did we do?": a 1–5 rating and an optional
 * comment (`csat:submit`), once per ticket (the server refuses a second), and skippable (remembered in
 * this browser). Once rated it says what was given. Separate from the FAQ's "this solved it".
 * Loaded when a resolved ticket is first shown and the site asks for ratings (sites.csat_enabled).
 */
import { LitElement, css, html, nothing } from 'lit';
import type { Locale } from '../shared/schemas.ts';
import type { ConversationDTO } from '../shared/types.ts';
import type { ChatClient } from './chat-client.ts';
import { icon, renderInPlace, skippedRatings, tm } from './later.ts';

const STAR = 'M12 2.2l3.1 6.2 6.8 1-5 4.8 1.2 6.8-6.1-3.2-6.1 3.2 1.2-6.8-5-4.8 6.8-1z';

export class SupportChatCsat extends LitElement {
  static override properties = {
    client: { attribute: false },
    conversation: { attribute: false },
    locale: {},
    _sent: { state: true },
    _busy: { state: true },
    _error: { state: true },
    _skipped: { state: true },
  };

  /** Added to the conversation's shadow root, where this renders (later.ts renderInPlace). */
  static sheet = css`
      support-chat-csat {
        display: block;
        width: 100%;
        padding: 12px;
        border: 1px solid #e5e7eb;
        border-radius: 12px;
        background: #f9fafb;
      }
      /* Not the conversation's composer form, whose shadow root this renders in. */
      support-chat-csat form {
        display: block;
        padding: 0;
        border: 0;
      }
      support-chat-csat fieldset {
        margin: 0;
        padding: 0;
        border: 0;
      }
      support-chat-csat legend {
        font-weight: 600;
      }
      support-chat-csat .scale {
        display: flex;
        gap: 6px;
        margin: 8px 0 2px;
      }
      support-chat-csat .scale label {
        position: relative;
        flex: 1;
      }
      support-chat-csat input[type='radio'] {
        position: absolute;
        opacity: 0;
      }
      support-chat-csat .scale span {
        display: block;
        padding: 6px 0;
        border: 1px solid #d1d5db;
        border-radius: 8px;
        background: #fff;
        text-align: center;
        cursor: pointer;
      }
      support-chat-csat input:checked + span {
        border-color: var(--sc-accent);
        background: var(--sc-accent);
        color: var(--sc-on-accent);
      }
      support-chat-csat input:focus-visible + span {
        outline: 2px solid var(--sc-accent);
        outline-offset: 2px;
      }
      support-chat-csat small {
        font-size: 12px;
        color: #4b5563;
      }
      support-chat-csat textarea {
        display: block;
        width: 100%;
        margin: 4px 0 8px;
        padding: 8px 10px;
        border: 1px solid #d1d5db;
        border-radius: 10px;
        resize: vertical;
      }
      support-chat-csat .comment {
        display: block;
        margin-top: 8px;
        font-size: 13px;
      }
      support-chat-csat p {
        margin: 0;
      }
    `;

  protected override createRenderRoot(): HTMLElement {
    return renderInPlace(this, SupportChatCsat.sheet);
  }

  declare client: ChatClient;
  declare conversation: ConversationDTO;
  declare locale: Locale;
  /** Rated from this element: then it thanks rather than restating the rating. */
  declare private _sent: boolean;
  declare private _busy: boolean;
  declare private _error: string;
  declare private _skipped: boolean;

  constructor() {
    super();
    this.locale = 'en';
    this._sent = this._busy = this._skipped = false;
    this._error = '';
  }

  override render() {
    const { csat, id } = this.conversation;
    const l = (key: Parameters<typeof tm>[1], params?: Record<string, number>) => tm(this.locale, key, params);
    if (csat) return html`<p role="status">${this._sent ? l('csatThanks') : l('csatGiven', { n: csat.rating })}</p>`;
    if (this._skipped || skippedRatings.get().includes(id)) return nothing;
    return html`<form @submit=${this._submit}>
      <fieldset>
        <legend>${l('csatTitle')}</legend>
        <div class="scale">
          ${[1, 2, 3, 4, 5].map(
            (n) => html`<label><input type="radio" name="rating" value=${n} required aria-label=${l('csatStar', { n })} /><span aria-hidden="true">${icon(STAR)} ${n}</span></label>`,
          )}
        </div>
        <small>${l('csatScale')}</small>
      </fieldset>
      <label class="comment" for="csat-comment">${l('csatComment')}</label>
      <textarea id="csat-comment" name="comment" rows="2" maxlength="1000"></textarea>
      <button class="primary" ?disabled=${this._busy}>${l('csatSend')}</button>
      <button type="button" class="chip" @click=${this._skip}>${l('csatSkip')}</button>
      <p role="alert">${this._error}</p>
    </form>`;
  }

  private async _submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const comment = String(data.get('comment') ?? '').trim();
    this._busy = true;
    this._error = '';
    const res = await this.client.request('csat:submit', { conversationId: this.conversation.id, rating: Number(data.get('rating')), ...(comment ? { comment } : {}) });
    this._busy = false;
    if (res.ok) {
      this._sent = true;
      // The push that follows may come first or not at all (another node, a reconnect): show it now.
      this.conversation = res.data.conversation;
    } else {
      this._error = tm(this.locale, 'actionFailed');
    }
  }

  private _skip(): void {
    skippedRatings.add(this.conversation.id);
    this._skipped = true;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat-csat': SupportChatCsat;
  }
}

if (!customElements.get('support-chat-csat')) customElements.define('support-chat-csat', SupportChatCsat);
