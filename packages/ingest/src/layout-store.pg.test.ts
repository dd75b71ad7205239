import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf } from '@csp-hub/adapter-kit';
import { createTestDatabase, type TestDatabase } from '@csp-hub/db/testing';
import { HubError } from '@csp-hub/taxonomy';
import { ingestFile } from './ingest';
import { feedAdapterFor, findStoredLayout, listStoredLayouts, registerLayout, type Queryable } from './layout-store';
import { BUILT_IN_LAYOUTS } from './registry';

const CLI = { userId: null, label: 'test', via: 'cli' as const };

const layoutText = (version: number, extra = '') => `id: acme-asb
version: ${version}
label: Acme ASB export
feed: council.asb
header:
  required: [Case No, Reported, Ward]
columns:
  sourceRef: Case No
  occurredAt: { column: Reported, format: dd/MM/yyyy HH:mm }
  wardName: Ward
  sourceCategory: { value: Anti-social behaviour }
${extra}`;

describe('registered layouts in PostgreSQL', () => {
  let db: TestDatabase;
  let council: number;

  /** Runs fn in a transaction, as the CLI does (its audit entry commits with the layout). */
  async function inTransaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  }
  const register = (text: string) => inTransaction((tx) => registerLayout(tx, { text, fileName: 'acme-asb.yaml', createdBy: { userId: null, label: 'test' } }));
  async function refusal(text: string): Promise<HubError> {
    const error = await register(text).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof HubError)) throw new Error(`expected the layout to be refused, got ${String(error)}`);
    return error;
  }

  beforeAll(async () => {
    db = await createTestDatabase('layout_store');
    council = (await db.pool.query(`select id from agency where code = 'charnwood-borough-council'`)).rows[0].id;
  });
  afterAll(async () => db?.drop());

  it('stores a valid layout with its text, and lists it', async () => {
    const result = await register(layoutText(1));
    expect(result.replacedVersion).toBeNull();
    expect(result.layout).toMatchObject({ id: 'acme-asb', version: 1, feed: 'council.asb', label: 'Acme ASB export', active: true, source: layoutText(1) });
    const row = await db.pool.query(`select definition->'columns'->'sourceRef' as ref from layout where id = 'acme-asb'`);
    expect(row.rows[0].ref).toEqual({ column: ['Case No'], required: true });
    expect((await listStoredLayouts(db.pool, { feed: 'council.asb' })).map((l) => l.id)).toEqual(['acme-asb']);
    expect(await listStoredLayouts(db.pool, { feed: 'fire.incidents' })).toEqual([]);
  });

  it('refuses the same version again, a built-in id, another feed under the same id, and an invalid file (storing nothing)', async () => {
    const again = await refusal(layoutText(1));
    expect([again.kind, again.reason]).toEqual(['conflict', 'LAYOUT_EXISTS']);
    expect(again.message).toContain('set version: 2');
    const builtIn = await refusal(layoutText(1).replace('id: acme-asb', `id: ${BUILT_IN_LAYOUTS.find((l) => l.feed === 'council.asb')!.id}`));
    expect(builtIn.reason).toBe('LAYOUT_IS_BUILT_IN');
    const moved = await refusal(layoutText(2).replace('feed: council.asb', 'feed: council.noise').replace('Anti-social behaviour', 'Noise complaint'));
    expect(moved.reason).toBe('LAYOUT_FEED_CHANGED');
    const invalid = await refusal(layoutText(2).replace('dd/MM/yyyy HH:mm', 'dd/mm/yyyy'));
    expect(invalid.reason).toBe('INVALID_LAYOUT');
    expect(invalid.message).toContain('acme-asb.yaml line 9, columns.occurredAt.format: unknown date format "dd/mm/yyyy"');
    expect((await listStoredLayouts(db.pool, { includeInactive: true })).map((l) => `${l.id}@${l.version}`)).toEqual(['acme-asb@1']);
  });

  it('a new version retires the one before; both stay on record', async () => {
    const result = await register(layoutText(2, '  locationText: Street\n'));
    expect(result.replacedVersion).toBe(1);
    expect((await listStoredLayouts(db.pool)).map((l) => `${l.id}@${l.version}`)).toEqual(['acme-asb@2']);
    expect((await listStoredLayouts(db.pool, { includeInactive: true })).map((l) => `${l.id}@${l.version}:${l.active}`)).toEqual(['acme-asb@2:true', 'acme-asb@1:false']);
    expect((await findStoredLayout(db.pool, 'acme-asb'))?.version).toBe(2);
    expect((await findStoredLayout(db.pool, 'acme-asb', 1))?.active).toBe(false);
  });

  it('ingest: the header picks the registered layout beside the built-in one, and the submission records it', async () => {
    const csv = 'Case No,Reported,Ward,Street\nC-1,03/02/2024 21:30,Loughborough Hastings,Market Place\nC-2,31/02/2024 21:30,Loughborough Hastings,\n';
    const result = await ingestFile(db.pool, { agencyId: council, feed: 'council.asb', fileName: 'acme.csv', source: bytesOf(csv), submitter: CLI });
    expect(result).toMatchObject({ status: 'accepted', layout: { id: 'acme-asb', version: 2 }, rowsAccepted: 1, rowsRejected: 1 });
    expect(result.firstRejects).toEqual([expect.objectContaining({ rowNumber: 2, column: 'Reported', reason: 'INVALID_DATE' })]);
    const stored = await db.pool.query(`select layout, layout_version, header from submission where id = $1`, [result.submissionId]);
    expect(stored.rows[0]).toEqual({ layout: 'acme-asb', layout_version: 2, header: { layout: 'acme-asb', layoutLabel: 'Acme ASB export' } });
    const incident = await db.pool.query(`select source_ref, location_text, ward_code is not null as placed from incident where submission_id = $1`, [result.submissionId]);
    expect(incident.rows).toEqual([{ source_ref: 'C-1', location_text: 'Market Place', placed: true }]);
    // The built-in standard layout still reads its own files, and says so.
    const standard = 'Reference,Date,ASB category,Ward name\nS-1,2024-02-03,Personal,Loughborough Hastings\n';
    const builtIn = await ingestFile(db.pool, { agencyId: council, feed: 'council.asb', fileName: 'std.csv', source: bytesOf(standard), submitter: CLI });
    expect(builtIn).toMatchObject({ status: 'accepted', layout: { id: 'council-asb', version: 1 } });
  });

  it('ingest with a named layout: used as named; an unknown one, or one of another feed, refuses the file', async () => {
    const csv = 'Case No,Reported,Ward\nC-9,04/02/2024 21:30,Loughborough Hastings\n';
    const named = await ingestFile(db.pool, { agencyId: council, feed: 'council.asb', fileName: 'named.csv', source: bytesOf(csv), submitter: CLI, layout: 'acme-asb' });
    expect(named).toMatchObject({ status: 'accepted', layout: { id: 'acme-asb', version: 2 } });
    const forced = await ingestFile(db.pool, { agencyId: council, feed: 'council.asb', fileName: 'forced.csv', source: bytesOf(csv), submitter: CLI, layout: 'council-asb' });
    expect(forced).toMatchObject({ status: 'refused', errorCode: 'WRONG_HEADER' });
    expect(forced.errorMessage).toContain('This is not a council anti-social behaviour file: missing columns Reference, Date, ASB category');
    const unknown = await ingestFile(db.pool, { agencyId: council, feed: 'council.asb', fileName: 'unknown.csv', source: bytesOf(csv), submitter: CLI, layout: 'no-such-layout' });
    expect(unknown).toMatchObject({ status: 'refused', errorCode: 'UNKNOWN_LAYOUT' });
    expect(unknown.errorMessage).toBe('There is no layout "no-such-layout". Layouts for council.asb: council-asb, acme-asb (csp-hub layouts list --feed council.asb).');
    const other = await ingestFile(db.pool, { agencyId: council, feed: 'council.asb', fileName: 'other.csv', source: bytesOf(csv), submitter: CLI, layout: 'fixmystreet' });
    expect(other).toMatchObject({ status: 'refused', errorCode: 'LAYOUT_NOT_FOR_FEED' });
    expect(other.errorMessage).toBe('Layout fixmystreet reads council.street_reports files, not council.asb.');
  });

  it('names every candidate when no layout fits the header', async () => {
    const adapter = await feedAdapterFor(db.pool, 'council.asb');
    const error = await (async () => {
      for await (const _ of adapter.read(bytesOf('Case,When\nx,y\n'))) void _;
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).message).toContain('council anti-social behaviour: Reference, Date, ASB category, and Ward code or Ward name or LSOA code or Latitude + Longitude; Acme ASB export: Case No, Reported, Ward.');
  });
});
