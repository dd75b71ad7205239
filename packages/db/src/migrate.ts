import type { MikroORM } from '@mikro-orm/postgresql';
import type { HubLogger } from '@csp-hub/taxonomy';
import { silentLogger } from '@csp-hub/taxonomy';

/** Applies pending migrations; returns the names applied. */
export async function runMigrations(orm: MikroORM, logger: HubLogger = silentLogger): Promise<string[]> {
  const migrator = orm.getMigrator();
  const applied = await migrator.up();
  const names = applied.map((m) => m.name);
  if (names.length > 0) logger.info({ migrations: names }, 'migrations applied');
  return names;
}

/** True when the entities describe a schema the migrations do not produce. */
export async function migrationNeeded(orm: MikroORM): Promise<boolean> {
  return orm.getMigrator().checkMigrationNeeded();
}
