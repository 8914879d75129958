import { LitElement, css, html, type TemplateResult } from 'lit';
import type { AgentDTO, ConversationDTO, TransferTargetDTO } from '../../shared/types.ts';
import { api, type ClientError } from '../shared/api.ts';
import type { Desk } from '../shared/desk.ts';
import { formatTimestamp } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

/** The snooze choices, as the time they end at from `now`. */
const SNOOZES: { key: 'life.snooze1h' | 'life.snooze4h' | 'life.snoozeTomorrow' | 'life.snoozeWeek'; at: (now: Date) => Date }[] = [
  { key: 'life.snooze1h', at: (now) => new Date(now.getTime() + 3600_000) },
  { key: 'life.snooze4h', at: (now) => new Date(now.getTime() + 4 * 3600_000) },
  {
    key: 'life.snoozeTomorrow',
    at: (now) => {
      const d = new Date(now);
      d.setDate(d.getDate() + 1);
      d.setHours(9, 0, 0, 0);
      return d;
    },
  },
  { key: 'life.snoozeWeek', at: (now) => new Date(now.getTime() + 7 * 86400_000) },
];

/**
 * What an agent does with a ticket beyond replying: reopen a resolved one, snooze it until a time,
 * transfer it to another agent of the site (or back to the queue) with a note only agents see.
 */
export class ConsoleTicketActions extends LitElement {
  static override properties = {
    desk: { attribute: false },
    agent: { attribute: false },
    conversation: { attribute: false },
    _transferOpen: { state: true },
    _targets: { state: true },
    _targetsError: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: contents;
      }
      .snooze {
        display: inline-flex;
        gap: 0.25rem;
        align-items: center;
      }
      form {
        flex-basis: 100%;
        display: grid;
        gap: 0.4rem;
        padding: 0.5rem;
        border: 1px solid var(--sc-border);
        border-radius: var(--sc-radius);
      }
      textarea {
        min-height: 3rem;
        background: var(--sc-note-bg, #fff8db);
      }
      .state {
        font-size: 0.85rem;
        color: var(--sc-muted);
      }
    `,
  ];

  declare desk: Desk | null;
  declare agent: AgentDTO | null;
  declare conversation: ConversationDTO | null;
  declare _transferOpen: boolean;
  declare _targets: TransferTargetDTO[] | null;
  declare _targetsError: ClientError | null;

  constructor() {
    super();
    this.desk = null;
    this.agent = null;
    this.conversation = null;
    this._transferOpen = false;
    this._targets = null;
    this._targetsError = null;
    new StoreController(this, i18n);
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    const before = changed.get('conversation') as ConversationDTO | null | undefined;
    if (changed.has('conversation') && before?.id !== this.conversation?.id) {
      this._transferOpen = false;
      this._targets = null;
    }
  }

  override render() {
    const c = this.conversation;
    const desk = this.desk;
    if (!c || !desk) return html``;
    const t = i18n.t.bind(i18n);
    const busy = desk.busy !== null;
    if (c.status === 'resolved') {
      return html`<button type="button" ?disabled=${busy} @click=${() => desk.reopen()}>${t('life.reopen')}</button>`;
    }
    if (c.status === 'bot') return html``;
    const mayHandle = !c.assignedAgentId || c.assignedAgentId === this.agent?.id || this.agent?.role === 'admin';
    if (!mayHandle) return html``;
    return html`${c.status === 'snoozed' && c.snoozedUntil
        ? html`<span class="state">${t('life.snoozedUntil', { time: formatTimestamp(c.snoozedUntil, i18n.locale) })}</span>`
        : ''}
      <span class="snooze">
        <label class="visually-hidden" for="snooze-until">${t('life.snoozeFor')}</label>
        <select id="snooze-until">
          ${SNOOZES.map((s, i) => html`<option value=${i}>${t(s.key)}</option>`)}
        </select>
        <button type="button" ?disabled=${busy} @click=${this._onSnooze}>${t('life.snooze')}</button>
      </span>
      <button type="button" aria-expanded=${this._transferOpen ? 'true' : 'false'} aria-controls="transfer" ?disabled=${busy} @click=${this._toggleTransfer}>
        ${t('life.transfer')}
      </button>
      ${this._transferOpen ? this._renderTransfer(c) : ''}`;
  }

  private _renderTransfer(c: ConversationDTO): TemplateResult {
    const t = i18n.t.bind(i18n);
    const targets = (this._targets ?? []).filter((a) => a.id !== c.assignedAgentId);
    return html`<form id="transfer" aria-label=${t('life.transfer')} @submit=${this._onTransfer}>
      ${this._targetsError ? html`<p class="error" role="alert">${i18n.error(this._targetsError)}</p>` : ''}
      <label for="transfer-to">${t('life.transferTo')}</label>
      <select id="transfer-to" name="to">
        ${c.assignedAgentId ? html`<option value="">${t('life.toQueue')}</option>` : ''}
        ${targets.map((a) => html`<option value=${a.id}>${a.name} (${t(`life.${a.availability === 'online' ? 'present' : a.availability}`)})</option>`)}
      </select>
      <label for="transfer-note">${t('life.transferNote')}</label>
      <textarea id="transfer-note" name="note" maxlength="2000"></textarea>
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.desk?.busy !== null || (!c.assignedAgentId && !targets.length)}>${t('life.transferDo')}</button>
        <button type="button" @click=${this._toggleTransfer}>${t('life.cancel')}</button>
      </div>
    </form>`;
  }

  private _onSnooze = (): void => {
    const select = this.renderRoot.querySelector<HTMLSelectElement>('#snooze-until');
    const choice = SNOOZES[Number(select?.value ?? 0)] ?? SNOOZES[0];
    void this.desk?.snooze(choice.at(new Date()));
  };

  private _toggleTransfer = async (): Promise<void> => {
    this._transferOpen = !this._transferOpen;
    const c = this.conversation;
    if (!this._transferOpen || !c) return;
    this._targetsError = null;
    const res = await api<TransferTargetDTO[]>(`/api/conversations/${encodeURIComponent(c.id)}/agents`);
    if (this.conversation?.id !== c.id) return;
    if (res.ok) this._targets = res.data;
    else this._targetsError = res.error;
  };

  private _onTransfer = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const to = (form.elements.namedItem('to') as HTMLSelectElement).value || null;
    const note = (form.elements.namedItem('note') as HTMLTextAreaElement).value;
    if (await this.desk?.transfer(to, note)) this._transferOpen = false;
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-ticket-actions': ConsoleTicketActions;
  }
}
customElements.define('console-ticket-actions', ConsoleTicketActions);
