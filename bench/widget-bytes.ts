/**
 * What a visitor's browser transfers for the widget, measured in Chromium over the DevTools protocol on a
 * host page of another origin (the widget is always a cross-site embed): before the chat is opened, and
 * after the launcher is clicked, the panel shows and the socket is connected.
 *
 * Counted: every response from the widget server's origin (headers and body as they came over the wire,
 * CDP's encodedDataLength), split into files (widget.js, widget/*, /api/widget/status…) and Socket.IO's
 * own traffic (polling requests, and WebSocket frames received, with their framing).
 * The default host page is the demo article list at the server's other local name (127.0.0.1 for
 * localhost and back), which the demo site allows: the server must run with DEMO on.
 *
 * @example
 *   const bytes = await measureWidgetBytes({ serverUrl: 'http://localhost:3000' });
 *   console.log(bytes.beforeOpen.total, bytes.afterOpen.total);
 */
import { chromium, type CDPSession } from 'playwright-core';

export interface WidgetBytesOptions {
  /** Where widget.js is served from, e.g. http://localhost:3000 */
  serverUrl: string;
  /** A page of another origin that embeds `${serverUrl}/widget.js`; defaults to the demo's home at the other local name. */
  hostUrl?: string;
  chromiumPath?: string;
  /** Replaces the browser's Accept-Encoding (e.g. 'gzip, deflate' to measure gzip); the browser's own by default. */
  acceptEncoding?: string;
  /** Longest wait for any one step (page load, launcher, panel, socket). */
  timeoutMs?: number;
}

export interface FileTransfer {
  /** Path and query on the widget server. */
  path: string;
  phase: 'beforeOpen' | 'afterOpen';
  status: number;
  /** Content-Encoding of the response ('' for none). */
  encoding: string;
  /** Headers and body, as received. */
  transferred: number;
  /** The body alone, as received (compressed when encoded). */
  body: number;
}

export interface PhaseBytes {
  /** Widget files and other HTTP requests of the widget (everything but Socket.IO). */
  files: number;
  /** Socket.IO: polling requests plus WebSocket frames received (the upgrade's 101 headers included). */
  socket: number;
  total: number;
}

export interface WidgetBytes {
  /** Transferred from the page load until the widget is idle with its launcher shown. */
  beforeOpen: PhaseBytes;
  /** Transferred in all, from the page load until the opened chat is connected and idle. */
  afterOpen: PhaseBytes;
  /** Every HTTP response from the widget server (WebSocket frames are not listed). */
  files: FileTransfer[];
  /** What the browser sent as Accept-Encoding for widget.js. */
  acceptEncoding: string;
}

const LAUNCHER = /^(Open support chat|打开在线客服)/;
const QUIET_MS = 750;

/** WebSocket framing a server adds to a payload of n bytes (it sends unmasked). */
const frameOverhead = (n: number) => (n < 126 ? 2 : n < 65536 ? 4 : 10);

function otherLocalName(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.hostname = url.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  url.pathname = '/';
  return url.href;
}

/** Collects the widget server's traffic from a page's Network domain events. */
class Traffic {
  readonly files: FileTransfer[] = [];
  acceptEncoding = '';
  socketConnected = false;
  private phase: FileTransfer['phase'] = 'beforeOpen';
  private readonly pending = new Map<string, { path: string; status: number; encoding: string; headers: number }>();
  private readonly sockets = new Set<string>();
  private readonly socketBytes = { beforeOpen: 0, afterOpen: 0 };
  private lastActivity = Date.now();

  constructor(private readonly origin: string, cdp: CDPSession) {
    // The headers the network stack sent (Accept-Encoding among them) come in their own event, which
    // Chromium may deliver before or after requestWillBeSent: kept by request id (a page makes a few dozen).
    const sent = new Map<string, string>();
    cdp.on('Network.requestWillBeSent', ({ requestId, request }) => {
      const url = new URL(request.url);
      if (url.origin !== this.origin) return;
      this.touch();
      this.pending.set(requestId, { path: url.pathname + url.search, status: 0, encoding: '', headers: 0 });
      if (url.pathname === '/widget.js') this.acceptEncoding = sent.get(requestId) || header(request.headers, 'accept-encoding');
    });
    cdp.on('Network.requestWillBeSentExtraInfo', ({ requestId, headers }) => {
      const encoding = header(headers, 'accept-encoding');
      sent.set(requestId, encoding);
      if (this.pending.get(requestId)?.path === '/widget.js') this.acceptEncoding = encoding || this.acceptEncoding;
    });
    cdp.on('Network.responseReceived', ({ requestId, response }) => {
      const req = this.pending.get(requestId);
      if (!req) return;
      this.touch();
      req.status = response.status;
      req.encoding = header(response.headers, 'content-encoding');
      req.headers = response.encodedDataLength;
    });
    cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
      const req = this.pending.get(requestId);
      if (!req) return;
      this.touch();
      this.pending.delete(requestId);
      this.files.push({ path: req.path, phase: this.phase, status: req.status, encoding: req.encoding, transferred: encodedDataLength, body: encodedDataLength - req.headers });
      // Socket.IO starts on polling: the namespace's connect packet usually arrives in a polling response.
      if (req.path.startsWith('/socket.io/')) {
        cdp.send('Network.getResponseBody', { requestId }).then(({ body }) => this.sawPacket(body), () => {});
      }
    });
    cdp.on('Network.loadingFailed', ({ requestId }) => {
      if (this.pending.delete(requestId)) this.touch();
    });
    cdp.on('Network.webSocketCreated', ({ requestId, url }) => {
      if (new URL(url).origin.replace(/^ws/, 'http') === this.origin) this.sockets.add(requestId);
    });
    cdp.on('Network.webSocketHandshakeResponseReceived', ({ requestId, response }) => {
      if (!this.sockets.has(requestId)) return;
      this.touch();
      const headers = Object.entries(response.headers as Record<string, string>).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
      this.socketBytes[this.phase] += (response.headersText?.length as number | undefined) ?? `HTTP/1.1 101 ${response.statusText}\r\n`.length + headers + 2;
    });
    cdp.on('Network.webSocketFrameReceived', ({ requestId, response }) => {
      if (!this.sockets.has(requestId)) return;
      this.touch();
      const n = Buffer.byteLength(response.payloadData, response.opcode === 2 ? 'base64' : 'utf8');
      this.socketBytes[this.phase] += n + frameOverhead(n);
      this.sawPacket(response.payloadData);
    });
  }

  /** "40/widget,{…}": the widget namespace accepted the connection. */
  private sawPacket(payload: string) {
    if (/(^|\x1e)40\/widget,/.test(payload)) this.socketConnected = true;
  }

  private touch() {
    this.lastActivity = Date.now();
  }

  /** Resolves once nothing from the widget server has moved for a while and no request is in flight. */
  async quiet(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0 || Date.now() - this.lastActivity < QUIET_MS) {
      if (Date.now() > deadline) throw new Error(`the widget never went quiet (${[...this.pending.values()].map((r) => r.path).join(', ')})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  opened() {
    this.phase = 'afterOpen';
  }

  /** Bytes up to and including `phase`. */
  sum(phase: FileTransfer['phase']): PhaseBytes {
    const phases = phase === 'beforeOpen' ? ['beforeOpen'] : ['beforeOpen', 'afterOpen'];
    const http = this.files.filter((f) => phases.includes(f.phase));
    const isSocket = (f: FileTransfer) => f.path.startsWith('/socket.io/');
    const files = http.filter((f) => !isSocket(f)).reduce((n, f) => n + f.transferred, 0);
    const socket = http.filter(isSocket).reduce((n, f) => n + f.transferred, 0) + phases.reduce((n, p) => n + this.socketBytes[p as FileTransfer['phase']], 0);
    return { files, socket, total: files + socket };
  }
}

function header(headers: Record<string, unknown>, name: string): string {
  const hit = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  return hit ? String(hit[1]) : '';
}

/** Loads the host page in a fresh Chromium (empty cache), opens the chat, and counts the widget's bytes. */
export async function measureWidgetBytes(opts: WidgetBytesOptions): Promise<WidgetBytes> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const origin = new URL(opts.serverUrl).origin;
  const hostUrl = opts.hostUrl ?? otherLocalName(opts.serverUrl);
  if (new URL(hostUrl).origin === origin) throw new Error('the host page must be of another origin than the widget server');
  const browser = await chromium.launch({
    executablePath: opts.chromiumPath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const traffic = new Traffic(origin, cdp);
    await cdp.send('Network.enable');
    if (opts.acceptEncoding) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': opts.acceptEncoding } });

    await page.goto(hostUrl, { timeout: timeoutMs });
    const launcher = page.getByRole('button', { name: LAUNCHER });
    await launcher.waitFor({ timeout: timeoutMs });
    await traffic.quiet(timeoutMs);
    const beforeOpen = traffic.sum('beforeOpen');

    traffic.opened();
    await launcher.click({ timeout: timeoutMs });
    await page.getByRole('dialog').waitFor({ timeout: timeoutMs });
    await traffic.until(() => traffic.socketConnected, 'the widget socket to connect', timeoutMs);
    await traffic.quiet(timeoutMs);
    return { beforeOpen, afterOpen: traffic.sum('afterOpen'), files: traffic.files, acceptEncoding: traffic.acceptEncoding };
  } finally {
    await browser.close();
  }
}
