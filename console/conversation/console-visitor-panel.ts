import { LitElement, css, html, type PropertyValues } from 'lit';
import type { VisitorPanelDTO } from '../../shared/http.ts';
import type { ConversationDTO } from '../../shared/types.ts';
import { api } from '../shared/api.ts';
import { formatFullTimestamp, formatTimestamp, intlTag, safeHttpUrl } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { en, type StringKey } from '../shared/strings-en.ts';
import { LoadController } from '../shared/load-controller.ts';
import { StoreController } from '../shared/store-controller.ts';
import { TickController } from '../shared/tick-controller.ts';
import { baseStyles } from '../shared/styles.ts';

/** The visitor's clock, to the minute, in their own time zone; null when the zone is not known here. */
function localTime(timezone: string, now: number): string | null {
  try {
    return new Intl.DateTimeFormat(intlTag(i18n.locale), { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(now);
  } catch {
    return null;
  }
}

/**
 * Beside the open conversation: who the visitor is and how that is known (the site's signature or their
 * own word), the page they asked from, their browser and local time, what the site says about them, and
 * their earlier conversations.
 * @fires conversation-open - CustomEvent<{ conversationId: string }> when the agent picks an earlier conversation (the shell opens it in History)
 */
export class ConsoleVisitorPanel extends LitElement {
  static override properties = {
    conversation: { attribute: false },
    _panel: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        font-size: 0.85rem;
      }
      aside {
        display: flex;
        flex-direction: column;
        gap: 0.75rem;
      }
      dl {
        margin: 0;
        display: grid;
        grid-template-columns: auto minmax(0, 1fr);
        gap: 0.2rem 0.6rem;
      }
      dt {
        color: var(--sc-muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      .note {
        margin: 0.2rem 0 0;
        color: var(--sc-muted);
        font-size: 0.8rem;
      }
      .signed {
        font-weight: 600;
      }
      .card {
        border: 1px solid var(--sc-border);
        border-radius: var(--sc-radius);
        padding: 0.5rem 0.6rem;
        background: var(--sc-surface);
      }
      .card h3 {
        margin-bottom: 0.35rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li button {
        display: block;
        width: 100%;
        text-align: left;
        min-height: 0;
        padding: 0.3rem 0.4rem;
        margin-bottom: 0.2rem;
        font-size: 0.8rem;
      }
      li .when {
        display: block;
        color: var(--sc-muted);
      }
    `,
  ];

  declare conversation: ConversationDTO | null;
  declare _panel: VisitorPanelDTO | null;

  private readonly _load = new LoadController(this);
  private readonly _clock = new TickController(this, 30_000);

  constructor() {
    super();
    this.conversation = null;
    this._panel = null;
    new StoreController(this, i18n);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('conversation')) return;
    const before = changed.get('conversation');
    const c = this.conversation;
    // A new conversation, or this visitor just told who they are: ask again.
    if (c && (c.id !== before?.id || c.visitorName !== before?.visitorName || c.visitorEmail !== before?.visitorEmail)) void this._fetch(c.id);
    if (!c) this._panel = null;
  }

  private async _fetch(id: string): Promise<void> {
    if (this._panel && this.conversation?.id !== id) this._panel = null;
    const data = await this._load.run(() => api<VisitorPanelDTO>(`/api/conversations/${encodeURIComponent(id)}/visitor`));
    if (data && this.conversation?.id === id) this._panel = data;
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const c = this.conversation;
    if (!c) return html``;
    const p = this._panel;
    return html`<aside aria-labelledby="visitor-h">
      <h2 id="visitor-h">${t('visitor.title')}</h2>
      ${this._load.error ? html`<p class="error" role="alert">${i18n.error(this._load.error)}</p>` : ''}
      ${!p && this._load.loading ? html`<p class="muted" role="status">${t('common.loading')}</p>` : ''}
      ${p ? this._renderVisitor(p, c) : ''}
    </aside>`;
  }

  private _renderVisitor(p: VisitorPanelDTO, c: ConversationDTO) {
    const t = i18n.t.bind(i18n);
    const unknown = html`<span class="muted">${t('visitor.unknown')}</span>`;
    const pair = (label: string, value: unknown) => html`<dt>${label}</dt><dd>${value}</dd>`;
    const href = safeHttpUrl(c.pageUrl);
    const deviceKey = `device.${p.device?.type}`;
    const device = p.device
      ? `${deviceKey in en ? t(deviceKey as StringKey) : p.device.type}${p.device.model ? ` (${p.device.model})` : ''}`
      : null;
    const local = p.timezone ? localTime(p.timezone, this._clock.now) : null;
    const attributes = Object.entries(p.attributes);
    return html`<dl>
        ${pair(t('visitor.name'), p.name ?? unknown)} ${pair(t('visitor.email'), p.email ?? unknown)}
        ${pair(
          t('visitor.identity'),
          p.identity === 'signed'
            ? html`<span class="signed" data-identity="signed">✓ ${t('visitor.signed', { id: p.externalId ?? '' })}</span>
                <p class="note">${t('visitor.signedNote')}</p>`
            : html`<span data-identity=${p.identity ?? 'anonymous'}>${t(p.identity === 'claimed' ? 'visitor.claimed' : 'visitor.anonymous')}</span>`,
        )}
        ${c.pageUrl || c.pageTitle
          ? pair(
              t('visitor.page'),
              href
                ? html`<a href=${href} target="_blank" rel="noopener noreferrer"
                      >${c.pageTitle || c.pageUrl}<span class="visually-hidden"> ${t('common.opensNewTab')}</span></a
                    >${c.pageTitle ? html`<div class="muted">${c.pageUrl}</div>` : ''}`
                : c.pageTitle,
            )
          : ''}
        ${pair(t('visitor.browser'), p.browser ?? unknown)} ${pair(t('visitor.os'), p.os ?? unknown)}
        ${pair(t('visitor.device'), device ?? unknown)}
        ${pair(t('visitor.localTime'), local ? html`${local} <span class="muted">(${p.timezone})</span>` : unknown)}
      </dl>
      ${attributes.length
        ? html`<section class="card" aria-labelledby="attrs-h">
            <h3 id="attrs-h">${t('visitor.attributes')}</h3>
            <dl>
              ${attributes.map(([k, v]) => pair(k, typeof v === 'boolean' ? t(v ? 'visitor.yes' : 'visitor.no') : String(v)))}
            </dl>
          </section>`
        : ''}
      <section aria-labelledby="earlier-h">
        <h3 id="earlier-h">${t('visitor.earlier', { n: p.earlier.length })}</h3>
        ${p.earlier.length === 0
          ? html`<p class="muted">${t('visitor.noEarlier')}</p>`
          : html`<ul>
              ${p.earlier.map(
                (e) =>
                  html`<li>
                    <button type="button" @click=${() => this._open(e.id)}>
                      ${e.question ?? t('queue.noQuestion')}
                      <span class="when"
                        ><time datetime=${e.createdAt} title=${formatFullTimestamp(e.createdAt, i18n.locale)}
                          >${formatTimestamp(e.createdAt, i18n.locale)}</time
                        >
                        · ${t(`status.${e.status}`)}</span
                      >
                    </button>
                  </li>`,
              )}
            </ul>`}
      </section>`;
  }

  private _open(id: string): void {
    this.dispatchEvent(new CustomEvent('conversation-open', { detail: { conversationId: id }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-visitor-panel': ConsoleVisitorPanel;
  }
}
customElements.define('console-visitor-panel', ConsoleVisitorPanel);
