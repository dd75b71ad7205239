import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { parse } from 'yaml';
import { loadConfig, loadSigningKeys, signToken } from '@csp-hub/gateway';
import { runCli, type CliRun } from '../e2e/ingest/support';

/**
 * The production deployment as files (infra/compose.yaml, infra/Dockerfile) and
 * the hub started the way the compose file starts it, without docker: its
 * environment with the container paths and host names mapped onto this machine.
 */
export const REPO = path.resolve(import.meta.dirname, '../..');
export const INFRA = path.join(REPO, 'infra');
export const COMPOSE_FILE = path.join(INFRA, 'compose.yaml');
export const CLI_BIN = path.join(REPO, 'services/gateway/bin/csp-hub.js');

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  user?: string;
  privileged?: boolean;
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  ports?: string[];
  expose?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string; environment?: string }>;
}

export function readCompose(): ComposeFile {
  return parse(readFileSync(COMPOSE_FILE, 'utf8')) as ComposeFile;
}

/** A bind mount `./host:/container[:ro]` of a service, by its container path, as a host path. */
export function bindSource(service: ComposeService, target: string): string {
  for (const volume of service.volumes ?? []) {
    const [source, mounted] = volume.split(':');
    if (mounted === target && source!.startsWith('.')) return path.resolve(INFRA, source!);
  }
  throw new Error(`no bind mount of ${target} in the service`);
}

/** Where a service's secrets are on this machine: /run/secrets/<name> becomes <secretsDir>/<name>. */
export interface HostPaths {
  secretsDir: string;
  /** Container paths (prefixes) replaced by host paths, e.g. /var/lib/csp-hub -> a temporary folder. */
  paths?: Record<string, string>;
  /** compose host names (db:5432) replaced by host:port. */
  hosts?: Record<string, string>;
}

/** A service's compose environment with the container's paths and host names mapped onto this machine. */
export function hostEnvironment(service: ComposeService, map: HostPaths): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, raw] of Object.entries(service.environment ?? {})) {
    let value = String(raw);
    if (value.startsWith('/run/secrets/')) value = path.join(map.secretsDir, value.slice('/run/secrets/'.length));
    for (const [from, to] of Object.entries(map.paths ?? {})) if (value === from || value.startsWith(`${from}/`)) value = to + value.slice(from.length);
    for (const [from, to] of Object.entries(map.hosts ?? {})) value = value.replace(`@${from}/`, `@${to}/`);
    env[name] = value;
  }
  return env;
}

/** A minimal process environment (nothing of the test run's DATABASE_URL and the like leaks in). */
export function baseEnvironment(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'TMPDIR'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
}

export interface ServedHub {
  base: string;
  child: ChildProcessWithoutNullStreams;
  output(): string;
  /** SIGTERM; resolves the exit code (a signal death counts as -1). */
  stop(): Promise<number | null>;
}

/** `node services/gateway/bin/csp-hub.js serve` with `env`, once it prints that it runs. */
export async function serveHub(env: Record<string, string>, timeoutMs = 120_000): Promise<ServedHub> {
  const child = spawn(process.execPath, [CLI_BIN, 'serve'], { env, cwd: REPO });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = setInterval(() => {
      if (out.includes('csp-hub is running')) {
        clearInterval(poll);
        resolve();
      } else if (child.exitCode !== null || Date.now() > deadline) {
        clearInterval(poll);
        if (child.exitCode === null) child.kill('SIGKILL');
        reject(new Error(`csp-hub serve did not start:\n${out}`));
      }
    }, 100);
  });
  const host = env.HOST === '0.0.0.0' || !env.HOST ? '127.0.0.1' : env.HOST;
  return {
    base: `http://${host}:${env.PORT ?? '4100'}`,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** `csp-hub <args>` with `env`; fails the test with its output unless it exits 0. */
export async function cliOk(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  const run = await runCli(args, { env, timeoutMs: 300_000 });
  if (run.code !== 0) throw new Error(`csp-hub ${args.join(' ')} exited ${run.code}:\n${run.stdout}${run.stderr}`);
  return run;
}

/** Leicester CSP and the Leicestershire force, whose real street-level months are in the shared data. */
export const LEICESTER = { csp: 'E22000168', police: 'leicestershire-police', force: 'Leicestershire Police', analyst: 'analyst@leicestershire.police.example' } as const;

/** As an operator onboards a partnership with the CLI (README "Set up your own partnership"): geography, partnership, police, one analyst. */
export async function onboardLeicester(env: Record<string, string>, referenceDir: string): Promise<void> {
  await cliOk(env, 'import-geography', '--dir', referenceDir);
  await cliOk(env, 'partnership', 'add', '--csp-code', LEICESTER.csp);
  await cliOk(env, 'agency', 'add', '--code', LEICESTER.police, '--name', LEICESTER.force, '--type', 'police', '--force-name', LEICESTER.force, '--partnership', LEICESTER.csp);
  await cliOk(env, 'user', 'add', '--email', LEICESTER.analyst, '--agency', LEICESTER.police, '--partnership', LEICESTER.csp, '--roles', 'analyst', '--name', 'Leicestershire analyst');
}

/** A hub token for a user, signed with the key the hub's environment names (as an identity provider would stand in). */
export async function tokenFor(env: Record<string, string>, databaseUrl: string, email: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const user = (await client.query<{ id: number; partnership_id: number }>('select id, partnership_id from app_user where email = $1', [email])).rows[0];
    if (!user) throw new Error(`no user ${email}`);
    return signToken(loadSigningKeys(loadConfig(env)), { sub: String(user.id), pid: user.partnership_id }, '1h');
  } finally {
    await client.end();
  }
}

/** POST a GraphQL query with a bearer token; the parsed body. */
export async function graphql<T>(base: string, token: string, query: string): Promise<{ status: number; data?: T; errors?: { message: string }[] }> {
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
  return { status: res.status, ...((await res.json()) as { data?: T; errors?: { message: string }[] }) };
}
