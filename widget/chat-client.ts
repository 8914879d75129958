/**
 * The visitor's side of the conversation: one socket to the `/widget` namespace, the session, the messages,
 * the outbox and the feedback. Elements read `state` (a new object on every change, so Lit sees it change)
 * and call the methods; a `change` event follows every update.
 */
import { io, type Socket } from 'socket.io-client';
import { retryDelay, type Ack, type ErrorCode } from '../shared/result.ts';
import { WIDGET_NAMESPACE, type WidgetClientToServerEvents, type WidgetServerToClientEvents } from '../shared/protocol.ts';
import type { FaqRespond, FeedbackSubmit, Identify, Locale, VisitorContact } from '../shared/schemas.ts';
import type { AttachmentLimitsDTO, ConversationDTO, FeedbackDTO, MessageDTO, QueuePositionDTO, SessionDTO, VisitorContactDTO } from '../shared/types.ts';
import { completeAfter, lastSeq, mergeMessages, syncAfter } from '../shared/messages.ts';
import { typingReceiver, typingSender } from '../shared/typing.ts';
import { Outbox, type OutboxItem } from './outbox.ts';
import { outboxKey, tokenKey } from './storage-keys.ts';

export type WidgetSocket = Socket<WidgetServerToClientEvents, WidgetClientToServerEvents>;

export interface ChatState {
  /** session:hello answered on the current connection. */
  ready: boolean;
  siteName: string;
  agentsOnline: boolean;
  conversation: ConversationDTO | null;
  messages: MessageDTO[];
  outbox: readonly OutboxItem[];
  feedback: FeedbackDTO[];
  /** The newest message from someone else that arrived live (what the launcher's badge counts). */
  incoming: MessageDTO | null;
  /** Site settings: a chime on a reply while the page is hidden; the survey after a resolution. */
  replySound: boolean;
  csatEnabled: boolean;
  /** What the widget knows of the visitor's email address, and whether and why to ask for it (null before the session). */
  contact: VisitorContactDTO | null;
  /** This page came from a reply email's link: bound to its visitor, refused (spent or expired), or another visitor's, to open or not (openLink). */
  link?: SessionDTO['link'];
  /** With link 'pending': the address the link was mailed to, masked. */
  linkTo?: string;
  /** What the site accepts as attachments (undefined: a server without attachments). */
  attachments?: AttachmentLimitsDTO;
  /** The conversation the agent is typing in (null or absent: nobody is typing). */
  typing?: string | null;
  /** The last place in the queue heard (`queue:updated`); it counts only while its conversation waits. */
  queue?: QueuePositionDTO;
}

export interface ChatClientOptions {
  site: string;
  locale: Locale;
  /** Where the widget was served from: `new URL('..', import.meta.url)` of the element module. */
  server: URL;
  storage: Storage | null;
  /** A one-time link from a reply email (`#support-chat-link=…`), offered on the first connection only. */
  link?: string;
}

/** Socket.IO's ack timeout for every request. */
const TIMEOUT_MS = 10_000;
/** The most messages one `messages:sync` answers with (see shared/protocol.ts). */
const SYNC_PAGE = 500;
/** Same limits as the contract's PageUrl and PageTitle: a page the schema would refuse is simply not mentioned. */
function pageInfo(): { pageUrl?: string; pageTitle?: string } {
  const url = location.href;
  const pageUrl = /^https?:/.test(url) && url.length <= 2048 ? url : undefined;
  return { pageUrl, pageTitle: document.title.trim().slice(0, 300) || undefined };
}

type Requests = WidgetClientToServerEvents;
/** An ack, or a failure without a code when the request timed out or the socket went away. */
type Reply<E extends keyof Requests> = Parameters<Parameters<Requests[E]>[1]>[0] | { ok: false; error?: undefined };

export class ChatClient extends EventTarget {
  readonly socket: WidgetSocket;
  state: ChatState = {
    ready: false,
    siteName: '',
    agentsOnline: false,
    conversation: null,
    messages: [],
    outbox: [],
    feedback: [],
    incoming: null,
    replySound: false,
    csatEnabled: false,
    contact: null,
  };
  private readonly _outbox: Outbox;
  private readonly _tokenKey: string;
  private _identity?: Identify;
  private _flushing = false;
  private _syncing = false;
  private _syncAgain = false;
  /** Per conversation, the seq up to which a sync answered everything this visitor may see (shared/messages.ts syncAfter). */
  private readonly _completeSeq = new Map<string, number>();
  private _complete = (id: string) => this._completeSeq.get(id) ?? 0;
  private _timer?: ReturnType<typeof setTimeout>;
  private _helloTimer?: ReturnType<typeof setTimeout>;
  /** The last read mark sent, `conversationId:seq`. */
  private _read = '';
  /** The reply email's link until a session has answered for it (bound or refused). */
  private _link?: string;
  private _visitorId?: string;
  /**
   * Call with whether the visitor has a draft (never what it says): the agents hear `typing`, throttled
   * (shared/typing.ts), and only for a ticket. Volatile: a signal missed while offline is not worth sending late.
   */
  readonly typing = typingSender((typing) => {
    const c = this.state.conversation;
    if (c?.escalatedAt) this.socket.volatile.emit('typing', { conversationId: c.id, typing }, () => {});
  });

  constructor(private readonly _options: ChatClientOptions) {
    super();
    const { site, server, storage } = _options;
    this._tokenKey = tokenKey(site);
    this._outbox = new Outbox(storage, outboxKey(site));
    this._link = _options.link;
    this.state = { ...this.state, outbox: this._outbox.items };
    // The namespace goes in the URL, a path prefix (if the server lives under one) in `path`.
    this.socket = io(new URL(WIDGET_NAMESPACE, server.origin).href, {
      path: `${server.pathname}socket.io`,
      query: { site },
      // WebSocket first: starting on long-polling cost six requests (about 1.5 KB) and a round trip
      // before the upgrade. Where a network blocks WebSocket, long-polling is tried next.
      // (WebTransport is not bundled: see scripts/build.ts.)
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      // A function, so every reconnect carries the token the server may have issued since.
      auth: (send) => send(this._link ? { token: this._token(), link: this._link } : { token: this._token() }),
      autoConnect: false,
    });
    this.socket.on('connect', () => void this._hello());
    // The agent's reply ends their typing; a typing signal not renewed expires.
    const typing = typingReceiver((typing) => this._set({ typing }));
    this.socket.on('typing', typing);
    this.socket.on('message:created', (message) => {
      if (message.author === 'agent') typing(null);
      this._addMessages([message], true);
    });
    // An agent read the conversation (the widget hears only agents' reads).
    this.socket.on('conversation:read', ({ conversationId, seq }) => {
      const c = this.state.conversation;
      if (c?.id === conversationId) this._set({ conversation: { ...c, agentReadSeq: seq } });
    });
    // A page that was hidden (a phone's background tab) may have slept through pushes.
    document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && this.state.ready && void this._sync());
    this.socket.on('conversation:updated', (conversation) => this._setConversation(conversation));
    this.socket.on('feedback:updated', (item) => this._set({ feedback: upsert(this.state.feedback, item) }));
    this.socket.on('presence:updated', ({ agentsOnline }) => this._set({ agentsOnline }));
    this.socket.on('queue:updated', (queue) => this._set({ queue }));
  }

  /**
   * Why the server refuses this page, if it does: its engine turns a bad site or origin away with a bare 403
   * that a page cannot read, so the widget asks the status endpoint (CORS *) for the code.
   */
  refusal = async (): Promise<ErrorCode | undefined> => {
    try {
      const { site, server } = this._options;
      const res = (await (await fetch(new URL(`api/widget/status?site=${encodeURIComponent(site)}`, server))).json()) as Ack<unknown>;
      return res.ok ? undefined : res.error.code;
    } catch {
      return undefined;
    }
  };

  /** Queues a message (kept across reloads) and sends it as soon as the connection allows. */
  send(body: string): void {
    this._outbox.add(body);
    this._outboxChanged();
  }

  /** Sends a failed message again. */
  retry(clientId: string): void {
    this._outbox.retry(clientId);
    this._outboxChanged();
  }

  /** Gives up on an unsent message. */
  discard(clientId: string): void {
    this._outbox.remove(clientId);
    this._outboxChanged();
  }

  /** "This solved it" / "Talk to a person" on an FAQ answer; resolves to whether the server took it. */
  async respond(questionId: string, action: FaqRespond['action']): Promise<boolean> {
    const res = await this._request('faq:respond', { questionId, action });
    if (!res.ok) return false;
    this._setConversation(res.data.conversation);
    // Hide the answered prompt now rather than wait for the next message.
    const answered = this.state.messages.filter((m) => m.meta.questionId === questionId && m.kind === 'faq_answer');
    this._addMessages(answered.map((m) => ({ ...m, meta: { ...m.meta, outcome: action } })));
    return true;
  }

  /** Picks one of the "did you mean…?" suggestions. */
  async choose(questionId: string, entryId: string): Promise<boolean> {
    const res = await this._request('faq:choose', { questionId, entryId });
    if (res.ok) this._addMessages([res.data.message]);
    return res.ok;
  }

  async submitFeedback(input: Omit<FeedbackSubmit, 'pageUrl' | 'pageTitle'>): Promise<Reply<'feedback:submit'>> {
    const res = await this._request('feedback:submit', { ...input, ...pageInfo() });
    if (res.ok) this._set({ feedback: upsert(this.state.feedback, res.data) });
    return res;
  }

  /** Tells the server the visitor has now seen these processed items. */
  markFeedbackSeen(ids: string[]): void {
    if (!ids.length) return;
    this._set({ feedback: this.state.feedback.map((f) => (ids.includes(f.id) ? { ...f, seen: true } : f)) });
    this.socket.timeout(TIMEOUT_MS).emit('feedback:seen', { ids: ids.slice(0, 100) }, () => {});
  }

  /** Tells the server the visitor has seen the current conversation up to its last message (once per new message). */
  read(): void {
    const id = this.state.conversation?.id;
    const mark = id && `${id}:${lastSeq(this.state.messages, id)}`;
    if (!mark || mark === this._read || !this.state.ready) return;
    this._read = mark;
    void this._request('conversation:read', { conversationId: id, seq: lastSeq(this.state.messages, id) });
  }

  /** Any request of the contract: what the elements loaded later (history, survey, suggestions) ask. */
  request<E extends keyof Requests>(event: E, payload: Parameters<Requests[E]>[0]): Promise<Reply<E>> {
    return this._request(event, payload);
  }

  /** Leaves a name and email address to be answered by email (not asked of a visitor the site identified). */
  async saveContact(input: VisitorContact): Promise<Reply<'visitor:contact'>> {
    const res = await this._request('visitor:contact', input);
    if (res.ok) {
      this._set({ contact: res.data });
      // A message the server held back for the pre-chat form goes now.
      for (const item of this._outbox.items) if (item.error === 'CONTACT_REQUIRED') this._outbox.retry(item.clientId);
      this._outboxChanged();
    }
    return res;
  }

  /** Where the attachments chunk posts a file, and the visitor token it posts with (support-chat-attachments.ts). */
  uploadTarget(): { url: string; token?: string } {
    const { site, server } = this._options;
    return { url: new URL(`api/widget/attachments?site=${encodeURIComponent(site)}`, server).href, token: this._token() };
  }

  /** A path the server returned (`/api/…`), against where the server lives (it may sit under a path prefix). */
  serverUrl(path: string): string {
    return new URL(path.replace(/^\//, ''), this._options.server).href;
  }

  /** An upload's answer: the stored message, merged like any other. */
  delivered(message: MessageDTO, conversation: ConversationDTO): void {
    this._setConversation(conversation);
    this._addMessages([message]);
  }

  /** Answers a pending link from a reply email: open it (this browser becomes its visitor), or not. */
  async openLink(open: boolean): Promise<void> {
    const link = this._link;
    this._link = undefined;
    if (!open) return this._set({ link: undefined });
    const res = await this._request('session:link', { link: link! });
    if (res.ok) this._session(res.data);
    else this._link = link;
  }

  /** Links this visitor to the site's signed-in user, now and after every reconnect. */
  identify(identity: Identify): void {
    this._identity = identity;
    if (this.state.ready) void this._identify();
  }

  /** Every connect and reconnect: who am I, what did I miss, then deliver what waits in the outbox. */
  private async _hello(): Promise<void> {
    clearTimeout(this._helloTimer);
    this._set({ ready: false });
    // The time zone lets the agent see the visitor's local time.
    const hello = { locale: this._options.locale, tz: Intl.DateTimeFormat().resolvedOptions().timeZone, ...pageInfo() };
    const res = await this._request('session:hello', hello);
    if (!this.socket.connected) return;
    if (!res.ok) {
      // The handshake already vetted site and origin: this is a slow or busy server, so ask again later.
      this._helloTimer = setTimeout(() => this.socket.connected && void this._hello(), res.error?.retryAfterMs ?? retryDelay(2));
      return;
    }
    this._session(res.data);
    if (this._identity) await this._identify();
    await this._sync();
    this._set({ ready: true });
    this._outbox.wake();
    this._outboxChanged();
  }

  /**
   * Catches up on what this page missed, a page at a time (the server answers at most SYNC_PAGE), from
   * the first hole: after every connect, when a push skips a seq, and when the page is shown again.
   * One at a time; a request during a sync runs once more after it.
   */
  private async _sync(): Promise<void> {
    if (this._syncing) return void (this._syncAgain = true);
    this._syncing = true;
    try {
      do {
        this._syncAgain = false;
        const conversationId = this.state.conversation?.id;
        for (let more = !!conversationId; more && this.socket.connected; ) {
          const page = await this._request('messages:sync', { conversationId: conversationId!, afterSeq: syncAfter(this.state.messages, conversationId!, this._complete(conversationId!)) });
          more = page.ok && page.data.length >= SYNC_PAGE;
          if (page.ok) {
            this._completeSeq.set(conversationId!, completeAfter(this._complete(conversationId!), page.data));
            this._addMessages(page.data, false, false);
          }
        }
      } while (this._syncAgain);
    } finally {
      this._syncing = false;
    }
  }

  private async _identify(): Promise<void> {
    if (!this._identity) return;
    const res = await this._request('session:identify', this._identity);
    if (res.ok) this._session(res.data);
  }

  private _session(session: SessionDTO): void {
    // Another visitor now (another user signed in on this browser): nothing of the last one stays on screen.
    if (this._visitorId && session.visitorId !== this._visitorId) {
      this._completeSeq.clear();
      this._set({ conversation: null, messages: [] });
    }
    this._visitorId = session.visitorId;
    if (session.token) this._token(session.token);
    // A link works once: a reconnect does not offer it again (one waiting for the visitor's answer, yes).
    if (session.link && session.link != 'pending') this._link = undefined;
    this._set({
      siteName: session.siteName,
      agentsOnline: session.agentsOnline,
      feedback: session.feedback,
      replySound: session.replySound,
      csatEnabled: session.csatEnabled,
      contact: session.contact,
      attachments: session.attachments,
      ...(session.link ? { link: session.link } : {}),
      linkTo: session.linkTo,
    });
    if (session.conversation) this._setConversation(session.conversation);
    this._addMessages(session.messages);
  }

  private _setConversation(conversation: ConversationDTO): void {
    const current = this.state.conversation;
    // Of two pushes of one conversation the later write wins, and an older conversation never replaces a newer one.
    // (Both are ISO timestamps from the server, so they compare as strings.)
    const older = current?.id === conversation.id ? conversation.updatedAt < current.updatedAt : conversation.createdAt < (current?.createdAt ?? '');
    if (!older) this._set({ conversation });
  }

  /** `gaps`: a hole left in the current conversation (a push was lost while later ones came) is synced at once. */
  private _addMessages(incoming: MessageDTO[], live = false, gaps = true): void {
    const known = new Set(this.state.messages.map((m) => m.id));
    const messages = mergeMessages(this.state.messages, incoming);
    const id = this.state.conversation?.id;
    // (While a send waits for its ack, the hole may be that message: the ack comes through here too.)
    const sending = this._outbox.items.some((i) => i.status === 'sending');
    if (gaps && id && this.state.ready && !sending && syncAfter(messages, id, this._complete(id)) < lastSeq(messages, id)) void this._sync();
    const fresh = live ? incoming.filter((m) => !known.has(m.id) && m.author !== 'visitor') : [];
    this._set({ messages, incoming: fresh[fresh.length - 1] ?? this.state.incoming });
    // The server's copy of one of our messages replaces the pending one.
    const delivered = incoming.flatMap((m) => (m.clientId ? [m.clientId] : []));
    if (delivered.length && this._outbox.remove(...delivered)) this._outboxChanged();
  }

  private _outboxChanged(): void {
    this._set({ outbox: this._outbox.items });
    void this._flush();
  }

  /** Sends the outbox in order, one message at a time, so the server sees them as they were written. */
  private async _flush(): Promise<void> {
    if (this._flushing) return;
    this._flushing = true;
    clearTimeout(this._timer);
    try {
      for (let item = this._outbox.head(); item && this.state.ready && this.socket.connected; item = this._outbox.head()) {
        const wait = item.nextAt - Date.now();
        if (wait > 0) {
          this._timer = setTimeout(() => void this._flush(), wait);
          return;
        }
        this._outbox.update(item.clientId, { status: 'sending' });
        this._set({ outbox: this._outbox.items });
        const { clientId, body } = item;
        const res = await this._request('message:send', { clientId, body, ...pageInfo() });
        if (res.ok) {
          this._outbox.remove(clientId);
          this._setConversation(res.data.conversation);
          this._addMessages([res.data.message]);
        } else {
          this._outbox.fail(clientId, res.error?.code, res.error?.retryAfterMs);
        }
        this._set({ outbox: this._outbox.items });
      }
    } finally {
      this._flushing = false;
    }
  }

  private async _request<E extends keyof Requests>(event: E, payload: Parameters<Requests[E]>[0]): Promise<Reply<E>> {
    try {
      // socket.io-client types timeout().emitWithAck's result as unknown: the contract names it here.
      const timed = this.socket.timeout(TIMEOUT_MS) as unknown as { emitWithAck(e: E, p: typeof payload): Promise<Reply<E>> };
      return await timed.emitWithAck(event, payload);
    } catch {
      return { ok: false };
    }
  }

  /** Reads the stored visitor token, or stores a new one. */
  private _token(token?: string): string | undefined {
    try {
      const storage = this._options.storage;
      if (token) storage?.setItem(this._tokenKey, token);
      return storage?.getItem(this._tokenKey) ?? undefined;
    } catch {
      // Blocked storage (cookies off, sandboxed iframe): the visitor is new on every page view.
      return token;
    }
  }

  private _set(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    this.dispatchEvent(new Event('change'));
  }
}

/** Newest first, as the server lists them. */
const upsert = (list: FeedbackDTO[], item: FeedbackDTO): FeedbackDTO[] => [item, ...list.filter((f) => f.id !== item.id)];
