/**
 * Writes a new migration from the difference between the entities and the schema
 * the existing migrations produce. Usage: pnpm --filter @csp-hub/db migration:create <name>
 * Uses DATABASE_URL's server when set (a scratch database is created), else an embedded one.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from '../src/orm';
import { startScratchServer } from '../src/scratch';

const name = process.argv[2];
if (!name) {
  console.error('usage: migration-create <name>');
  process.exit(2);
}
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/migrations');
const server = await startScratchServer(process.env.DATABASE_URL);
try {
  const url = await server.createDatabase(`csp_hub_migration_${Date.now()}`);
  const config = ormConfig({ url });
  const orm = await MikroORM.init({ ...config, migrations: { ...config.migrations, path: dir, pathTs: dir } });
  await orm.getMigrator().up();
  const result = await orm.getMigrator().createMigration(dir, false, false, name);
  console.log(result.fileName ? `wrote ${result.fileName}` : 'no changes: the migrations already match the entities');
  await orm.close();
} finally {
  await server.stop();
}
