import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { HubLogger } from '@csp-hub/taxonomy';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface OrmOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  logger?: HubLogger;
  /** Log every SQL statement at debug level. */
  debugSql?: boolean;
  poolMax?: number;
  /** How long a query waits for a free connection before failing (ms); default 60 s, the knex default. */
  acquireTimeoutMillis?: number;
}

export const MIGRATIONS_TABLE = 'mikro_orm_migrations';

/** The one MikroORM configuration the app, the CLI and the tests share. */
export function ormConfig(options: OrmOptions): Options {
  const log = options.logger;
  return {
    clientUrl: options.url,
    entities: ENTITIES,
    discovery: { warnWhenNoEntities: true, requireEntitiesArray: true },
    extensions: [Migrator],
    forceUtcTimezone: true,
    pool: { min: 0, max: options.poolMax ?? 10, ...(options.acquireTimeoutMillis ? { acquireTimeoutMillis: options.acquireTimeoutMillis } : {}) },
    debug: options.debugSql ? ['query', 'query-params'] : false,
    logger: (message: string) => log?.debug({ orm: true }, message),
    // knex prints "Connection Error: ..." to the console for every connection a restart ends: route it to the logger.
    driverOptions: {
      log: {
        debug: (message: unknown) => log?.debug({ orm: true }, String(message)),
        warn: (message: unknown) => log?.debug({ orm: true }, String(message)),
        deprecate: (message: unknown) => log?.debug({ orm: true }, String(message)),
        error: (message: unknown) => log?.warn({ orm: true }, String(message).split('\n')[0]!),
      },
    },
    migrations: {
      tableName: MIGRATIONS_TABLE,
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
    },
  };
}

export async function createOrm(options: OrmOptions): Promise<MikroORM> {
  return MikroORM.init(ormConfig(options));
}

export type { MikroORM };
