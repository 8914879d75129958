/** A real server on port 0 with a fresh database, and clients that talk to it like the widget and the console. */
import { io as connect, type Socket } from 'socket.io-client';
import type {
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  WidgetClientToServerEvents,
  WidgetServerToClientEvents,
} from '../../shared/protocol.ts';
import type { Ack } from '../../shared/result.ts';
import type { SessionDTO } from '../../shared/types.ts';
import { createApp, type App } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { createAgent } from '../../server/agents/agents.service.ts';
import { createTestDatabase, type Backend, type TestDatabase } from './db.ts';

export type VisitorSocket = Socket<WidgetServerToClientEvents, WidgetClientToServerEvents>;
export type AgentClientSocket = Socket<AgentServerToClientEvents, AgentClientToServerEvents>;

export interface TestServer {
  url: string;
  app: App;
  database: TestDatabase;
  close(): Promise<void>;
}

export const ADMIN = { email: 'admin@test.local', password: 'admin-password-1' };

/** `clock`: the server's now (metrics count periods up to it), for tests of a fixed history. */
export async function startTestServer(backend: Backend, overrides: Partial<Config> = {}, { clock }: { clock?: () => Date } = {}): Promise<TestServer> {
  const database = await createTestDatabase(backend);
  const config: Config = {
    ...loadConfig({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' }),
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    host: '127.0.0.1',
    ...overrides,
  };
  const app = createApp({ db: database.db, reports: database.reports, messageLanes: database.messageLanes, config, log: createLogger(config.logLevel), clock });
  const url = await app.listen(0, '127.0.0.1');
  const sockets: Socket[] = [];
  track = (s) => sockets.push(s);
  return {
    url,
    app,
    database,
    async close() {
      for (const s of sockets) s.disconnect();
      await app.close();
      await database.drop();
    },
  };
}

let track: (s: Socket) => void = () => {};

/** A visitor's socket, as the widget opens it. */
export function visitorSocket(url: string, opts: { site?: string; token?: string; origin?: string; userAgent?: string } = {}): VisitorSocket {
  const s: VisitorSocket = connect(`${url}/widget`, {
    query: { site: opts.site ?? 'demo' },
    auth: opts.token ? { token: opts.token } : {},
    transports: ['websocket'],
    extraHeaders: { ...(opts.origin ? { origin: opts.origin } : {}), ...(opts.userAgent ? { 'user-agent': opts.userAgent } : {}) },
    reconnection: false,
    forceNew: true,
  });
  track(s);
  return s;
}

/** Logs in over HTTP and returns the session cookie. */
export async function login(url: string, email = ADMIN.email, password = ADMIN.password): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0];
}

export async function addAgent(server: TestServer, email: string, siteIds: string[] = ['demo'], role: 'admin' | 'agent' = 'agent') {
  await createAgent(server.database.db, { email, password: 'agent-password-1', name: email.split('@')[0], role, siteIds });
  return login(server.url, email, 'agent-password-1');
}

export function agentSocket(url: string, cookie: string): AgentClientSocket {
  const s: AgentClientSocket = connect(`${url}/agent`, { extraHeaders: { cookie }, transports: ['websocket'], reconnection: false, forceNew: true });
  track(s);
  return s;
}

export function connected(s: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.connected) return resolve();
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
}

/** A new visitor as the widget starts one: connected, `session:hello` answered; `token` is the session's. */
export async function helloVisitor(url: string, opts: Parameters<typeof visitorSocket>[1] = {}) {
  const v = visitorSocket(url, opts);
  await connected(v);
  const session = await ok<SessionDTO>(v, 'session:hello', {});
  return { v, session, token: session.token! };
}

/** Emits with an ack and resolves with the Ack. */
export function call<T = unknown>(s: Socket, event: string, payload?: unknown): Promise<Ack<T>> {
  return s.timeout(10_000).emitWithAck(event, payload) as Promise<Ack<T>>;
}

/** Like call, but throws unless ok. */
export async function ok<T = any>(s: Socket, event: string, payload?: unknown): Promise<T> {
  const res = await call<T>(s, event, payload);
  if (!res.ok) throw new Error(`${event} failed: ${res.error.code}`);
  return res.data;
}

/** Resolves with the next event of that name matching the predicate. */
export function next<T = any>(s: Socket, event: string, match: (v: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(event, handler);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const handler = (v: T) => {
      if (!match(v)) return;
      clearTimeout(timer);
      s.off(event, handler);
      resolve(v);
    };
    s.on(event, handler);
  });
}

let n = 0;
export const clientId = () => `c${Date.now().toString(36)}${(n++).toString(36)}xxxxxx`;

/** Authenticated JSON fetch for the console API. */
export async function api<T = any>(url: string, cookie: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Ack<T>;
  try {
    json = JSON.parse(text);
  } catch {
    json = { ok: true, data: text as T };
  }
  return { status: res.status, body: json };
}

/** Like api, but throws unless the answer is ok, and resolves with its data. */
export async function apiData<T = any>(url: string, cookie: string | undefined, method: string, path: string, body?: unknown): Promise<T> {
  const res = await api<T>(url, cookie, method, path, body);
  if (!res.body.ok) throw new Error(`${method} ${path}: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/** The body of a refusal with that code, to compare an answer with. */
export const refusal = (code: string) => ({ ok: false, error: { code } });
