/**
 * The live desk: the queue, the open conversation and the agent's outgoing messages.
 * It trusts no socket to have seen everything: after every (re)connect it reloads the queue,
 * re-opens the conversation, asks for the messages after the last seq it holds, and resends
 * what was not acknowledged, with the same clientId so the server keeps one copy.
 */
import type { AgentDTO, ConversationDTO, ConversationLabelsDTO, MessageDTO, QueueDTO, ReadReceiptDTO } from '../../shared/types.ts';
import type { ClientError, ClientErrorCode } from './api.ts';
import type { AgentConnection } from './connection.ts';
import { newClientId } from './client-id.ts';
import { applyConversationUpdate, arrival, normalizeQueue, withMessage } from './thread.ts';
import { lastSeq, mergeMessages, syncAfter } from '../../shared/messages.ts';
import { typingReceiver, typingSender } from '../../shared/typing.ts';
import { isTransient, retryDelay } from '../../shared/result.ts';

export interface OutgoingMessage {
  clientId: string;
  conversationId: string;
  body: string;
  /** sending: waiting for the ack; queued: sent when the connection is back; failed: needs a retry. */
  state: 'sending' | 'queued' | 'failed';
  /** A private note: agents only. */
  internal?: boolean;
  error?: ClientError;
  createdAt: string;
}

export type DeskAction = 'claim' | 'resolve' | 'reopen' | 'snooze' | 'transfer';

/**
 * What the desk tells an agent's attention about (the `attention` event): a conversation that
 * started waiting, one given to this agent by someone else (automatic assignment, a transfer), a
 * visitor's new message in one of theirs. Never for what this agent did here.
 */
export type Attention =
  | { kind: 'waiting' | 'assigned'; conversation: ConversationDTO }
  | { kind: 'message'; conversation: ConversationDTO; message: MessageDTO };

/** Failures a resend can fix without the agent changing anything: the server's "not now", and the client's own. */
const transient = (code: ClientErrorCode) => code === 'OFFLINE' || code === 'TIMEOUT' || code === 'NETWORK' || isTransient(code);

/** What `messages:sync` answers at most per call (shared/protocol.ts). */
const SYNC_PAGE = 500;

/** Dispatches `change` whenever anything an element shows has changed, and `attention` (CustomEvent<Attention>). */
export class Desk extends EventTarget {
  queue: QueueDTO = { waiting: [], mine: [] };
  queueLoaded = false;
  queueError: ClientError | null = null;
  current: ConversationDTO | null = null;
  messages: MessageDTO[] = [];
  /** The conversation being opened, until its messages arrive. */
  openingId: string | null = null;
  busy: DeskAction | null = null;
  actionError: ClientError | null = null;
  outbox: OutgoingMessage[] = [];
  /** clientIds this agent sent in this page: their messages show "sent". */
  readonly sentClientIds = new Set<string>();
  /** Per conversation, the visitor messages the agent has not looked at. */
  readonly unread = new Map<string, number>();
  /** The conversation the visitor is typing in, when it is the open one (null: nobody is typing). */
  visitorTyping: string | null = null;
  /**
   * Call with whether the reply box holds a draft (never a note's, never its text): the visitor hears
   * `typing` for the open conversation, at most once per throttle period (shared/typing.ts).
   */
  readonly typing = typingSender((typing) => {
    const c = this.current;
    if (c) void this.conn.request('typing', { conversationId: c.id, typing });
  });

  private readonly _stop: (() => void)[] = [];
  private readonly _attempts = new Map<string, number>();
  private readonly _retryAt = new Map<string, number>();
  private _pumping = false;
  private _pumpTimer?: ReturnType<typeof setTimeout>;
  private _syncing = false;
  private _syncAgain = false;
  /** The conversation an action of this agent is changing: its pushes are no news to them. */
  private _acting: string | null = null;
  /** The last read mark sent, `conversationId:seq`: one request per new visitor message, not one per render. */
  private _readMark = '';
  private readonly _typingIn = typingReceiver((id) => {
    this.visitorTyping = id;
    this._changed();
  });

  constructor(
    private readonly conn: AgentConnection,
    private readonly me: AgentDTO,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
    const onConnected = () => void this._catchUp();
    conn.addEventListener('connected', onConnected);
    this._stop.push(
      () => conn.removeEventListener('connected', onConnected),
      conn.on('conversation:updated', (c) => this._onConversation(c)),
      conn.on('message:created', (m) => this._onMessage(m)),
      conn.on('conversation:erased', (d) => this._onErased(d.conversationId)),
      conn.on('conversation:labels', (d) => this._onLabels(d)),
      conn.on('conversation:read', (r) => this._onRead(r)),
      conn.on('typing', (t) => this._typingIn(t)),
    );
    // A tab that was hidden may have slept through pushes: catch up when it is shown again.
    const onVisible = () => {
      if (document.visibilityState !== 'visible') return;
      // What is on screen is read once it is seen.
      if (this.current && this.unread.delete(this.current.id)) this._changed();
      void this._sync();
    };
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', onVisible);
      this._stop.push(() => document.removeEventListener('visibilitychange', onVisible));
    }
    if (conn.connected) void this._catchUp();
  }

  /** The outgoing messages of the open conversation. */
  get pending(): OutgoingMessage[] {
    const id = this.current?.id;
    return id ? this.outbox.filter((o) => o.conversationId === id) : [];
  }

  /** Unread visitor messages in all the agent's conversations. */
  get unreadTotal(): number {
    let n = 0;
    for (const count of this.unread.values()) n += count;
    return n;
  }

  async refreshQueue(): Promise<void> {
    const res = await this.conn.request('queue:list', {});
    if (res.ok) {
      const before = this.queue;
      const known = this.queueLoaded;
      this.queue = normalizeQueue(res.data);
      // After a reconnect: what came while the link was down is news too (the first load is not).
      if (known) for (const c of [...this.queue.waiting, ...this.queue.mine]) this._attend(before, c);
      this.queueLoaded = true;
      this.queueError = null;
    } else {
      this.queueError = res.error;
    }
    this._changed();
  }

  /** Shows a conversation: its details and messages, then live updates for it. */
  async open(conversationId: string): Promise<void> {
    const previous = this.current?.id;
    if (previous === conversationId && !this.openingId) return;
    if (previous && previous !== conversationId) {
      // A draft left behind is no longer being written: the visitor stops seeing "typing" at once.
      this.typing(false);
      void this.conn.request('conversation:close', { conversationId: previous });
    }
    this.openingId = conversationId;
    this.current = null;
    this.messages = [];
    this.actionError = null;
    this.unread.delete(conversationId);
    this._changed();
    const res = await this.conn.request('conversation:open', { conversationId });
    if (this.openingId !== conversationId) return;
    this.openingId = null;
    if (res.ok) {
      this.current = res.data.conversation;
      this.messages = mergeMessages([], res.data.messages);
    } else {
      this.actionError = res.error;
    }
    this._changed();
  }

  claim(): Promise<boolean> {
    return this._act('claim', 'conversation:claim');
  }

  resolve(): Promise<boolean> {
    return this._act('resolve', 'conversation:resolve');
  }

  reopen(): Promise<boolean> {
    return this._act('reopen', 'conversation:reopen');
  }

  /** Sets the open conversation aside until `until`. */
  snooze(until: Date): Promise<boolean> {
    return this._act('snooze', 'conversation:snooze', { until: until.toISOString() });
  }

  /** Hands the open conversation to another agent (null: back to the waiting queue), with a note for them. */
  transfer(agentId: string | null, note?: string): Promise<boolean> {
    return this._act('transfer', 'conversation:transfer', { agentId, ...(note?.trim() ? { note: note.trim() } : {}) });
  }

  /** Queues a reply (or, `internal`, a private note) to the open conversation and sends it; returns false when there is none. */
  send(body: string, internal = false): boolean {
    const text = body.trim();
    if (!this.current || !text) return false;
    const item: OutgoingMessage = {
      clientId: newClientId(),
      conversationId: this.current.id,
      body: text,
      state: 'queued',
      createdAt: this.now().toISOString(),
      ...(internal ? { internal } : {}),
    };
    this.outbox = [...this.outbox, item];
    this._changed();
    void this._pump();
    return true;
  }

  /** Sends a failed message again, now, with its original clientId. */
  retry(clientId: string): void {
    if (!this.outbox.some((o) => o.clientId === clientId)) return;
    this._retryAt.delete(clientId);
    this._update(clientId, { state: 'queued', error: undefined });
    void this._pump();
  }

  /**
   * Tells the server the agent has seen the open conversation up to its last message: the visitor sees
   * "Read". Only while the tab is visible, and only when the visitor wrote after the stored mark.
   */
  markRead(): void {
    const c = this.current;
    if (!c || (typeof document !== 'undefined' && document.visibilityState !== 'visible') || !this.conn.connected) return;
    const visitorSeq = this.messages.findLast((m) => m.conversationId === c.id && m.author === 'visitor')?.seq ?? 0;
    const seq = lastSeq(this.messages, c.id);
    const mark = `${c.id}:${seq}`;
    if (visitorSeq <= (c.agentReadSeq ?? 0) || mark === this._readMark) return;
    this._readMark = mark;
    void this.conn.request('conversation:read', { conversationId: c.id, seq }).then((res) => {
      if (res.ok) this._onRead({ conversationId: c.id, reader: 'agent', seq: res.data.readSeq });
      // A failed mark (offline, busy) is sent again on the next change.
      else if (this._readMark === mark) this._readMark = '';
    });
  }

  dismissError(): void {
    this.actionError = null;
    this._changed();
  }

  dispose(): void {
    clearTimeout(this._pumpTimer);
    for (const stop of this._stop.splice(0)) stop();
  }

  private async _act(
    action: DeskAction,
    event: 'conversation:claim' | 'conversation:resolve' | 'conversation:reopen' | 'conversation:snooze' | 'conversation:transfer',
    extra: Record<string, unknown> = {},
  ): Promise<boolean> {
    const c = this.current;
    if (!c || this.busy) return false;
    this.busy = action;
    this._acting = c.id;
    this.actionError = null;
    this._changed();
    // The payload is checked by the server with the event's schema; `extra` carries what each action adds.
    const res = await this.conn.request(event as 'conversation:claim', { conversationId: c.id, ...extra } as { conversationId: string });
    this.busy = null;
    if (res.ok) this._onConversation(res.data);
    else this.actionError = res.error;
    this._acting = null;
    this._changed();
    return res.ok;
  }

  /**
   * Sends the outbox one message at a time, in the order they were written, as the widget does:
   * replies sent side by side could be stored in another order. A message that failed for a reason
   * a resend can fix (the server busy, its database away, a timeout) holds the ones after it until
   * it is sent again by itself, after RETRY backoff or the time the server asked for; one refused for
   * good (the ticket closed, taken by someone else) stays failed and lets the others go.
   */
  private async _pump(): Promise<void> {
    if (this._pumping) return;
    this._pumping = true;
    clearTimeout(this._pumpTimer);
    try {
      for (let item = this._next(); item && this.conn.connected; item = this._next()) {
        const wait = (this._retryAt.get(item.clientId) ?? 0) - Date.now();
        if (wait > 0) {
          this._pumpTimer = setTimeout(() => void this._pump(), wait);
          return;
        }
        this._update(item.clientId, { state: 'sending' });
        const res = await this.conn.request('message:send', { conversationId: item.conversationId, clientId: item.clientId, body: item.body, ...(item.internal ? { internal: true } : {}) });
        if (res.ok) {
          this._attempts.delete(item.clientId);
          this._retryAt.delete(item.clientId);
          this._onMessage(res.data.message);
          continue;
        }
        // Resent after a backoff (what the server asked, else 1, 2, 4… up to 30 s).
        const again = transient(res.error.code);
        this._update(item.clientId, { state: again && !this.conn.connected ? 'queued' : 'failed', error: res.error });
        if (again) {
          const attempt = (this._attempts.get(item.clientId) ?? 0) + 1;
          this._attempts.set(item.clientId, attempt);
          this._retryAt.set(item.clientId, Date.now() + (res.error.retryAfterMs ?? retryDelay(attempt)));
        }
      }
    } finally {
      this._pumping = false;
    }
  }

  /** The first message still to send: queued, or failed for a reason a resend can fix. */
  private _next(): OutgoingMessage | undefined {
    return this.outbox.find((o) => o.state !== 'failed' || (o.error && transient(o.error.code)));
  }

  private _update(clientId: string, patch: Partial<OutgoingMessage>): void {
    this.outbox = this.outbox.map((o) => (o.clientId === clientId ? { ...o, ...patch } : o));
    this._changed();
  }

  private async _catchUp(): Promise<void> {
    // A new connection: nothing waits out a backoff from the old one.
    this._retryAt.clear();
    const refreshing = this.refreshQueue();
    const c = this.current;
    if (c) {
      // Re-opening joins the conversation's room again: a new socket is in no rooms.
      const opened = await this.conn.request('conversation:open', { conversationId: c.id });
      if (opened.ok && this.current?.id === c.id) {
        this.current = opened.data.conversation;
        // None left of a conversation that had some: its visitor was erased while this console was away.
        this.messages = isErased(opened.data.conversation, opened.data.messages) ? [] : mergeMessages(this.messages, opened.data.messages);
      }
      await this._sync();
    }
    await refreshing;
    void this._pump();
  }

  /**
   * Asks for the open conversation's messages from the first hole on (see syncAfter), a page at a
   * time: on every connect, when a push skips a seq, when the tab is shown again. One at a time.
   */
  private async _sync(): Promise<void> {
    if (this._syncing) return void (this._syncAgain = true);
    this._syncing = true;
    try {
      do {
        this._syncAgain = false;
        for (let more = true; more && this.current && this.conn.connected; ) {
          const id = this.current.id;
          const page = await this.conn.request('messages:sync', { conversationId: id, afterSeq: syncAfter(this.messages, id) });
          more = page.ok && page.data.length >= SYNC_PAGE;
          if (page.ok && this.current?.id === id) this.messages = mergeMessages(this.messages, page.data);
        }
      } while (this._syncAgain);
    } finally {
      this._syncing = false;
      this._changed();
    }
  }

  private _onConversation(c: ConversationDTO): void {
    const before = this.queue;
    this.queue = applyConversationUpdate(this.queue, c, this.me.id);
    if (this.queueLoaded) this._attend(before, c);
    // A read mark only moves forward: a push written before a receipt does not take it back.
    if (this.current?.id === c.id) this.current = { ...c, visitorReadSeq: readMax(c.visitorReadSeq, this.current.visitorReadSeq), agentReadSeq: readMax(c.agentReadSeq, this.current.agentReadSeq) };
    this._changed();
  }

  /** A conversation's labels changed (here or in another console): a small delta, applied where it is shown. */
  private _onLabels(d: ConversationLabelsDTO): void {
    const apply = (c: ConversationDTO) => (c.id === d.conversationId ? { ...c, labels: d.labels } : c);
    this.queue = { waiting: this.queue.waiting.map(apply), mine: this.queue.mine.map(apply) };
    if (this.current) this.current = apply(this.current);
    this._changed();
  }

  /** Tells of `c` if it is newly waiting, or newly this agent's through someone else. */
  private _attend(before: QueueDTO, c: ConversationDTO): void {
    const kind = arrival(before, c, this.me.id, this._acting);
    if (kind) this.dispatchEvent(new CustomEvent<Attention>('attention', { detail: { kind, conversation: c } }));
  }

  /** The conversation's visitor was erased: the messages shown of it are gone from the server too. */
  private _onErased(conversationId: string): void {
    this.unread.delete(conversationId);
    if (this.current?.id === conversationId) this.messages = [];
    this._changed();
  }

  /** A read mark moved (the visitor's, or an agent's in this or another console). */
  private _onRead({ conversationId, reader, seq }: ReadReceiptDTO): void {
    const c = this.current;
    if (c?.id !== conversationId) return;
    const key = reader === 'visitor' ? 'visitorReadSeq' : 'agentReadSeq';
    this.current = { ...c, [key]: readMax(c[key], seq) };
    this._changed();
  }

  private _onMessage(m: MessageDTO): void {
    // The visitor's message ends their typing.
    if (m.author === 'visitor' && m.conversationId === this.visitorTyping) this._typingIn(null);
    const held = this.queue.mine.find((c) => c.id === m.conversationId);
    // A push seen twice (a reconnect replays what a sync also returns) is counted once.
    const fresh = m.author === 'visitor' && (!held || m.seq > held.lastSeq);
    if (this.current) this.current = withMessage(this.current, m);
    this.queue = { waiting: this.queue.waiting, mine: this.queue.mine.map((c) => withMessage(c, m)) };
    if (m.clientId && this.outbox.some((o) => o.clientId === m.clientId)) {
      this.outbox = this.outbox.filter((o) => o.clientId !== m.clientId);
      this.sentClientIds.add(m.clientId);
    }
    const onScreen = this.current?.id === m.conversationId && (typeof document === 'undefined' || document.visibilityState === 'visible');
    if (fresh && !onScreen && m.conversationId !== this.openingId) this.unread.set(m.conversationId, (this.unread.get(m.conversationId) ?? 0) + 1);
    if (fresh && held) this.dispatchEvent(new CustomEvent<Attention>('attention', { detail: { kind: 'message', conversation: held, message: m } }));
    if (this.current?.id === m.conversationId) {
      this.messages = mergeMessages(this.messages, [m]);
      // A hole in what is held: a push in between was lost while a later one came.
      if (syncAfter(this.messages, m.conversationId) < lastSeq(this.messages, m.conversationId) && !this.outbox.some((o) => o.state === 'sending')) void this._sync();
    }
    this._changed();
  }

  private _changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}

const readMax = (a: number | undefined, b: number | undefined) => Math.max(a ?? 0, b ?? 0);

/**
 * A conversation with messages once (lastSeq) and none now: an erase took them (server/visitors/privacy.ts).
 * Agents see every message, notes included, so nothing else leaves a console none.
 */
export function isErased(conversation: ConversationDTO, messages: readonly MessageDTO[]): boolean {
  return conversation.lastSeq > 0 && messages.length === 0;
}
