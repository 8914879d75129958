import { LitElement, css, html, type TemplateResult } from 'lit';
import type { MessageDTO } from '../../shared/types.ts';
import type { OutgoingMessage } from '../shared/desk.ts';
import { formatFullTimestamp, formatRate, formatTimestamp, safeHttpUrl } from '../shared/format.ts';
// The widget's splitter: one rule for what becomes a link (http and https only) on both sides.
import { linkify } from '../../widget/linkify.ts';
import { i18n, type StringKey } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import './console-file.ts';

const AUTHOR: Record<MessageDTO['author'], StringKey> = {
  visitor: 'msg.visitor',
  agent: 'msg.agent',
  bot: 'msg.bot',
  system: 'msg.system',
};

/**
 * One message of a conversation, worded by kind. Everything a person typed is a text binding:
 * markup in a message shows as characters.
 * @fires message-retry - CustomEvent<{ clientId }> when the agent resends a failed message
 */
export class ConsoleMessage extends LitElement {
  static override properties = {
    message: { attribute: false },
    outgoing: { attribute: false },
    sent: { type: Boolean },
    read: { type: Boolean },
    agentName: { type: String },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: flex;
        margin: 0.4rem 0;
      }
      :host([data-side='right']) {
        justify-content: flex-end;
      }
      :host([data-side='center']) {
        justify-content: center;
      }
      article {
        max-width: min(40rem, 85%);
        padding: 0.45rem 0.7rem;
        border-radius: var(--sc-radius);
        background: var(--sc-visitor-bubble);
        border: 1px solid var(--sc-border);
      }
      .agent {
        background: var(--sc-agent-bubble);
      }
      .bot {
        background: var(--sc-bot-bubble);
      }
      .note {
        background: var(--sc-note-bg, #fff8db);
        border: 1px dashed var(--sc-note-border, #d4a017);
      }
      .note .tag {
        border-color: var(--sc-note-border, #d4a017);
        color: var(--sc-note-text, #7a5b00);
        font-weight: 600;
      }
      .notice {
        background: none;
        border: none;
        color: var(--sc-muted);
        font-size: 0.85rem;
        text-align: center;
        padding: 0.1rem 0.5rem;
      }
      header {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        font-size: 0.78rem;
        color: var(--sc-muted);
        margin-bottom: 0.15rem;
      }
      header strong {
        color: var(--sc-text);
      }
      .tag {
        font-size: 0.72rem;
        border: 1px solid var(--sc-border-strong);
        border-radius: 999px;
        padding: 0 0.4rem;
      }
      ul {
        margin: 0.3rem 0 0;
        padding-left: 1.2rem;
      }
      footer {
        margin-top: 0.25rem;
        font-size: 0.78rem;
        color: var(--sc-muted);
      }
      .failed {
        color: var(--sc-danger);
      }
    `,
  ];

  declare message: MessageDTO | null;
  /** An agent reply not yet acknowledged by the server. */
  declare outgoing: OutgoingMessage | null;
  /** This agent sent it from this page: show "sent". */
  declare sent: boolean;
  /** The last reply the visitor has read (conversations.visitor_read_seq): show "read by the visitor". */
  declare read: boolean;
  /** Shown on outgoing messages, which have no author from the server yet. */
  declare agentName: string;

  constructor() {
    super();
    this.message = null;
    this.outgoing = null;
    this.sent = this.read = false;
    this.agentName = '';
    new StoreController(this, i18n);
  }

  protected override willUpdate(): void {
    const m = this.message;
    const side = this.outgoing || m?.author === 'agent' ? 'right' : m?.kind === 'notice' ? 'center' : 'left';
    this.dataset.side = side;
  }

  override render() {
    if (this.outgoing) return this._renderOutgoing(this.outgoing);
    const m = this.message;
    if (!m) return html``;
    if (m.kind === 'notice') {
      const text = m.author === 'bot' ? i18n.t('common.labelled', { label: i18n.t('msg.autoReply'), value: this._noticeText(m) }) : this._noticeText(m);
      return html`<article class="notice">${text} · ${this._time(m.createdAt)}</article>`;
    }
    const t = i18n.t.bind(i18n);
    const name = m.author === 'agent' && m.authorName ? m.authorName : t(AUTHOR[m.author]);
    return html`<article class=${m.kind === 'note' ? 'note' : m.author}>
      <header>
        <strong>${name}</strong>
        ${m.kind === 'faq_answer' ? html`<span class="tag">${t('msg.autoAnswer')}</span>` : ''}
        ${m.kind === 'note' ? html`<span class="tag">${this._noteTag(m)}</span>` : ''}
        ${this._time(m.createdAt)}
      </header>
      ${m.kind === 'attachment' && m.meta.attachment
        ? html`<console-file .attachment=${m.meta.attachment}></console-file>`
        : html`<div class="user-text">${this._text(m.body)}</div>`}
      ${this._renderExtras(m)}
      ${this.read || this.sent ? html`<footer>${t(this.read ? 'msg.read' : 'msg.sent')}</footer>` : ''}
    </article>`;
  }

  private _renderExtras(m: MessageDTO): TemplateResult | string {
    const t = i18n.t.bind(i18n);
    if (m.kind === 'faq_answer') {
      const outcome = m.meta.outcome ? t(`msg.outcome.${m.meta.outcome}`) : t('msg.outcome.none');
      const confidence =
        typeof m.meta.confidence === 'number'
          ? ` · ${t('msg.confidence', { p: formatRate(m.meta.confidence, i18n.locale) })}`
          : '';
      return html`<footer>${outcome}${confidence}</footer>`;
    }
    if (m.kind === 'faq_suggestions' && m.meta.suggestions?.length) {
      return html`<footer>${t('msg.suggestions')}</footer>
        <ul>
          ${m.meta.suggestions.map((s) => html`<li>${s.question}</li>`)}
        </ul>`;
    }
    if (m.kind === 'articles' && m.meta.articles?.length) {
      return html`<footer>${t('msg.articles')}</footer>
        <ul>
          ${m.meta.articles.map((a) => html`<li>${this._link(a.url, a.title)}</li>`)}
        </ul>`;
    }
    return '';
  }

  private _renderOutgoing(o: OutgoingMessage): TemplateResult {
    const t = i18n.t.bind(i18n);
    const status =
      o.state === 'sending'
        ? html`<footer role="status">${t('msg.sending')}</footer>`
        : o.state === 'queued'
          ? html`<footer role="status">${t('msg.queued')}</footer>`
          : html`<footer class="failed" role="alert">
              ${t('msg.failed', { reason: o.error ? i18n.error(o.error) : '' })}
              <button type="button" class="link" @click=${this._onRetry}>${t('msg.retry')}</button>
            </footer>`;
    return html`<article class=${o.internal ? 'note' : 'agent'}>
      <header>
        <strong>${this.agentName || t('msg.agent')}</strong>${o.internal ? html`<span class="tag">${t('life.noteTag')}</span>` : ''}${this._time(o.createdAt)}
      </header>
      <div class="user-text">${this._text(o.body)}</div>
      ${status}
    </article>`;
  }

  /** A private note's label; a transfer's note says who handed it to whom. */
  private _noteTag(m: MessageDTO): string {
    const transfer = m.meta.transfer;
    if (!transfer) return i18n.t('life.noteTag');
    return `${i18n.t('life.noteTag')} · ${i18n.t('life.transferNoteTag', { from: transfer.fromName, to: transfer.toName ?? i18n.t('life.queueName') })}`;
  }

  private _noticeText(m: MessageDTO): string {
    const code = m.meta.notice;
    if (!code) return m.body;
    if (code === 'agent_joined') {
      const name = m.meta.agentName ?? m.authorName;
      return name ? i18n.t('notice.agent_joined', { name }) : i18n.t('notice.agent_joined_anon');
    }
    const key = `notice.${code}` as const;
    return i18n.has(key) ? i18n.t(key) : m.body;
  }

  private _time(iso: string): TemplateResult {
    return html`<time datetime=${iso} title=${formatFullTimestamp(iso, i18n.locale)}>${formatTimestamp(iso, i18n.locale)}</time>`;
  }

  /** A message's text with its http(s) links clickable, opened in a new tab without an opener. */
  private _text(body: string): TemplateResult[] {
    return linkify(body).map((part) =>
      part.href
        ? html`<a href=${part.href} target="_blank" rel="noopener noreferrer"
            >${part.text}<span class="visually-hidden"> ${i18n.t('common.opensNewTab')}</span></a
          >`
        : html`${part.text}`,
    );
  }

  private _link(url: string, title: string): TemplateResult {
    const href = safeHttpUrl(url);
    if (!href) return html`<span>${title || url}</span>`;
    return html`<a href=${href} target="_blank" rel="noopener noreferrer"
      >${title || url}<span class="visually-hidden"> ${i18n.t('common.opensNewTab')}</span></a
    >`;
  }

  private _onRetry = (): void => {
    if (!this.outgoing) return;
    this.dispatchEvent(
      new CustomEvent('message-retry', { detail: { clientId: this.outgoing.clientId }, bubbles: true, composed: true }),
    );
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-message': ConsoleMessage;
  }
}
customElements.define('console-message', ConsoleMessage);
