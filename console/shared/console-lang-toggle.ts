import { LitElement, css, html } from 'lit';
import { i18n } from './i18n.ts';
import { StoreController } from './store-controller.ts';
import { baseStyles } from './styles.ts';

/**
 * Switches the interface between Chinese and English; the choice is remembered.
 * The visible text names the other language in that language, so a reader of either finds it.
 */
export class ConsoleLangToggle extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        flex-shrink: 0;
      }
      button {
        white-space: nowrap;
      }
    `,
  ];

  constructor() {
    super();
    new StoreController(this, i18n);
  }

  override render() {
    const other = i18n.locale === 'zh' ? 'en' : 'zh';
    return html`<button type="button" aria-label=${i18n.t('lang.toggle')} @click=${() => i18n.set(other)}>
      <span lang=${other === 'zh' ? 'zh-CN' : 'en'}>${i18n.t('lang.other')}</span>
    </button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-lang-toggle': ConsoleLangToggle;
  }
}
customElements.define('console-lang-toggle', ConsoleLangToggle);
