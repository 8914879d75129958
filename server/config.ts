/** Environment variables -> one typed, validated config object. */
import path from 'node:path';
import { z } from 'zod';

/**
 * A connection URL that may hold a password: it must parse (as the drivers will parse it), and a bad one
 * is refused without its value, which Node's own ERR_INVALID_URL would print whole.
 */
const secretUrl = () =>
  z
    .string()
    .min(1)
    .refine((v) => URL.canParse(v), 'not a URL that can be read (its value is not shown: it may hold a password)');

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** The address browsers use to reach this server; defaults to http://localhost:PORT. */
  PUBLIC_URL: z.url().optional(),
  /** PostgreSQL connection string; when unset, embedded PGlite in DATA_DIR. */
  DATABASE_URL: secretUrl().optional(),
  DATA_DIR: z.string().default('./data'),
  /** When set, Socket.IO runs on the Redis adapter and rate limits are shared. */
  REDIS_URL: secretUrl().optional(),
  /** Prefix of every Redis key and channel: deployments sharing one Redis stay apart. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).default('sc'),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  /** Seed the demo site, its FAQ and articles on first start. */
  DEMO: z.enum(['0', '1', 'true', 'false']).default('1').transform((v) => v === '1' || v === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(24 * 7),
  /**
   * How many proxies in front of this server append to X-Forwarded-For (Express's `trust proxy`
   * hop count): the client IP is that many entries from the right, never a value the client chose.
   */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** Bearer token for GET /metrics; unset: only direct connections from this host are answered. */
  METRICS_TOKEN: z.string().refine((v) => v === '' || v.length >= 16, 'at least 16 characters (empty: unset)').optional(),
  /** Outgoing mail, e.g. smtps://user:pass@smtp.example.com:465; with MAIL_FROM, email is on. */
  SMTP_URL: secretUrl().optional(),
  MAIL_FROM: z.string().min(3).optional(),
  /** How long a link in a reply email can bind a browser to its visitor. */
  MAIL_LINK_TTL_HOURS: z.coerce.number().positive().max(24 * 90).default(72),
  /** Attachments go to this S3-compatible bucket instead of DATA_DIR/uploads. */
  S3_BUCKET: z.string().min(3).optional(),
  /** For a service other than AWS (MinIO, R2, OSS…), e.g. https://minio.internal:9000. */
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /**
   * Every object's key starts with this folder (`staging/` → `staging/<site>/<uuid>`), and the sweep
   * lists only under it: deployments that share one bucket each keep to their own. Folders of letters,
   * digits, `_`, `-` and `.` (not starting with a dot), separated by `/`; the final `/` is added.
   */
  S3_PREFIX: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*\/?$/, 'folders of letters, digits, _ - . separated by /')
    .transform((v) => (v.endsWith('/') ? v : `${v}/`))
    .optional(),
  /** Bucket in the path rather than the host name (most self-hosted services need it). */
  S3_FORCE_PATH_STYLE: z.enum(['0', '1', 'true', 'false']).default('0').transform((v) => v === '1' || v === 'true'),
});

export interface Config {
  port: number;
  host: string;
  publicUrl?: string;
  databaseUrl?: string;
  dataDir: string;
  redisUrl?: string;
  redisPrefix: string;
  adminEmail?: string;
  adminPassword?: string;
  demo: boolean;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  sessionTtlMs: number;
  /** Trusted proxy hops in front of this server: 0 = none, 1 = one load balancer. */
  trustProxy: number;
  /** Bearer token for GET /metrics; undefined: loopback only. Never logged. */
  metricsToken?: string;
  /** Email (server/mail): SMTP_URL and MAIL_FROM both set, or email is off. Never logged. */
  mail: { smtpUrl?: string; from?: string; linkTtlMs: number; scanIntervalMs: number };
  /** Where attachment bytes live (server/attachments/storage.ts). Credentials are never logged. */
  uploads: UploadsConfig;
  /** The longest a node answers from a site's FAQ index without comparing it with the database (faq/faq.service.ts). */
  faqMaxStaleMs: number;
}

export type UploadsConfig =
  | { driver: 'disk'; dir: string }
  | {
      driver: 's3';
      bucket: string;
      /** Prepended to every key (ends with `/`); unset: keys at the bucket's root. */
      prefix?: string;
      endpoint?: string;
      region: string;
      accessKeyId?: string;
      secretAccessKey?: string;
      forcePathStyle: boolean;
    };

/** Reads the config from an environment; throws with every invalid variable named. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    demo: e.DEMO,
    logLevel: e.LOG_LEVEL,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    trustProxy: e.TRUST_PROXY,
    metricsToken: e.METRICS_TOKEN || undefined,
    // The scan interval is not an environment variable: 20 s (with jitter) is short next to any
    // sensible "unseen after", and tests set it here.
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, linkTtlMs: e.MAIL_LINK_TTL_HOURS * 3600_000, scanIntervalMs: 20_000 },
    uploads: e.S3_BUCKET
      ? {
          driver: 's3',
          bucket: e.S3_BUCKET,
          prefix: e.S3_PREFIX,
          endpoint: e.S3_ENDPOINT,
          region: e.S3_REGION,
          accessKeyId: e.S3_ACCESS_KEY_ID,
          secretAccessKey: e.S3_SECRET_ACCESS_KEY,
          forcePathStyle: e.S3_FORCE_PATH_STYLE,
        }
      : { driver: 'disk', dir: path.join(e.DATA_DIR, 'uploads') },
    // Like the mail scan interval, not an environment variable: tests shorten it. It bounds only a change
    // whose broadcast was lost (Redis away): the broadcast itself takes milliseconds. 20 s: a site in use
    // is compared every 10 s, one statement per node, nothing next to its messages; and an entry
    // unpublished because its answer went wrong stops answering sooner than the site cache's 30 s for settings.
    faqMaxStaleMs: 20_000,
  };
}
