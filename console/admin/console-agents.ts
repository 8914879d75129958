import { LitElement, css, html } from 'lit';
import type { AgentCreatedDTO, InvitationDTO, SiteDTO, TeamAgentDTO } from '../../shared/http.ts';
import type { AgentDTO } from '../../shared/types.ts';
import { api } from '../shared/api.ts';
import { formatFullTimestamp } from '../shared/format.ts';
import { LoadController } from '../shared/load-controller.ts';
import { i18n, type Phrase } from '../shared/i18n.ts';
import { RequestController } from '../shared/request-controller.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import { checkedSites, siteCheckboxes } from './site-checkboxes.ts';
import './console-agent-add.ts';

/** What the page shows under the list: nothing, the add form, one agent's edit form, or a confirmation. */
type Panel = { kind: 'none' } | { kind: 'add' } | { kind: 'edit'; agent: TeamAgentDTO } | { kind: 'deactivate'; agent: TeamAgentDTO };

/** A link or a result to show once, above the list. */
interface Notice {
  text: Phrase;
  link?: string;
}

/** The notice of a new invitation link: its expiry is worded, like the rest, when shown. */
const invitationNotice = (name: string, invitation: { expiresAt: string; url: string }): Notice => ({
  text: { key: 'agents.invitationOnce', params: { name, time: (locale) => formatFullTimestamp(invitation.expiresAt, locale) } },
  link: invitation.url,
});

/**
 * Admins' Agents page: every agent with role, sites and status; add one (password or invitation
 * link), change role and sites, deactivate or reactivate, make a new sign-in link. A change
 * reaches the agent's open consoles at once (the server pushes it).
 */
export class ConsoleAgents extends LitElement {
  static override properties = {
    me: { attribute: false },
    _agents: { state: true },
    _sites: { state: true },
    _panel: { state: true },
    _notice: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      table {
        border-collapse: collapse;
        width: 100%;
      }
      th,
      td {
        text-align: left;
        padding: 0.35rem 0.5rem;
        border-bottom: 1px solid var(--sc-border);
        vertical-align: top;
      }
      .notice {
        background: var(--sc-selected);
        border-radius: var(--sc-radius);
        padding: 0.5rem 0.75rem;
        margin-bottom: 0.75rem;
      }
      .notice input {
        width: 100%;
        font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
      }
      fieldset {
        border: 1px solid var(--sc-border);
        border-radius: var(--sc-radius);
        margin: 0 0 0.75rem;
      }
      .panel {
        margin-top: 1rem;
      }
    `,
  ];

  declare me: AgentDTO;
  declare _agents: TeamAgentDTO[];
  declare _sites: SiteDTO[];
  declare _panel: Panel;
  declare _notice: Notice | null;
  private _request = new RequestController(this);
  private _load = new LoadController(this);

  constructor() {
    super();
    this._agents = [];
    this._sites = [];
    this._panel = { kind: 'none' };
    this._notice = null;
    new StoreController(this, i18n);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this._reload();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<section class="pane" aria-labelledby="agents-title">
      <div class="row">
        <h2 id="agents-title">${t('agents.title')}</h2>
        <button type="button" @click=${() => this._open({ kind: 'add' })}>${t('agents.add')}</button>
      </div>
      ${this._notice
        ? html`<div class="notice" role="status">
            <p>${i18n.say(this._notice.text)}</p>
            ${this._notice.link
              ? html`<label for="notice-link">${t('agents.invitationLink')}</label>
                  <input id="notice-link" readonly .value=${this._notice.link} @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} />`
              : ''}
          </div>`
        : ''}
      ${this._load.error ? html`<p class="error" role="alert">${i18n.error(this._load.error)}</p>` : ''}
      ${this._request.error ? html`<p class="error" role="alert">${i18n.error(this._request.error)}</p>` : ''}
      ${this._agents.length === 0 && !this._load.loading ? html`<p class="muted">${t('agents.empty')}</p>` : this._renderTable()}
      <div class="panel">${this._renderPanel()}</div>
    </section>`;
  }

  private _renderTable() {
    const t = i18n.t.bind(i18n);
    const siteName = (id: string) => this._sites.find((s) => s.id === id)?.name ?? id;
    return html`<table>
      <thead>
        <tr>
          <th scope="col">${t('agents.name')}</th>
          <th scope="col">${t('agents.email')}</th>
          <th scope="col">${t('agents.role')}</th>
          <th scope="col">${t('agents.sites')}</th>
          <th scope="col">${t('agents.capacityShort')}</th>
          <th scope="col">${t('agents.status')}</th>
          <th scope="col"><span class="visually-hidden">${t('agents.actions')}</span></th>
        </tr>
      </thead>
      <tbody>
        ${this._agents.map((a) => {
          const self = a.id === this.me.id;
          const sites = a.role === 'admin' ? t('agents.allSites') : a.siteIds.map(siteName).join(', ') || t('agents.noSites');
          const status = !a.active ? t('agents.inactive') : a.invited ? t('agents.invited') : t('agents.active');
          return html`<tr>
            <td>${a.name} ${self ? html`<span class="muted">${t('agents.you')}</span>` : ''}</td>
            <td>${a.email}</td>
            <td>${t(a.role === 'admin' ? 'agents.roleShort.admin' : 'agents.roleShort.agent')}</td>
            <td>${sites}</td>
            <td>${a.capacity}</td>
            <td>${status}</td>
            <td>
              <div class="row" role="group" aria-label=${t('agents.actionsOf', { name: a.name })}>
                ${self
                  ? ''
                  : html`<button type="button" aria-label=${t('agents.editOf', { name: a.name })} @click=${() => this._open({ kind: 'edit', agent: a })}>
                        ${t('agents.edit')}
                      </button>
                      ${a.active
                        ? html`<button type="button" class="danger" aria-label=${t('agents.deactivateOf', { name: a.name })} @click=${() => this._open({ kind: 'deactivate', agent: a })}>
                              ${t('agents.deactivate')}
                            </button>
                            <button type="button" aria-label=${t('agents.newLinkOf', { name: a.name })} @click=${() => this._newLink(a)}>${t('agents.newLink')}</button>`
                        : html`<button type="button" aria-label=${t('agents.reactivateOf', { name: a.name })} @click=${() => this._update(a, { active: true })}>
                            ${t('agents.reactivate')}
                          </button>`}`}
              </div>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  private _renderPanel() {
    const t = i18n.t.bind(i18n);
    const p = this._panel;
    switch (p.kind) {
      case 'none':
        return '';
      case 'add':
        return html`<console-agent-add .sites=${this._sites} @agent-added=${this._onAdded} @editor-close=${() => this._open({ kind: 'none' })}></console-agent-add>`;
      case 'deactivate':
        return html`<div role="alertdialog" aria-labelledby="deactivate-text">
          <p id="deactivate-text">${t('agents.deactivateConfirm', { name: p.agent.name })}</p>
          <div class="row">
            <button class="danger" type="button" ?disabled=${this._request.busy} @click=${() => this._update(p.agent, { active: false })}>${t('agents.deactivateYes')}</button>
            <button type="button" @click=${() => this._open({ kind: 'none' })}>${t('common.cancel')}</button>
          </div>
        </div>`;
      case 'edit':
        return html`<form @submit=${(e: SubmitEvent) => this._saveEdit(e, p.agent)}>
          <h3>${t('agents.editOf', { name: p.agent.name })}</h3>
          <div class="field">
            <label for="edit-role">${t('agents.role')}</label>
            <select id="edit-role" name="role">
              <option value="agent" ?selected=${p.agent.role === 'agent'}>${t('agents.role.agent')}</option>
              <option value="admin" ?selected=${p.agent.role === 'admin'}>${t('agents.role.admin')}</option>
            </select>
          </div>
          <div class="field">
            <label for="edit-capacity">${t('agents.capacity')}</label>
            <input id="edit-capacity" name="capacity" type="number" min="0" max="100" step="1" required .value=${String(p.agent.capacity)} />
          </div>
          ${siteCheckboxes('edit-site', this._sites, p.agent.siteIds)}
          <div class="row">
            <button class="primary" type="submit" ?disabled=${this._request.busy}>${t('agents.save')}</button>
            <button type="button" @click=${() => this._open({ kind: 'none' })}>${t('common.cancel')}</button>
          </div>
        </form>`;
    }
  }

  private async _reload(): Promise<void> {
    const [agents, sites] = await Promise.all([this._load.run(() => api<TeamAgentDTO[]>('/api/agents')), api<SiteDTO[]>('/api/sites')]);
    if (agents) this._agents = agents;
    if (sites.ok) this._sites = sites.data;
  }

  private async _open(panel: Panel): Promise<void> {
    this._panel = panel;
    this._request.setError(null);
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.panel select, .panel [role=alertdialog] button')?.focus();
  }

  private _onAdded = (e: CustomEvent<AgentCreatedDTO>): void => {
    const { agent, invitation } = e.detail;
    this._notice = invitation ? invitationNotice(agent.name, invitation) : { text: { key: 'agents.added', params: { name: agent.name } } };
    this._panel = { kind: 'none' };
    void this._reload();
  };

  private _saveEdit = async (e: SubmitEvent, agent: TeamAgentDTO): Promise<void> => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    await this._update(agent, { role: String(data.get('role')), capacity: Number(data.get('capacity')), siteIds: checkedSites(data) });
  };

  private async _update(agent: TeamAgentDTO, change: Record<string, unknown>): Promise<void> {
    if (this._request.busy) return;
    const res = await this._request.send(() => api<TeamAgentDTO>(`/api/agents/${encodeURIComponent(agent.id)}`, { method: 'PUT', json: change }));
    if (!res.ok) return;
    this._agents = this._agents.map((a) => (a.id === agent.id ? res.data : a));
    this._panel = { kind: 'none' };
    this._notice = { text: { key: 'agents.saved' } };
  }

  private async _newLink(agent: TeamAgentDTO): Promise<void> {
    this._request.setError(null);
    const res = await api<InvitationDTO>(`/api/agents/${encodeURIComponent(agent.id)}/invitation`, { method: 'POST' });
    if (!res.ok) {
      this._request.setError(res.error);
      return;
    }
    this._notice = invitationNotice(agent.name, res.data);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-agents': ConsoleAgents;
  }
}
customElements.define('console-agents', ConsoleAgents);
