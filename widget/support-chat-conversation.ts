/**
 * `<support-chat-conversation>`: the messages and the composer. Each message is shown once (keyed by id; a
 * pending one by its clientId until the server's copy replaces it), with FAQ answers, suggestions, articles
 * and notices. Everything people typed is rendered as text: lit text bindings, never HTML.
 * Enter sends, Shift+Enter starts a new line, and nothing is sent while an input method is composing.
 * `readonly`: a past conversation from the list, without composer or buttons. Loaded when first needed:
 * FAQ entries suggested while the visitor types (support-chat-suggest), the survey after a resolved
 * ticket (support-chat-csat), files being sent (support-chat-uploads: picked, pasted or dropped),
 * files in the conversation (support-chat-file) and the emoji picker (support-chat-emoji).
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import type { Locale } from '../shared/schemas.ts';
import type { MessageDTO } from '../shared/types.ts';
import type { ChatClient, ChatState } from './chat-client.ts';
import { noticeText, reasonText, t, when, type Key } from './i18n.ts';
import { icon, PAPERCLIP, SMILE } from './icons.ts';
import { linkify, safeHref } from './linkify.ts';
import { awaitsAnswer } from './messages.ts';
import type { OutboxItem } from './outbox.ts';
import { base } from './styles.ts';
import { prechatMissing } from './messages.ts';

/** The picker's filter for the default types (shared/attachments.ts), by extension: the list itself loads with the uploads. */
const DEFAULT_ACCEPT = 'image/png,image/jpeg,image/gif,image/webp,.pdf,.txt,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp';

type Entry = { key: string; message: MessageDTO } | { key: string; pending: OutboxItem };

export class SupportChatConversation extends LitElement {
  static override properties = {
    client: { attribute: false },
    state: { attribute: false },
    locale: {},
    disabled: { type: Boolean },
    readonly: { type: Boolean },
    _draft: { state: true },
    _busy: { state: true },
    _failed: { state: true },
    _uploads: { state: true },
    _emoji: { state: true },
  };

  static override styles = [
    base,
    css`
      :host {
        display: flex;
        flex-direction: column;
      }
      [role='log'] {
        flex: 1;
        padding: 14px 14px 0;
        overflow-y: auto;
      }
      ol {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      li {
        display: flex;
        flex-direction: column;
        align-items: flex-start;
        margin-bottom: 12px;
      }
      .mine {
        align-items: flex-end;
      }
      .notice {
        align-items: center;
        text-align: center;
        font-size: 13px;
        color: #6b7280;
      }
      .bubble {
        max-width: 85%;
        padding: 9px 13px;
        border-radius: 16px 16px 16px 4px;
        background: #f3f4f6;
        overflow-wrap: anywhere;
      }
      .text {
        white-space: pre-wrap;
      }
      .mine .bubble {
        border-radius: 16px 16px 4px 16px;
        background: var(--sc-accent);
        color: var(--sc-on-accent);
      }
      small {
        margin: 3px 4px 0;
        font-size: 12px;
        color: #6b7280;
      }
      .failed .bubble {
        background: #fee2e2;
        color: #7f1d1d;
      }
      .failed small {
        color: #b91c1c;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        margin-top: 8px;
      }
      .bubble ul {
        margin: 6px 0 0;
        padding-inline-start: 18px;
      }
      .choices {
        display: grid;
        justify-items: start;
        gap: 6px;
        list-style: none;
        padding: 0 !important;
      }
      .choices li {
        margin: 0;
      }
      form {
        display: flex;
        align-items: flex-end;
        gap: 8px;
        padding: 10px 12px 12px;
        border-top: 1px solid #e5e7eb;
      }
      textarea {
        flex: 1;
        min-height: 42px;
        max-height: 140px;
        padding: 10px 12px;
        border: 1px solid #d1d5db;
        border-radius: 12px;
        resize: none;
        field-sizing: content;
      }
      .primary {
        height: 42px;
      }
      .q {
        display: block;
      }
      .tool {
        height: 42px;
        width: 42px;
        border: 1px solid #d1d5db;
        border-radius: 10px;
        background: #fff;
      }
      :host > small {
        margin: 4px 16px 0;
      }
      :host(.dropping) [role='log'] {
        outline: 2px dashed var(--sc-accent);
        outline-offset: -6px;
      }
    `,
  ];

  declare client: ChatClient;
  declare state: ChatState;
  declare locale: Locale;
  declare disabled: boolean;
  declare readonly: boolean;
  /** What the visitor is typing, once it is long enough to match FAQ entries (debounced). */
  declare private _draft: string;
  private _typing?: ReturnType<typeof setTimeout>;
  /** Question ids with an FAQ response on its way. */
  declare private _busy: ReadonlySet<string>;
  /** The question id whose last response did not go through. */
  declare private _failed: string | null;
  /** Whether the uploads element is loaded and shown (from the first file picked, pasted or dropped). */
  declare private _uploads: boolean;
  /** Whether the emoji picker is open (loaded on the emoji button's first press). */
  declare private _emoji: boolean;
  /** Whether the list was scrolled to its end before this update: then it follows new messages. */
  private _atEnd = true;

  constructor() {
    super();
    this.locale = 'en';
    this.disabled = this.readonly = false;
    this._draft = '';
    this._busy = new Set();
    this._failed = null;
    this._uploads = this._emoji = false;
    this.addEventListener('dragover', (e) => this._canAttach() && e.dataTransfer?.types.includes('Files') && (e.preventDefault(), this.classList.add('dropping')));
    this.addEventListener('dragleave', () => this.classList.remove('dropping'));
    this.addEventListener('drop', (e) => {
      this.classList.remove('dropping');
      if (!this._canAttach() || !e.dataTransfer?.files.length) return;
      e.preventDefault();
      void this._attach([...e.dataTransfer.files]);
    });
  }

  /** Moves focus to the message field. */
  override focus(): void {
    this.renderRoot.querySelector<HTMLTextAreaElement>('#message')?.focus();
  }

  /** Shows the newest message. */
  scrollToEnd(): void {
    const log = this.renderRoot.querySelector('[role=log]');
    if (log) log.scrollTop = log.scrollHeight;
  }

  override render() {
    const { messages, outbox, ready, conversation: c, csatEnabled } = this.state;
    // The survey follows a resolved ticket (not an FAQ-only conversation); it loads on first need.
    const survey = !this.readonly && csatEnabled && c?.status === 'resolved' && c.escalatedAt;
    if (survey) void import('./support-chat-csat.ts');
    // Email (server/mail): the pre-chat form, the offer to answer by email, the transcript; loaded when the site
    // or a reply email's link (refused, or another visitor's to open) calls for it. The form comes before the composer.
    const contact = this.state.contact;
    const email = !this.readonly && ((contact && !contact.signed && (contact.emailEnabled || contact.prechatForm !== 'off')) || this.state.link === 'refused' || this.state.link === 'pending');
    const prechat = email && prechatMissing(contact);
    if (email) void import('./support-chat-email.ts');
    if (messages.some((m) => m.kind === 'attachment')) void import('./support-chat-file.ts');
    const attach = this._canAttach();
    const entries: Entry[] = [
      ...messages.map((message) => ({ key: message.id, message })),
      ...outbox.map((pending) => ({ key: pending.clientId, pending })),
    ];
    // A log is a polite live region: what others write is read out as it arrives. History loading on a
    // (re)connect stays quiet (off until the session is ready), and so do the visitor's own messages.
    // Focusable, so that the keyboard can scroll it.
    return html`<div role="log" tabindex="0" aria-label=${this._t('messages')} aria-live=${ready ? 'polite' : 'off'}>
        <ol>
          ${entries.length ? nothing : html`<li class="notice">${this._t('notice_greeting')}</li>`}
          ${entries.map((e) => keyed(e.key, 'pending' in e ? this._pending(e.pending) : this._message(e.message)))}
          ${survey ? html`<li><support-chat-csat .client=${this.client} .conversation=${c} .locale=${this.locale}></support-chat-csat></li>` : nothing}
        </ol>
      </div>
      <small aria-live="polite">${c && this.state.typing === c.id ? this._t('typing') : this._queue()}</small>
      ${email ? html`<support-chat-email .client=${this.client} .state=${this.state} .prechat=${prechat} .locale=${this.locale}></support-chat-email>` : nothing}
      ${this._draft && !this.disabled && !prechat
        ? html`<support-chat-suggest .client=${this.client} .text=${this._draft} .locale=${this.locale} @support-chat-picked=${this._onPicked}></support-chat-suggest>`
        : nothing}
      ${this._uploads && !this.readonly ? html`<support-chat-uploads .client=${this.client} .locale=${this.locale}></support-chat-uploads>` : nothing}
      ${this._emoji && !this.disabled ? html`<support-chat-emoji .locale=${this.locale} @support-chat-emoji=${this._onEmoji}></support-chat-emoji>` : nothing}
      <form @submit=${this._send} ?hidden=${this.readonly || prechat}>
        ${attach
          ? html`<input id="file" type="file" multiple hidden accept=${this.state.attachments!.types?.join(',') ?? DEFAULT_ACCEPT} @change=${this._onFiles} />
              <button type="button" class="tool" aria-label=${this._t('attach')} title=${this._t('attach')} ?disabled=${this.disabled} @click=${this._pick}>${icon(PAPERCLIP)}</button>`
          : nothing}
        <button type="button" id="emoji" class="tool" aria-label=${this._t('emoji')} title=${this._t('emoji')} aria-haspopup="dialog" aria-expanded=${this._emoji} ?disabled=${this.disabled} @click=${this._toggleEmoji}>${icon(SMILE)}</button>
        <label class="sr" for="message">${this._t('message')}</label>
        <textarea id="message" rows="1" maxlength="4000" placeholder=${this._t('placeholder')} ?disabled=${this.disabled} @keydown=${this._onKey} @input=${this._onInput} @paste=${this._onPaste}></textarea>
        <button class="primary" ?disabled=${this.disabled}>${this._t('send')}</button>
      </form>`;
  }

  private async _toggleEmoji(): Promise<void> {
    await import('./support-chat-emoji.ts');
    this._emoji = !this._emoji;
  }

  /** An emoji replaces the selection in the field, where typing goes on; Escape goes back to the button; focus gone elsewhere stays there. */
  private _onEmoji({ detail }: CustomEvent<string | null>): void {
    this._emoji = false;
    const field = this.renderRoot.querySelector<HTMLTextAreaElement>('#message')!;
    if (detail === null) return this.renderRoot.querySelector<HTMLElement>('#emoji')!.focus();
    if (!detail) return; // the focus went to another control, which keeps it
    field.setRangeText(detail, field.selectionStart, field.selectionEnd, 'end');
    field.focus();
    field.dispatchEvent(new Event('input'));
  }

  /** Whether files can be sent here: a server that takes them, a live conversation. */
  private _canAttach(): boolean {
    return Boolean(this.state.attachments) && !this.readonly && !this.disabled;
  }

  private _pick(): void {
    this.renderRoot.querySelector<HTMLInputElement>('#file')?.click();
  }

  private _onFiles(event: Event): void {
    const input = event.target as HTMLInputElement;
    void this._attach([...(input.files ?? [])]);
    input.value = '';
  }

  /** A pasted screenshot or file is sent; pasted text stays text. */
  private _onPaste(event: ClipboardEvent): void {
    const files = [...(event.clipboardData?.files ?? [])];
    if (!files.length || !this._canAttach()) return;
    event.preventDefault();
    void this._attach(files);
  }

  /** Loads the uploads element on first use, then hands it the files. */
  private async _attach(files: File[]): Promise<void> {
    if (!files.length) return;
    await import('./support-chat-uploads.ts');
    this._uploads = true;
    await this.updateComplete;
    this.renderRoot.querySelector('support-chat-uploads')?.add(files);
  }

  private _onKey(event: KeyboardEvent): void {
    // keyCode 229: the key went to an input method (Safari reports isComposing false on the final Enter).
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) this._send(event);
  }

  /** Queues the message (the outbox delivers it) and empties the field; the field's maxlength keeps it within the contract. */
  private _send(event: Event): void {
    event.preventDefault();
    const field = this.renderRoot.querySelector<HTMLTextAreaElement>('#message')!;
    const body = field.value.trim();
    if (!body || this.disabled) return;
    this.client.send(body);
    this.client.typing(false);
    clearTimeout(this._typing);
    field.value = this._draft = '';
  }

  /** Matching waits for a pause in typing and about four characters. */
  private _onInput(event: Event): void {
    const text = (event.target as HTMLTextAreaElement).value.trim();
    this.client.typing(!!text);
    clearTimeout(this._typing);
    this._typing = setTimeout(() => {
      this._draft = text.length >= 4 ? text : '';
      if (this._draft) void import('./support-chat-suggest.ts');
    }, 300);
  }

  /** A suggested answer was chosen: it answers the draft, which goes. */
  private _onPicked(): void {
    this.client.typing(false);
    clearTimeout(this._typing);
    this.renderRoot.querySelector<HTMLTextAreaElement>('#message')!.value = this._draft = '';
    this.focus();
  }

  protected override willUpdate(): void {
    const log = this.renderRoot.querySelector('[role=log]');
    this._atEnd = !log || log.scrollHeight - log.scrollTop - log.clientHeight < 60;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Follow the conversation, unless the visitor scrolled up to read; their own new message always shows.
    if (this._atEnd || this.state.outbox.length > (changed.get('state')?.outbox.length ?? 0)) this.scrollToEnd();
  }

  /**
   * The visitor's place while their ticket waits for a person and someone is online (when nobody is,
   * the notice and the email offer say so instead): said once, as the text only changes with the place.
   */
  private _queue() {
    const { conversation: c, queue: q, agentsOnline } = this.state;
    if (!agentsOnline || q?.conversationId !== c?.id || c?.status !== 'open' || c.assignedAgentId) return nothing;
    const sec = q!.estimatedWaitSec;
    return this._t('queue', { n: `${q!.position}` }) + (sec === null ? '' : sec < 60 ? this._t('queueSoon') : this._t('queueWait', { m: `${Math.round(sec / 60)}` }));
  }

  private _t(key: Key, params?: Record<string, string>): string {
    return t(this.locale, key, params);
  }

  /** Whether an agent has read this message (conversations.agent_read_seq): its receipt says "Read". */
  private _read({ conversationId, seq }: MessageDTO): boolean {
    const c = this.state.conversation;
    return c?.id === conversationId && seq <= c.agentReadSeq!;
  }

  private _author(message: MessageDTO): string {
    if (message.author === 'agent') return message.authorName || this._t('agent');
    return this._t(message.author === 'visitor' ? 'you' : 'bot');
  }

  private _message(message: MessageDTO) {
    const { kind, author, meta, body } = message;
    if (kind === 'notice') return html`<li class="notice">${noticeText(this.locale, meta.notice, body, meta.agentName ?? message.authorName)}</li>`;
    const mine = author === 'visitor';
    const open = !this.readonly && awaitsAnswer(message, this.state.messages);
    const busy = this._busy.has(meta.questionId ?? '');
    let content;
    if (kind === 'faq_suggestions') {
      content = html`${this._t('didYouMean')}<ul class="choices">${meta.suggestions?.slice(0, 3).map((s) =>
        open ? html`<li><button class="chip" ?disabled=${busy} @click=${() => this._act(message, () => this.client.choose(meta.questionId!, s.entryId))}>${s.question}</button></li>` : html`<li>${s.question}</li>`,
      )}</ul>`;
    } else if (kind === 'articles') {
      content = html`${this._t('articles')}<ul>${meta.articles?.map((a) => {
        const href = safeHref(a.url);
        return href ? html`<li><a href=${href} target="_blank" rel="noopener noreferrer">${a.title}<span class="sr"> ${this._t('newTab')}</span></a></li>` : nothing;
      })}</ul>`;
    } else if (kind === 'attachment' && meta.attachment) {
      content = html`<support-chat-file .client=${this.client} .attachment=${meta.attachment} .locale=${this.locale}></support-chat-file>`;
    } else {
      content = mine ? body : html`${meta.question ? html`<b class="q">${meta.question}</b>` : nothing}${linkify(body).map((p) => (p.href ? html`<a href=${p.href} target="_blank" rel="noopener noreferrer">${p.text}</a>` : p.text))}`;
    }
    const actions =
      open && meta.questionId && (kind === 'faq_answer' || kind === 'faq_suggestions')
        ? html`<div class="actions">
            ${kind === 'faq_answer' ? html`<button class="chip" ?disabled=${busy} @click=${() => this._respond(message, 'solved')}>${this._t('solved')}</button>` : nothing}
            <button class="chip" ?disabled=${busy} @click=${() => this._respond(message, 'human')}>${this._t(kind === 'faq_answer' ? 'human' : 'noneHuman')}</button>
          </div>`
        : nothing;
    return html`<li class=${mine ? 'mine' : ''} aria-live=${mine ? 'off' : nothing}>
      <small>${this._author(message)} · <time datetime=${message.createdAt}>${when(message.createdAt, this.locale)}</time></small>
      <div class="bubble ${kind === 'text' || kind === 'faq_answer' ? 'text' : ''}">${content}</div>
      ${actions} ${this._failed === meta.questionId ? html`<small role="alert">${this._t('actionFailed')}</small>` : nothing}
      ${mine ? html`<small>${this._t(this._read(message) ? 'read' : 'sent')}</small>` : nothing}
    </li>`;
  }

  private _pending(item: OutboxItem) {
    const failed = item.status === 'failed';
    const status = failed ? this._t('failed', { reason: reasonText(this.locale, item.error) }) : this._t(item.attempts ? 'retrying' : 'sending');
    return html`<li class="mine ${failed ? 'failed' : ''}" aria-live="off">
      <div class="bubble text">${item.body}</div>
      <small role=${failed ? 'alert' : nothing}>${status}</small>
      ${failed
        ? html`<div class="actions">
            <button class="chip" @click=${() => this.client.retry(item.clientId)}>${this._t('retry')}</button>
            <button class="chip" @click=${() => this.client.discard(item.clientId)}>${this._t('discard')}</button>
          </div>`
        : nothing}
    </li>`;
  }

  private _respond(message: MessageDTO, action: 'solved' | 'human'): void {
    this._act(message, () => this.client.respond(message.meta.questionId!, action));
  }

  /** Disables a prompt's buttons while the answer travels; says so if it did not arrive. */
  private async _act({ meta }: MessageDTO, request: () => Promise<boolean>): Promise<void> {
    const id = meta.questionId!;
    this._busy = new Set([...this._busy, id]);
    this._failed = null;
    const ok = await request();
    this._busy = new Set([...this._busy].filter((b) => b !== id));
    if (!ok) this._failed = id;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat-conversation': SupportChatConversation;
  }
}

if (!customElements.get('support-chat-conversation')) customElements.define('support-chat-conversation', SupportChatConversation);
