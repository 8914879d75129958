import { LitElement, css, html } from 'lit';
import type { CsatDTO } from '../../shared/types.ts';
import { formatFullTimestamp } from '../shared/format.ts';
import { i18n } from '../shared/i18n.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';

/**
 * The visitor's satisfaction rating of a resolved ticket (1–5 and their comment), read-only: the survey
 * the widget asks after a resolution (conversations.csat_*; docs/metrics.md). The comment is the
 * visitor's text, shown as text.
 */
export class ConsoleCsat extends LitElement {
  static override properties = { csat: { attribute: false } };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: inline;
      }
      .stars {
        color: #b45309;
        letter-spacing: 1px;
      }
      q {
        display: block;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
    `,
  ];

  declare csat: CsatDTO;

  constructor() {
    super();
    new StoreController(this, i18n);
  }

  override render() {
    const { rating, comment, at } = this.csat;
    return html`<span class="stars" aria-hidden="true">${'★'.repeat(rating)}${'☆'.repeat(5 - rating)}</span>
      <time datetime=${at} title=${formatFullTimestamp(at, i18n.locale)}>${i18n.t('conv.csatValue', { rating })}</time>
      ${comment ? html`<q>${comment}</q>` : ''}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'console-csat': ConsoleCsat;
  }
}

if (!customElements.get('console-csat')) customElements.define('console-csat', ConsoleCsat);
