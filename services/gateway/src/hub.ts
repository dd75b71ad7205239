import path from 'node:path';
import pg from 'pg';
import { createOrm, openDatabase, runMigrations, type DatabaseHandle, type MikroORM } from '@csp-hub/db';
import type { Config } from './config';
import type { Logger } from './logger';

/** An open hub: database (embedded or external), migrated ORM and a raw pool. */
export interface Hub {
  db: DatabaseHandle;
  orm: MikroORM;
  pool: pg.Pool;
  /** Ingest transactions run here, never on the pool that serves reads. */
  ingestPool: pg.Pool;
  close(): Promise<void>;
}

export const EMBEDDED_DATABASE = 'csp_hub';

export async function openHub(config: Config, logger: Logger, options: { migrate?: boolean } = {}): Promise<Hub> {
  const db = await openDatabase({
    url: config.DATABASE_URL,
    embedded: { dataDir: path.join(config.CSP_HUB_DATA_DIR, 'postgres'), port: config.CSP_HUB_PG_PORT, database: EMBEDDED_DATABASE },
    logger,
  });
  let orm: MikroORM | undefined;
  try {
    orm = await createOrm({ url: db.url, logger, debugSql: config.LOG_SQL });
    if (options.migrate !== false) await runMigrations(orm, logger);
  } catch (error) {
    await orm?.close();
    await db.close();
    throw error;
  }
  const pool = new pg.Pool({ connectionString: db.url, max: config.DB_POOL_MAX });
  const ingestPool = new pg.Pool({ connectionString: db.url, max: config.INGEST_POOL_MAX });
  let closed = false;
  for (const p of [pool, ingestPool]) {
    p.on('error', (error) => {
      if (!closed) logger.warn({ err: error }, 'idle database connection failed');
    });
  }
  const ormRef = orm;
  return {
    db,
    orm: ormRef,
    pool,
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
