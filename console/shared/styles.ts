/**
 * Styles every console element adopts. Colours come from custom properties set in console.css,
 * so the page stylesheet stays the one place for the palette. Shadow roots get these through
 * adoptedStyleSheets, which the page's CSP (no inline style) allows.
 */
import { css } from 'lit';

export const baseStyles = css`
  :host {
    box-sizing: border-box;
    color: var(--sc-text);
    font-size: 0.9375rem;
    line-height: 1.45;
  }
  /* Not inherit from :host: a <details> slots its content through the browser's own shadow tree,
     whose slot is content-box, and a search field of width 100% overflowed the FAQ suggestions. */
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  [hidden] {
    display: none !important;
  }
  h1,
  h2,
  h3 {
    margin: 0 0 0.5rem;
    line-height: 1.25;
  }
  h2 {
    font-size: 1.05rem;
  }
  h3 {
    font-size: 0.95rem;
  }
  p {
    margin: 0 0 0.5rem;
  }
  a {
    color: var(--sc-link);
  }
  button,
  .button {
    font: inherit;
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
    min-height: 2rem;
    padding: 0.3rem 0.8rem;
    border: 1px solid var(--sc-border-strong);
    border-radius: var(--sc-radius);
    background: var(--sc-surface);
    color: var(--sc-text);
    cursor: pointer;
    text-decoration: none;
  }
  button:hover:not(:disabled),
  .button:hover {
    background: var(--sc-hover);
  }
  button.primary {
    background: var(--sc-accent);
    border-color: var(--sc-accent);
    color: var(--sc-on-accent);
  }
  button.primary:hover:not(:disabled) {
    background: var(--sc-accent-hover);
  }
  button.danger {
    color: var(--sc-danger);
    border-color: var(--sc-danger);
  }
  button.link {
    border: none;
    background: none;
    padding: 0;
    min-height: 0;
    color: var(--sc-link);
    text-decoration: underline;
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  input,
  textarea,
  select {
    font: inherit;
    color: var(--sc-text);
    background: var(--sc-surface);
    border: 1px solid var(--sc-border-strong);
    border-radius: var(--sc-radius);
    padding: 0.35rem 0.5rem;
    max-width: 100%;
  }
  textarea {
    resize: vertical;
  }
  label {
    font-weight: 600;
    font-size: 0.85rem;
  }
  :focus-visible {
    outline: 3px solid var(--sc-focus);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  .muted {
    color: var(--sc-muted);
  }
  .small {
    font-size: 0.8rem;
  }
  .error {
    color: var(--sc-danger);
    background: var(--sc-danger-bg);
    border: 1px solid var(--sc-danger-border);
    border-radius: var(--sc-radius);
    padding: 0.4rem 0.6rem;
    margin: 0.5rem 0;
  }
  .success {
    color: var(--sc-ok);
    margin: 0.5rem 0;
  }
  .user-text {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
    margin-bottom: 0.75rem;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
  }
  .pane {
    background: var(--sc-surface);
    border: 1px solid var(--sc-border);
    border-radius: var(--sc-radius);
    padding: 0.75rem;
    min-width: 0;
    overflow: auto;
  }
  ul.plain,
  ol.plain {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .badge {
    display: inline-block;
    font-size: 0.75rem;
    padding: 0 0.4rem;
    border-radius: 999px;
    background: var(--sc-chip);
    color: var(--sc-text);
  }
`;

/** The list-and-detail grid of a view; stacks on narrow screens. */
export const splitStyles = css`
  .split {
    display: grid;
    grid-template-columns: minmax(15rem, 20rem) minmax(0, 1fr);
    gap: 0.75rem;
    height: 100%;
    min-height: 0;
  }
  @media (max-width: 820px) {
    .split {
      grid-template-columns: minmax(0, 1fr);
      height: auto;
    }
  }
`;

/** A clickable row in a list pane. */
export const listItemStyles = css`
  .item {
    display: block;
    width: 100%;
    text-align: left;
    border: 1px solid transparent;
    border-radius: var(--sc-radius);
    background: none;
    padding: 0.5rem 0.6rem;
    margin-bottom: 0.25rem;
    min-height: 0;
  }
  .item:hover {
    background: var(--sc-hover);
  }
  .item[aria-current='true'] {
    background: var(--sc-selected);
    border-color: var(--sc-accent);
  }
  .item .title {
    display: block;
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .item .line {
    display: block;
    font-size: 0.8rem;
    color: var(--sc-muted);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
`;

/** A page that is one centred form (sign-in, accepting an invitation). */
export const formPageStyles = css`
  :host {
    display: grid;
    place-items: center;
    min-height: 100%;
    padding: 1rem;
  }
  form {
    width: min(24rem, 100%);
    background: var(--sc-surface);
    border: 1px solid var(--sc-border);
    border-radius: var(--sc-radius);
    padding: 1.5rem;
  }
  .top {
    display: flex;
    justify-content: space-between;
    align-items: start;
    gap: 1rem;
  }
  input {
    width: 100%;
  }
`;
