/** Styles every panel element shares. Colours come from custom properties set on `<support-chat>`. */
import { css } from 'lit';

export const base = css`
  :host {
    display: block;
  }
  :host([hidden]),
  [hidden] {
    display: none !important;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  button,
  input,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
  }
  svg {
    width: 1.25em;
    height: 1.25em;
    vertical-align: middle;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  :focus-visible {
    outline: 2px solid var(--sc-accent);
    outline-offset: 2px;
  }
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .chip {
    border: 1px solid var(--sc-accent);
    border-radius: 999px;
    background: #fff;
    padding: 6px 12px;
    margin-inline-end: 6px;
    font-size: 13px;
    text-align: start;
  }
  .chip:hover {
    background: #f1f5f9;
  }
  .primary {
    border: 0;
    border-radius: 10px;
    background: var(--sc-accent);
    color: var(--sc-on-accent);
    padding: 9px 16px;
    font-weight: 600;
  }
  .primary:disabled {
    opacity: 0.5;
    cursor: default;
  }
  a {
    color: var(--sc-accent);
    text-underline-offset: 2px;
  }
`;
