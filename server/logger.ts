import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Fields of database errors that are a query's values (session and password hashes, visitor
 * tokens, message text): drizzle's DrizzleQueryError `params`, the `postgres` driver's
 * `parameters`/`args`, PGlite's `params`/`queryOptions`. They are dropped, and their values are
 * cut out of every other text of the error: PostgreSQL quotes them in messages ("invalid input
 * syntax for type uuid: …") and details ("Key (id)=(…) already exists"), drizzle in its message.
 */
const VALUE_FIELDS = new Set(['params', 'parameters', 'args', 'queryOptions']);
/**
 * Fields of an error that are credentials or enough to work on them, dropped whole: an S3 service's
 * SignatureDoesNotMatch answer (AWS SDK S3ServiceException) carries the access key id, the string that
 * was signed, the canonical request and the signature; any error may carry a header or a password.
 */
const SECRET_FIELD = /^(aws)?accesskeyid$|^signature(provided)?$|^stringtosign(bytes)?$|^canonicalrequest(bytes)?$|^authorization$|password|secret|token|cookie/i;
const dropped = (key: string) => VALUE_FIELDS.has(key) || SECRET_FIELD.test(key);
/** Shorter values are left in place: they cannot be secrets and would blank out words of the text. */
const MIN_SECRET_LENGTH = 6;
const MAX_DEPTH = 5;
const REDACTED = '[redacted]';

type Serialized = Record<string, unknown>;

const isErrorLike = (v: unknown): v is Error =>
  typeof v === 'object' && v !== null && typeof (v as Error).message === 'string' && typeof (v as Error).stack === 'string';

/** Every value a failed query carried, anywhere in the error and its causes. */
function queryValues(err: unknown, into: Set<string>, depth = 0): Set<string> {
  if (typeof err !== 'object' || err === null || depth > MAX_DEPTH) return into;
  const add = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(add);
    else if (typeof v === 'string' && v.length >= MIN_SECRET_LENGTH) {
      into.add(v);
      // A group's statement takes its rows as one JSON text (db/group-commit.ts); PostgreSQL quotes a
      // single field of it ("Key (token_hash)=(…)"), so each field's value is cut out as well.
      if (/^\s*[[{]/.test(v)) leaves(v);
    } else if (typeof v === 'object' && v !== null && !(v instanceof Date)) add(JSON.stringify(v));
  };
  const leaves = (text: string): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    const walk = (x: unknown): void => {
      if (typeof x === 'string') {
        if (x.length >= MIN_SECRET_LENGTH) into.add(x);
      } else if (Array.isArray(x)) x.forEach(walk);
      else if (typeof x === 'object' && x !== null) Object.values(x).forEach(walk);
    };
    walk(parsed);
  };
  for (const key of VALUE_FIELDS) add((err as Serialized)[key]);
  queryValues((err as { cause?: unknown }).cause, into, depth + 1);
  for (const e of (err as AggregateError).errors ?? []) queryValues(e, into, depth + 1);
  return into;
}

/** drizzle's message is "Failed query: <sql>\nparams: <values>": keep the SQL. */
function messageOf(err: Error): string {
  const query = (err as { query?: unknown }).query;
  if ('params' in err && typeof query === 'string' && err.message.startsWith('Failed query: ')) return `Failed query: ${query}`;
  return err.message;
}

function serialize(err: unknown, scrub: (text: string) => string, depth: number): unknown {
  if (!isErrorLike(err)) {
    if (typeof err === 'string') return scrub(err);
    if (typeof err !== 'object' || err === null || Array.isArray(err)) return err;
    return Object.fromEntries(Object.entries(err).filter(([key]) => !dropped(key)));
  }
  const message = messageOf(err);
  const out: Serialized = {
    type: err.constructor?.name ?? err.name,
    message: scrub(message),
    stack: scrub(message === err.message ? (err.stack ?? '') : (err.stack ?? '').replace(err.message, () => message)),
  };
  for (const key in err) {
    if (dropped(key) || key === 'cause' || key === 'errors' || key in out) continue;
    const value = (err as unknown as Serialized)[key];
    // `query` is the SQL text with placeholders: kept whole, it names no value.
    if (isErrorLike(value)) out[key] = depth < MAX_DEPTH ? serialize(value, scrub, depth + 1) : undefined;
    else out[key] = typeof value === 'string' && key !== 'query' ? scrub(value) : value;
  }
  if (Array.isArray((err as AggregateError).errors) && depth < MAX_DEPTH) {
    out.errors = (err as AggregateError).errors.map((e) => serialize(e, scrub, depth + 1));
  }
  if (err.cause !== undefined && depth < MAX_DEPTH) out.cause = serialize(err.cause, scrub, depth + 1);
  return out;
}

/**
 * pino's error serializer without the values of a failed query: the same type, message, stack and
 * own fields, each `cause` serialized the same way (pino's own copies causes' texts as they are).
 */
export function serializeError(err: unknown): unknown {
  const secrets = [...queryValues(err, new Set())].sort((a, b) => b.length - a.length);
  const scrub = (text: string) => secrets.reduce((t, secret) => t.split(secret).join(REDACTED), text);
  return serialize(err, scrub, 0);
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
