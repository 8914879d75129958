/**
 * The live desk's keyboard shortcuts (shared/shortcuts.ts), listened for on the document while the
 * shell is shown: move through the queue, claim, resolve, go to the reply box, list them (`?`).
 * A key typed into a field stays the field's; Escape there leaves the field, so that the next key
 * is a shortcut again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ConsoleConversation } from '../conversation/console-conversation.ts';
import type { Desk } from '../shared/desk.ts';
import { isTyping, neighbour, shortcutFor } from '../shared/shortcuts.ts';

export interface DeskShortcutsTarget {
  /** The desk when its view is shown, else null (only `?` works then). */
  desk: Desk | null;
  agentId: string;
  conversation: ConsoleConversation | null;
  showHelp(): void;
}

export class DeskShortcuts implements ReactiveController {
  constructor(
    host: ReactiveControllerHost,
    private readonly target: () => DeskShortcutsTarget,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('keydown', this._onKey);
  }

  hostDisconnected(): void {
    document.removeEventListener('keydown', this._onKey);
  }

  private _onKey = (e: KeyboardEvent): void => {
    const focused = e.composedPath()[0];
    const typing = isTyping(focused);
    if (e.key === 'Escape' && typing) {
      (focused as HTMLElement).blur();
      return;
    }
    const action = shortcutFor(e, typing);
    if (!action || e.defaultPrevented) return;
    const { desk, agentId, conversation, showHelp } = this.target();
    if (action === 'help') {
      e.preventDefault();
      showHelp();
      return;
    }
    if (!desk) return;
    e.preventDefault();
    const current = desk.current;
    switch (action) {
      case 'next':
      case 'previous': {
        // In the order the queue shows them: waiting first, then mine.
        const ids = [...desk.queue.waiting, ...desk.queue.mine].map((c) => c.id);
        const id = neighbour(ids, current?.id ?? desk.openingId, action === 'next' ? 1 : -1);
        if (id) void desk.open(id);
        return;
      }
      case 'claim':
        if (current && !current.assignedAgentId && current.status !== 'resolved') void desk.claim();
        return;
      case 'resolve':
        if (current && current.assignedAgentId === agentId && current.status !== 'resolved') void desk.resolve();
        return;
      case 'reply':
        conversation?.focusReply();
        return;
      case 'canned':
        conversation?.openCanned();
        return;
    }
  };
}
