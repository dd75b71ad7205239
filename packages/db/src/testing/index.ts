import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { dropDatabase, ensureDatabase, withDatabase } from '../database';
import { createOrm } from '../orm';
import { APP_ROLE, EMBEDDED_ROLE_PASSWORDS, OWNER_ROLE, setUpRoles, withCredentials } from '../roles';
import type { MikroORM } from '@mikro-orm/postgresql';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test run's PostgreSQL server. */
    pgAdminUrl: string;
    /** Database with the migrations applied, the reference geography and the demo seed. */
    pgTemplate: string;
  }
}

export interface TestDatabase {
  /** As the server's superuser: for setting up and inspecting, never for the code under test. */
  url: string;
  /** As the application role (ADR 0018): what the hub under test connects as. */
  appUrl: string;
  /** As the schema owner: what migrations run as (MIGRATION_DATABASE_URL). */
  ownerUrl: string;
  name: string;
  /** A pg pool on the database (closed by drop). */
  pool: pg.Pool;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file: a copy of the run's template (migrated,
 * geography and demo partnerships loaded) or, with `empty`, a blank one.
 */
export async function createTestDatabase(label: string, options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase().slice(0, 40)}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, name, options.empty ? undefined : inject('pgTemplate'));
  const url = withDatabase(adminUrl, name);
  // A copy of the template has its owner already; a blank database is handed to the owner role here.
  if (options.empty) await setUpRoles(adminUrl, name);
  const appUrl = withCredentials(url, APP_ROLE, EMBEDDED_ROLE_PASSWORDS.app);
  const ownerUrl = withCredentials(url, OWNER_ROLE, EMBEDDED_ROLE_PASSWORDS.owner);
  const pool = quietOnDrop(new pg.Pool({ connectionString: url, max: 5 }));
  return {
    url,
    appUrl,
    ownerUrl,
    name,
    pool,
    async drop() {
      await pool.end();
      await dropDatabase(adminUrl, name);
    },
  };
}

/** A MikroORM on a test database as the schema owner (migrations). */
export async function ownerOrm(db: TestDatabase): Promise<MikroORM> {
  return createOrm({ url: db.ownerUrl, poolMax: 2 });
}

/** A MikroORM on a test database, as the application role. */
export async function testOrm(db: TestDatabase): Promise<MikroORM> {
  return createOrm({ url: db.appUrl, poolMax: 4 });
}

/**
 * Dropping a test database (WITH FORCE) ends any connection still closing in a
 * pool, and an idle client's error with no listener would surface as an
 * unhandled error. Those terminations (57P01) are expected; others are printed.
 */
export function quietOnDrop(pool: pg.Pool): pg.Pool {
  pool.on('error', (error: Error & { code?: string }) => {
    if (error.code !== '57P01') process.stderr.write(`test pool error: ${error.message}\n`);
  });
  return pool;
}
