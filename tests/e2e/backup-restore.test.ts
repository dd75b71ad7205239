import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROLE, freePort, OWNER_ROLE } from '@csp-hub/db';
import { sharedData } from '@csp-hub/adapter-kit/testing';
import {
  baseEnvironment,
  cliOk,
  graphql,
  hostEnvironment,
  INFRA,
  LEICESTER,
  onboardLeicester,
  readCompose,
  serveHub,
  tokenFor,
} from '../support/deploy';
import { SHARED_DATA } from '../support/dataset';
import { runTool, startPgCluster, type PgCluster } from '../support/pg-cluster';
import { runCli } from './ingest/support';

/**
 * docs/operations/backup.md, step by step, on a PostgreSQL 15 cluster of its own
 * (pg_dump and pg_restore of the server's version): a hub in production loads a
 * real data.police.uk month, an audit checkpoint is signed, the owner dumps the
 * database (-Fc), the dump is restored into a fresh database (roles first, then
 * pg_restore --no-owner --role=csp_hub_owner, then csp-hub migrate for the
 * grants), the checkpoint verifies there, the counts match and the hub serves
 * the same answers from it as the application role. A restored copy missing the
 * tail of its audit log fails the checkpoint.
 */
const SOURCE = 'csp_hub';
const RESTORED = 'csp_hub_restored';

const QUERY = `{
  incidentCount
  incidentCounts(groupBy: [CATEGORY]) { agencyId controlled total cells { keys count } }
}`;

interface Answers {
  incidentCount: number;
  incidentCounts: { agencyId: string; controlled: boolean; total: number; cells: { keys: string[]; count: number }[] }[];
}

describe('backup and restore (docs/operations/backup.md)', { timeout: 900_000 }, () => {
  let tmp: string;
  let secrets: string;
  let backupDir: string;
  let cluster: PgCluster;
  let superuser: { source: pg.Pool; restored?: pg.Pool };
  const password = (name: string) => readFileSync(path.join(secrets, name), 'utf8').trim();
  let sourceAnswers: Answers;
  let checkpoint: { entries: number; headId: number };

  /** The compose file's hub environment, on this cluster and `database`. */
  function hubEnv(database: string, port = 4100): Record<string, string> {
    const env = hostEnvironment(readCompose().services.hub!, {
      secretsDir: secrets,
      paths: { '/var/lib/csp-hub': path.join(tmp, 'hubdata') },
      hosts: { 'db:5432': `127.0.0.1:${cluster.port}` },
    });
    for (const name of ['DATABASE_URL', 'MIGRATION_DATABASE_URL'] as const) {
      const url = new URL(env[name]!);
      url.pathname = `/${database}`;
      env[name] = url.toString();
    }
    return { ...baseEnvironment(), ...env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' };
  }

  /** The roles, as backup.md and roles.sql say: psql as the superuser, connected to the hub's database. */
  async function createDatabaseWithRoles(database: string): Promise<void> {
    const created = await cluster.psql('postgres', ['-c', `create database ${database}`]);
    expect(created.code, created.stderr).toBe(0);
    const roles = await runTool(cluster.tool('psql'), [
      cluster.superuserUrl(database), '-X', '-v', 'ON_ERROR_STOP=1',
      '-v', `owner_password=${password('csp_hub_owner_password')}`, '-v', `app_password=${password('csp_hub_app_password')}`,
      '-f', path.join(INFRA, 'postgres/roles.sql'),
    ]);
    expect(roles.code, roles.stderr).toBe(0);
  }

  async function answersOf(database: string): Promise<Answers> {
    const env = hubEnv(database, await freePort());
    const served = await serveHub(env);
    try {
      const pool = database === SOURCE ? superuser.source : superuser.restored!;
      // Client sessions only: an autovacuum worker on the database shows with no user.
      const sessions = await pool.query(`select distinct usename from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`);
      expect(sessions.rows).toEqual([{ usename: APP_ROLE }]);
      const token = await tokenFor(env, cluster.superuserUrl(database), LEICESTER.analyst);
      const answer = await graphql<Answers>(served.base, token, QUERY);
      expect(answer.errors).toBeUndefined();
      return answer.data!;
    } finally {
      expect(await served.stop(), served.output()).toBe(0);
    }
  }

  const count = async (pool: pg.Pool, table: string): Promise<number> => (await pool.query(`select count(*)::int as n from ${table}`)).rows[0].n as number;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-backup-'));
    secrets = path.join(tmp, 'secrets');
    backupDir = path.join(tmp, 'backup');
    mkdirSync(backupDir);
    const made = await runTool(path.join(INFRA, 'make-secrets.sh'), [secrets]);
    expect(made.code, made.stderr).toBe(0);
    cluster = await startPgCluster('backup', { superuserPassword: password('postgres_password') });
    await createDatabaseWithRoles(SOURCE);
    superuser = { source: new pg.Pool({ connectionString: cluster.superuserUrl(SOURCE), max: 2 }) };
  });
  afterAll(async () => {
    await superuser?.source.end();
    await superuser?.restored?.end();
    await cluster?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('a hub in production loads a real police month and serves it', async () => {
    const env = hubEnv(SOURCE);
    await cliOk(env, 'migrate');
    await onboardLeicester(env, SHARED_DATA);
    const file = sharedData('police', '2024-01-leicestershire-street.csv');
    const ingest = await runCli(['ingest', '--agency', LEICESTER.police, '--feed', 'street', '--as', LEICESTER.analyst, file], { env, timeoutMs: 300_000 });
    expect(ingest.code, ingest.stderr).toBe(0);
    const rows = readFileSync(file, 'utf8').trimEnd().split('\n').length - 1;
    expect(await count(superuser.source, 'incident')).toBe(rows);
    sourceAnswers = await answersOf(SOURCE);
    // the analyst reads their own force's rows record by record: every row counts
    expect(sourceAnswers.incidentCount).toBe(rows);
    expect(sourceAnswers.incidentCounts.reduce((sum, p) => sum + p.total, 0)).toBe(rows);
  });

  it('backup: a signed checkpoint of the audit head, then pg_dump -Fc as the owner; the public key goes with them', async () => {
    const head = await cliOk(hubEnv(SOURCE), 'audit', 'head', '--out', path.join(backupDir, 'audit-checkpoint.json'));
    checkpoint = JSON.parse(head.stdout) as { entries: number; headId: number };
    expect(checkpoint.entries).toBe(await count(superuser.source, 'audit_log'));
    const ownerUrl = cluster.url(OWNER_ROLE, password('csp_hub_owner_password'), SOURCE);
    const dump = await runTool(cluster.tool('pg_dump'), ['--format=custom', `--file=${path.join(backupDir, 'csp_hub.dump')}`, ownerUrl]);
    expect(dump.code, dump.stderr).toBe(0);
    expect(dump.stderr).toBe('');
    copyFileSync(path.join(secrets, 'audit_checkpoint_public_key'), path.join(backupDir, 'audit_checkpoint_public_key.pem'));
    expect(statSync(path.join(backupDir, 'csp_hub.dump')).size).toBeGreaterThan(100_000);
    const list = await runTool(cluster.tool('pg_restore'), ['--list', path.join(backupDir, 'csp_hub.dump')]);
    expect(list.stdout).toMatch(/TABLE DATA public audit_log /);
    expect(list.stdout).toMatch(/TABLE DATA public incident /);
  });

  it('restore into a fresh database: roles, pg_restore --no-owner --role=csp_hub_owner, csp-hub migrate; the checkpoint verifies and the counts match', async () => {
    await createDatabaseWithRoles(RESTORED);
    superuser.restored = new pg.Pool({ connectionString: cluster.superuserUrl(RESTORED), max: 2 });
    const restore = await runTool(cluster.tool('pg_restore'), [
      '--no-owner', `--role=${OWNER_ROLE}`, '--exit-on-error', '--single-transaction',
      `--dbname=${cluster.url(OWNER_ROLE, password('csp_hub_owner_password'), RESTORED)}`, path.join(backupDir, 'csp_hub.dump'),
    ]);
    expect(restore.code, restore.stderr).toBe(0);
    const env = hubEnv(RESTORED);
    expect((await cliOk(env, 'migrate')).stdout).toContain('migrations are up to date');
    for (const table of ['incident', 'submission', 'audit_log', 'app_user', 'agency', 'partnership', 'area']) {
      expect(await count(superuser.restored, table), table).toBe(await count(superuser.source, table));
    }
    const owners = await superuser.restored.query(`select distinct pg_get_userbyid(relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p', 'S')`);
    expect(owners.rows).toEqual([{ owner: OWNER_ROLE }]);
    // Verified where only the public key is at hand (the one kept with the dump).
    const verify = await cliOk(
      { ...env, AUDIT_CHECKPOINT_PUBLIC_KEY_FILE: path.join(backupDir, 'audit_checkpoint_public_key.pem') },
      'audit', 'verify', '--checkpoint', path.join(backupDir, 'audit-checkpoint.json'),
    );
    expect(verify.stdout).toContain(`holds the ${checkpoint.entries.toLocaleString('en-GB')} entries the checkpoint of`);
  });

  it('the hub serves the restored database as the application role, with the same answers', async () => {
    expect(await answersOf(RESTORED)).toEqual(sourceAnswers);
  });

  it('a restored copy without the tail of its audit log fails the checkpoint', async () => {
    const client = await superuser.restored!.connect();
    try {
      // as a superuser could: the append-only guard off for one transaction
      await client.query('begin');
      await client.query('alter table audit_log disable trigger user');
      const cut = await client.query('delete from audit_log where id > $1', [checkpoint.headId - 3]);
      expect(cut.rowCount).toBeGreaterThanOrEqual(3);
      await client.query('alter table audit_log enable trigger user');
      await client.query('commit');
    } finally {
      client.release();
    }
    const env = hubEnv(RESTORED);
    // the chain alone still checks out ...
    expect((await cliOk(env, 'audit', 'verify')).stdout).toContain('audit log intact');
    // ... the checkpoint kept with the dump does not
    const verify = await runCli(['audit', 'verify', '--checkpoint', path.join(backupDir, 'audit-checkpoint.json')], { env, timeoutMs: 120_000 });
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain(`recorded ${checkpoint.entries} entries up to entry ${checkpoint.headId}: its tail was removed`);
  });
});
