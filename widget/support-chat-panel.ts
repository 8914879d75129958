/**
 * `<support-chat-panel>`: the chat itself, loaded on first open. It owns the visitor's connection (one
 * ChatClient and its ConnectionController) and shows the dialog: connection line, feedback notice, and three
 * modes, "ask a question", the past conversations and "leave feedback" (the last two load when first chosen).
 * @fires support-chat-close - the user asked to close (close button or Escape)
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { Identify, Locale } from '../shared/schemas.ts';
import type { FeedbackDTO } from '../shared/types.ts';
import { ChatClient } from './chat-client.ts';
import { ConnectionController } from './connection-controller.ts';
import { errorText, t, type Key } from './i18n.ts';
import { CROSS, icon } from './icons.ts';
import { base } from './styles.ts';
import './support-chat-conversation.ts';

type Mode = 'chat' | 'history' | 'feedback';
const MODES: Mode[] = ['chat', 'history', 'feedback'];

/** The server this code was served from: dist/public/widget/*.js → the public root. */
const SERVER = new URL('..', import.meta.url);

function storage(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

export class SupportChatPanel extends LitElement {
  static override properties = {
    site: {},
    locale: {},
    position: { reflect: true },
    identity: { attribute: false },
    link: { attribute: false },
    open: { type: Boolean },
    onBadge: { attribute: false },
    _mode: { state: true },
    _notice: { state: true },
  };

  // Page CSS cannot reach in here, but it can set what <support-chat> passes down: :host resets all of that.
  static override styles = [
    base,
    css`
      :host {
        all: initial;
        font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'PingFang SC', 'Microsoft YaHei', sans-serif;
        color: #1f2937;
      }
      section {
        position: fixed;
        right: 20px;
        bottom: 20px;
        display: flex;
        flex-direction: column;
        width: 380px;
        height: min(600px, 100vh - 40px);
        background: #fff;
        border-radius: 16px;
        box-shadow: 0 12px 48px rgb(15 23 42 / 0.22);
        overflow: hidden;
      }
      :host([position='left']) section {
        right: auto;
        left: 20px;
      }
      .head {
        display: flex;
        align-items: center;
        padding: 14px 12px 12px 18px;
        background: var(--sc-accent);
        color: var(--sc-on-accent);
      }
      h2 {
        margin: 0;
        font-size: 17px;
      }
      .head p {
        margin: 2px 0 0;
        font-size: 13px;
      }
      .close {
        margin-inline-start: auto;
        width: 36px;
        height: 36px;
        border: 0;
        border-radius: 50%;
        background: none;
      }
      [role='tablist'] {
        display: flex;
        border-bottom: 1px solid #e5e7eb;
      }
      [role='tab'] {
        flex: 1;
        padding: 10px 8px;
        border: 0;
        border-bottom: 2px solid transparent;
        background: none;
        color: #4b5563;
      }
      [aria-selected='true'] {
        border-bottom-color: var(--sc-accent);
        color: var(--sc-accent);
        font-weight: 600;
      }
      b {
        margin-inline-start: 6px;
        padding: 0 6px;
        border-radius: 9px;
        background: #dc2626;
        color: #fff;
        font-size: 12px;
      }
      [role='tabpanel'] {
        flex: 1;
        display: flex;
        flex-direction: column;
        min-height: 0;
      }
      support-chat-conversation,
      support-chat-history,
      support-chat-feedback {
        flex: 1;
        min-height: 0;
      }
      .status {
        margin: 0;
        padding: 5px 18px;
        font-size: 12px;
        color: #4b5563;
        background: #f9fafb;
      }
      .status::before {
        content: '● ';
        color: #d97706;
      }
      .online::before {
        color: #16a34a;
      }
      .error {
        color: #991b1b;
        background: #fef2f2;
      }
      .error::before {
        color: #dc2626;
      }
      .status button {
        border: 0;
        background: none;
        text-decoration: underline;
      }
      .notice {
        margin: 10px 12px 0;
        padding: 10px 12px;
        border-radius: 10px;
        background: #ecfdf5;
        border: 1px solid #a7f3d0;
      }
      .notice p {
        margin: 4px 0 8px;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      @media (max-width: 480px) {
        section {
          inset: 0 !important;
          width: 100%;
          height: 100%;
          border-radius: 0;
        }
      }
    `,
  ];

  declare site: string;
  declare locale: Locale;
  declare position: string;
  declare identity: Identify | undefined;
  /** A reply email's one-time link, for the first connection. */
  declare link: string | undefined;
  declare open: boolean;
  /** Told the launcher badge's count: replies that arrived while closed, plus processed feedback not seen yet. */
  declare onBadge: ((count: number) => void) | undefined;
  declare private _mode: Mode;
  /** Processed feedback shown in this visit's notice; it stays until dismissed, after being marked seen. */
  declare private _notice: FeedbackDTO[];
  private _client?: ChatClient;
  private _connection?: ConnectionController;
  private _unread = 0;
  private _lastIncoming: unknown = null;

  constructor() {
    super();
    this.site = '';
    this.locale = 'en';
    this.open = false;
    this._mode = 'chat';
    this._notice = [];
  }

  /** Moves focus into the panel: the message field in chat mode, the selected tab otherwise. */
  async focusFirst(): Promise<void> {
    await this.updateComplete;
    const conversation = this.renderRoot.querySelector('support-chat-conversation');
    conversation?.scrollToEnd();
    if (this._mode === 'chat') conversation?.focus();
    else this.renderRoot.querySelector<HTMLElement>('[aria-selected="true"]')?.focus();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this._client && this.site) {
      const client = new ChatClient({ site: this.site, locale: this.locale, server: SERVER, storage: storage(), link: this.link });
      client.addEventListener('change', this._onChange);
      this._client = client;
      this._connection = new ConnectionController(this, client.socket, client.refusal);
    }
    const client = this._client;
    if (!client) return;
    if (changed.has('identity') && this.identity) client.identify(this.identity);
    if (this.open) {
      this._unread = 0;
      // Read only what is on screen: the chat tab of an open panel on a visible page (the agent sees "Read").
      if (!document.hidden && this._mode === 'chat') client.read();
      // Feedback an agent processed since the last visit: show it now, then tell the server it was seen.
      const fresh = client.state.feedback.filter((f) => f.status === 'processed' && !f.seen);
      if (fresh.length) {
        this._notice = [...fresh, ...this._notice.filter((n) => !fresh.some((f) => f.id === n.id))];
        client.markFeedbackSeen(fresh.map((f) => f.id));
      }
    }
    const unseen = client.state.feedback.filter((f) => f.status === 'processed' && !f.seen).length;
    this.onBadge?.(this._unread + unseen);
  }

  override render() {
    const client = this._client;
    const connection = this._connection?.state;
    if (!client || !connection) return nothing;
    const { state } = client;
    const l = (key: Key) => t(this.locale, key);
    const blocked = connection.status === 'error';
    const tab = (mode: Mode, label: Key, badge = 0) => html`<button
      role="tab"
      id="tab-${mode}"
      aria-controls="panel-${mode}"
      aria-selected=${this._mode === mode}
      tabindex=${this._mode === mode ? 0 : -1}
      @click=${() => this._select(mode)}
    >
      ${l(label)}${badge ? html`<b aria-hidden="true">${badge}</b>` : nothing}
    </button>`;
    // The title bar is a div, not a <header>: inside a role="dialog" section a header is a banner
    // landmark, a second one beside the host page's own (axe landmark-no-duplicate-banner).
    return html`
      <section role="dialog" aria-labelledby="title" @keydown=${this._onKeydown}>
        <div class="head">
          <div>
            <h2 id="title">${l('title')}</h2>
            <p>${state.siteName ? `${state.siteName} · ` : ''}${l(state.agentsOnline ? 'agentsOnline' : 'agentsAway')}</p>
          </div>
          <button class="close" aria-label=${l('close')} @click=${this._close}>${icon(CROSS)}</button>
        </div>
        ${this._renderStatus(blocked)} ${this._renderNotice()}
        <div role="tablist" aria-label=${l('title')} @keydown=${this._onTabKey}>
          ${tab('chat', 'tabChat')} ${tab('history', 'tabHistory')} ${tab('feedback', 'tabFeedback', this._mode === 'feedback' ? 0 : this._notice.length)}
        </div>
        <div role="tabpanel" id="panel-chat" aria-labelledby="tab-chat" ?hidden=${this._mode !== 'chat'}>
          <support-chat-conversation .client=${client} .state=${state} .locale=${this.locale} ?disabled=${blocked}></support-chat-conversation>
        </div>
        <div role="tabpanel" id="panel-history" aria-labelledby="tab-history" ?hidden=${this._mode !== 'history'}>
          ${this._mode === 'history'
            ? html`<support-chat-history .client=${client} .locale=${this.locale} @support-chat-continue=${() => this._select('chat', true)}></support-chat-history>`
            : nothing}
        </div>
        <div role="tabpanel" id="panel-feedback" aria-labelledby="tab-feedback" ?hidden=${this._mode !== 'feedback'}>
          <support-chat-feedback .client=${client} .items=${state.feedback} .locale=${this.locale} ?disabled=${blocked}></support-chat-feedback>
        </div>
      </section>
    `;
  }

  private _renderStatus(blocked: boolean) {
    const { status, error } = this._connection!.state;
    // Connected, but the session is not there yet: still connecting.
    const shown = status === 'online' && !this._client!.state.ready ? 'connecting' : status;
    return html`<p class="status ${shown}" role="status">
      ${blocked ? errorText(this.locale, error) : t(this.locale, shown as Key)}
      ${status === 'error' ? html`<button @click=${() => this._connection?.retry()}>${t(this.locale, 'tryAgain')}</button>` : nothing}
    </p>`;
  }

  private _renderNotice() {
    const first = this._notice[0];
    if (!first) return nothing;
    const l = (key: Key, params?: Record<string, string>) => t(this.locale, key, params);
    return html`<div class="notice" role="status">
      <strong>${l('fbProcessedNotice')}</strong>
      ${first.note ? html`<p>${l('fbNote', { name: first.processedByName ?? l('agent') })} ${first.note}</p>` : nothing}
      <button class="chip" @click=${() => this._select('feedback')}>${l('fbView')}</button>
      <button class="chip" @click=${() => (this._notice = [])}>${l('dismiss')}</button>
    </div>`;
  }

  private _onChange = () => {
    const { incoming, replySound } = this._client!.state;
    if (incoming && incoming !== this._lastIncoming && !this.open) this._unread++;
    if (incoming && incoming !== this._lastIncoming && incoming.author === 'agent' && document.hidden) {
      // Loaded on the first reply to a hidden page: most visitors watch the chat.
      void import('./later.ts').then(({ chime, flagTitle }) => {
        flagTitle(this.locale);
        if (replySound) chime();
      });
    }
    this._lastIncoming = incoming;
    this.requestUpdate();
  };

  /** `focus`: then to the message field (continuing a conversation from the list). */
  private async _select(mode: Mode, focus = false): Promise<void> {
    this._mode = mode;
    if (mode === 'feedback') this._notice = [];
    // Loaded when first chosen: most visitors only ask.
    if (mode === 'history') void import('./support-chat-history.ts');
    if (mode === 'feedback') void import('./support-chat-feedback.ts');
    if (focus) await this.focusFirst();
  }

  /** Left and right arrows move between the tabs (the tablist pattern). */
  private async _onTabKey(event: KeyboardEvent): Promise<void> {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const next = MODES[(MODES.indexOf(this._mode) + (event.key === 'ArrowRight' ? 1 : 2)) % 3];
    event.preventDefault();
    this._select(next);
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#tab-${next}`)?.focus();
  }

  private _onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && !event.isComposing) this._close();
  }

  private _close(): void {
    this.dispatchEvent(new Event('support-chat-close', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat-panel': SupportChatPanel;
  }
}

if (!customElements.get('support-chat-panel')) customElements.define('support-chat-panel', SupportChatPanel);
