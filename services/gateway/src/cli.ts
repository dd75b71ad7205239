#!/usr/bin/env -S npx tsx
import 'reflect-metadata';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printSchema } from 'graphql';
import { DEMO_PARTNERSHIPS, demoEmail, migrationNeeded, User } from '@csp-hub/db';
import { verifyAudit } from '@csp-hub/authz';
import { importGeography, listFeeds } from '@csp-hub/ingest';
import { HubError, isHubError } from '@csp-hub/taxonomy';
import { createHubApp } from './app';
import { buildHubSchema } from './graphql/schema';
import { signToken } from './auth/jwt';
import { loadSigningKeys } from './auth/keys';
import { ConfigError, configTableMarkdown, loadConfig, type Config } from './config';
import { openHub, type Hub } from './hub';
import { createLogger, type Logger } from './logger';
import { loadDemo } from './commands/demo.command';
import { ingestCommand } from './commands/ingest.command';

const USAGE = `csp-hub <command> [options]

Commands:
  serve [--demo]                      start the hub (migrates; --demo loads the demo partnerships and prints dev tokens)
  migrate [--check]                   apply pending migrations (--check: fail if the entities need a new migration)
  seed-demo                           load the demo partnerships, agencies, users, ONS geography and
                                      the Leicestershire street-level months (idempotent)
  import-geography [--dir <folder>]   load the ONS LSOA/ward/district lookups (default CSP_HUB_REFERENCE_DIR)
  ingest --agency <code|type> --feed <feed> [--encoding utf-8|windows-1252|auto] [--as <email>] <file>
                                      submit one file; progress on stderr; exit 1 if the file is refused
  feeds                               list the feeds and the columns each needs
  audit verify                        recompute the audit log's hash chain; exit 1 naming the first broken entry
  token --email <address> [--ttl 8h]  print a signed dev token for a user (not in production)
  config                              print the configuration variables as a Markdown table
  schema                              print the GraphQL schema (SDL); schema.graphql holds the committed copy
`;

async function withHub<T>(config: Config, logger: Logger, fn: (hub: Hub) => Promise<T>): Promise<T> {
  const hub = await openHub(config, logger);
  try {
    return await fn(hub);
  } finally {
    await hub.close();
  }
}

async function issueToken(config: Config, hub: Hub, email: string, ttl: string): Promise<string> {
  if (config.NODE_ENV === 'production') {
    throw new HubError('forbidden', 'DEV_TOKENS_DISABLED', 'csp-hub token issues dev tokens and is disabled in production');
  }
  const user = await hub.orm.em.fork().findOne(User, { email }, { populate: ['partnership'] });
  if (!user) throw HubError.notFound('User', email);
  return signToken(loadSigningKeys(config), { sub: String(user.id), pid: user.partnership.id }, ttl);
}

async function serve(config: Config, logger: Logger, demo: boolean): Promise<void> {
  const hub = await openHub(config, logger);
  let stopping = false;
  const keys = loadSigningKeys(config);
  const app = await createHubApp({
    orm: hub.orm,
    pool: hub.pool,
    keys,
    logger,
    production: config.NODE_ENV === 'production',
    uploadMaxBytes: config.UPLOAD_MAX_BYTES,
    sdc: { min: config.SDC_MIN_COUNT, max: config.SDC_MAX_COUNT },
  });
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.stop().catch((error: unknown) => logger.error({ err: error }, 'HTTP shutdown failed'));
    await hub.close().catch((error: unknown) => logger.error({ err: error }, 'database shutdown failed'));
    process.exit(0);
  };
  // Shutdown order: HTTP (drain), then the ORM, then the embedded server.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown(signal));
  try {
    if (demo) {
      const loaded = await loadDemo(hub, config.CSP_HUB_REFERENCE_DIR, logger);
      logger.info(loaded, 'demo data loaded');
    }
    await new Promise<void>((resolve, reject) => {
      app.httpServer.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new HubError('other', 'PORT_TAKEN', `Port ${config.PORT} is already in use: set PORT to a free port`)
            : error,
        ),
      );
      app.httpServer.listen(config.PORT, config.HOST, () => resolve());
    });
  } catch (error) {
    await hub.close();
    throw error;
  }
  const base = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
  const lines = [
    '',
    `csp-hub is running (database: ${hub.db.mode === 'external' ? 'DATABASE_URL' : `embedded PostgreSQL on port ${config.CSP_HUB_PG_PORT}`})`,
    `  GraphQL: ${base}/graphql`,
    `  Health:  ${base}/healthz`,
  ];
  if (demo && config.NODE_ENV !== 'production') {
    const slug = DEMO_PARTNERSHIPS[0]!.slug;
    for (const handle of ['police.analyst', 'district.chair', 'district.admin']) {
      const email = demoEmail(slug, handle);
      lines.push(`  Dev token for ${email} (valid ${config.JWT_TTL}):`, `    ${await issueToken(config, hub, email, config.JWT_TTL)}`);
    }
    lines.push(
      '  Try:',
      `    curl -s ${base}/graphql -H 'content-type: application/json' -H "authorization: Bearer <token>" --data '{"query":"{ me { displayName roles partnership { name } } }"}'`,
      '  More tokens: pnpm csp-hub token --email <user>   (demo users: <role>@<partnership>.demo.csp-hub.test)',
    );
  }
  lines.push('  Stop with Ctrl+C.', '');
  process.stdout.write(lines.join('\n') + '\n');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        demo: { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        email: { type: 'string' },
        ttl: { type: 'string' },
        agency: { type: 'string' },
        feed: { type: 'string' },
        encoding: { type: 'string' },
        as: { type: 'string' },
        dir: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw HubError.invalidInput('BAD_ARGUMENTS', `${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (!command || command === 'help' || values.help) {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'schema') {
    process.stdout.write(`${printSchema(await buildHubSchema())}\n`);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  switch (command) {
    case 'serve':
      await serve(config, logger, values.demo);
      return -1; // keep running
    case 'migrate':
      return withHub(config, logger, async (hub) => {
        if (values.check && (await migrationNeeded(hub.orm))) {
          process.stderr.write('The entities describe changes no migration makes: run pnpm --filter @csp-hub/db migration:create <name>\n');
          return 1;
        }
        process.stdout.write('migrations are up to date\n');
        return 0;
      });
    case 'seed-demo':
      return withHub(config, logger, async (hub) => {
        const result = await loadDemo(hub, config.CSP_HUB_REFERENCE_DIR, logger);
        process.stdout.write(
          `demo data: ${result.partnerships} partnerships, ${result.users} users, geography ${result.geography ? 'loaded' : 'not found'}, ${result.submissions} new submissions\n`,
        );
        return 0;
      });
    case 'import-geography':
      return withHub(config, logger, async (hub) => {
        const result = await importGeography(hub.pool, values.dir ?? config.CSP_HUB_REFERENCE_DIR, logger);
        process.stdout.write(`loaded ${result.lsoas} LSOAs, ${result.wards} wards, ${result.districts} districts, ${result.csps} CSPs\n`);
        return 0;
      });
    case 'ingest': {
      const file = positionals[0];
      if (!values.agency || !values.feed || !file || positionals.length > 1) {
        throw HubError.invalidInput('BAD_ARGUMENTS', `ingest needs --agency, --feed and one file\n\n${USAGE}`);
      }
      const agency = values.agency;
      const feed = values.feed;
      return withHub(config, logger, (hub) =>
        ingestCommand(hub, logger, {
          agency,
          feed,
          file,
          ...(values.encoding ? { encoding: values.encoding } : {}),
          ...(values.as ? { asEmail: values.as } : {}),
          out: process.stdout,
          err: process.stderr,
        }),
      );
    }
    case 'audit': {
      if (positionals[0] !== 'verify') throw HubError.invalidInput('BAD_ARGUMENTS', `usage: csp-hub audit verify\n\n${USAGE}`);
      return withHub(config, logger, async (hub) => {
        const result = await verifyAudit(hub.pool);
        if (result.ok) {
          process.stdout.write(`audit log intact: ${result.entries.toLocaleString('en-GB')} entries, every hash and link checks out\n`);
          return 0;
        }
        process.stderr.write(
          `audit log BROKEN at entry ${result.firstBroken!.id}: ${result.firstBroken!.problem} (${result.entries.toLocaleString('en-GB')} entries before it check out)\n`,
        );
        return 1;
      });
    }
    case 'feeds':
      for (const f of listFeeds()) {
        process.stdout.write(`${f.feed}  (${f.formats.join(', ')})  ${f.label}\n    columns: ${f.columns.join(', ')}\n`);
      }
      return 0;
    case 'token': {
      if (!values.email) throw HubError.invalidInput('EMAIL_REQUIRED', 'token needs --email <address> of a user');
      const email = values.email;
      return withHub(config, logger, async (hub) => {
        process.stdout.write(`${await issueToken(config, hub, email, values.ttl ?? config.JWT_TTL)}\n`);
        return 0;
      });
    }
    case 'config':
      process.stdout.write(`${configTableMarkdown()}\n`);
      return 0;

    default:
      process.stderr.write(`unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}

/** Prints a failure for a person: config and HubErrors as their message, anything else with its stack. */
export function reportFailure(error: unknown): void {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else if (isHubError(error)) process.stderr.write(`csp-hub: ${error.message} (${error.reason})\n`);
  else process.stderr.write(`csp-hub: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (error: unknown) => {
      reportFailure(error);
      process.exit(1);
    },
  );
}
