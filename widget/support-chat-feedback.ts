/**
 * `<support-chat-feedback>`: leave feedback (content required, contact optional) and follow it:
 * "My feedback" lists each item as received or processed, with the agent's note. Loaded when the
 * visitor first chooses the feedback tab (or the notice that a feedback was processed).
 */
import { LitElement, css, html, nothing } from 'lit';
import type { Locale } from '../shared/schemas.ts';
import type { FeedbackDTO } from '../shared/types.ts';
import type { ChatClient } from './chat-client.ts';
import { renderInPlace, tm, type MoreKey } from './later.ts';

export class SupportChatFeedback extends LitElement {
  static override properties = {
    client: { attribute: false },
    items: { attribute: false },
    locale: {},
    disabled: { type: Boolean },
    _sending: { state: true },
    _result: { state: true },
  };

  /** Added to the panel's shadow root, where this renders (later.ts renderInPlace). */
  static sheet = css`
      support-chat-feedback {
        display: block;
        padding: 14px 16px;
        overflow-y: auto;
      }
      support-chat-feedback form {
        display: grid;
        gap: 6px;
      }
      support-chat-feedback label {
        font-size: 13px;
        font-weight: 600;
      }
      textarea,
      support-chat-feedback input {
        padding: 9px 11px;
        border: 1px solid #d1d5db;
        border-radius: 10px;
      }
      support-chat-feedback textarea {
        min-height: 96px;
        resize: vertical;
      }
      support-chat-feedback .primary {
        justify-self: start;
      }
      support-chat-feedback p {
        margin: 0;
        font-size: 14px;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      support-chat-feedback h3 {
        margin: 22px 0 4px;
        font-size: 15px;
      }
      support-chat-feedback ul {
        padding: 0;
        list-style: none;
      }
      support-chat-feedback li {
        padding: 10px 0;
        border-top: 1px solid #f3f4f6;
      }
      support-chat-feedback small {
        font-size: 12px;
        color: #6b7280;
      }
      support-chat-feedback .processed {
        color: #166534;
        font-weight: 600;
      }
      support-chat-feedback .note {
        margin-top: 6px;
        padding: 8px 10px;
        border-inline-start: 3px solid var(--sc-accent);
        background: #f9fafb;
      }
    `;

  protected override createRenderRoot(): HTMLElement {
    return renderInPlace(this, SupportChatFeedback.sheet);
  }

  declare client: ChatClient;
  declare items: FeedbackDTO[];
  declare locale: Locale;
  declare disabled: boolean;
  declare private _sending: boolean;
  /** What the last submission came to, in words. */
  declare private _result: string;

  constructor() {
    super();
    this.items = [];
    this.locale = 'en';
    this.disabled = this._sending = false;
    this._result = '';
  }

  override render() {
    const l = (key: MoreKey, params?: Record<string, string>) => tm(this.locale, key, params);
    return html`
      <form @submit=${this._onSubmit}>
        <label for="fb-content">${l('fbContent')}</label>
        <textarea id="fb-content" name="content" required maxlength="4000" ?disabled=${this.disabled}></textarea>
        <label for="fb-contact">${l('fbContact')}</label>
        <input id="fb-contact" name="contact" maxlength="200" autocomplete="email" ?disabled=${this.disabled} />
        <button class="primary" ?disabled=${this.disabled || this._sending}>${l('fbSubmit')}</button>
        <p role="status">${this._result}</p>
      </form>
      <h3>${l('fbMine')}</h3>
      ${this.items.length
        ? html`<ul>
            ${this.items.map(
              (item) => html`<li>
                <p>${item.content}</p>
                <small class=${item.status}>${l(item.status === 'processed' ? 'fbProcessed' : 'fbReceived')}</small>
                ${item.status === 'processed' && item.note
                  ? html`<p class="note">${l('fbNote', { name: item.processedByName ?? l('agent') })} ${item.note}</p>`
                  : nothing}
              </li>`,
            )}
          </ul>`
        : html`<p>${l('fbNone')}</p>`}
    `;
  }

  private async _onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const content = String(data.get('content')).trim();
    const contact = String(data.get('contact')).trim() || undefined;
    if (!content || this._sending) return;
    this._sending = true;
    const res = await this.client.submitFeedback({ content, contact });
    this._sending = false;
    if (res.ok) form.reset();
    this._result = tm(this.locale, res.ok ? 'fbThanks' : 'fbFailed');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat-feedback': SupportChatFeedback;
  }
}

if (!customElements.get('support-chat-feedback')) customElements.define('support-chat-feedback', SupportChatFeedback);
