import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '@csp-hub/authz';
import { APP_ROLE, migrateDatabase, OWNER_ROLE, runtimeRoleProblems, setUpRoles } from '@csp-hub/db';
import { createTestDatabase, quietOnDrop, type TestDatabase } from '@csp-hub/db/testing';
import { createLogger, loadConfig, openHub } from '@csp-hub/gateway';

/**
 * The hub runs as a role that cannot rewrite the audit log, run DDL or own
 * anything; migrations run as the owner (issue #12, ADR 0018). Every other test
 * runs its hub as that role too, so a missing grant fails there.
 */
describe('database roles', () => {
  let db: TestDatabase;
  let app: pg.Pool;
  let tmp: string;

  beforeAll(async () => {
    db = await createTestDatabase('database-roles');
    app = quietOnDrop(new pg.Pool({ connectionString: db.appUrl, max: 2 }));
    tmp = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-roles-'));
  });
  afterAll(async () => {
    await app?.end();
    await db?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const refused = (sql: string) => expect(app.query(sql)).rejects.toMatchObject({ code: '42501' });

  it('the application role is who the hub connects as, and it owns nothing', async () => {
    const r = await app.query(`select current_user as role,
      (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relowner = (select oid from pg_roles where rolname = current_user)) as owned`);
    expect(r.rows[0]).toEqual({ role: APP_ROLE, owned: 0 });
    expect(await runtimeRoleProblems(app)).toEqual([]);
  });

  it('appends to the audit log but cannot change, delete or truncate an entry', async () => {
    const record = { userId: null, agencyId: null, partnershipId: null, roles: [], operation: 'roles.test', objectType: 'test', objectId: null, detail: {}, rowCount: 0, agreementIds: [], requestId: null };
    await appendAudit(app, record);
    expect((await app.query(`select count(*)::int as n from audit_log where operation = 'roles.test'`)).rows[0].n).toBe(1);
    await refused(`update audit_log set detail = '{}' where operation = 'roles.test'`);
    await refused(`delete from audit_log where operation = 'roles.test'`);
    await refused('truncate audit_log');
    // ... nor turn off the trigger that guards it, nor drop it.
    await refused('alter table audit_log disable trigger audit_log_no_update_delete');
    await refused('drop trigger audit_log_no_update_delete on audit_log');
  });

  it('cannot run DDL: create, alter or drop a table, or rewrite the migration history', async () => {
    await refused('create table smuggled (a int)');
    await refused('alter table incident add column smuggled text');
    await refused('drop table incident');
    await refused('create index smuggled_idx on incident (source_ref)');
    await refused(`delete from mikro_orm_migrations`);
    // A temporary table of its own is how ingest stages a file: that stays possible.
    await expect(app.query('create temp table staging_check (a int)')).resolves.toBeDefined();
  });

  it('refreshes planner statistics through the owner’s function, which analyzes nothing else', async () => {
    const client = await app.connect();
    try {
      await client.query(`insert into rate_limit_counter (key, hits, reset_at) select 'roles-' || g, 1, now() + interval '1 hour' from generate_series(1, 321) g`);
      await client.query(`select csp_hub_analyze('rate_limit_counter')`);
      const stats = await client.query(`select reltuples::int as n from pg_class where oid = 'rate_limit_counter'::regclass`);
      expect(stats.rows[0].n).toBe(321);
      await expect(client.query(`select csp_hub_analyze('no_such_table; drop table incident')`)).rejects.toMatchObject({ code: '42P01' });
    } finally {
      client.release();
    }
  });

  // Runs every migration on an empty database: about 15 s on a quiet machine, several times that on a busy one.
  it('a database made by the superuser before there were two roles is handed to the owner, and migrates and grants', { timeout: 240_000 }, async () => {
    const blank = await createTestDatabase('database-roles-legacy', { empty: true });
    try {
      // As a single-role install did: the superuser created the schema's objects.
      await blank.pool.query('create table legacy_note (id serial primary key, body text)');
      await blank.pool.query(`create function legacy_fn() returns int language sql as 'select 1'`);
      const { ownerUrl, appUrl } = await setUpRoles(new URL('/postgres', blank.url).toString(), blank.name);
      const owners = await blank.pool.query(`select c.relname, r.rolname from pg_class c join pg_roles r on r.oid = c.relowner
        join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relname in ('legacy_note', 'legacy_note_id_seq') order by 1`);
      expect(owners.rows).toEqual([{ relname: 'legacy_note', rolname: OWNER_ROLE }, { relname: 'legacy_note_id_seq', rolname: OWNER_ROLE }]);
      await migrateDatabase({ url: appUrl, migrationUrl: ownerUrl });
      const appPool = quietOnDrop(new pg.Pool({ connectionString: appUrl, max: 1 }));
      try {
        await appPool.query(`insert into legacy_note (body) values ('kept')`);
        expect(await runtimeRoleProblems(appPool)).toEqual([]);
      } finally {
        await appPool.end();
      }
    } finally {
      await blank.drop();
    }
  });

  it('in production the hub refuses to start as a role that could rewrite the audit log, and starts as the application role', async () => {
    const production = (env: Record<string, string>) =>
      loadConfig({
        NODE_ENV: 'production', CSP_HUB_DATA_DIR: tmp, JWT_ALGORITHM: 'HS256', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent',
        AUDIT_CHECKPOINT_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), AUDIT_CHECKPOINT_DIR: tmp, ...env,
      });
    const logger = createLogger('silent');
    await expect(openHub(production({ DATABASE_URL: db.url }), logger)).rejects.toMatchObject({
      reason: 'DATABASE_ROLE_TOO_POWERFUL',
      message: expect.stringMatching(/is a superuser.*MIGRATION_DATABASE_URL/s),
    });
    // The owner is not acceptable either: it could drop the audit log's guard.
    await expect(openHub(production({ DATABASE_URL: db.ownerUrl }), logger)).rejects.toMatchObject({
      message: expect.stringMatching(/owns \d+ tables/),
    });
    const hub = await openHub(production({ DATABASE_URL: db.appUrl, MIGRATION_DATABASE_URL: db.ownerUrl }), logger);
    try {
      expect((await hub.pool.query('select current_user as u')).rows[0].u).toBe(APP_ROLE);
    } finally {
      await hub.close();
    }
  });
});
