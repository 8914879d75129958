/**
 * `<support-chat-history>`: every conversation of this visitor, newest first, with its status, date,
 * last message and new replies (`conversations:list`, a page at a time). A resolved one opens read-only
 * (its messages from `messages:sync`); the one still going continues in the chat. Loaded when the
 * visitor first opens the list.
 * @fires support-chat-continue - back to the chat, to continue or to ask something new
 */
import { LitElement, css, html, nothing } from 'lit';
import type { Locale } from '../shared/schemas.ts';
import type { ConversationSummaryDTO, MessageDTO } from '../shared/types.ts';
import type { ChatClient } from './chat-client.ts';
import { icon, renderInPlace, tm, type MoreKey } from './later.ts';
// <support-chat-conversation> is the panel's: defined before this module loads (importing it here would
// split it out of the panel's file into one more request).
import type {} from './support-chat-conversation.ts';

const ARROW_LEFT = 'M19 12H5m7-7-7 7 7 7';

/** The most messages one `messages:sync` answers with. */
const SYNC_PAGE = 500;

export class SupportChatHistory extends LitElement {
  static override properties = {
    client: { attribute: false },
    locale: {},
    _items: { state: true },
    _more: { state: true },
    _status: { state: true },
    _open: { state: true },
    _messages: { state: true },
  };

  /** Added to the panel's shadow root, where this renders (later.ts renderInPlace). */
  static sheet = css`
      support-chat-history {
        display: flex;
        flex-direction: column;
        min-height: 0;
      }
      support-chat-history .list {
        flex: 1;
        overflow-y: auto;
        padding: 8px 12px;
      }
      support-chat-history ul {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      support-chat-history .item {
        display: block;
        width: 100%;
        margin-bottom: 8px;
        padding: 10px 12px;
        border: 1px solid #e5e7eb;
        border-radius: 12px;
        background: #fff;
        text-align: start;
      }
      support-chat-history .item:hover {
        background: #f9fafb;
      }
      support-chat-history .top {
        display: flex;
        gap: 8px;
        font-size: 12px;
        color: #4b5563;
      }
      support-chat-history .top strong {
        color: #1f2937;
      }
      support-chat-history .top time {
        margin-inline-start: auto;
      }
      support-chat-history b {
        padding: 0 6px;
        border-radius: 9px;
        background: #dc2626;
        color: #fff;
        font-size: 12px;
      }
      support-chat-history .last {
        display: -webkit-box;
        -webkit-line-clamp: 2;
        -webkit-box-orient: vertical;
        overflow: hidden;
        overflow-wrap: anywhere;
        margin-top: 4px;
        font-size: 14px;
      }
      support-chat-history .bar {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        padding: 8px 12px;
        border-bottom: 1px solid #e5e7eb;
      }
      support-chat-history h3 {
        margin: 0;
        padding: 8px 14px 0;
        font-size: 13px;
        color: #4b5563;
      }
      support-chat-history support-chat-conversation {
        flex: 1;
        min-height: 0;
      }
      support-chat-history p {
        margin: 8px 0;
        font-size: 14px;
        color: #4b5563;
      }
    `;

  protected override createRenderRoot(): HTMLElement {
    return renderInPlace(this, SupportChatHistory.sheet);
  }

  declare client: ChatClient;
  declare locale: Locale;
  declare private _items: ConversationSummaryDTO[];
  declare private _more: boolean;
  declare private _status: 'loading' | 'done' | 'error';
  /** The past conversation being read, and its messages once loaded. */
  declare private _open: ConversationSummaryDTO | null;
  declare private _messages: MessageDTO[] | null;

  constructor() {
    super();
    this.locale = 'en';
    this._items = [];
    this._more = false;
    this._status = 'loading';
    this._open = null;
    this._messages = null;
  }

  // Not connectedCallback: an element upgraded after its properties were set gets them back only now.
  protected override firstUpdated(): void {
    void this._load();
  }

  private _l(key: MoreKey, params?: Record<string, string | number>): string {
    return tm(this.locale, key, params);
  }

  private _date(iso: string): string {
    return new Date(iso).toLocaleString(this.locale, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  }

  /** The first page again, or (`more`) the page after the last one shown. */
  private async _load(more = false): Promise<void> {
    this._status = 'loading';
    const last = more ? this._items.at(-1) : undefined;
    const res = await this.client.request('conversations:list', last ? { before: { createdAt: last.createdAt, id: last.id } } : {});
    if (!res.ok) return void (this._status = 'error');
    this._items = more ? [...this._items, ...res.data.items] : res.data.items;
    this._more = res.data.more;
    this._status = 'done';
  }

  private async _show(item: ConversationSummaryDTO): Promise<void> {
    // At most one conversation is still going, and the chat shows it.
    if (item.status !== 'resolved') return this._continue();
    this._open = item;
    this._messages = null;
    let messages: MessageDTO[] = [];
    for (let more = true; more; ) {
      const page = await this.client.request('messages:sync', { conversationId: item.id, afterSeq: (messages.at(-1)?.seq ?? 0) });
      if (!page.ok) return void (this._status = 'error');
      messages = [...messages, ...page.data];
      more = page.data.length >= SYNC_PAGE;
    }
    if (this._open !== item) return;
    this._messages = messages;
    if (item.unread) void this.client.request('conversation:read', { conversationId: item.id, seq: (messages.at(-1)?.seq ?? 0) });
    this._items = this._items.map((i) => (i === item ? { ...i, unread: 0 } : i));
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.bar button')?.focus();
  }

  private async _back(): Promise<void> {
    const id = this._open?.id;
    this._open = this._messages = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`[data-id="${id}"]`)?.focus();
  }

  private _continue(): void {
    this.dispatchEvent(new Event('support-chat-continue', { bubbles: true, composed: true }));
  }

  override render() {
    return this._open ? this._renderOne(this._open) : this._renderList();
  }

  private _renderOne(item: ConversationSummaryDTO) {
    const state = { ...this.client.state, conversation: null, messages: this._messages ?? [], outbox: [], ready: false };
    return html`<div class="bar">
        <button class="chip" @click=${this._back}>${icon(ARROW_LEFT)} ${this._l('back')}</button>
        <button class="chip" @click=${this._continue}>${this._l('askNew')}</button>
      </div>
      <h3>${this._l('startedOn', { date: this._date(item.createdAt) })} · ${this._l(`status_${item.status}`)}</h3>
      ${this._messages
        ? html`<support-chat-conversation readonly .client=${this.client} .state=${state} .locale=${this.locale}></support-chat-conversation>`
        : html`<p role="status">${this._l('loading')}</p>`}`;
  }

  private _renderList() {
    const status = this._status === 'loading' ? this._l('loading') : this._status === 'error' ? this._l('historyFailed') : this._items.length ? '' : this._l('historyEmpty');
    return html`<div class="list">
      <ul>
        ${this._items.map((item) => html`<li>${this._renderItem(item)}</li>`)}
      </ul>
      ${this._more && this._status === 'done' ? html`<button class="chip" @click=${() => this._load(true)}>${this._l('loadMore')}</button>` : nothing}
      <p role="status">${status}</p>
    </div>`;
  }

  private _renderItem(item: ConversationSummaryDTO) {
    const last = item.lastMessage;
    const line =
      last &&
      this._l('lastMessage', {
        who: last.author === 'visitor' ? this._l('you') : last.author === 'agent' ? last.authorName || this._l('agent') : this._l('bot'),
        text: last.kind === 'faq_suggestions' ? this._l('didYouMean') : last.kind === 'articles' ? this._l('articles') : last.body,
      });
    return html`<button class="item" data-id=${item.id} @click=${() => this._show(item)}>
      <span class="top">
        <strong>${this._l(`status_${item.status}`)}</strong>
        ${item.unread ? html`<b>${this._l('unreadN', { n: item.unread })}</b>` : nothing}
        <time datetime=${item.updatedAt}>${this._date(item.updatedAt)}</time>
      </span>
      ${line ? html`<span class="last">${line}</span>` : nothing}
    </button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat-history': SupportChatHistory;
  }
}

if (!customElements.get('support-chat-history')) customElements.define('support-chat-history', SupportChatHistory);
