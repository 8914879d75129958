import { LitElement, css, html } from 'lit';
import type { SiteDTO } from '../../shared/http.ts';
import type { ConversationDTO } from '../../shared/types.ts';
import type { Desk } from '../shared/desk.ts';
import { elapsedSince, humanizeDuration } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { TickController } from '../shared/tick-controller.ts';
import { overdueBy, waitingSince } from '../shared/thread.ts';
import { baseStyles, listItemStyles } from '../shared/styles.ts';
import { labelStore } from '../shared/labels.ts';

/**
 * The live queue: visitors waiting for a person (oldest first) and the agent's own
 * conversations with their unread messages counted, each and in all, narrowed to one label if the agent chooses one. Selecting one opens it in the desk.
 */
export class ConsoleQueue extends LitElement {
  static override properties = {
    desk: { attribute: false },
    sites: { attribute: false },
    _label: { state: true },
  };
  static override styles = [
    baseStyles,
    listItemStyles,
    css`
      :host {
        display: block;
      }
      section + section {
        margin-top: 1rem;
      }
      .waited {
        font-weight: 600;
        color: var(--sc-warn);
      }
      .meta {
        display: flex;
        justify-content: space-between;
        gap: 0.5rem;
        font-size: 0.8rem;
        color: var(--sc-muted);
      }
      .unread {
        color: var(--sc-accent);
        font-weight: 600;
      }
      .overdue {
        display: inline-block;
        margin: 0.15rem 0;
        padding: 0 0.4rem;
        border: 1px solid var(--sc-danger-border);
        background: var(--sc-danger-bg);
        border-radius: 4px;
        color: var(--sc-danger);
        font-size: 0.8rem;
        font-weight: 600;
      }
    `,
  ];

  declare desk: Desk | null;
  declare sites: SiteDTO[];
  /** Show only conversations with this label ('' all). */
  declare _label: string;

  private readonly _clock = new TickController(this, 1000);

  constructor() {
    super();
    this.desk = null;
    this.sites = [];
    this._label = '';
    new StoreController(this, i18n, () => this.desk, labelStore);
    void labelStore.load();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const desk = this.desk;
    if (!desk) return html``;
    const shown = (list: ConversationDTO[]) => (this._label ? list.filter((c) => c.labels?.includes(this._label)) : list);
    const waiting = shown(desk.queue.waiting);
    const mine = shown(desk.queue.mine);
    const unread = mine.reduce((n, c) => n + (desk.unread.get(c.id) ?? 0), 0);
    return html`<div class="pane">
      ${labelStore.all.length
        ? html`<label class="small"
            >${t('labels.filter')}
            <select @change=${(e: Event) => (this._label = (e.target as HTMLSelectElement).value)}>
              <option value="">${t('labels.any')}</option>
              ${labelStore.all.map((l) => html`<option value=${l.id} ?selected=${this._label === l.id}>${l.name}</option>`)}
            </select></label
          >`
        : ''}
      ${desk.queueError ? html`<p class="error" role="alert">${i18n.error(desk.queueError)}</p>` : ''}
      ${!desk.queueLoaded && !desk.queueError ? html`<p class="muted" role="status">${t('common.loading')}</p>` : ''}
      <section aria-labelledby="waiting-h">
        <h2 id="waiting-h">${t('queue.waiting', { n: waiting.length })}</h2>
        ${waiting.length === 0
          ? html`<p class="muted small">${t('queue.emptyWaiting')}</p>`
          : html`<ul class="plain">${waiting.map((c) => this._renderItem(c, true))}</ul>`}
      </section>
      <section aria-labelledby="mine-h">
        <h2 id="mine-h">${t('queue.mine', { n: mine.length })}${unread > 0 ? html` <span class="unread">${t('queue.unreadIn', { n: unread })}</span>` : ''}</h2>
        ${mine.length === 0
          ? html`<p class="muted small">${t('queue.emptyMine')}</p>`
          : html`<ul class="plain">${mine.map((c) => this._renderItem(c, false))}</ul>`}
      </section>
    </div>`;
  }

  private _renderItem(c: ConversationDTO, showWait: boolean) {
    const t = i18n.t.bind(i18n);
    const desk = this.desk!;
    const selected = (desk.current?.id ?? desk.openingId) === c.id;
    const unread = desk.unread.get(c.id) ?? 0;
    const who = c.visitorName ?? c.visitorEmail ?? t('queue.anonymous');
    const site = this.sites.length > 1 ? this.sites.find((s) => s.id === c.siteId)?.name : undefined;
    const waited = humanizeDuration(elapsedSince(waitingSince(c), this._clock.now), i18n.locale);
    // The clock ticks every second, so a ticket turns overdue here the moment it passes its site's target.
    const targetSec = this.sites.find((s) => s.id === c.siteId)?.firstResponseTargetSec;
    const overdue = overdueBy(c, targetSec, this._clock.now) !== null;
    return html`<li>
      <button class="item" type="button" aria-current=${selected ? 'true' : 'false'} @click=${() => desk.open(c.id)}>
        <span class="title">${c.question ?? t('queue.noQuestion')}</span>
        <span class="line">${who}${site ? ` · ${site}` : ''}${(c.labels ?? []).map((id) => ` · ${labelStore.byId(id)?.name ?? ''}`)}</span>
        ${c.pageTitle || c.pageUrl ? html`<span class="line">${c.pageTitle || c.pageUrl}</span>` : ''}
        ${c.pageTitle && c.pageUrl ? html`<span class="line">${c.pageUrl}</span>` : ''}
        ${overdue
          ? html`<span class="overdue" data-overdue><span aria-hidden="true">⚠</span> ${t('queue.overdue', { time: waited, target: humanizeDuration(targetSec! * 1000, i18n.locale) })}</span>`
          : ''}
        <span class="meta">
          ${showWait ? html`<span class="waited">${t('queue.waited', { time: waited })}</span>` : html`<span></span>`}
          ${unread ? html`<span class="unread">● ${t('queue.unread', { n: unread })}</span>` : ''}
        </span>
      </button>
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-queue': ConsoleQueue;
  }
}
customElements.define('console-queue', ConsoleQueue);
