/**
 * `<support-chat-email>`: the visitor's email address, to be answered by email (server/mail). Three forms:
 * - `prechat`: the site's pre-chat form (name and email, or email only), required before the first message;
 * - `offer`: optional, with the reason shown: nobody is online, the wait passed the site's first-response
 *   target, or the visitor asked for it; "Not now" hides it for this conversation;
 * - `transcript`: once the address is known, "Email me this conversation".
 * Visitors the site identified by its signature are never asked. Also says when a reply email's link was
 * refused (spent or expired), and asks before opening one that is another visitor's (masked address shown). Loaded by the conversation when the site or a link calls for it.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { Locale } from '../shared/schemas.ts';
import type { ChatClient, ChatState } from './chat-client.ts';
import { renderInPlace, tm, type MoreKey } from './later.ts';

type Mode = 'prechat' | 'offer' | 'transcript';
type Reason = 'offline' | 'slow' | 'asked';

/** The same rule as the contract's VisitorContact (z.email): a clear message before the server's. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class SupportChatEmail extends LitElement {
  static override properties = {
    client: { attribute: false },
    state: { attribute: false },
    prechat: { type: Boolean },
    locale: {},
    _asked: { state: true },
    _dismissed: { state: true },
    _busy: { state: true },
    _error: { state: true },
    _sent: { state: true },
  };

  /** Added to the conversation's shadow root, where this renders (later.ts renderInPlace). */
  static sheet = css`
    support-chat-email {
      display: block;
    }
    support-chat-email > * {
      margin: 0 12px 8px;
    }
    support-chat-email form,
    support-chat-email [role='group'] {
      padding: 10px 12px;
      border: 1px solid #e5e7eb;
      border-radius: 12px;
      background: #f9fafb;
      font-size: 14px;
    }
    support-chat-email p {
      margin: 0 0 6px;
    }
    support-chat-email small {
      display: block;
      margin-bottom: 6px;
      font-size: 12px;
      color: #4b5563;
    }
    support-chat-email label {
      display: block;
      margin-top: 6px;
      font-size: 13px;
    }
    support-chat-email input {
      display: block;
      width: 100%;
      box-sizing: border-box;
      margin: 2px 0 6px;
      padding: 8px 10px;
      border: 1px solid #d1d5db;
      border-radius: 10px;
    }
    support-chat-email .row {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
      align-items: center;
    }
    support-chat-email [role='alert'] {
      color: #b91c1c;
    }
  `;

  protected override createRenderRoot(): HTMLElement {
    return renderInPlace(this, SupportChatEmail.sheet);
  }

  declare client: ChatClient;
  declare state: ChatState;
  /** The site's pre-chat form still wants something (decided by the conversation, which hides its composer meanwhile). */
  declare prechat: boolean;
  declare locale: Locale;
  /** The visitor asked to be answered by email. */
  declare private _asked: boolean;
  /** The conversation whose offer the visitor put off ("Not now"). */
  declare private _dismissed: string | null;
  /** Shows the offer when the wait passes the site's first-response target. */
  private _timer?: ReturnType<typeof setTimeout>;
  declare private _busy: boolean;
  declare private _error: string;
  declare private _sent: boolean;

  constructor() {
    super();
    this.locale = 'en';
    this.prechat = this._asked = this._busy = this._sent = false;
    this._dismissed = null;
    this._error = '';
  }

  private _t(key: MoreKey, params?: Record<string, string>): string {
    return tm(this.locale, key, params);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this._timer);
  }

  /** A link's question comes first: it takes the focus from the composer (whose text would go to this browser's visitor). */
  override updated(changed: Map<string, unknown>): void {
    if (changed.has('state') && this.state.link === 'pending' && (changed.get('state') as ChatState | undefined)?.link !== 'pending') {
      this.querySelector<HTMLElement>('[role=group] .primary')?.focus();
    }
  }

  /**
   * What to show: the pre-chat form before the first message; else, with email on and the address
   * unknown, an offer while the visitor waits for a person and nobody is online or the wait passed the
   * site's first-response target, or when they ask; once the address is known, the transcript button.
   */
  private _mode(): { mode: Mode | 'ask'; reason?: Reason } | null {
    const { contact: c, conversation: conv, agentsOnline } = this.state;
    clearTimeout(this._timer);
    if (!c || c.signed) return null;
    if (this.prechat) return { mode: 'prechat' };
    if (!c.emailEnabled || !conv?.escalatedAt) return null;
    if (c.email) return { mode: 'transcript' };
    if (this._asked) return { mode: 'offer', reason: 'asked' };
    if (conv.firstResponseAt || conv.status === 'resolved') return null;
    const ask = { mode: 'ask' as const };
    if (this._dismissed === conv.id) return ask;
    if (!agentsOnline) return { mode: 'offer', reason: 'offline' };
    const left = Date.parse(conv.escalatedAt) + c.firstResponseTargetSec * 1000 - Date.now();
    if (left <= 0) return { mode: 'offer', reason: 'slow' };
    this._timer = setTimeout(() => this.requestUpdate(), Math.min(left + 500, 2 ** 31 - 1));
    return ask;
  }

  override render() {
    const { link, linkTo } = this.state;
    // Another visitor's link opens their conversation here only if the visitor says the address is theirs:
    // a link someone sent them would otherwise have them write where its sender reads.
    const refused =
      link === 'pending'
        ? html`<div role="group" aria-labelledby="link-ask">
            <p id="link-ask">${this._t('linkAsk', { email: linkTo ?? '' })}</p>
            <div class="row">
              <button class="primary" @click=${() => this.client.openLink(true)}>${this._t('linkOpen')}</button>
              <button class="chip" @click=${() => this.client.openLink(false)}>${this._t('linkNotMe')}</button>
            </div>
          </div>`
        : link === 'refused'
          ? html`<p role="status">${this._t('linkRefused')}</p>`
          : nothing;
    const shown = this._mode();
    if (!shown) return refused;
    if (shown.mode === 'ask') return html`${refused}<p><button class="chip" @click=${() => (this._asked = true)}>${this._t('emailAsk')}</button></p>`;
    if (shown.mode === 'transcript') return html`${refused}${this._renderTranscript()}`;
    const contact = this.state.contact!;
    const prechat = shown.mode === 'prechat';
    const nameRequired = prechat && contact.prechatForm === 'name_email';
    const intro = prechat ? 'emailPrechat' : shown.reason === 'offline' ? 'emailOffline' : shown.reason === 'slow' ? 'emailSlow' : 'emailAsk';
    return html`${refused}<form @submit=${this._save} novalidate aria-labelledby="email-intro">
      <p id="email-intro"><strong>${this._t(intro)}</strong></p>
      <small>${this._t('emailAskWhy')}</small>
      ${prechat
        ? html`<label for="contact-name">${this._t(nameRequired ? 'emailName' : 'emailNameOptional')}</label>
            <input id="contact-name" name="name" autocomplete="name" maxlength="200" ?required=${nameRequired} .value=${contact.name ?? ''} />`
        : nothing}
      <label for="contact-email">${this._t('emailAddress')}</label>
      <input id="contact-email" name="email" type="email" autocomplete="email" maxlength="320" required aria-describedby="contact-error" .value=${contact.email ?? ''} />
      <div class="row">
        <button class="primary" ?disabled=${this._busy}>${this._t(prechat ? 'emailStart' : 'emailSave')}</button>
        ${prechat ? nothing : html`<button type="button" class="chip" @click=${this._dismiss}>${this._t('emailNotNow')}</button>`}
      </div>
      <p id="contact-error" role="alert">${this._error}</p>
    </form>`;
  }

  private _renderTranscript() {
    const email = this.state.contact?.email ?? '';
    if (this._sent) return html`<p role="status">${this._t('emailTranscriptSent', { email })}</p>`;
    return html`<div>
      <small>${this._t('emailSaved', { email })}</small>
      <div class="row">
        <button class="chip" ?disabled=${this._busy} @click=${this._transcript}>${this._t('emailTranscript')}</button>
        <span role="alert">${this._error}</span>
      </div>
    </div>`;
  }

  private async _save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const email = String(data.get('email') ?? '').trim();
    const name = String(data.get('name') ?? '').trim();
    if (!EMAIL.test(email)) return void (this._error = this._t('emailInvalid'));
    if (this.prechat && this.state.contact?.prechatForm === 'name_email' && !name) {
      this.renderRoot.querySelector<HTMLInputElement>('#contact-name')?.focus();
      return;
    }
    this._busy = true;
    this._error = '';
    const res = await this.client.saveContact(name ? { email, name } : { email });
    this._busy = false;
    if (!res.ok) this._error = this._t(res.error?.code === 'INVALID_PAYLOAD' ? 'emailInvalid' : 'actionFailed');
  }

  private async _transcript(): Promise<void> {
    this._busy = true;
    this._error = '';
    const res = await this.client.request('transcript:email', { conversationId: this.state.conversation!.id });
    this._busy = false;
    if (res.ok) this._sent = true;
    else this._error = this._t('actionFailed');
  }

  private _dismiss(): void {
    this._asked = false;
    this._dismissed = this.state.conversation?.id ?? null;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat-email': SupportChatEmail;
  }
}

if (!customElements.get('support-chat-email')) customElements.define('support-chat-email', SupportChatEmail);
