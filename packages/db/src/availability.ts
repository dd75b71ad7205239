/**
 * The one place that decides whether an error means "the database cannot be
 * reached right now" (a fault that passes: the server restarts, the network
 * drops, every connection is busy) rather than a bug or bad input. The gateway
 * answers these with 503 and Retry-After; everything else keeps its meaning.
 */

/** Node socket errors that mean the server is not there (or went away). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * PostgreSQL SQLSTATEs: 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
 * cannot_connect_now (starting up, shutting down, in recovery), 53300
 * too_many_connections; class 08 is connection_exception.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * Messages node-postgres, pg-pool and knex/tarn use for the same situations
 * (they carry no code). Knex prefixes a failed query's message with its SQL
 * text and " - " (our SQL, values are bound), so the phrase may follow that.
 */
const AFTER_SQL = String.raw`(?:^|\s-\s)`;
const MESSAGES = [
  new RegExp(`${AFTER_SQL}Connection terminated`), // server closed the socket, or the connect timeout fired
  new RegExp(`${AFTER_SQL}timeout exceeded when trying to connect$`), // pg-pool: no connection within connectionTimeoutMillis
  new RegExp(`${AFTER_SQL}Client has encountered a connection error and is not queryable$`),
  new RegExp(`${AFTER_SQL}Cannot use a pool after calling end on the pool$`), // shutting down
  /^Knex: Timeout acquiring a connection/, // MikroORM's pool is saturated
  /^Unable to acquire a connection$/,
  // knex, when the connection under a transaction died and the rollback finds it already ended
  new RegExp(`${AFTER_SQL}Transaction query already complete`),
];

const ERROR_NAMES = new Set(['KnexTimeoutError', 'ConnectionException']);

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function* chain(error: unknown, depth = 0): Generator<ErrorLike> {
  if (depth > 5 || error === null || typeof error !== 'object') return;
  const e = error as ErrorLike;
  yield e;
  if (e.cause !== undefined) yield* chain(e.cause, depth + 1);
  // net.connect to a name with several addresses fails with an AggregateError of each attempt
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

/** Why the database is unavailable (a code or short phrase fit for a log line), or undefined when the error means something else. */
export function databaseUnavailableReason(error: unknown): string | undefined {
  for (const e of chain(error)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (SOCKET_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return code;
    if (typeof e.name === 'string' && ERROR_NAMES.has(e.name)) return e.name;
    const message = typeof e.message === 'string' ? e.message : '';
    const match = MESSAGES.find((m) => m.test(message));
    if (match) return message.split('\n')[0]!.slice(0, 120);
  }
  return undefined;
}

/** True when the error means the database cannot be reached right now (answer 503, retry later). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return databaseUnavailableReason(error) !== undefined;
}

/** True when a statement was cancelled (SQLSTATE 57014) or never started because the request was aborted. */
export function isStatementCancelled(error: unknown): boolean {
  for (const e of chain(error)) {
    if (e.code === '57014' || e.code === 'ABORT_ERR' || e.name === 'AbortError') return true;
  }
  return false;
}
