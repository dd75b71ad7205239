import type { MikroORM } from '@mikro-orm/postgresql';
import type { HubLogger } from '@csp-hub/taxonomy';
import { silentLogger } from '@csp-hub/taxonomy';
import { createOrm } from './orm';
import { grantAppRole, roleOf } from './roles';

/** Applies pending migrations; returns the names applied. */
export async function runMigrations(orm: MikroORM, logger: HubLogger = silentLogger): Promise<string[]> {
  const migrator = orm.getMigrator();
  const applied = await migrator.up();
  const names = applied.map((m) => m.name);
  if (names.length > 0) logger.info({ migrations: names }, 'migrations applied');
  return names;
}

/**
 * True when the entities describe a schema the migrations do not produce.
 * Compared as the owner (`migrationUrl`): the application role cannot see
 * everything the schema diff reads.
 */
export async function migrationNeeded(migrationUrl: string): Promise<boolean> {
  const orm = await createOrm({ url: migrationUrl, poolMax: 1 });
  try {
    return await orm.getMigrator().checkMigrationNeeded();
  } finally {
    await orm.close();
  }
}

/**
 * Migrates as the owner (`migrationUrl`) and then grants the application role
 * (the role of `url`) what it needs on every table, new ones included. With one
 * URL for both (a single-role setup) there is nothing to grant.
 */
export async function migrateDatabase(urls: { url: string; migrationUrl: string }, logger: HubLogger = silentLogger): Promise<string[]> {
  const orm = await createOrm({ url: urls.migrationUrl, logger, poolMax: 2 });
  let names: string[];
  try {
    names = await runMigrations(orm, logger);
  } finally {
    await orm.close();
  }
  const app = roleOf(urls.url);
  if (app !== roleOf(urls.migrationUrl)) await grantAppRole(urls.migrationUrl, app);
  return names;
}
