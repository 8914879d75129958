import { LitElement, css, html, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { SiteDTO } from '../../shared/http.ts';
import type { AgentDTO, ConversationDTO, FaqEntryDTO } from '../../shared/types.ts';
import { api, type ClientError } from '../shared/api.ts';
import { isErased, type Desk } from '../shared/desk.ts';
import { formatFullTimestamp, formatTimestamp } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import { labelStore } from '../shared/labels.ts';
import type { ConsoleComposer } from './console-composer.ts';
import './console-composer.ts';
import './console-attach.ts';
import type { ConsoleFaqAssist } from './console-faq-assist.ts';
import './console-faq-assist.ts';
import './console-message.ts';
import './console-csat.ts';
import './console-ticket-actions.ts';
import './console-visitor-panel.ts';

/** The reply box (the other composer, shown to agents who may not reply, takes notes only). */
const REPLY_BOX = 'console-composer:not([noteonly])';

/**
 * The open conversation: who and where the visitor is, the messages as they arrive, and what
 * the agent can do next (claim, reply, resolve, turn the answer into an FAQ entry).
 * @fires faq-created - CustomEvent<FaqEntryDTO> after "Turn into FAQ" created an entry
 */
export class ConsoleConversation extends LitElement {
  static override properties = {
    desk: { attribute: false },
    agent: { attribute: false },
    sites: { attribute: false },
    _toFaqBusy: { state: true },
    _toFaqError: { state: true },
    _labelError: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        min-height: 0;
        min-width: 0;
        container-type: inline-size;
      }
      .with-panel {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(12rem, 16rem);
        gap: 0.75rem;
        height: 100%;
      }
      console-visitor-panel {
        min-height: 0;
        overflow: auto;
        border-left: 1px solid var(--sc-border);
        padding-left: 0.75rem;
      }
      /* Too narrow for two columns: the visitor goes under the conversation. */
      @container (max-width: 40rem) {
        .with-panel {
          grid-template-columns: minmax(0, 1fr);
          height: auto;
        }
        console-visitor-panel {
          border-left: none;
          border-top: 1px solid var(--sc-border);
          padding: 0.75rem 0 0;
        }
        .pane {
          height: auto;
          overflow: visible;
        }
        .log {
          max-height: 70vh;
        }
      }
      .pane {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        height: 100%;
        overflow: hidden;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        gap: 0.5rem;
      }
      .head h2 {
        overflow-wrap: anywhere;
        flex: 1 1 16rem;
      }
      dl {
        display: flex;
        flex-wrap: wrap;
        gap: 0.2rem 1.25rem;
        margin: 0;
        font-size: 0.85rem;
      }
      dl > div {
        display: flex;
        gap: 0.4rem;
        min-width: 0;
      }
      dt {
        color: var(--sc-muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      .log {
        flex: 1 1 auto;
        min-height: 12rem;
        overflow: auto;
        border-top: 1px solid var(--sc-border);
        border-bottom: 1px solid var(--sc-border);
        padding: 0.25rem 0.25rem;
        margin: 0;
      }
      /* A list inside the log (role=log on the list itself would leave its items without a list). */
      .entries {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .hint,
      .typing {
        color: var(--sc-muted);
        margin: 0;
      }
      .typing {
        min-height: 1.2em;
        font-size: 0.85rem;
      }
      .labels {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem;
        align-items: center;
      }
      .chip {
        display: inline-flex;
        align-items: center;
        gap: 0.2rem;
        padding: 0 0.2rem 0 0.45rem;
        border-radius: 999px;
        border: 1px solid var(--chip, var(--sc-border));
        font-size: 0.8rem;
      }
      .chip::before {
        content: '';
        width: 0.55rem;
        height: 0.55rem;
        border-radius: 50%;
        background: var(--chip, var(--sc-muted));
      }
      .chip button {
        padding: 0 0.3rem;
        min-height: 0;
        border: 0;
        background: none;
      }
      .labels select {
        font-size: 0.8rem;
      }
      @media (max-width: 820px) {
        .pane {
          height: auto;
          overflow: visible;
        }
        .log {
          max-height: 70vh;
        }
      }
    `,
  ];

  declare desk: Desk | null;
  declare agent: AgentDTO | null;
  declare sites: SiteDTO[];
  declare _toFaqBusy: boolean;
  declare _toFaqError: ClientError | null;
  declare _labelError: ClientError | null;

  /** Whether the log was scrolled to the end before this render: then keep following it. */
  private _stickToBottom = true;
  private _shownId: string | null = null;
  private _composerShown = false;

  constructor() {
    super();
    this.desk = null;
    this.agent = null;
    this.sites = [];
    this._toFaqBusy = false;
    this._toFaqError = null;
    this._labelError = null;
    new StoreController(this, i18n, () => this.desk, labelStore);
    void labelStore.load();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const desk = this.desk;
    if (!desk) return html``;
    const c = desk.current;
    if (!c) {
      return html`<section class="pane" aria-label=${t('conv.details')}>
        ${desk.openingId
          ? html`<p class="muted" role="status">${t('common.loading')}</p>`
          : desk.actionError
            ? html`<p class="error" role="alert">${i18n.error(desk.actionError)}</p>`
            : html`<p class="hint">${t('conv.placeholder')}</p>`}
      </section>`;
    }
    return html`<div class="with-panel">${this._renderPane(c)}
      <console-visitor-panel .conversation=${c}></console-visitor-panel>
    </div>`;
  }

  private _renderPane(c: ConversationDTO): TemplateResult {
    const t = i18n.t.bind(i18n);
    const desk = this.desk!;
    // The receipt goes under the last reply the visitor has read (not a note, which they never see).
    const lastRead = desk.messages.findLast((m) => m.author === 'agent' && m.kind !== 'note' && m.seq <= (c.visitorReadSeq ?? 0))?.id;
    return html`<section class="pane" aria-labelledby="conv-h">
      <div class="head">
        <h2 id="conv-h">${c.question ?? c.visitorName ?? t('queue.anonymous')}</h2>
        <div class="row">${this._renderActions(c)}</div>
      </div>
      ${this._renderDetails(c)}
      ${desk.actionError ? html`<p class="error" role="alert">${i18n.error(desk.actionError)}</p>` : ''}
      ${this._toFaqError ? html`<p class="error" role="alert">${i18n.error(this._toFaqError)}</p>` : ''}
      <div class="log" role="log" aria-label=${t('conv.messages')} @scroll=${this._onScroll} @message-retry=${this._onRetry}>
        <ol class="entries">
        ${desk.messages.length === 0 && desk.pending.length === 0
          ? html`<li class="hint">${t(isErased(c, desk.messages) ? 'conv.erased' : 'conv.noMessages')}</li>`
          : ''}
        ${desk.messages.map(
          (m) =>
            html`<li>
              <console-message .message=${m} ?sent=${!!m.clientId && desk.sentClientIds.has(m.clientId)} ?read=${m.id === lastRead}></console-message>
            </li>`,
        )}
        ${desk.pending.map((o) => html`<li><console-message .outgoing=${o} agentName=${this.agent?.name ?? ''}></console-message></li>`)}
        </ol>
      </div>
      <p class="typing" aria-live="polite">${desk.visitorTyping === c.id ? t('conv.visitorTyping') : ''}</p>
      <console-faq-assist
        conversationId=${c.id}
        .questionMessageId=${desk.messages.findLast((m) => m.author === 'visitor' && m.kind === 'text')?.id ?? null}
        ?canReply=${c.status !== 'resolved' && c.assignedAgentId === this.agent?.id}
        ?resolved=${c.status === 'resolved'}
        @faq-insert=${this._onFaqInsert}
      ></console-faq-assist>
      ${this._renderFooter(c)}
    </section>`;
  }

  private _renderActions(c: ConversationDTO): TemplateResult {
    const t = i18n.t.bind(i18n);
    const desk = this.desk!;
    const mine = c.assignedAgentId === this.agent?.id;
    return html`${c.status !== 'resolved' && !c.assignedAgentId
      ? html`<button class="primary" type="button" ?disabled=${desk.busy !== null} @click=${() => desk.claim()}>
          ${t('conv.claim')}
        </button>`
      : ''}
    ${c.status !== 'resolved' && c.status !== 'bot' && (mine || (c.assignedAgentId && this.agent?.role === 'admin'))
      ? html`<button type="button" ?disabled=${desk.busy !== null} @click=${() => desk.resolve()}>${t('conv.resolve')}</button>`
      : ''}
    ${c.status === 'resolved'
      ? html`<button type="button" ?disabled=${this._toFaqBusy} @click=${this._toFaq}>${t('conv.toFaq')}</button>`
      : ''}
    <console-ticket-actions .desk=${desk} .agent=${this.agent} .conversation=${c}></console-ticket-actions>`;
  }

  /** The ticket's state; who the visitor is and where they asked from is in the visitor panel beside it. */
  private _renderDetails(c: ConversationDTO): TemplateResult {
    const t = i18n.t.bind(i18n);
    const site = this.sites.length > 1 ? this.sites.find((s) => s.id === c.siteId)?.name : undefined;
    const pair = (label: string, value: unknown) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
    return html`<dl>
      ${pair(t('conv.status'), t(`status.${c.status}`))}
      ${pair(t('conv.agent'), c.assignedAgentName ?? t('conv.unassigned'))}
      ${pair(
        t('conv.started'),
        html`<time datetime=${c.createdAt} title=${formatFullTimestamp(c.createdAt, i18n.locale)}
          >${formatTimestamp(c.createdAt, i18n.locale)}</time
        >`,
      )}
      ${site ? pair(t('shell.site'), site) : ''}
      ${c.csat ? pair(t('conv.csat'), html`<console-csat .csat=${c.csat}></console-csat>`) : ''}
      ${c.reopenedAt ? pair(t('status.open'), t('life.reopened', { time: formatTimestamp(c.reopenedAt, i18n.locale) })) : ''}
      ${c.status === 'snoozed' && c.snoozedUntil ? pair(t('status.snoozed'), formatTimestamp(c.snoozedUntil, i18n.locale)) : ''}
      ${c.previousConversationId
        ? pair(
            t('life.previous'),
            html`<button type="button" class="link" @click=${() => this.desk?.open(c.previousConversationId!)}>${t('life.openPrevious')}</button>`,
          )
        : ''}
      ${pair(t('labels.title'), this._renderLabels(c))}
    </dl>
    ${this._labelError ? html`<p class="error" role="alert">${i18n.error(this._labelError)}</p>` : ''}`;
  }

  /** The conversation's labels, each with a button to take it off, and a list to add one of the site's. */
  private _renderLabels(c: ConversationDTO): TemplateResult {
    const t = i18n.t.bind(i18n);
    const on = c.labels ?? [];
    const addable = labelStore.ofSite(c.siteId).filter((l) => !on.includes(l.id));
    return html`<span class="labels">
      ${on.length === 0 ? html`<span class="muted small">${t('labels.none')}</span>` : ''}
      ${on.map((id) => {
        const label = labelStore.byId(id);
        const name = label?.name ?? '…';
        // styleMap sets the property through the CSSOM: the console's CSP refuses style attributes.
        return html`<span class="chip" style=${styleMap({ '--chip': label?.color ?? 'inherit' })}
          >${name}<button type="button" aria-label=${t('labels.remove', { name })} @click=${() => this._setLabel(c.id, id, false)}>×</button></span
        >`;
      })}
      ${addable.length
        ? html`<select aria-label=${t('labels.add')} @change=${(e: Event) => this._onAddLabel(c.id, e)}>
            <option value="">${t('labels.add')}</option>
            ${addable.map((l) => html`<option value=${l.id}>${l.name}</option>`)}
          </select>`
        : ''}
    </span>`;
  }

  private _onAddLabel(conversationId: string, e: Event): void {
    const select = e.target as HTMLSelectElement;
    const id = select.value;
    select.value = '';
    if (id) void this._setLabel(conversationId, id, true);
  }

  private async _setLabel(conversationId: string, labelId: string, on: boolean): Promise<void> {
    this._labelError = null;
    const res = await labelStore.set(conversationId, labelId, on);
    if (!res.ok) this._labelError = res.error;
  }

  private _renderFooter(c: ConversationDTO): TemplateResult {
    const t = i18n.t.bind(i18n);
    // Anyone of the site may leave a private note; only the assignee replies.
    const notes = html`<console-composer .conversationId=${c.id} noteOnly @compose-send=${this._onSend}></console-composer>`;
    if (c.status === 'resolved') return html`<p class="hint">${t('conv.resolvedHint')}</p>${notes}`;
    if (!c.assignedAgentId) return html`<p class="hint">${t('conv.claimHint')}</p>${notes}`;
    if (c.assignedAgentId !== this.agent?.id) {
      return html`<p class="hint">${t('conv.otherAgent', { name: c.assignedAgentName ?? '?' })}</p>${notes}`;
    }
    return html`<console-composer
      .conversationId=${c.id}
      .siteId=${c.siteId}
      .vars=${{ visitorName: c.visitorName, visitorEmail: c.visitorEmail, agentName: this.agent?.name ?? null }}
      @compose-send=${this._onSend}
      @compose-draft=${this._onDraft}
    ></console-composer>
      <console-attach .conversationId=${c.id} .siteId=${c.siteId}></console-attach>`;
  }

  protected override willUpdate(): void {
    const log = this.renderRoot?.querySelector?.('.log');
    const id = this.desk?.current?.id ?? null;
    if (id !== this._shownId) {
      this._stickToBottom = true;
      this._toFaqError = null;
    } else if (log) {
      this._stickToBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    }
  }

  protected override updated(): void {
    const id = this.desk?.current?.id ?? null;
    // On screen now: what the visitor wrote is read (sent only when the tab is visible and they wrote since).
    this.desk?.markRead();
    if (this._stickToBottom) void this._scrollToEnd();
    // The reply box takes the focus when it appears: on opening one's own conversation, or on claiming.
    const composer = this.renderRoot.querySelector<ConsoleComposer>(REPLY_BOX);
    if (composer && (!this._composerShown || id !== this._shownId)) composer.focus();
    this._composerShown = composer !== null;
    this._shownId = id;
  }

  /** Puts the cursor in the reply box, when this agent may reply (the `r` shortcut). */
  focusReply(): void {
    this.renderRoot.querySelector<ConsoleComposer>(REPLY_BOX)?.focus();
  }

  /** Opens the canned replies in the reply box, when this agent may reply (the `/` shortcut). */
  openCanned(): void {
    this.renderRoot.querySelector<ConsoleComposer>(REPLY_BOX)?.openCanned();
  }

  /** Messages render in their own elements, after this one: wait for them, then follow the end. */
  private async _scrollToEnd(): Promise<void> {
    const items = [...this.renderRoot.querySelectorAll('console-message')];
    await Promise.all(items.map((m) => m.updateComplete));
    const log = this.renderRoot.querySelector('.log');
    if (log) log.scrollTop = log.scrollHeight;
  }

  private _onScroll = (): void => {
    const log = this.renderRoot.querySelector('.log');
    if (log) this._stickToBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  };

  private _onSend = (e: CustomEvent<{ body: string; internal?: boolean }>): void => {
    if (e.detail.internal) {
      this.desk?.send(e.detail.body, true);
      return;
    }
    if (this.desk?.send(e.detail.body)) void this.renderRoot.querySelector<ConsoleFaqAssist>('console-faq-assist')?.replySent();
  };

  private _onDraft = (e: CustomEvent<{ typing: boolean }>): void => {
    this.desk?.typing(e.detail.typing);
  };

  private _onFaqInsert = (e: CustomEvent<{ text: string }>): void => {
    this.renderRoot.querySelector<ConsoleComposer>(REPLY_BOX)?.insert(e.detail.text);
  };

  private _onRetry = (e: CustomEvent<{ clientId: string }>): void => {
    this.desk?.retry(e.detail.clientId);
  };

  private _toFaq = async (): Promise<void> => {
    const c = this.desk?.current;
    if (!c) return;
    this._toFaqBusy = true;
    this._toFaqError = null;
    const res = await api<FaqEntryDTO>('/api/faqs/from-conversation', { json: { conversationId: c.id } });
    this._toFaqBusy = false;
    if (!res.ok) {
      this._toFaqError = res.error;
      return;
    }
    this.dispatchEvent(new CustomEvent('faq-created', { detail: res.data, bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-conversation': ConsoleConversation;
  }
}
customElements.define('console-conversation', ConsoleConversation);
