import pg from 'pg';
import { silentLogger, type HubLogger } from '@csp-hub/taxonomy';
import { databaseUnavailableReason } from './availability';
import { setUpRoles } from './roles';
import { adoptRunningCluster, embeddedAdminUrl, findRunningCluster, isAlive, readOwner, startEmbeddedPostgres } from './embedded';

export interface DatabaseOptions {
  /** An external server; when absent an embedded PostgreSQL is started. */
  url?: string | undefined;
  /** The schema owner's URL on the external server (migrations); `url` when absent (one role for both). */
  migrationUrl?: string | undefined;
  embedded: { dataDir: string; port: number; database: string };
  logger?: HubLogger;
}

export interface DatabaseHandle {
  /** What the hub connects as: on the embedded server the application role (ADR 0018). */
  url: string;
  /** What migrations run as: the owner role on the embedded server. */
  migrationUrl: string;
  /**
   * external: DATABASE_URL; embedded: started here; adopted: an embedded server a killed csp-hub left
   * running, now stopped by this process; shared: an embedded server another live csp-hub runs (left running).
   */
  mode: 'external' | 'embedded' | 'adopted' | 'shared';
  close(): Promise<void>;
}

/** Replace the database name in a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** CREATE DATABASE unless it exists (optionally from a template). */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      const from = template ? ` template ${client.escapeIdentifier(template)}` : '';
      await client.query(`create database ${client.escapeIdentifier(name)}${from}`);
    }
  } finally {
    await client.end();
  }
}

/** DROP DATABASE, ending its sessions. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
  } finally {
    await client.end();
  }
}

/** Connects to DATABASE_URL, or starts the embedded server and its database. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const log = options.logger ?? silentLogger;
  if (options.url) {
    log.info({ host: new URL(options.url).host }, 'using external PostgreSQL from DATABASE_URL');
    return { url: options.url, migrationUrl: options.migrationUrl ?? options.url, mode: 'external', close: async () => undefined };
  }
  const running = findRunningCluster(options.embedded.dataDir);
  if (running) {
    const owner = readOwner(options.embedded.dataDir);
    const ownerAlive = owner !== undefined && owner.postmasterPid === running.pid && owner.hubPid !== process.pid && isAlive(owner.hubPid);
    if (ownerAlive) {
      // e.g. `csp-hub token` while `pnpm start` runs: use its cluster, leave it running.
      log.info({ pid: running.pid, port: running.port, ownerPid: owner.hubPid }, 'using the embedded PostgreSQL another csp-hub process runs');
      const adminUrl = embeddedAdminUrl(running.port);
      await ensureDatabase(adminUrl, options.embedded.database);
      const roles = await setUpRoles(adminUrl, options.embedded.database);
      return { url: roles.appUrl, migrationUrl: roles.ownerUrl, mode: 'shared', close: async () => undefined };
    }
    // Its hub is gone (killed with SIGKILL, or crashed): nobody would ever stop it. This process takes it over.
    log.warn(
      { pid: running.pid, port: running.port, previousOwnerPid: owner?.hubPid ?? null },
      'an embedded PostgreSQL was left running by a csp-hub that is gone: taking it over; it stops when this process stops',
    );
    const adopted = adoptRunningCluster(options.embedded.dataDir, running, log);
    let roles: { ownerUrl: string; appUrl: string };
    try {
      await ensureDatabase(adopted.adminUrl, options.embedded.database);
      roles = await setUpRoles(adopted.adminUrl, options.embedded.database);
    } catch (error) {
      await adopted.stop();
      throw error;
    }
    return { url: roles.appUrl, migrationUrl: roles.ownerUrl, mode: 'adopted', close: () => adopted.stop() };
  }
  const server = await startEmbeddedPostgres({
    dataDir: options.embedded.dataDir,
    port: options.embedded.port,
    logger: log,
  });
  let roles: { ownerUrl: string; appUrl: string };
  try {
    await ensureDatabase(server.adminUrl, options.embedded.database);
    // The hub runs as the application role, migrations as the owner (ADR 0018).
    roles = await setUpRoles(server.adminUrl, options.embedded.database);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: roles.appUrl, migrationUrl: roles.ownerUrl, mode: 'embedded', close: () => server.stop() };
}

export type ProbeResult = { ok: true; ms: number } | { ok: false; ms: number; reason: string };

/**
 * Asks the server a trivial question within `timeoutMs` and says why not when
 * it cannot answer (readiness checks). Give it a pool of its own: on the
 * request pool a saturated pool would look like a dead database.
 */
export async function probeDatabase(pool: pg.Pool, timeoutMs = 1000): Promise<ProbeResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, ms: performance.now() - started, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
  });
  const probe = pool.query('select 1').then(
    (): ProbeResult => ({ ok: true, ms: performance.now() - started }),
    (error: unknown): ProbeResult => ({ ok: false, ms: performance.now() - started, reason: databaseUnavailableReason(error) ?? (error instanceof Error ? error.message.split('\n')[0]!.slice(0, 120) : String(error)) }),
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when the server answers a trivial query within `timeoutMs`. */
export async function pingDatabase(pool: pg.Pool, timeoutMs = 2000): Promise<boolean> {
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  const ping = pool
    .query('select 1')
    .then(() => true)
    .catch(() => false);
  return Promise.race([ping, timeout]);
}

/** Whether a server at `url` answers, and its version (for `csp-hub db status`); never throws. */
export async function serverStatus(url: string): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000, query_timeout: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const r = await client.query<{ v: string }>('show server_version');
    return { ok: true, version: r.rows[0]?.v ?? '?' };
  } catch (error) {
    return { ok: false, reason: databaseUnavailableReason(error) ?? (error instanceof Error ? error.message.split('\n')[0]! : String(error)) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
