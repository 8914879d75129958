import { LitElement, css, html } from 'lit';
import { i18n } from './i18n.ts';
import { SHORTCUTS } from './shortcuts.ts';
import { StoreController } from './store-controller.ts';
import { baseStyles } from './styles.ts';

/** The list of keyboard shortcuts, in a modal dialog (Escape closes it). */
export class ConsoleShortcuts extends LitElement {
  static override styles = [
    baseStyles,
    css`
      dialog {
        border: 1px solid var(--sc-border);
        border-radius: var(--sc-radius);
        padding: 1rem 1.25rem;
        min-width: 18rem;
      }
      kbd {
        font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
        border: 1px solid var(--sc-border-strong);
        border-radius: 4px;
        padding: 0 0.4rem;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.4rem 1rem;
        margin: 0 0 1rem;
      }
      dd {
        margin: 0;
      }
    `,
  ];

  constructor() {
    super();
    new StoreController(this, i18n);
  }

  /** Opens the list; the close button takes the focus. */
  show(): void {
    const dialog = this.renderRoot.querySelector('dialog');
    if (dialog && !dialog.open) dialog.showModal();
  }

  override render() {
    const t = i18n.t.bind(i18n);
    return html`<dialog aria-labelledby="keys-title">
      <h2 id="keys-title">${t('keys.title')}</h2>
      <dl>${SHORTCUTS.map((s) => html`<dt><kbd>${s.key}</kbd></dt><dd>${t(s.label)}</dd>`)}</dl>
      <p class="muted small">${t('keys.whileTyping')}</p>
      <form method="dialog"><button type="submit" autofocus>${t('common.close')}</button></form>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-shortcuts': ConsoleShortcuts;
  }
}
customElements.define('console-shortcuts', ConsoleShortcuts);
