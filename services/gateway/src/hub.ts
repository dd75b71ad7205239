import path from 'node:path';
import pg from 'pg';
import type { CellKeyOptions } from '@csp-hub/authz';
import { createOrm, createReadPool, migrateDatabase, openDatabase, runtimeRoleProblems, type DatabaseHandle, type MikroORM } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import { cellKeyOf, type Config } from './config';
import type { Logger } from './logger';

/** An open hub: database (embedded or external), migrated ORM and a raw pool. */
export interface Hub {
  db: DatabaseHandle;
  orm: MikroORM;
  pool: pg.Pool;
  /** Ingest transactions run here, never on the pool that serves reads. */
  ingestPool: pg.Pool;
  /** Disclosure control from the SDC_* settings, for the access contexts the CLI builds. */
  cellKey: CellKeyOptions;
  close(): Promise<void>;
}

export const EMBEDDED_DATABASE = 'csp_hub';

export async function openHub(config: Config, logger: Logger, options: { migrate?: boolean } = {}): Promise<Hub> {
  const db = await openDatabase({
    url: config.DATABASE_URL,
    migrationUrl: config.MIGRATION_DATABASE_URL,
    embedded: { dataDir: path.join(config.CSP_HUB_DATA_DIR, 'postgres'), port: config.CSP_HUB_PG_PORT, database: EMBEDDED_DATABASE },
    logger,
  });
  let orm: MikroORM | undefined;
  try {
    // Migrations run as the schema owner, then the hub connects as the application role (ADR 0018).
    if (options.migrate !== false) await migrateDatabase(db, logger);
    orm = await createOrm({
      url: db.url,
      logger,
      debugSql: config.LOG_SQL,
      poolMax: config.DATABASE_POOL_MAX,
      acquireTimeoutMillis: config.DATABASE_ACQUIRE_TIMEOUT_MS,
    });
  } catch (error) {
    await orm?.close();
    await db.close();
    throw error;
  }
  // A saturated pool or an unreachable server fails a request after DATABASE_ACQUIRE_TIMEOUT_MS (503), never hangs it.
  const pool = createReadPool(db.url, { max: config.DATABASE_POOL_MAX, acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS });
  // Ingest transactions get a pool of their own, so long loads never starve reads.
  const ingestPool = new pg.Pool({ connectionString: db.url, max: config.INGEST_POOL_MAX, application_name: 'csp-hub ingest' });
  let closed = false;
  let lastIdleError = 0;
  const onIdleError = (error: Error & { code?: string }): void => {
    // A restart ends every idle connection at once: one line per burst, no stack; the pool replaces them.
    if (closed || Date.now() - lastIdleError < 10_000) return;
    lastIdleError = Date.now();
    logger.warn({ code: error.code, reason: error.message.split('\n')[0] }, 'idle database connections were closed by the server; the pool opens new ones');
  };
  pool.on('error', onIdleError);
  ingestPool.on('error', onIdleError);
  try {
    await checkRuntimeRole(pool, config, logger);
  } catch (error) {
    await orm.close();
    await pool.end();
    await ingestPool.end();
    await db.close();
    throw error;
  }
  const ormRef = orm;
  return {
    db,
    orm: ormRef,
    pool,
    cellKey: cellKeyOf(config),
    ingestPool,
    async close() {
      if (closed) return;
      closed = true;
      await ormRef.close();
      await pool.end();
      await ingestPool.end();
      await db.close();
    },
  };
}

/**
 * The hub must not run as a role that can rewrite the audit log or the schema:
 * production refuses to start on one, elsewhere a warning says what to change.
 */
async function checkRuntimeRole(pool: pg.Pool, config: Config, logger: Logger): Promise<void> {
  const problems = await runtimeRoleProblems(pool);
  if (problems.length === 0) return;
  const advice =
    'run the hub as an application role (DATABASE_URL) and migrations as the owner (MIGRATION_DATABASE_URL): see infra/postgres/roles.sql';
  if (config.NODE_ENV === 'production') {
    throw new HubError('other', 'DATABASE_ROLE_TOO_POWERFUL', `The database role the hub connects as is too powerful: ${problems.join('; ')}. ${advice}`);
  }
  logger.warn({ problems }, `the database role the hub connects as is too powerful; ${advice}`);
}
