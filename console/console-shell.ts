import { LitElement, css, html, type TemplateResult } from 'lit';
import type { SiteDTO } from '../shared/http.ts';
import type { AgentDTO, FaqEntryDTO } from '../shared/types.ts';
import { api } from './shared/api.ts';
import { connectAgent, type AgentConnection } from './shared/connection.ts';
import { labelStore } from './shared/labels.ts';
import { Desk } from './shared/desk.ts';
import { i18n, type StringKey } from './shared/i18n.ts';
import { StoreController } from './shared/store-controller.ts';
import { baseStyles } from './shared/styles.ts';
import './shared/console-lang-toggle.ts';
import './shared/console-connection-status.ts';
import './shared/console-availability.ts';
import './queue/console-queue.ts';
import './conversation/console-conversation.ts';
import './shared/console-shortcuts.ts';
import type { ConsoleShortcuts } from './shared/console-shortcuts.ts';
import { DeskShortcuts } from './queue/desk-shortcuts.ts';
import { NotificationController } from './shared/notifications.ts';
import type { ConversationGroup } from './queue/console-history.ts';

export type View = 'queue' | 'history' | 'feedback' | 'metrics' | 'faq' | 'canned' | 'labels' | 'sites' | 'agents' | 'account';

/** What the FAQ view should open: an entry to adjust, or a draft to complete. */
/** An entry to open in the FAQ editor, with a note on where it came from. */
export type FaqRequest = { kind: 'edit'; entry: FaqEntryDTO; note: StringKey };

/** `admin`: shown to admins only (the server refuses the others anyway). */
const VIEWS: { view: View; label: StringKey; admin?: boolean }[] = [
  { view: 'queue', label: 'nav.queue' },
  { view: 'history', label: 'nav.history' },
  { view: 'feedback', label: 'nav.feedback' },
  { view: 'metrics', label: 'nav.metrics' },
  { view: 'faq', label: 'nav.faq' },
  { view: 'canned', label: 'nav.canned' },
  { view: 'labels', label: 'nav.labels', admin: true },
  { view: 'sites', label: 'nav.sites', admin: true },
  { view: 'agents', label: 'nav.agents', admin: true },
  { view: 'account', label: 'nav.account' },
];

/** Views other than the live desk load when first shown. */
const LOADERS: Partial<Record<View, () => Promise<unknown>>> = {
  history: () => import('./queue/console-history.ts'),
  feedback: () => import('./feedback/console-feedback.ts'),
  metrics: () => import('./metrics/console-metrics.ts'),
  faq: () => import('./faq/console-faq.ts'),
  canned: () => import('./team/console-canned-replies.ts'),
  labels: () => import('./team/console-labels.ts'),
  sites: () => import('./admin/console-sites.ts'),
  agents: () => import('./admin/console-agents.ts'),
  account: () => import('./account/console-account.ts'),
};

const SITE_STORAGE_KEY = 'sc-console-site';

/**
 * The signed-in workspace: header, navigation and the current view. It owns the one socket
 * connection and the live desk, and closes them when the agent signs out.
 * @fires signed-out - after the agent signed out
 */
export class ConsoleShell extends LitElement {
  static override properties = {
    agent: { attribute: false },
    _view: { state: true },
    _sites: { state: true },
    _siteId: { state: true },
    _faqRequest: { state: true },
    _historyGroup: { state: true },
    _mailOff: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: grid;
        grid-template-rows: auto minmax(0, 1fr);
        grid-template-columns: 12rem minmax(0, 1fr);
        grid-template-areas: 'header header' 'nav main';
        height: 100vh;
      }
      .mail-off {
        flex-basis: 100%;
        margin: 0;
        padding: 0.3rem 0.6rem;
        border-radius: 6px;
        background: #fef3c7;
        color: #78350f;
        font-size: 0.875rem;
      }
      header {
        grid-area: header;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
        padding: 0.5rem 1rem;
        background: var(--sc-surface);
        border-bottom: 1px solid var(--sc-border);
      }
      header h1 {
        font-size: 1.1rem;
        margin: 0 auto 0 0;
      }
      header .who {
        color: var(--sc-muted);
        font-size: 0.85rem;
      }
      header select {
        min-width: 10rem;
      }
      nav {
        grid-area: nav;
        padding: 0.75rem 0.5rem;
        border-right: 1px solid var(--sc-border);
        background: var(--sc-surface);
        overflow: auto;
      }
      nav button {
        width: 100%;
        justify-content: space-between;
        border-color: transparent;
        background: none;
        margin-bottom: 0.25rem;
        text-align: left;
      }
      nav button[aria-current='page'] {
        background: var(--sc-selected);
        border-color: var(--sc-accent);
        font-weight: 600;
      }
      main {
        grid-area: main;
        padding: 0.75rem;
        min-height: 0;
        overflow: auto;
      }
      .desk {
        display: grid;
        grid-template-columns: minmax(15rem, 20rem) minmax(0, 1fr);
        gap: 0.75rem;
        height: 100%;
      }
      @media (max-width: 820px) {
        :host {
          grid-template-columns: minmax(0, 1fr);
          grid-template-areas: 'header' 'nav' 'main';
          grid-template-rows: auto auto auto;
          height: auto;
          min-height: 100vh;
        }
        nav {
          border-right: none;
          border-bottom: 1px solid var(--sc-border);
        }
        nav ul {
          display: flex;
          flex-wrap: wrap;
          gap: 0.25rem;
        }
        nav button {
          width: auto;
          margin: 0;
        }
        main {
          overflow: visible;
        }
        .desk {
          grid-template-columns: minmax(0, 1fr);
          height: auto;
        }
      }
    `,
  ];

  declare agent: AgentDTO;
  declare _view: View;
  declare _sites: SiteDTO[];
  declare _siteId: string | undefined;
  declare _faqRequest: FaqRequest | null;
  /** What History lists instead of its search, until the agent leaves it (console-history.ts). */
  declare _historyGroup: ConversationGroup | null;
  /** This server sends no email (GET /api/mail/status). */
  declare _mailOff: boolean;

  private _connection: AgentConnection | null = null;
  private _stopLabels: (() => void) | null = null;
  private _desk: Desk | null = null;

  constructor() {
    super();
    this._view = 'queue';
    this._sites = [];
    this._siteId = undefined;
    this._faqRequest = null;
    this._historyGroup = null;
    this._mailOff = false;
    new StoreController(this, i18n, () => this._desk ?? undefined);
    new DeskShortcuts(this, () => ({
      desk: this._view === 'queue' ? this._desk : null,
      agentId: this.agent.id,
      conversation: this.renderRoot.querySelector('console-conversation'),
      showHelp: this._showShortcuts,
    }));
    new NotificationController(this, () => this._desk, (id) => {
      this._show('queue');
      void this._desk?.open(id);
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._connection = connectAgent();
    this._connection.addEventListener('rejected', this._onRejected);
    this._desk = new Desk(this._connection, this.agent);
    // A label an admin makes or changes elsewhere shows in this console's pickers and filters at once.
    this._stopLabels = this._connection.on('labels:changed', () => void labelStore.load(true));
    void this._loadSites();
    // Replies to visitors who left an address go by email only when the server has SMTP: say when it has not.
    void api<{ enabled: boolean }>('/api/mail/status').then((res) => (this._mailOff = res.ok && !res.data.enabled));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._desk?.dispose();
    this._stopLabels?.();
    this._connection?.removeEventListener('rejected', this._onRejected);
    this._connection?.close();
    this._desk = null;
    this._connection = null;
  }

  /** The tab title counts what waits for the agent: visitors waiting for a person and unread messages in theirs. */
  protected override updated(): void {
    const waiting = this._desk?.queue.waiting.length ?? 0;
    const unread = this._desk?.unreadTotal ?? 0;
    const title = i18n.t('app.title');
    document.title = waiting + unread > 0 ? `(${waiting + unread}) ${title}` : title;
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const waiting = this._desk?.queue.waiting.length ?? 0;
    const unread = this._desk?.unreadTotal ?? 0;
    return html`<header>
        <h1>${t('app.title')}</h1>
        ${this._renderSitePicker()}
        <console-connection-status .connection=${this._connection}></console-connection-status>
        <console-availability .connection=${this._connection} value=${this.agent.availability}></console-availability>
        <span class="who">${t('shell.signedInAs', { name: this.agent.name })}</span>
        <console-lang-toggle></console-lang-toggle>
        <button type="button" @click=${this._showShortcuts}>${t('keys.hint')}</button>
        <button type="button" @click=${this._logout}>${t('shell.logout')}</button>
        ${this._mailOff ? html`<p class="mail-off" role="status">${t('shell.mailOff')}</p>` : ''}
      </header>
      <nav aria-label=${t('shell.nav')}>
        <ul class="plain">
          ${VIEWS.filter((v) => !v.admin || this.agent.role === 'admin').map(
            ({ view, label }) => html`<li>
              <button type="button" aria-current=${this._view === view ? 'page' : 'false'} @click=${() => this._show(view)}>
                <span>${t(label)}</span>
                ${view === 'queue' && waiting + unread > 0
                  ? html`<span class="badge" title=${t('shell.queueCounts', { waiting, unread })}
                      ><span aria-hidden="true">${waiting + unread}</span><span class="visually-hidden">${t('shell.queueCounts', { waiting, unread })}</span></span
                    >`
                  : ''}
              </button>
            </li>`,
          )}
        </ul>
      </nav>
      <console-shortcuts></console-shortcuts>
      <main
        @faq-created=${this._onFaqCreated}
        @conversation-open=${this._onConversationOpen}
        @conversations-open=${this._onConversationsOpen}
        @sites-changed=${this._onSitesChanged}>${this._renderView()}</main>`;
  }

  private _renderSitePicker(): TemplateResult | string {
    if (this._sites.length < 2) return '';
    return html`<label class="row"
      >${i18n.t('shell.site')}
      <select @change=${this._onSiteChange}>
        ${this._sites.map((s) => html`<option value=${s.id} ?selected=${s.id === this._siteId}>${s.name}</option>`)}
      </select>
    </label>`;
  }

  private _renderView(): TemplateResult {
    const conversation = html`<console-conversation
      .desk=${this._desk}
      .agent=${this.agent}
      .sites=${this._sites}
    ></console-conversation>`;
    switch (this._view) {
      case 'queue':
        return html`<div class="desk">
          <console-queue .desk=${this._desk} .sites=${this._sites}></console-queue>${conversation}
        </div>`;
      case 'history':
        return html`<div class="desk">
          <console-history .desk=${this._desk} .siteId=${this._siteId} .agent=${this.agent} .group=${this._historyGroup}></console-history>${conversation}
        </div>`;
      case 'feedback':
        return html`<console-feedback .connection=${this._connection} .siteId=${this._siteId}></console-feedback>`;
      case 'metrics':
        return html`<console-metrics .siteId=${this._siteId}></console-metrics>`;
      case 'faq':
        return html`<console-faq .siteId=${this._siteId} .request=${this._faqRequest}></console-faq>`;
      case 'canned':
        return html`<console-canned-replies .agent=${this.agent} .siteId=${this._siteId} .sites=${this._sites}></console-canned-replies>`;
      case 'labels':
        return html`<console-labels .siteId=${this._siteId} .sites=${this._sites}></console-labels>`;
      case 'sites':
        return html`<console-sites></console-sites>`;
      case 'agents':
        return html`<console-agents .me=${this.agent}></console-agents>`;
      case 'account':
        return html`<console-account .agent=${this.agent} @profile-changed=${this._onProfileChanged}></console-account>`;
    }
  }

  private _show(view: View): void {
    void LOADERS[view]?.();
    if (view !== 'faq') this._faqRequest = null;
    this._historyGroup = null;
    this._view = view;
  }

  private async _loadSites(): Promise<void> {
    const res = await api<SiteDTO[]>('/api/sites');
    if (!res.ok) return;
    this._sites = res.data;
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(SITE_STORAGE_KEY);
    } catch {
      stored = null;
    }
    this._siteId = res.data.find((s) => s.id === stored)?.id ?? res.data[0]?.id;
  }

  private _setSite(siteId: string): void {
    this._siteId = siteId;
    try {
      localStorage.setItem(SITE_STORAGE_KEY, siteId);
    } catch {
      // Not remembered across reloads, still used now.
    }
  }

  private _onSiteChange = (e: Event): void => this._setSite((e.target as HTMLSelectElement).value);

  private _onFaqCreated = (e: CustomEvent<FaqEntryDTO>): void => {
    if (this._sites.some((s) => s.id === e.detail.siteId)) this._setSite(e.detail.siteId);
    // A draft comes from a conversation ("turn into FAQ") or from the metrics view's "what to write next".
    this._faqRequest = { kind: 'edit', entry: e.detail, note: e.detail.sourceConversationId ? 'faq.fromConversation' : 'faq.draftFromDemand' };
    this._show('faq');
  };

  /** A conversation named elsewhere (where an FAQ variant was learned): shown in History, where resolved ones are. */
  private _onConversationOpen = (e: CustomEvent<{ conversationId: string }>): void => {
    void this._desk?.open(e.detail.conversationId);
    this._show('history');
  };

  /** The conversations behind a group of "what to write next": listed in History, and opened when there is one. */
  private _onConversationsOpen = (e: CustomEvent<ConversationGroup>): void => {
    const ids = e.detail.conversationIds;
    if (ids.length === 1) void this._desk?.open(ids[0]);
    this._show('history');
    this._historyGroup = e.detail;
  };

  private _showShortcuts = (): void => this.renderRoot.querySelector<ConsoleShortcuts>('console-shortcuts')?.show();

  private _onSitesChanged = (): void => void this._loadSites();

  private _onProfileChanged = (e: CustomEvent<AgentDTO>): void => {
    this.agent = e.detail;
  };

  private _onRejected = async (): Promise<void> => {
    // A refused handshake usually means the session ended; /me says so and signs the agent out.
    const res = await api<AgentDTO>('/api/auth/me');
    if (res.ok) setTimeout(() => this._connection?.reconnect(), 3000);
  };

  private _logout = async (): Promise<void> => {
    await api('/api/auth/logout', { method: 'POST' });
    this.dispatchEvent(new CustomEvent('signed-out', { bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-shell': ConsoleShell;
  }
}
customElements.define('console-shell', ConsoleShell);
