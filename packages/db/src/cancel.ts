import pg from 'pg';

/**
 * Cancelling database work when the caller no longer wants it (an HTTP client
 * that went away, a shutdown past its grace period). PostgreSQL keeps running a
 * statement whose client vanished until it next writes to the socket, which for
 * a long merge or export can be many seconds; `pg_cancel_backend` stops it now.
 */

/** The error a query gets when its signal fired before it could start. */
export class QueryAbortedError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'ABORT_ERR';
  constructor(message = 'The request was aborted; the statement was not run') {
    super(message);
  }
}

type ConnectionConfig = pg.ClientConfig;

/** The server pid behind a connected client (node-postgres keeps it from the BackendKeyData message). */
export function backendPid(client: pg.ClientBase): number | undefined {
  const pid = (client as unknown as { processID?: unknown }).processID;
  return typeof pid === 'number' && pid > 0 ? pid : undefined;
}

/**
 * Cancels the statement the backend `pid` is running, over a short-lived
 * connection of its own: a saturated pool cannot delay it. Resolves true when
 * PostgreSQL signalled the backend; never throws (a failed cancel is logged by
 * the caller at most).
 */
export async function cancelBackend(connection: ConnectionConfig, pid: number, timeoutMs = 2000): Promise<boolean> {
  const { connectionString, host, port, user, password, database, ssl } = connection;
  const client = new pg.Client({
    ...(connectionString ? { connectionString } : {}),
    ...(host ? { host } : {}),
    ...(port ? { port } : {}),
    ...(user ? { user } : {}),
    ...(password ? { password } : {}),
    ...(database ? { database } : {}),
    ...(ssl ? { ssl } : {}),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'csp-hub-cancel',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ cancelled: boolean }>('select pg_cancel_backend($1) as cancelled', [pid]);
    return result.rows[0]?.cancelled === true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface AbortWatch {
  /** True once the signal fired while the client was watched (its statement was cancelled). */
  readonly fired: boolean;
  /** Stops watching; call before releasing the client. */
  dispose(): void;
}

/**
 * While watched, an abort of `signal` cancels whatever statement `client` is
 * running. Release a client whose watch fired with `release(true)` so that a
 * late cancel can never reach another caller's statement.
 */
export function cancelOnAbort(client: pg.ClientBase, signal: AbortSignal, connection: ConnectionConfig): AbortWatch {
  let fired = false;
  let disposed = false;
  const onAbort = (): void => {
    if (disposed) return;
    fired = true;
    const pid = backendPid(client);
    if (pid !== undefined) void cancelBackend(connection, pid);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    get fired() {
      return fired;
    },
    dispose() {
      disposed = true;
      signal.removeEventListener('abort', onAbort);
    },
  };
}

/** Resolves like `promise`, or rejects with QueryAbortedError as soon as `signal` fires; `onLate` gets the value if it arrives after. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, onLate: (value: T) => void): Promise<T> {
  if (signal.aborted) {
    promise.then(onLate, () => undefined);
    return Promise.reject(new QueryAbortedError());
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      settled = true;
      reject(new QueryAbortedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) onLate(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) reject(error);
      },
    );
  });
}

const ROLLBACK = /^\s*rollback\b/i;

function queryText(args: unknown[]): string {
  const first = args[0];
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && typeof (first as { text?: unknown }).text === 'string') return (first as { text: string }).text;
  return '';
}

/** A checked-out client whose statements are cancelled when `signal` fires; after that only ROLLBACK runs. */
function abortableClient(client: pg.PoolClient, signal: AbortSignal, connection: ConnectionConfig): pg.PoolClient {
  const watch = cancelOnAbort(client, signal, connection);
  let released = false;
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'query') {
        return (...args: unknown[]) => {
          if (signal.aborted && !ROLLBACK.test(queryText(args))) {
            const error = new QueryAbortedError();
            const callback = args.find((a) => typeof a === 'function') as ((e: Error) => void) | undefined;
            if (callback) {
              queueMicrotask(() => callback(error));
              return undefined;
            }
            return Promise.reject(error);
          }
          return (target.query as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (prop === 'release') {
        return (destroy?: boolean | Error) => {
          if (released) return;
          released = true;
          watch.dispose();
          target.release(destroy ?? (watch.fired || signal.aborted ? true : undefined));
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * A view of `pool` for one request: `query` and `connect` work as on the pool,
 * but when `signal` fires the statement running on the request's connection is
 * cancelled (pg_cancel_backend), a caller still waiting for a connection stops
 * waiting, and nothing new starts. Everything else (counts, events) is the
 * pool's own. Pass it wherever a pg.Pool is expected, e.g. an AccessContext.
 */
export function abortablePool(pool: pg.Pool, signal: AbortSignal): pg.Pool {
  const connection = pool.options as ConnectionConfig;
  const connect = async (): Promise<pg.PoolClient> => {
    const client = await raceAbort(pool.connect(), signal, (late) => late.release());
    return abortableClient(client, signal, connection);
  };
  const query = async (...args: unknown[]): Promise<unknown> => {
    if (args.some((a) => typeof a === 'function') || (args[0] && typeof (args[0] as { submit?: unknown }).submit === 'function')) {
      // callback and Submittable forms (streams) keep the pool's own behaviour
      return (pool.query as (...a: unknown[]) => unknown).apply(pool, args);
    }
    const client = await connect();
    try {
      return await (client.query as (...a: unknown[]) => Promise<unknown>)(...args);
    } finally {
      client.release();
    }
  };
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === 'connect') return connect;
      if (prop === 'query') return query;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
