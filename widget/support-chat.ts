/**
 * `<support-chat>`: the launcher button. With lit, this module is all a page downloads until someone opens
 * the chat; the panel, the socket and the dictionaries load on first open (`<support-chat-panel>`).
 *
 * Attributes: `site` (required), `locale` (zh | en), `color` (any CSS colour), `position` (right | left).
 * @fires support-chat-close - the user closed the panel (from the panel)
 * @csspart launcher - the round button
 * @cssprop --sc-on-accent - text and icons on the accent colour (default white; a light `color` wants a dark one)
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { Identify, Locale } from '../shared/schemas.ts';
import { ensureApi } from './api.ts';
import { validColor } from './color.ts';
import { LAUNCHER_TEXT, resolveLocale } from './locale.ts';
import { outboxKey, tokenKey } from './storage-keys.ts';

export class SupportChat extends LitElement {
  static override properties = {
    site: {},
    locale: {},
    color: {},
    position: { reflect: true },
    open: { type: Boolean, reflect: true },
    _loaded: { state: true },
    _loading: { state: true },
    _badge: { state: true },
    _identity: { state: true },
  };

  static override styles = css`
    :host {
      all: initial;
      position: fixed;
      z-index: 2147483000;
      right: 20px;
      bottom: 20px;
      --sc-accent: #2563eb;
      --sc-on-accent: #fff;
    }
    :host([position='left']) {
      right: auto;
      left: 20px;
    }
    button {
      all: unset;
      position: relative;
      display: grid;
      place-items: center;
      width: 56px;
      height: 56px;
      border-radius: 50%;
      background: var(--sc-accent);
      color: var(--sc-on-accent);
      box-shadow: 0 6px 20px rgb(0 0 0 / 0.2);
      cursor: pointer;
    }
    button:focus-visible {
      outline: 3px solid var(--sc-accent);
      outline-offset: 3px;
    }
    [hidden] {
      display: none;
    }
    [aria-busy='true'] {
      opacity: 0.7;
    }
    b {
      position: absolute;
      top: -4px;
      right: -4px;
      min-width: 20px;
      padding: 0 5px;
      border-radius: 10px;
      background: #dc2626;
      color: #fff;
      font: 600 12px/20px system-ui, sans-serif;
      text-align: center;
      box-sizing: border-box;
    }
  `;

  declare site: string;
  declare locale: string | undefined;
  declare color: string | undefined;
  declare position: string;
  declare open: boolean;
  declare private _loaded: boolean;
  declare private _loading: boolean;
  /** Unread replies and processed feedback, as the panel counts them. */
  declare private _badge: number;
  declare private _identity: Identify | undefined;
  /** A one-time link from a reply email, taken out of the address bar (it works once, for this browser). */
  private _link: string | undefined;

  constructor() {
    super();
    this.site = '';
    this.position = 'right';
    this.open = false;
    this._loaded = this._loading = false;
    this._badge = 0;
  }

  /** The interface language: `locale` attribute, then `<html lang>`, then the browser's, else English. */
  get interfaceLocale(): Locale {
    return resolveLocale(this.locale, document.documentElement.lang, navigator.language);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    ensureApi()._attach({ open: () => void this.show(), close: () => void this.hide(), identify: (i) => this.identify(i) });
    // A reply email's link: out of the address bar at once (history, bookmarks, a shared URL), then the chat opens on it.
    const link = /^#support-chat-link=([\w-]{20,100})$/.exec(location.hash)?.[1];
    if (link && this.site) {
      this._link = link;
      history.replaceState(history.state, '', location.pathname + location.search);
      void this.show();
      return;
    }
    // Messages typed before a reload that never reached the server: connect now to deliver them.
    try {
      if (this.site && localStorage.getItem(outboxKey(this.site))) void this._load();
      else if (this.site) this._askUnread(localStorage.getItem(tokenKey(this.site)));
    } catch {
      // No storage, so no outbox and no token either.
    }
  }

  /** Opens the panel (loading it on first use) and moves focus into it. */
  async show(): Promise<void> {
    if (!(await this._load())) return;
    this.open = true;
    await this.updateComplete;
    await this.renderRoot.querySelector('support-chat-panel')?.focusFirst();
  }

  /** Closes the panel; focus returns to the launcher when it was inside the widget. */
  async hide(): Promise<void> {
    const hadFocus = this.matches(':focus-within');
    this.open = false;
    await this.updateComplete;
    if (hadFocus) this.renderRoot.querySelector('button')?.focus();
  }

  /** Links the visitor to the site's signed-in user; kept until the panel has connected. */
  identify(identity: Identify): void {
    this._identity = identity;
  }

  override render() {
    const text = LAUNCHER_TEXT[this.interfaceLocale];
    const badge = this.open ? 0 : this._badge;
    return html`
      <button
        part="launcher"
        aria-label=${text.open}
        aria-describedby="unread"
        aria-haspopup="dialog"
        aria-busy=${this._loading}
        ?hidden=${this.open}
        @click=${this.show}
      >
        <svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
          <path d="M12 3C6.5 3 2 6.8 2 11.5c0 2.4 1.2 4.6 3.1 6.1L4.5 21l3.9-2c1.1.3 2.3.5 3.6.5 5.5 0 10-3.8 10-8.5S17.5 3 12 3Z" />
        </svg>
        ${badge ? html`<b aria-hidden="true">${badge}</b>` : nothing}
      </button>
      <span id="unread" hidden>${badge ? text.unread(badge) : ''}</span>
      ${this._loaded
        ? html`<support-chat-panel
            site=${this.site}
            locale=${this.interfaceLocale}
            position=${this.position}
            .identity=${this._identity}
            .link=${this._link}
            .open=${this.open}
            .onBadge=${this._onBadge}
            ?hidden=${!this.open}
            @support-chat-close=${this.hide}
          ></support-chat-panel>`
        : nothing}
    `;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Screen readers then pronounce the widget in its own language, which may not be the host page's.
    this.lang = this.interfaceLocale === 'zh' ? 'zh-CN' : 'en';
    if (changed.has('color')) {
      const colour = validColor(this.color);
      if (colour) this.style.setProperty('--sc-accent', colour);
      else this.style.removeProperty('--sc-accent');
    }
  }

  /** Loads the panel module once; resolves to whether it is there. */
  private async _load(): Promise<boolean> {
    // Without a site (data-site on the script tag) there is nothing to connect to.
    if (this.site && !this._loaded) {
      this._loading = true;
      try {
        await import('./support-chat-panel.ts');
        this._loaded = true;
      } catch {
        // Offline or blocked: the next click tries again.
      }
      this._loading = false;
    }
    return this._loaded;
  }

  /**
   * A returning visitor's unread replies, for the badge, without loading the chat: one small POST
   * (text/plain, so no CORS preflight; the token stays out of the URL).
   */
  private _askUnread(token: string | null): void {
    if (!token) return;
    fetch(new URL(`../api/widget/unread?site=${encodeURIComponent(this.site)}`, import.meta.url), { method: 'POST', body: token })
      .then((res) => res.json())
      .then((res: { ok: boolean; data?: { unread: number } }) => {
        if (res.ok && !this._loaded) this._badge = res.data!.unread;
      })
      .catch(() => {
        // Offline: no badge this time.
      });
  }

  private _onBadge = (count: number) => {
    this._badge = count;
  };

}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat': SupportChat;
  }
}

if (!customElements.get('support-chat')) customElements.define('support-chat', SupportChat);
