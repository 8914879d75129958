/** createApp(deps): wires Express and Socket.IO from what it is given. No side effects at import. */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { Server } from 'socket.io';
import { AGENT_NAMESPACE, MAX_PAYLOAD_BYTES, WIDGET_NAMESPACE } from '../shared/protocol.ts';
import type { Config } from './config.ts';
import type { Ctx } from './context.ts';
import type { Db } from './db/client.ts';
import { SLICE_TICKETS } from './metrics/sliced.ts';
import { rawClient } from './db/raw.ts';
import { groupCommit } from './db/group-commit.ts';
import type { Logger } from './logger.ts';
import { memoryRateLimiter, type RateLimiter } from './ratelimit.ts';
import { FaqService, type IndexChange } from './faq/faq.service.ts';
import { Realtime, type AgentNamespace, type WidgetNamespace } from './realtime/realtime.ts';
import { FloodGuard } from './realtime/flood.ts';
import { Assigner } from './assignment/assignment.ts';
import { QueueNotifier } from './conversations/queue.service.ts';
import { registerPresenceHandlers } from './presence/presence.handlers.ts';
import { errorMiddleware, json } from './http/respond.ts';
import { databaseProbe, healthHandler } from './http/health.ts';
import { precompressedFile, precompressedFiles } from './http/static.ts';
import { AppError, isUniqueViolation, publicError } from './errors.ts';
import { checkSiteAccess } from './sites/sites.service.ts';
import { SiteCache } from './sites/site-cache.ts';
import { agentMiddleware, authRouter, onAgentConnected, sameOrigin, type AgentSocket } from './agents/agents.handlers.ts';
import { registerVisitorHandlers, saveVisitorFirst, widgetMiddleware, type WidgetSocket } from './visitors/visitors.handlers.ts';
import { registerAgentConversationHandlers, registerWidgetConversationHandlers } from './conversations/conversations.handlers.ts';
import { registerAgentReceiptHandlers, registerWidgetReceiptHandlers } from './conversations/receipts.handlers.ts';
import { conversationsRouter } from './conversations/conversations.http.ts';
import { feedbackRouter, registerWidgetFeedbackHandlers } from './feedback/feedback.handlers.ts';
import { metricsRouter } from './metrics/metrics.handlers.ts';
import { ticketsExportRouter } from './metrics/tickets-export.ts';
import { snoozeTimer } from './conversations/lifecycle.service.ts';
import { metricsRollup } from './metrics/rollup.ts';
import { metricsExportRouter } from './metrics/metrics-export.ts';
import { faqRouter } from './faq/faq.handlers.ts';
import { faqCalibrationRouter } from './faq/calibration.handlers.ts';
import { articlesRouter } from './articles/articles.handlers.ts';
import { sitesRouter } from './sites/sites.handlers.ts';
import { visitorsRouter } from './visitors/visitors.http.ts';
import { cannedRouter } from './canned/canned.handlers.ts';
import { labelsRouter } from './labels/labels.handlers.ts';
import { searchRouter } from './search/search.handlers.ts';
import { registerHistoryHandlers, unreadHandlers } from './visitors/history.ts';
import { registerCsatHandlers } from './conversations/csat.ts';
import { registerTypingHandlers } from './faq/typing.ts';
import { metricsHandler } from './ops/metrics.ts';
import { appRegistry } from './ops/gauges.ts';
import { livenessHandler, readinessHandler, redisProbe } from './ops/probes.ts';
import { countingLimiter } from './ops/refusals.ts';
import { createDemoRouter } from '../demo/site.ts';
import { createMailer } from './mail/mailer.ts';
import { MailWorker } from './mail/mail-worker.ts';
import { mailRouter, registerWidgetMailHandlers } from './mail/mail.handlers.ts';
import { seedAdmin, seedDemo } from './seed.ts';
import { createStorage, type Storage } from './attachments/storage.ts';
import { uploadsSweeper } from './attachments/sweep.ts';
import { attachmentsRouter, widgetUploadHandler } from './attachments/attachments.http.ts';
import { registerWidgetAttachmentHandlers } from './attachments/attachments.handlers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface AppDeps {
  db: Db;
  /** Connections for reports (Database.reports); by default `db`'s. */
  reports?: Db;
  /** A connection per group-commit lane of the message path (Database.messageLanes); by default the lanes share `db`'s pool. */
  messageLanes?: Db[];
  config: Config;
  log: Logger;
  clock?: () => Date;
  /** With several nodes: the Socket.IO adapter and rate limiter they share (see server/index.ts). */
  cluster?: { adapter: Parameters<Server['adapter']>[0]; limiter: RateLimiter; ping?: () => Promise<unknown> };
  /** Where the built browser bundles are (scripts/build.ts). */
  publicDir?: string;
  /** Where attachment bytes go; by default what config.uploads names. */
  uploads?: Storage;
}

export interface App {
  ctx: Ctx;
  http: HttpServer;
  io: Server;
  /** Sends reply and transcript emails (server/mail). */
  mail: MailWorker;
  /** Listens, then seeds what a first start needs; resolves with the public URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Pages we serve get a strict policy; the widget itself runs on host pages under their own.
 * `publicOrigin()` is the configured address: a demo page opened on another name of this host
 * (127.0.0.1 for localhost) still loads the widget from there.
 */
const strictHeaders = (publicOrigin: () => string) => helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", () => publicOrigin()],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'", () => publicOrigin(), () => publicOrigin().replace(/^http/, 'ws')],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  crossOriginEmbedderPolicy: false,
  // Widget files are loaded by other sites' pages.
  crossOriginResourcePolicy: { policy: 'cross-origin' },
});

/** How often each node wakes the snoozed conversations whose time has come (one UPDATE; several nodes are safe). */
const SNOOZE_CHECK_MS = 15_000;

export function createApp(deps: AppDeps): App {
  const clock = deps.clock ?? (() => new Date());
  const publicDir = deps.publicDir ?? path.join(root, 'dist/public');
  const app = express();
  app.disable('x-powered-by');
  let publicOrigin = deps.config.publicUrl ? new URL(deps.config.publicUrl).origin : "'self'";
  app.use(strictHeaders(() => publicOrigin));
  app.set('trust proxy', deps.config.trustProxy);
  const http = createServer(app);

  // Origins are checked against the site at the handshake (allowRequest): browsers send no
  // CORS preflight for WebSockets, so CORS alone would not stop cross-site hijacking.
  const io = new Server(http, {
    maxHttpBufferSize: MAX_PAYLOAD_BYTES,
    cors: { origin: true, credentials: false },
    allowRequest: (req, cb) => {
      const site = new URL(req.url ?? '/', 'http://x').searchParams.get('site');
      const origin = req.headers.origin;
      if (site === null) return cb(sameOrigin(origin, req.headers.host) ? null : 'ORIGIN_NOT_ALLOWED', sameOrigin(origin, req.headers.host));
      checkSiteAccess(ctx.sites, site, origin).then(
        () => cb(null, true),
        (err) => cb(publicError(deps.log, 'allowRequest', err).code, false),
      );
    },
  });
  if (deps.cluster) io.adapter(deps.cluster.adapter);
  const widget: WidgetNamespace = io.of(WIDGET_NAMESPACE);
  const agents: AgentNamespace = io.of(AGENT_NAMESPACE);
  const faq = new FaqService(deps.db, deps.log, { maxStaleMs: deps.config.faqMaxStaleMs });
  const raw = rawClient(deps.db);
  // PGlite has one connection: its reports are `db` (Database.reports), on the same client.
  const reports = deps.reports && deps.reports !== deps.db ? rawClient(deps.reports) : raw;
  const ctx: Ctx = {
    db: deps.db,
    raw: raw.query,
    reports: { db: deps.reports ?? deps.db, raw: reports.query, sliceTickets: reports.concurrent === 1 ? SLICE_TICKETS : null },
    store: deps.messageLanes?.length ? groupCommit(raw, deps.messageLanes.map(rawClient)) : groupCommit(raw),
    config: deps.config,
    log: deps.log,
    clock,
    limiter: countingLimiter(deps.cluster?.limiter ?? memoryRateLimiter()),
    faq,
    realtime: new Realtime(io, widget, agents, deps.log, Boolean(deps.cluster)),
    sites: new SiteCache(deps.db),
    metrics: metricsRollup({ raw: reports.query, transaction: reports.transaction, clock, log: deps.log }),
    uploads: deps.uploads ?? createStorage(deps.config.uploads),
  };
  if (deps.cluster) {
    faq.broadcast = (change) => io.serverSideEmit('faq:changed', change);
    io.on('faq:changed', (change: IndexChange) => void faq.apply(change).catch((err) => deps.log.error({ err }, 'faq change failed')));
    ctx.sites.announce = (siteId) => io.serverSideEmit('site:changed', siteId);
    io.on('site:changed', (siteId: unknown) => void (typeof siteId === 'string' && ctx.sites.invalidate(siteId)));
  }

  ctx.realtime.assigner = new Assigner(ctx);
  const queue = new QueueNotifier(ctx);
  ctx.realtime.queue = queue;
  if (deps.cluster) {
    queue.broadcast = (siteId) => io.serverSideEmit('queue:told', siteId);
    io.on('queue:told', (siteId: unknown) => void (typeof siteId === 'string' && queue.forget(siteId)));
  }
  const snoozes = snoozeTimer(ctx, SNOOZE_CHECK_MS);
  const sweeper = uploadsSweeper(ctx);
  const mail = new MailWorker(ctx, createMailer(deps.config.mail, deps.log));
  const flood = new FloodGuard(ctx);
  widget.use(widgetMiddleware(ctx));
  widget.on('connection', (socket) => {
    const s = socket as unknown as WidgetSocket;
    flood.widget(s);
    saveVisitorFirst(ctx, s);
    registerVisitorHandlers(ctx, widget, s);
    registerWidgetConversationHandlers(ctx, s);
    registerWidgetFeedbackHandlers(ctx, s);
    registerHistoryHandlers(ctx, s);
    registerWidgetReceiptHandlers(ctx, s);
    registerCsatHandlers(ctx, s);
    registerTypingHandlers(ctx, s);
    registerWidgetMailHandlers(ctx, mail, s);
    registerWidgetAttachmentHandlers(ctx, s);
  });
  agents.use(agentMiddleware(ctx));
  agents.on('connection', (socket) => {
    const s = socket as unknown as AgentSocket;
    flood.agent(s);
    onAgentConnected(ctx, s);
    registerAgentConversationHandlers(ctx, s);
    registerAgentReceiptHandlers(ctx, s);
    registerPresenceHandlers(ctx, s);
  });

  // ---- HTTP ----
  const cors: RequestHandler = (_req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    next();
  };
  const databaseUp = databaseProbe(ctx.db);
  app.get('/api/health', healthHandler(databaseUp));
  app.get('/healthz', livenessHandler);
  app.get('/readyz', readinessHandler(databaseUp, deps.cluster?.ping && redisProbe(deps.cluster.ping)));
  app.get('/metrics', metricsHandler(deps.config.metricsToken, appRegistry({ widget, agents, raw: raw.query, clock, databaseUp })));
  app.get('/widget.js', cors, precompressedFile(publicDir, 'widget.js', { fallthrough: false }));
  app.use('/widget', cors, precompressedFiles(path.join(publicDir, 'widget'), { fallthrough: false }));

  // Lets the widget explain a refused handshake (the engine's 403 body is not readable cross-site).
  app.get('/api/widget/status', cors, json(async (req) => ({ siteName: (await checkSiteAccess(ctx.sites, req.query.site, req.headers.origin)).name })));
  // The launcher's unread count: before the /api origin check below, since widgets post from the sites' pages.
  app.post('/api/widget/unread', cors, ...unreadHandlers(ctx));
  // A visitor's file, posted from the sites' pages like the unread count (multipart needs no preflight).
  app.post('/api/widget/attachments', cors, widgetUploadHandler(ctx));
  // SameSite=Strict does not stop a sibling subdomain, and text/csv posts need no preflight: a
  // changing API call that names a foreign Origin is refused (servers with a Bearer send none).
  app.use('/api', (req, _res, next) => {
    const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
    next(safe || sameOrigin(req.headers.origin, req.headers.host) ? undefined : new AppError('ORIGIN_NOT_ALLOWED'));
  });
  app.use('/api', express.json({ limit: '1mb' }));
  for (const router of [authRouter, sitesRouter, searchRouter, conversationsRouter, feedbackRouter, metricsRouter, metricsExportRouter, ticketsExportRouter, faqRouter, faqCalibrationRouter, articlesRouter, visitorsRouter, cannedRouter, labelsRouter]) {
    app.use(router(ctx));
  }
  app.use(mailRouter(ctx, mail));
  app.use(attachmentsRouter(ctx));
  app.use('/api', (_req, _res, next) => next(new AppError('NOT_FOUND')));

  app.get('/console', precompressedFile(path.join(publicDir, 'console'), 'index.html'));
  app.get('/console/console.css', (_req, res) => res.sendFile(path.join(root, 'console/console.css')));
  app.use('/console', precompressedFiles(path.join(publicDir, 'console')));
  app.use('/demo', express.static(path.join(root, 'demo/public'), { maxAge: '1h' }));
  let demo: RequestHandler = (_req, _res, next) => next();
  app.use((req, res, next) => demo(req, res, next));
  app.use(errorMiddleware(deps.log));

  return {
    ctx,
    http,
    io,
    async listen(port = deps.config.port, host = deps.config.host) {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => resolve());
      });
      const actual = (http.address() as AddressInfo).port;
      if (!mail.mailer.enabled) deps.log.warn('email is off: SMTP_URL and MAIL_FROM are not set, so replies are not emailed; what would be sent is logged');
      mail.start();
      const publicUrl = deps.config.publicUrl ?? `http://localhost:${actual}`;
      publicOrigin = new URL(publicUrl).origin;
      // Several nodes may start at once on an empty database: the first seed wins, the rest skip.
      const once = (p: Promise<void>) => p.catch((err) => { if (!isUniqueViolation(err)) throw err; });
      await once(seedAdmin(ctx, (line) => console.log(line)));
      ctx.metrics.start();
      snoozes.start();
      sweeper.start();
      if (deps.config.demo) {
        await once(seedDemo(ctx, publicUrl));
        demo = createDemoRouter({ publicUrl });
      }
      return publicUrl;
    },
    mail,
    async close() {
      // Their runs in progress end before the database can be closed under them.
      const timers = Promise.all([ctx.metrics.stop(), snoozes.stop(), sweeper.stop()]);
      flood.stop();
      queue.stop();
      await mail.stop();
      await timers;
      io.close();
      await new Promise<void>((resolve) => (http.listening ? http.close(() => resolve()) : resolve()));
    },
  };
}
