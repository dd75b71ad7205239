#!/usr/bin/env -S npx tsx
import 'reflect-metadata';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_PARTNERSHIPS, demoEmail, migrationNeeded, seedDemo, User } from '@csp-hub/db';
import { HubError, isHubError } from '@csp-hub/taxonomy';
import { createHubApp } from './app';
import { signToken } from './auth/jwt';
import { loadSigningKeys } from './auth/keys';
import { ConfigError, configTableMarkdown, loadConfig, type Config } from './config';
import { openHub, type Hub } from './hub';
import { createLogger, type Logger } from './logger';

const USAGE = `csp-hub <command> [options]

Commands:
  serve [--demo]                      start the hub (migrates; --demo loads the demo partnerships and prints dev tokens)
  migrate [--check]                   apply pending migrations (--check: fail if the entities need a new migration)
  seed-demo                           load the demo partnerships, agencies and users (idempotent)
  token --email <address> [--ttl 8h]  print a signed dev token for a user (not in production)
  config                              print the configuration variables as a Markdown table
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
      const seeded = await seedDemo(hub.orm.em.fork());
      logger.info(seeded, 'demo partnerships loaded');
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
  const { values } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      demo: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      email: { type: 'string' },
      ttl: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (!command || command === 'help' || values.help) {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
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
        const result = await seedDemo(hub.orm.em.fork());
        process.stdout.write(`seeded ${result.partnerships} partnerships, ${result.agencies} agencies, ${result.users} users\n`);
        return 0;
      });
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
