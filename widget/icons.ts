/**
 * Icons drawn as inline SVG, never as emoji or symbol characters: a machine without an emoji font (a
 * Linux desktop with only CJK fonts) shows 📎 or ✕ as an empty box. 24×24 stroke paths in currentColor,
 * sized and stroked by `base` (styles.ts); decorative, as the control that holds one carries its name.
 * Only what the panel draws: the parts loaded later keep theirs in later.ts, so that none of this is
 * split into a file of its own.
 */
import { html } from 'lit';

/** An icon from one path's `d`. */
export const icon = (d: string) => html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d=${d} /></svg>`;

export const PAPERCLIP = 'M20.3 13.5l-6.4 6.3a6 6 0 0 1-8.4-8.4l7.7-7.8a4 4 0 0 1 5.7 5.6l-7.8 7.8a2 2 0 0 1-2.8-2.8l5.6-5.7';
export const CROSS = 'M18 6 6 18M6 6l12 12';
export const SMILE = 'M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0M8 14s1.5 2 4 2 4-2 4-2M9 9h.01M15 9h.01';
