import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Fields of database errors that carry a query's values (session and password hashes, visitor
 * tokens, message text): drizzle's DrizzleQueryError `params`, the `postgres` driver's
 * `parameters`/`args`, PGlite's `params`/`queryOptions`, and PostgreSQL's `detail`, which quotes
 * the row that broke a constraint ("Key (id)=(…) already exists").
 */
const SECRET_FIELDS = new Set(['params', 'parameters', 'args', 'queryOptions', 'detail']);

type Serialized = Record<string, unknown>;

const isErrorLike = (v: unknown): v is Error =>
  typeof v === 'object' && v !== null && typeof (v as Error).message === 'string' && typeof (v as Error).stack === 'string';

/** drizzle writes the values into the message itself: "Failed query: …\nparams: …". */
function safeMessage(err: Error): string {
  const params = (err as { params?: unknown }).params;
  const query = (err as { query?: unknown }).query;
  if (params !== undefined && typeof query === 'string' && err.message.startsWith('Failed query: ')) return `Failed query: ${query}`;
  return err.message;
}

/** A thrown non-Error (a driver's plain object) loses the same fields. */
function withoutSecrets(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !SECRET_FIELDS.has(key)));
}

/**
 * pino's error serializer, minus every value a failed query carried: the same type, message,
 * stack and own fields, with each `cause` serialized the same way (pino's own would copy the
 * causes' messages and fields as they are).
 */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!isErrorLike(err)) return withoutSecrets(err);
  const message = safeMessage(err);
  const out: Serialized = {
    type: err.constructor?.name ?? err.name,
    message,
    stack: message === err.message ? err.stack : err.stack?.replace(err.message, () => message),
  };
  for (const key in err) {
    if (SECRET_FIELDS.has(key) || key === 'cause' || key in out) continue;
    const value = (err as unknown as Serialized)[key];
    out[key] = isErrorLike(value) && depth < 5 ? serializeError(value, depth + 1) : value;
  }
  if (Array.isArray((err as AggregateError).errors) && depth < 5) {
    out.errors = (err as AggregateError).errors.map((e) => serializeError(e, depth + 1));
  }
  if (err.cause !== undefined && depth < 5) out.cause = serializeError(err.cause, depth + 1);
  return out;
}

/**
 * JSON logs on stdout (or `destination`, for tests); `silent` in tests unless LOG_LEVEL says
 * otherwise. Errors go through serializeError; cookies and passwords are redacted wherever a
 * request or body is logged.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    serializers: { err: serializeError, error: serializeError },
    redact: {
      paths: ['req.headers.cookie', 'headers.cookie', 'password', '*.password', 'passwordHash', '*.passwordHash', 'token', '*.token'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
