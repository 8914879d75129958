import { describe, expect, it } from 'vitest';
import { isTyping, neighbour, shortcutFor } from '../../console/shared/shortcuts.ts';

const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey', boolean>> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe('the desk’s keyboard shortcuts', () => {
  it('maps single keys, whatever the case, and ? to the list', () => {
    expect(shortcutFor(key('j'), false)).toBe('next');
    expect(shortcutFor(key('K'), false)).toBe('previous');
    expect(shortcutFor(key('c'), false)).toBe('claim');
    expect(shortcutFor(key('e'), false)).toBe('resolve');
    expect(shortcutFor(key('r'), false)).toBe('reply');
    expect(shortcutFor(key('?'), false)).toBe('help');
    expect(shortcutFor(key('x'), false)).toBeNull();
  });

  it('leaves keys to a field being typed in, and to the browser with Ctrl, Alt or Cmd', () => {
    expect(shortcutFor(key('j'), true)).toBeNull();
    expect(shortcutFor(key('?'), true)).toBeNull();
    expect(shortcutFor(key('r', { ctrlKey: true }), false)).toBeNull();
    expect(shortcutFor(key('c', { metaKey: true }), false)).toBeNull();
    expect(shortcutFor(key('e', { altKey: true }), false)).toBeNull();
    expect(isTyping({ tagName: 'TEXTAREA' } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: 'INPUT' } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: 'DIV', isContentEditable: true } as unknown as EventTarget)).toBe(true);
    expect(isTyping({ tagName: 'BUTTON' } as unknown as EventTarget)).toBe(false);
    expect(isTyping(undefined)).toBe(false);
  });

  it('moves through the list and stops at its ends', () => {
    const ids = ['a', 'b', 'c'];
    expect(neighbour(ids, null, 1)).toBe('a');
    expect(neighbour(ids, null, -1)).toBe('c');
    expect(neighbour(ids, 'a', 1)).toBe('b');
    expect(neighbour(ids, 'c', 1)).toBe('c');
    expect(neighbour(ids, 'a', -1)).toBe('a');
    expect(neighbour(ids, 'gone', 1)).toBe('a');
    expect(neighbour([], 'a', 1)).toBeUndefined();
  });
});
