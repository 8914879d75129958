/**
 * Keyboard shortcuts of the live desk: single keys, as in mail clients, never while the agent types
 * in a field (the key belongs to the text then) and never with Ctrl, Alt or Cmd (the browser's).
 */
import type { StringKey } from './strings-en.ts';

export type Shortcut = 'next' | 'previous' | 'claim' | 'resolve' | 'reply' | 'canned' | 'help';

export const SHORTCUTS: readonly { key: string; action: Shortcut; label: StringKey }[] = [
  { key: 'j', action: 'next', label: 'keys.next' },
  { key: 'k', action: 'previous', label: 'keys.previous' },
  { key: 'c', action: 'claim', label: 'keys.claim' },
  { key: 'e', action: 'resolve', label: 'keys.resolve' },
  { key: 'r', action: 'reply', label: 'keys.reply' },
  { key: '/', action: 'canned', label: 'keys.canned' },
  { key: '?', action: 'help', label: 'keys.help' },
];

/** Whether the element the key went to takes text (looked up through shadow roots by the caller). */
export function isTyping(target: EventTarget | undefined): boolean {
  const el = target as (HTMLElement & { isContentEditable?: boolean }) | undefined;
  if (!el || typeof el.tagName !== 'string') return false;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable === true;
}

/** The shortcut a key press means, or null. */
export function shortcutFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>, typing: boolean): Shortcut | null {
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return null;
  return SHORTCUTS.find((s) => s.key === e.key.toLowerCase() || s.key === e.key)?.action ?? null;
}

/** The conversation after (step 1) or before (step -1) the current one in the list, staying at the ends. */
export function neighbour(ids: readonly string[], current: string | null, step: 1 | -1): string | undefined {
  if (!ids.length) return undefined;
  const at = current ? ids.indexOf(current) : -1;
  if (at === -1) return step === 1 ? ids[0] : ids[ids.length - 1];
  return ids[Math.min(ids.length - 1, Math.max(0, at + step))];
}
