import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, ownerOrm, type TestDatabase } from './testing';
import { migrationNeeded, runMigrations } from './migrate';
import { MIGRATIONS } from './migrations';
import type { MikroORM } from '@mikro-orm/postgresql';

describe('migrations', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  beforeAll(async () => {
    db = await createTestDatabase('migrations', { empty: true });
    orm = await ownerOrm(db);
  });
  afterAll(async () => {
    await orm.close();
    await db.drop();
  });

  it('apply to an empty database, in order, once', async () => {
    const applied = await runMigrations(orm);
    expect(applied).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await runMigrations(orm)).toEqual([]);
    const tables = await db.pool.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['agency', 'app_user', 'area', 'incident', 'ingest_reject', 'partnership', 'partnership_agency', 'submission']),
    );
  });

  it('produce exactly the schema the entities describe (migration:check)', async () => {
    expect(await migrationNeeded(db.ownerUrl)).toBe(false);
  });

  it('roll back to empty and apply again', async () => {
    await orm.getMigrator().down({ to: 0 });
    const left = await db.pool.query(`select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name <> 'mikro_orm_migrations'`);
    expect(left.rows[0].n).toBe(0);
    expect(await runMigrations(orm)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('refuse rows that break the model: unknown role, unknown agency type', async () => {
    await db.pool.query(`insert into partnership (code, name, lad_codes) values ('E22000165', 'Charnwood', '{E07000130}')`);
    await db.pool.query(`insert into agency (code, name, type, statutory) values ('p', 'Police', 'police', true)`);
    await expect(
      db.pool.query(`insert into app_user (email, display_name, agency_id, partnership_id, roles) values ('a@b', 'A', 1, 1, '{superuser}')`),
    ).rejects.toThrow(/app_user_roles_known/);
    await expect(
      db.pool.query(`insert into agency (code, name, type) values ('x', 'X', 'spaceship')`),
    ).rejects.toThrow(/agency_type_check/);
  });

  it('allow one user per e-mail whatever its case, and one per external subject', async () => {
    await db.pool.query(`insert into app_user (email, display_name, agency_id, partnership_id, roles, external_subject) values ('Ann.Lee@Charnwood.gov.uk', 'Ann', 1, 1, '{analyst}', 'idp-sub-1')`);
    await expect(
      db.pool.query(`insert into app_user (email, display_name, agency_id, partnership_id, roles) values ('ann.lee@charnwood.gov.uk', 'Ann', 1, 1, '{analyst}')`),
    ).rejects.toThrow(/app_user_email_lower_unique/);
    await expect(
      db.pool.query(`insert into app_user (email, display_name, agency_id, partnership_id, roles, external_subject) values ('bob@charnwood.gov.uk', 'Bob', 1, 1, '{analyst}', 'idp-sub-1')`),
    ).rejects.toThrow(/app_user_external_subject_unique/);
    // Users without a subject are many.
    await db.pool.query(`insert into app_user (email, display_name, agency_id, partnership_id, roles) values ('c@charnwood.gov.uk', 'C', 1, 1, '{analyst}'), ('d@charnwood.gov.uk', 'D', 1, 1, '{analyst}')`);
  });
});
