import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { authenticateAccess, type AccessContext } from '@csp-hub/authz';
import { User, type MikroORM } from '@csp-hub/db';
import { loadDistrictBoundaries, type DistrictBoundaries } from '@csp-hub/insight';
import { SHARED_DATA } from '../../support/dataset';
export { seeded } from '../../support/seeded';

export const CHARNWOOD = 'E07000130';
export const CHARNWOOD_CSP = 'E22000165';
export const POLICE_ANALYST = 'police.analyst@charnwood.demo.csp-hub.test';
export const DISTRICT_ANALYST = 'district.analyst@charnwood.demo.csp-hub.test';
export const HARBOROUGH_POLICE_ANALYST = 'police.analyst@harborough.demo.csp-hub.test';
export const OXFORDSHIRE_ANALYST = 'district.analyst@west-oxfordshire.demo.csp-hub.test';

/** The demo districts' boundaries in the shared data (read in place). */
export function demoBoundaries(): DistrictBoundaries {
  return loadDistrictBoundaries(path.join(SHARED_DATA, 'geography', 'boundaries', 'lad19-demo-districts.geojson'));
}

/** A hub user's own access context, built as for a request (active user, today's agreements). */
export async function accessFor(pool: pg.Pool, orm: MikroORM, email: string): Promise<AccessContext> {
  const em = orm.em.fork();
  const user = await em.findOneOrFail(User, { email }, { populate: ['partnership'] });
  return authenticateAccess(pool, em, user.id, user.partnership.id);
}


/** Audit entries of an operation since an id, for a user. */
export async function auditSince(pool: pg.Pool, sinceId: number): Promise<{ operation: string; user_id: number | null; agreement_ids: number[]; detail: Record<string, unknown> }[]> {
  return (await pool.query(`select operation, user_id, agreement_ids, detail from audit_log where id > $1 order by id`, [sinceId])).rows;
}

export async function lastAuditId(pool: pg.Pool): Promise<number> {
  return Number((await pool.query<{ id: string | null }>('select max(id) as id from audit_log')).rows[0]!.id ?? 0);
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** A unique 64-hex Crime ID derived from a label. */
export { crimeId as crimeIdOf } from '../ingest/support';
