/**
 * The yardstick of `npm run bench:relay`: what a chat relay does on plain Socket.IO 4.8, without
 * storage. A visitor's `message:send` is acknowledged and forwarded to the agent socket that claimed
 * the conversation, an agent's to the visitor. Same event names and payload shapes as the product,
 * so one load generator drives both. Reports its event-loop delay and memory on GET /metrics in the
 * names prom-client uses in the product, reset on every scrape like prom-client does.
 *
 * Run: PORT=0 node --import tsx bench/relay/relay-server.ts (prints `listening <port>`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { Server, type Socket } from 'socket.io';

type Ack = (res: unknown) => void;
interface Conversation {
  id: string;
  visitor: Socket;
  agent?: Socket;
  seq: number;
}

// prom-client's default resolution, so that both servers' numbers mean the same.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

const http = createServer((req, res) => {
  const local = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress ?? '');
  if (req.url !== '/metrics' || !local) {
    res.writeHead(404).end();
    return;
  }
  const mem = process.memoryUsage();
  const body = [
    `nodejs_eventloop_lag_p99_seconds ${loop.percentile(99) / 1e9}`,
    `nodejs_eventloop_lag_max_seconds ${loop.max / 1e9}`,
    `process_resident_memory_bytes ${mem.rss}`,
    `nodejs_heap_size_used_bytes ${mem.heapUsed}`,
    '',
  ].join('\n');
  loop.reset();
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
});

const io = new Server(http, { maxHttpBufferSize: 64 * 1024 });
const conversations = new Map<string, Conversation>();
const valid = (p: unknown): p is { clientId: string; body: string; conversationId?: string } =>
  typeof p === 'object' && p !== null && typeof (p as { clientId?: unknown }).clientId === 'string' && typeof (p as { body?: unknown }).body === 'string';

function message(conv: Conversation, author: 'visitor' | 'agent', p: { clientId: string; body: string }) {
  conv.seq += 1;
  return { id: randomUUID(), conversationId: conv.id, seq: conv.seq, author, body: p.body, clientId: p.clientId, createdAt: new Date().toISOString() };
}

io.of('/widget').on('connection', (socket) => {
  let conv: Conversation | undefined;
  socket.on('session:hello', (_p: unknown, ack: Ack) => ack({ ok: true, data: { visitorId: socket.id, conversation: null, messages: [] } }));
  socket.on('message:send', (p: unknown, ack: Ack) => {
    if (!valid(p)) return ack({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    if (!conv) {
      conv = { id: randomUUID(), visitor: socket, seq: 0 };
      conversations.set(conv.id, conv);
    }
    const m = message(conv, 'visitor', p);
    ack({ ok: true, data: { message: m, conversation: { id: conv.id, status: 'open' } } });
    conv.agent?.emit('message:created', m);
  });
  socket.on('disconnect', () => {
    if (conv) conversations.delete(conv.id);
  });
});

io.of('/agent').on('connection', (socket) => {
  socket.on('conversation:claim', (p: { conversationId?: unknown }, ack: Ack) => {
    const conv = conversations.get(String(p?.conversationId));
    if (!conv || (conv.agent && conv.agent !== socket)) return ack({ ok: false, error: { code: 'NOT_FOUND' } });
    conv.agent = socket;
    ack({ ok: true, data: { id: conv.id, status: 'open' } });
  });
  socket.on('message:send', (p: unknown, ack: Ack) => {
    const conv = valid(p) ? conversations.get(String(p.conversationId)) : undefined;
    if (!valid(p) || !conv || conv.agent !== socket) return ack({ ok: false, error: { code: 'NOT_FOUND' } });
    const m = message(conv, 'agent', p);
    ack({ ok: true, data: { message: m } });
    conv.visitor.emit('message:created', m);
  });
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening ${(http.address() as AddressInfo).port}`));
const stop = () => {
  io.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
