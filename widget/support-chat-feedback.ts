/**
 * `<support-chat-feedback>`: leave feedback (content required, contact optional) and follow it:
 * "My feedback" lists each item as received or processed, with the agent's note.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { Locale } from '../shared/schemas.ts';
import type { FeedbackDTO } from '../shared/types.ts';
import type { ChatClient } from './chat-client.ts';
import { reasonText, t, type Key } from './i18n.ts';
import { base } from './styles.ts';

export class SupportChatFeedback extends LitElement {
  static override properties = {
    client: { attribute: false },
    items: { attribute: false },
    locale: {},
    disabled: { type: Boolean },
    _sending: { state: true },
    _result: { state: true },
  };

  static override styles = [
    base,
    css`
      :host {
        padding: 14px 16px;
        overflow-y: auto;
      }
      form {
        display: grid;
        gap: 6px;
      }
      label {
        font-size: 13px;
        font-weight: 600;
      }
      textarea,
      input {
        padding: 9px 11px;
        border: 1px solid #d1d5db;
        border-radius: 10px;
      }
      textarea {
        min-height: 96px;
        resize: vertical;
      }
      .primary {
        justify-self: start;
      }
      p {
        margin: 0;
        font-size: 14px;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      h3 {
        margin: 22px 0 4px;
        font-size: 15px;
      }
      ul {
        padding: 0;
        list-style: none;
      }
      li {
        padding: 10px 0;
        border-top: 1px solid #f3f4f6;
      }
      small {
        font-size: 12px;
        color: #6b7280;
      }
      .processed {
        color: #166534;
        font-weight: 600;
      }
      .note {
        margin-top: 6px;
        padding: 8px 10px;
        border-inline-start: 3px solid var(--sc-accent);
        background: #f9fafb;
      }
    `,
  ];

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
    const l = (key: Key, params?: Record<string, string>) => t(this.locale, key, params);
    return html`
      <form @submit=${this._onSubmit}>
        <label for="content">${l('fbContent')}</label>
        <textarea id="content" name="content" required maxlength="4000" ?disabled=${this.disabled}></textarea>
        <label for="contact">${l('fbContact')}</label>
        <input id="contact" name="contact" maxlength="200" autocomplete="email" ?disabled=${this.disabled} />
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
    this._result = res.ok
      ? t(this.locale, 'fbThanks')
      : res.error
        ? t(this.locale, 'failed', { reason: reasonText(this.locale, res.error.code) })
        : t(this.locale, 'actionFailed');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat-feedback': SupportChatFeedback;
  }
}

if (!customElements.get('support-chat-feedback')) customElements.define('support-chat-feedback', SupportChatFeedback);
