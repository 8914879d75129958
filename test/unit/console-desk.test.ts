import { describe, expect, it, vi } from 'vitest';
import type { Ack } from '../../shared/result.ts';
import type { AgentDTO, ConversationDTO, MessageDTO } from '../../shared/types.ts';
import { ClientId } from '../../shared/schemas.ts';
import { AgentConnection, CONNECT_WAIT_MS, type AgentSocket } from '../../console/shared/connection.ts';
import { Desk, isErased, type Attention } from '../../console/shared/desk.ts';

const ME: AgentDTO = { id: 'agent-me', email: 'me@example.com', name: 'Me', role: 'agent', siteIds: ['demo'], availability: 'online' };
const CID = '2f1c3a55-5f34-4c8e-9d1e-0c7f7e3c1a01';

type Handler = (payload: any) => Ack<unknown> | undefined;

/** A socket.io client stand-in: requests go to `handlers`, pushes come from `push`, and the link can drop. */
class FakeSocket {
  connected = false;
  active = true;
  handlers: Record<string, Handler> = {};
  sent: { event: string; payload: any }[] = [];
  private listeners = new Map<string, Set<(...args: any[]) => void>>();

  on(event: string, fn: (...args: any[]) => void) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(fn);
    return this;
  }
  off(event: string, fn: (...args: any[]) => void) {
    this.listeners.get(event)?.delete(fn);
    return this;
  }
  timeout() {
    return {
      emit: (event: string, payload: any, cb: (err: Error | null, res?: unknown) => void) => {
        this.sent.push({ event, payload });
        const res = this.handlers[event]?.(payload);
        // No answer stands for a lost packet: the ack times out.
        queueMicrotask(() => (res ? cb(null, res) : cb(new Error('timeout'))));
      },
    };
  }
  connect() {
    this.connected = true;
    this.fire('connect');
  }
  drop() {
    this.connected = false;
    this.fire('disconnect', 'transport close');
  }
  disconnect() {
    this.connected = false;
    this.active = false;
  }
  fire(event: string, ...args: unknown[]) {
    for (const fn of this.listeners.get(event) ?? []) fn(...args);
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function conversation(over: Partial<ConversationDTO> = {}): ConversationDTO {
  return {
    id: CID,
    siteId: 'demo',
    updatedAt: '2026-01-01T00:00:00.000Z',
    status: 'open',
    visitorId: 'v1',
    visitorName: null,
    visitorEmail: null,
    assignedAgentId: ME.id,
    assignedAgentName: ME.name,
    pageUrl: 'https://example.com/a',
    pageTitle: 'A',
    question: 'How?',
    lastSeq: 2,
    createdAt: '2025-01-01T00:00:00Z',
    escalatedAt: '2025-01-01T00:00:05Z',
    firstResponseAt: null,
    resolvedAt: null,
    ...over,
  };
}

function message(seq: number, over: Partial<MessageDTO> = {}): MessageDTO {
  return {
    id: `m${seq}`,
    conversationId: CID,
    seq,
    author: 'visitor',
    authorName: null,
    body: `visitor ${seq}`,
    kind: 'text',
    clientId: null,
    meta: {},
    createdAt: '2025-01-01T00:00:00Z',
    ...over,
  };
}

/** A server that stores agent replies once per clientId, like the real one. */
function setup() {
  const socket = new FakeSocket();
  const stored: MessageDTO[] = [message(1), message(2)];
  socket.handlers = {
    'queue:list': () => ({ ok: true, data: { waiting: [], mine: [conversation()] } }),
    'conversation:open': () => ({ ok: true, data: { conversation: conversation(), messages: stored.slice() } }),
    'conversation:close': () => ({ ok: true, data: {} }),
    'messages:sync': (p) => ({ ok: true, data: stored.filter((m) => m.seq > p.afterSeq) }),
    'message:send': (p) => {
      let m = stored.find((x) => x.clientId === p.clientId);
      if (!m) {
        m = message(stored.length + 1, { author: 'agent', authorName: ME.name, body: p.body, clientId: p.clientId, id: `a${p.clientId}` });
        stored.push(m);
      }
      return { ok: true, data: { message: m } };
    },
  };
  const conn = new AgentConnection(socket as unknown as AgentSocket);
  const desk = new Desk(conn, ME);
  return { socket, conn, desk, stored };
}

describe('console connection requests', () => {
  const ping: Handler = (p) => ({ ok: true, data: p });

  it('waits for the first connection instead of failing a request made while it is being set up', async () => {
    const socket = new FakeSocket();
    socket.handlers = { 'agent:availability': ping };
    const conn = new AgentConnection(socket as unknown as AgentSocket);
    const result = conn.request('agent:availability', { availability: 'away' });
    await flush();
    expect(socket.sent).toEqual([]);
    socket.connect();
    expect(await result).toEqual({ ok: true, data: { availability: 'away' } });
    expect(socket.sent.map((s) => s.event)).toEqual(['agent:availability']);
  });

  it('says OFFLINE when no connection comes within the wait, and at once when the socket has stopped trying', async () => {
    vi.useFakeTimers();
    try {
      const socket = new FakeSocket();
      socket.handlers = { 'agent:availability': ping };
      const conn = new AgentConnection(socket as unknown as AgentSocket);
      const waiting = conn.request('agent:availability', { availability: 'away' });
      await vi.advanceTimersByTimeAsync(CONNECT_WAIT_MS - 1);
      let settled = false;
      void waiting.then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await waiting).toEqual({ ok: false, error: { code: 'OFFLINE' } });

      conn.close();
      expect(await conn.request('agent:availability', { availability: 'away' })).toEqual({ ok: false, error: { code: 'OFFLINE' } });
      expect(socket.sent).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives up waiting as soon as the server refuses the handshake', async () => {
    const socket = new FakeSocket();
    const conn = new AgentConnection(socket as unknown as AgentSocket);
    const waiting = conn.request('agent:availability', { availability: 'away' });
    await flush();
    socket.active = false;
    socket.fire('connect_error', new Error('refused'));
    expect(await waiting).toEqual({ ok: false, error: { code: 'OFFLINE' } });
  });

  it('tries again by itself when the handshake is refused for now (the database away), without saying rejected', async () => {
    vi.useFakeTimers();
    try {
      const socket = new FakeSocket();
      const conn = new AgentConnection(socket as unknown as AgentSocket);
      let rejected = 0;
      conn.addEventListener('rejected', () => (rejected += 1));
      socket.active = false;
      // Twice in a row: the second wait is longer, and each ends in a new attempt.
      for (const most of [1000, 2000]) {
        socket.fire('connect_error', new Error('UNAVAILABLE'));
        expect(conn.state).toBe('connecting');
        await vi.advanceTimersByTimeAsync(most / 2 - 1);
        expect(socket.connected).toBe(false);
        if (most === 2000) {
          await vi.advanceTimersByTimeAsync(most / 2 + 1);
          expect(socket.connected).toBe(true);
        } else {
          // Connects as the handshake is refused again.
          socket.connect = () => undefined;
          await vi.advanceTimersByTimeAsync(most / 2 + 1);
          socket.connect = FakeSocket.prototype.connect;
        }
      }
      expect(conn.state).toBe('online');
      expect(rejected).toBe(0);

      // A refusal for good stays refused, and says so.
      socket.connected = false;
      socket.fire('connect_error', new Error('UNAUTHORIZED'));
      expect(conn.state).toBe('offline');
      expect(rejected).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('console live desk', () => {
  it('loads the queue as soon as it connects', async () => {
    const { socket, conn, desk } = setup();
    expect(conn.state).toBe('connecting');
    socket.connect();
    await flush();
    expect(conn.state).toBe('online');
    expect(desk.queue.mine.map((c) => c.id)).toEqual([CID]);
  });

  it('sends a reply with a valid clientId and shows it once acknowledged', async () => {
    const { socket, desk } = setup();
    socket.connect();
    await desk.open(CID);
    expect(desk.send('  Hello there  ')).toBe(true);
    expect(desk.pending.map((o) => o.state)).toEqual(['sending']);
    await flush();
    const send = socket.sent.find((s) => s.event === 'message:send')!;
    expect(ClientId.safeParse(send.payload.clientId).success).toBe(true);
    expect(send.payload.body).toBe('Hello there');
    expect(desk.pending).toEqual([]);
    expect(desk.messages.at(-1)?.body).toBe('Hello there');
    expect(desk.sentClientIds.has(send.payload.clientId)).toBe(true);
  });

  it('catches up after a reconnect: re-opens, syncs after the last seq, resends with the same clientId', async () => {
    const { socket, conn, desk, stored } = setup();
    socket.connect();
    await desk.open(CID);
    socket.drop();
    expect(conn.state).toBe('reconnecting');
    desk.send('typed while offline');
    expect(desk.pending[0].state).toBe('queued');
    const clientId = desk.pending[0].clientId;
    stored.push(message(3, { body: 'visitor wrote while we were away' }));
    socket.sent = [];
    socket.connect();
    await flush();
    await flush();
    const events = socket.sent.map((s) => s.event);
    expect(events).toContain('queue:list');
    expect(events).toContain('conversation:open');
    const sync = socket.sent.find((s) => s.event === 'messages:sync')!;
    expect(sync.payload).toEqual({ conversationId: CID, afterSeq: 3 });
    const resend = socket.sent.filter((s) => s.event === 'message:send');
    expect(resend.map((s) => s.payload.clientId)).toEqual([clientId]);
    expect(desk.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(desk.pending).toEqual([]);
  });

  it('drops the open conversation’s messages when its visitor is erased, pushed or found on a reconnect', async () => {
    const { socket, desk } = setup();
    socket.connect();
    await desk.open(CID);
    expect(desk.messages.map((m) => m.seq)).toEqual([1, 2]);
    socket.fire('conversation:erased', { conversationId: 'another-conversation' });
    expect(desk.messages.map((m) => m.seq)).toEqual([1, 2]);
    socket.fire('conversation:erased', { conversationId: CID });
    expect(desk.messages).toEqual([]);
    expect(isErased(desk.current!, desk.messages)).toBe(true);

    // Erased while this console was away: the re-open finds none of the messages it shows.
    const away = setup();
    away.socket.connect();
    await away.desk.open(CID);
    expect(away.desk.messages).toHaveLength(2);
    away.socket.drop();
    away.stored.splice(0);
    away.socket.connect();
    await flush();
    await flush();
    expect(away.desk.messages).toEqual([]);
  });

  it('keeps a single copy when the ack was lost but the message was stored', async () => {
    const { socket, desk, stored } = setup();
    socket.connect();
    await desk.open(CID);
    const realSend = socket.handlers['message:send'];
    socket.handlers['message:send'] = (p) => {
      realSend(p);
      return undefined;
    };
    desk.send('first try');
    await flush();
    expect(desk.pending[0].state).toBe('failed');
    expect(desk.pending[0].error?.code).toBe('TIMEOUT');
    socket.handlers['message:send'] = realSend;
    desk.retry(desk.pending[0].clientId);
    await flush();
    expect(stored.filter((m) => m.body === 'first try')).toHaveLength(1);
    expect(desk.messages.filter((m) => m.body === 'first try')).toHaveLength(1);
    expect(desk.pending).toEqual([]);
  });

  it('shows pushed visitor messages live and marks other conversations unread', async () => {
    const { socket, desk } = setup();
    socket.connect();
    await desk.open(CID);
    socket.fire('message:created', message(3, { body: '<img src=x onerror=alert(1)>' }));
    socket.fire('message:created', message(3, { body: '<img src=x onerror=alert(1)>' }));
    expect(desk.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    socket.fire('message:created', message(1, { id: 'other-1', conversationId: 'other' }));
    expect(desk.unread.has('other')).toBe(true);
  });

  it('sends replies one at a time, in the order they were written', async () => {
    const { socket, desk, stored } = setup();
    socket.connect();
    await desk.open(CID);
    socket.sent = [];
    desk.send('first');
    desk.send('second');
    desk.send('third');
    expect(socket.sent.filter((s) => s.event === 'message:send').map((s) => s.payload.body)).toEqual(['first']);
    await flush();
    await flush();
    await flush();
    expect(socket.sent.filter((s) => s.event === 'message:send').map((s) => s.payload.body)).toEqual(['first', 'second', 'third']);
    expect(stored.slice(-3).map((m) => m.body)).toEqual(['first', 'second', 'third']);
    expect(desk.pending).toEqual([]);
  });

  it('fills the hole left by a lost push as soon as a later message arrives', async () => {
    const { socket, desk, stored } = setup();
    socket.connect();
    await desk.open(CID);
    await flush();
    stored.push(message(3, { body: 'this push was lost' }), message(4, { body: 'this one arrived' }));
    socket.sent = [];
    socket.fire('message:created', stored[3]);
    await flush();
    expect(socket.sent.find((s) => s.event === 'messages:sync')?.payload).toEqual({ conversationId: CID, afterSeq: 2 });
    expect(desk.messages.map((m) => m.body)).toEqual(['visitor 1', 'visitor 2', 'this push was lost', 'this one arrived']);
  });

  it('resends a reply by itself when the server is unavailable for a while, keeping one copy', async () => {
    const { socket, desk, stored } = setup();
    socket.connect();
    await desk.open(CID);
    const realSend = socket.handlers['message:send'];
    socket.handlers['message:send'] = () => ({ ok: false, error: { code: 'UNAVAILABLE', retryAfterMs: 5 } });
    desk.send('during the outage');
    await flush();
    expect(desk.pending[0].error?.code).toBe('UNAVAILABLE');
    socket.handlers['message:send'] = realSend;
    await new Promise((r) => setTimeout(r, 30));
    expect(desk.pending).toEqual([]);
    expect(stored.filter((m) => m.body === 'during the outage')).toHaveLength(1);
  });

  it('says "claimed by another agent" when the claim lost the race', async () => {
    const { socket, desk } = setup();
    socket.handlers['conversation:open'] = () => ({
      ok: true,
      data: { conversation: conversation({ assignedAgentId: null, assignedAgentName: null }), messages: [] },
    });
    socket.handlers['conversation:claim'] = () => ({ ok: false, error: { code: 'ALREADY_CLAIMED' } });
    socket.connect();
    await desk.open(CID);
    await desk.claim();
    expect(desk.actionError).toEqual({ code: 'ALREADY_CLAIMED' });
    expect(desk.busy).toBeNull();
  });

  it('follows conversation updates in the queue and the open conversation', async () => {
    const { socket, desk } = setup();
    socket.connect();
    await desk.open(CID);
    await flush();
    socket.fire('conversation:updated', conversation({ status: 'resolved', resolvedAt: '2025-01-01T01:00:00Z' }));
    expect(desk.queue.mine).toEqual([]);
    expect(desk.current?.status).toBe('resolved');
  });

  it('stops listening once disposed', async () => {
    const { socket, desk } = setup();
    socket.connect();
    await flush();
    desk.dispose();
    socket.fire('conversation:updated', conversation({ id: 'x', assignedAgentId: null }));
    expect(desk.queue.waiting).toEqual([]);
  });
  it('counts unread visitor messages per conversation and in all, once per message, until the conversation is opened', async () => {
    const { socket, desk } = setup();
    socket.connect();
    await flush();
    const other = conversation({ id: 'other', lastSeq: 1 });
    socket.fire('conversation:updated', other);
    socket.fire('message:created', message(2, { id: 'o2', conversationId: 'other' }));
    socket.fire('message:created', message(2, { id: 'o2', conversationId: 'other' }));
    socket.fire('message:created', message(3, { id: 'o3', conversationId: 'other' }));
    socket.fire('message:created', message(3, { id: 'c3' }));
    expect([desk.unread.get('other'), desk.unread.get(CID), desk.unreadTotal]).toEqual([2, 1, 3]);
    await desk.open('other');
    expect([desk.unread.has('other'), desk.unreadTotal]).toEqual([false, 1]);
  });

  it('calls for attention on a new waiting conversation, one given to the agent and a visitor message in theirs, never for their own claim', async () => {
    const { socket, desk } = setup();
    const seen: string[] = [];
    desk.addEventListener('attention', (e) => {
      const a = (e as CustomEvent<Attention>).detail;
      seen.push(`${a.kind}:${a.conversation.id}`);
    });
    socket.connect();
    await flush();
    expect(seen).toEqual([]);
    const waiting = conversation({ id: 'w1', assignedAgentId: null, assignedAgentName: null });
    socket.fire('conversation:updated', waiting);
    socket.fire('conversation:updated', waiting);
    socket.fire('conversation:updated', conversation({ id: 't1' }));
    socket.fire('message:created', message(3));
    socket.fire('message:created', message(3));
    socket.fire('message:created', message(4, { author: 'agent', authorName: 'Other' }));
    expect(seen).toEqual(['waiting:w1', 'assigned:t1', `message:${CID}`]);
    // The agent's own claim: the site's push may come before the ack.
    socket.handlers['conversation:open'] = () => ({ ok: true, data: { conversation: waiting, messages: [] } });
    socket.handlers['conversation:claim'] = () => {
      socket.fire('conversation:updated', conversation({ id: 'w1' }));
      return { ok: true, data: conversation({ id: 'w1' }) };
    };
    await desk.open('w1');
    await desk.claim();
    expect(desk.queue.mine.map((c) => c.id)).toContain('w1');
    expect(seen).toEqual(['waiting:w1', 'assigned:t1', `message:${CID}`]);
  });

  it('shows the visitor typing in the open conversation until their message comes, and keeps read marks moving forward only', async () => {
    const { socket, desk } = setup();
    socket.handlers['conversation:read'] = (p) => ({ ok: true, data: { readSeq: p.seq } });
    socket.connect();
    await desk.open(CID);
    socket.fire('typing', { conversationId: CID, typing: true });
    expect(desk.visitorTyping).toBe(CID);
    socket.fire('message:created', message(3));
    expect(desk.visitorTyping).toBe(null);

    socket.fire('conversation:read', { conversationId: CID, reader: 'visitor', seq: 2 });
    expect(desk.current?.visitorReadSeq).toBe(2);
    // A conversation push written before the receipt does not take the mark back.
    socket.fire('conversation:updated', conversation({ visitorReadSeq: 1, updatedAt: '2026-01-02T00:00:00.000Z' }));
    expect(desk.current?.visitorReadSeq).toBe(2);
  });

  it('marks the open conversation read once per new visitor message, not once per render', async () => {
    const { socket, desk } = setup();
    socket.handlers['conversation:read'] = (p) => ({ ok: true, data: { readSeq: p.seq } });
    socket.connect();
    await desk.open(CID);
    const reads = () => socket.sent.filter((s) => s.event === 'conversation:read').map((s) => s.payload.seq);
    desk.markRead();
    desk.markRead();
    await flush();
    desk.markRead();
    expect(reads()).toEqual([2]);
    expect(desk.current?.agentReadSeq).toBe(2);
    // The agent's own reply is no reason to send a mark; the visitor's next message is.
    desk.send('Hello');
    await flush();
    desk.markRead();
    socket.fire('message:created', message(4));
    desk.markRead();
    await flush();
    expect(reads()).toEqual([2, 4]);
  });

  it('says typing for the open conversation, throttled, and stops when the draft goes', async () => {
    const { socket, desk } = setup();
    socket.handlers.typing = () => ({ ok: true, data: {} });
    socket.connect();
    await desk.open(CID);
    desk.typing(true);
    desk.typing(true);
    desk.typing(false);
    const sent = () => socket.sent.filter((s) => s.event === 'typing').map((s) => s.payload);
    expect(sent()).toEqual([
      { conversationId: CID, typing: true },
      { conversationId: CID, typing: false },
    ]);
    // Leaving a conversation with a draft stops the signal there.
    desk.typing(true);
    await desk.open('c2');
    expect(sent().slice(2)).toEqual([
      { conversationId: CID, typing: true },
      { conversationId: CID, typing: false },
    ]);
  });
});
