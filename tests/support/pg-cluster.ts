import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@csp-hub/db';

/**
 * A throwaway PostgreSQL cluster from the system's binaries (Debian's
 * postgresql-NN packages: /usr/lib/postgresql/NN/bin), for the tests that need
 * what the embedded server does not ship: psql, pg_dump and pg_restore of the
 * same major version as the server. One cluster per test file, in a temporary
 * folder, on a free port; superuser `postgres` with a password over TCP
 * (scram-sha-256, as the official image sets up) and trust on its private
 * Unix socket (as the image's init scripts connect).
 */

/** The PostgreSQL major version infra/compose.yaml runs (its image tag) and these tests use. */
export const DEPLOY_POSTGRES_MAJOR = 15;

const TOOLS = ['initdb', 'pg_ctl', 'postgres', 'psql', 'pg_dump', 'pg_restore'] as const;
const INSTALL_HINT = `install Debian's PostgreSQL ${DEPLOY_POSTGRES_MAJOR} server and client (apt-get install postgresql-${DEPLOY_POSTGRES_MAJOR} postgresql-client-${DEPLOY_POSTGRES_MAJOR}; .ci/run does so) or set CSP_HUB_PG_BIN to a folder holding ${TOOLS.join(', ')} of PostgreSQL ${DEPLOY_POSTGRES_MAJOR}`;

/** The folder with the server and client binaries; throws naming what to install when they are missing. */
export function postgresBinDir(): string {
  const dir = process.env.CSP_HUB_PG_BIN ?? `/usr/lib/postgresql/${DEPLOY_POSTGRES_MAJOR}/bin`;
  const missing = TOOLS.filter((tool) => !existsSync(path.join(dir, tool)));
  if (missing.length > 0) throw new Error(`PostgreSQL binaries missing in ${dir} (${missing.join(', ')}): ${INSTALL_HINT}`);
  const version = execFileSync(path.join(dir, 'postgres'), ['--version'], { encoding: 'utf8' });
  const major = Number(/\(PostgreSQL\) (\d+)/.exec(version)?.[1]);
  if (major !== DEPLOY_POSTGRES_MAJOR) throw new Error(`${dir}/postgres is ${version.trim()}, not ${DEPLOY_POSTGRES_MAJOR}: ${INSTALL_HINT}`);
  return dir;
}

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program; never throws on a non-zero exit (the caller asserts). */
export async function runTool(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string } = {}): Promise<ToolRun> {
  const child = spawn(file, args, { env: options.env ?? process.env, uid: options.uid, gid: options.gid, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface PgCluster {
  bin: string;
  port: number;
  /** Folder of the server's Unix socket (PGHOST for a local psql, as in the image's init phase). */
  socketDir: string;
  superuserPassword: string;
  /** postgres://postgres:PASSWORD@127.0.0.1:PORT/<database> */
  superuserUrl(database?: string): string;
  /** A URL of `role` with `password` on `database`, over TCP. */
  url(role: string, password: string, database: string): string;
  /** Path of a binary of this cluster's version (psql, pg_dump, pg_restore ...). */
  tool(name: (typeof TOOLS)[number]): string;
  /** psql as the superuser over the Unix socket; ON_ERROR_STOP, no psqlrc. */
  psql(database: string, args: string[]): Promise<ToolRun>;
  stop(): Promise<void>;
}

function postgresAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    return {
      uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
      gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
    };
  } catch {
    throw new Error(`running as root, PostgreSQL needs the system account postgres, which does not exist: ${INSTALL_HINT}`);
  }
}

/** initdb, then start a server on a free port; stop() ends it and deletes the folder. */
export async function startPgCluster(label: string, options: { superuserPassword?: string } = {}): Promise<PgCluster> {
  const bin = postgresBinDir();
  const account = postgresAccount();
  // As root the server runs as postgres, which must reach the folder: not a private TMPDIR.
  const base = account ? (existsSync('/var/tmp') ? '/var/tmp' : '/tmp') : os.tmpdir();
  const dir = mkdtempSync(path.join(base, `csp-hub-${label}-`));
  const data = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  mkdirSync(socketDir);
  const superuserPassword = options.superuserPassword ?? `pg-${label}-${process.pid}`;
  const pwfile = path.join(dir, 'pwfile');
  writeFileSync(pwfile, `${superuserPassword}\n`, { mode: 0o600 });
  if (account) for (const p of [dir, socketDir, pwfile]) chownSync(p, account.uid, account.gid);
  const as = { uid: account?.uid, gid: account?.gid, cwd: dir, env: { ...process.env, LC_ALL: 'C.UTF-8' } };
  const init = await runTool(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync'], as);
  if (init.code !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
  const port = await freePort();
  const log = path.join(dir, 'server.log');
  const serverOptions = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = await runTool(path.join(bin, 'pg_ctl'), ['start', '-D', data, '-l', log, '-w', '-t', '60', '-o', serverOptions], as);
  if (start.code !== 0) throw new Error(`pg_ctl start failed:\n${start.stdout}${start.stderr}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
  const postmasterPid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  // A test process that dies without its afterAll still stops the server (fast shutdown).
  const onExit = (): void => {
    try {
      process.kill(postmasterPid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.on('exit', onExit);
  let stopped = false;
  const tool = (name: (typeof TOOLS)[number]): string => path.join(bin, name);
  const url = (role: string, password: string, database: string): string =>
    `postgres://${encodeURIComponent(role)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    bin,
    port,
    socketDir,
    superuserPassword,
    superuserUrl: (database = 'postgres') => url('postgres', superuserPassword, database),
    url,
    tool,
    psql: (database, args) =>
      runTool(tool('psql'), ['-X', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', database, ...args]),
    async stop() {
      if (stopped) return;
      stopped = true;
      const result = await runTool(tool('pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '60'], as);
      process.off('exit', onExit);
      if (result.code !== 0) onExit();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
