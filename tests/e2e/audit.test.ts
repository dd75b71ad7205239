import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEmail } from '@csp-hub/db';
import { loadStandardDataset } from '../support/dataset';
import { startTestHub, type GraphQLBody, type TestHub } from '../support/hub';
import { exportCsv, istvCsv, policeStreetCsv, runCli, upload } from './leaks/http';
import { londonDate, userView } from './leaks/policy';

const USERS = {
  policeAnalyst: demoEmail('charnwood', 'police.analyst'),
  districtAnalyst: demoEmail('charnwood', 'district.analyst'),
  healthAnalyst: demoEmail('charnwood', 'health.analyst'),
  chair: demoEmail('charnwood', 'district.chair'),
} as const;
type UserKey = keyof typeof USERS;

interface AuditRow {
  id: number;
  user_id: number | null;
  agency_id: number | null;
  partnership_id: number | null;
  roles: string[];
  operation: string;
  object_type: string;
  object_id: string | null;
  detail: Record<string, unknown>;
  row_count: number;
  agreement_ids: number[];
  request_id: string | null;
}

describe('the audit log', () => {
  let hub: TestHub;
  let dataDir: string;
  const tokens = {} as Record<UserKey, string>;
  const who = {} as Record<UserKey, { user_id: number; agency_id: number; partnership_id: number; roles: string[] }>;
  let agreementIds: { asb: number; environmental: number; fire: number; istv: number; police: number };
  let asbIds: number[];
  let policeCharnwoodIds: number[];

  /**
   * A GraphQL call; returns the server's request id (X-Request-Id), which the audit entry records.
   * The client sends an id of its own too: it must never be the one recorded.
   */
  async function gql(user: UserKey, query: string, variables?: Record<string, unknown>): Promise<{ body: GraphQLBody; requestId: string }> {
    const clientId = randomUUID();
    const res = await fetch(`${hub.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[user]}`, 'x-request-id': clientId },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as GraphQLBody;
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    const requestId = res.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestId).not.toBe(clientId);
    return { body, requestId };
  }

  async function lastId(): Promise<number> {
    return Number((await hub.db.pool.query<{ id: string | null }>('select max(id) as id from audit_log')).rows[0]!.id ?? 0);
  }
  /** The entries `action` added. */
  async function entriesOf(action: () => Promise<unknown>): Promise<AuditRow[]> {
    const before = await lastId();
    await action();
    const rows = await hub.db.pool.query<AuditRow & { id: string }>(
      `select id, user_id, agency_id, partnership_id, roles, operation, object_type, object_id, detail, row_count, agreement_ids, request_id
       from audit_log where id > $1 order by id`,
      [before],
    );
    return rows.rows.map((r) => ({ ...r, id: Number(r.id) }));
  }
  const count = async (sql: string, values: unknown[] = []) => (await hub.db.pool.query<{ n: number }>(sql, values)).rows[0]!.n;

  beforeAll(async () => {
    hub = await startTestHub('audit');
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-audit-'));
    await loadStandardDataset(hub.db.pool);
    for (const key of Object.keys(USERS) as UserKey[]) {
      tokens[key] = await hub.tokenFor(USERS[key]);
      who[key] = (await hub.db.pool.query<{ user_id: number; agency_id: number; partnership_id: number; roles: string[] }>(
        'select id as user_id, agency_id, partnership_id, roles from app_user where email = $1', [USERS[key]],
      )).rows[0]!;
    }
    const agreement = async (title: string) =>
      (await hub.db.pool.query<{ id: number }>('select id from isp_agreement where title like $1 and $2 = any(partnership_ids)', [`${title}%`, who.policeAnalyst.partnership_id])).rows[0]!.id;
    agreementIds = {
      asb: await agreement('Council ASB and noise'),
      environmental: await agreement('Council environmental reports'),
      fire: await agreement('Fire and rescue attended incidents to police'),
      istv: await agreement('ISTV assault attendances'),
      police: await agreement('Police open data'),
    };
    asbIds = (await hub.db.pool.query<{ id: string }>(`select i.id from incident i join agency a on a.id = i.agency_id where a.code = 'charnwood-borough-council' and i.feed = 'council.asb' order by i.id`)).rows.map((r) => Number(r.id));
    policeCharnwoodIds = (await hub.db.pool.query<{ id: string }>(`select i.id from incident i join agency a on a.id = i.agency_id where a.code = 'leicestershire-police' and i.lad_code = 'E07000130' order by i.id`)).rows.map((r) => Number(r.id));
  });
  afterAll(async () => {
    await hub?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  describe('reads of personal or pseudonymised data are audited with who, what, how many and under which agreement', () => {
    it('list', async () => {
      let requestId = '';
      const entries = await entriesOf(async () => {
        ({ requestId } = await gql('policeAnalyst', '{ incidents(filter: { feeds: ["council.asb"] }, first: 5) { nodes { id } } }'));
      });
      expect(entries).toEqual([{
        id: expect.any(Number), ...who.policeAnalyst, operation: 'list', object_type: 'Incident', object_id: null,
        detail: { filter: { feeds: ['council.asb'] } }, row_count: 5, agreement_ids: [agreementIds.asb], request_id: requestId,
      }]);
    });

    it('get', async () => {
      const id = asbIds[3]!;
      let requestId = '';
      const entries = await entriesOf(async () => {
        ({ requestId } = await gql('policeAnalyst', `{ incident(id: "${id}") { id outcome } }`));
      });
      expect(entries).toEqual([{
        id: expect.any(Number), ...who.policeAnalyst, operation: 'read', object_type: 'Incident', object_id: String(id),
        detail: { filter: { id } }, row_count: 1, agreement_ids: [agreementIds.asb], request_id: requestId,
      }]);
    });

    it('a list across providers names every agreement relied on, and only those', async () => {
      const entries = await entriesOf(() => gql('policeAnalyst', '{ incidents(filter: { feeds: ["council.asb", "fire.incidents"] }, first: 100) { nodes { id } } }'));
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ operation: 'list', row_count: asbIds.length + (await count(`select count(*)::int as n from incident where feed = 'fire.incidents' and lad_code = 'E07000130'`)) });
      expect(entries[0]!.agreement_ids).toEqual([agreementIds.fire, agreementIds.asb].sort((a, b) => a - b));
    });

    it('count', async () => {
      let requestId = '';
      const entries = await entriesOf(async () => {
        ({ requestId } = await gql('policeAnalyst', '{ incidentCount(filter: { feeds: ["council.asb"] }) }'));
      });
      expect(entries).toEqual([{
        id: expect.any(Number), ...who.policeAnalyst, operation: 'count', object_type: 'Incident', object_id: null,
        detail: { filter: { feeds: ['council.asb'] } }, row_count: asbIds.length, agreement_ids: [agreementIds.asb], request_id: requestId,
      }]);
    });

    it('aggregate', async () => {
      let requestId = '';
      let published = 0;
      const entries = await entriesOf(async () => {
        const res = await gql('policeAnalyst', '{ incidentCounts(groupBy: [CATEGORY], filter: { feeds: ["council.asb"] }) { agencyId cells { count } total } }');
        requestId = res.requestId;
        const tables = (res.body.data as { incidentCounts: { cells: unknown[] }[] }).incidentCounts;
        published = tables.reduce((n, t) => n + t.cells.length + 1, 0);
      });
      // The entry records how many counts were published, never how many records were counted (that could itself disclose).
      expect(entries).toEqual([{
        id: expect.any(Number), ...who.policeAnalyst, operation: 'aggregate', object_type: 'Incident', object_id: null,
        detail: { groupBy: ['category'], filter: { feeds: ['council.asb'] }, disclosureControl: { maxNoise: 2, variance: 1, threshold: 2 } },
        row_count: published, agreement_ids: [agreementIds.asb], request_id: requestId,
      }]);
      expect(published).toBeLessThan(asbIds.length);
    });

    it('aggregate over counts-only (ISTV) data names the ISTV agreement', async () => {
      let published = 0;
      const entries = await entriesOf(async () => {
        const res = await gql('districtAnalyst', '{ incidentCounts(groupBy: [MONTH], filter: { feeds: ["health.istv"] }) { agencyId cells { count } } }');
        published = (res.body.data as { incidentCounts: { cells: unknown[] }[] }).incidentCounts.reduce((n, t) => n + t.cells.length + 1, 0);
      });
      expect(entries).toEqual([expect.objectContaining({ ...who.districtAnalyst, operation: 'aggregate', row_count: published, agreement_ids: [agreementIds.istv] })]);
    });

    it('export', async () => {
      const entries = await entriesOf(async () => {
        const csv = await exportCsv(hub, tokens.policeAnalyst, { feeds: 'council.asb' });
        expect(csv.rows).toHaveLength(asbIds.length);
      });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ ...who.policeAnalyst, operation: 'export', object_type: 'Incident', object_id: null, row_count: asbIds.length });
      expect((entries[0]!.detail.filter as Record<string, unknown>).feeds).toEqual(['council.asb']);
      expect(entries[0]!.request_id).toMatch(/^[\w-]+$/);
      expect(entries[0]!.agreement_ids).toEqual([agreementIds.asb]);
    });

    it('rejects, through GraphQL and as CSV', async () => {
      const up = await upload(hub, tokens.policeAnalyst, 'police.street', policeStreetCsv([
        { crimeId: 'f'.repeat(64), month: '2024-02', lsoa: 'E01025672', location: 'On or near Station Road' },
        { crimeId: '9'.repeat(64), month: '2024-13', lsoa: 'E01025672', location: 'On or near Station Road' },
      ]));
      expect(up.status).toBe(201);
      const submissionId = (up.json.submission as { submissionId: number }).submissionId;
      const viaGraphql = await entriesOf(() => gql('policeAnalyst', `{ submission(id: "${submissionId}") { rejects { total items { value } } } }`));
      const viaCsv = await entriesOf(async () => {
        const res = await fetch(`${hub.base}/api/submissions/${submissionId}/rejects.csv`, { headers: { authorization: `Bearer ${tokens.policeAnalyst}` } });
        expect(res.status).toBe(200);
        await res.text();
      });
      for (const entries of [viaGraphql, viaCsv]) {
        expect(entries).toEqual([expect.objectContaining({
          ...who.policeAnalyst, operation: 'read', object_type: 'IngestReject', object_id: String(submissionId), row_count: 1, agreement_ids: [],
        })]);
      }
    });
  });

  describe('reads of public-tier police data alone are not audited', () => {
    it.each([
      ['list', '{ incidents(filter: { feeds: ["police.street"] }, first: 100) { nodes { id } } }'],
      ['count', '{ incidentCount(filter: { feeds: ["police.street"] }) }'],
      ['aggregate', '{ incidentCounts(groupBy: [CATEGORY], filter: { feeds: ["police.street"] }) { agencyId } }'],
    ])('%s', async (_label, query) => {
      expect(await entriesOf(() => gql('districtAnalyst', query))).toEqual([]);
      expect(await entriesOf(() => gql('policeAnalyst', query))).toEqual([]); // their own agency's public records too
    });

    it('get', async () => {
      expect(await entriesOf(() => gql('districtAnalyst', `{ incident(id: "${policeCharnwoodIds[0]}") { id outcome } }`))).toEqual([]);
    });

    it('but every export is audited, even of public data', async () => {
      const total = (await userView(hub.db.pool, USERS.districtAnalyst)).listableOrdered((r) => r.feed === 'police.street').length;
      expect(total).toBeGreaterThanOrEqual(policeCharnwoodIds.length);
      const entries = await entriesOf(async () => {
        const csv = await exportCsv(hub, tokens.districtAnalyst, { feeds: 'police.street' });
        expect(csv.rows).toHaveLength(total);
      });
      expect(entries).toEqual([expect.objectContaining({ ...who.districtAnalyst, operation: 'export', object_type: 'Incident', row_count: total })]);
    });
  });

  describe('every write is audited', () => {
    it('an upload', async () => {
      let submission: Record<string, unknown> = {};
      const entries = await entriesOf(async () => {
        const res = await upload(hub, tokens.healthAnalyst, 'health.istv', istvCsv([{ assaultAt: '2024-02-03T01:10:00', arrivalAt: '2024-02-03T02:00:00', place: 'Bus station' }]));
        expect(res.status).toBe(201);
        submission = res.json.submission as Record<string, unknown>;
      });
      expect(entries).toEqual([{
        id: expect.any(Number), ...who.healthAnalyst, operation: 'create', object_type: 'Submission', object_id: String(submission.submissionId),
        detail: { via: 'http', feed: 'health.istv', status: 'accepted', rowsRead: 1, rowsRejected: 0, rowsRetired: 0, checksum: submission.checksum },
        row_count: 1, agreement_ids: [], request_id: expect.stringMatching(/^[\w-]+$/),
      }]);
    });

    it('agreement create, update and status change', async () => {
      const agencies = Object.fromEntries((await hub.db.pool.query<{ id: number; code: string }>('select id, code from agency')).rows.map((r) => [r.code, r.id]));
      const input = {
        title: 'Council ASB to fire (audit test)',
        providerAgencyId: agencies['charnwood-borough-council'],
        datasets: ['council.asb'],
        recipientAgencyIds: [agencies['leicestershire-fire']],
        tier: 'PSEUDONYMISED',
        purposes: ['Deliberate fire reduction'],
        lawfulBasis: 's115 Crime and Disorder Act 1998',
        validFrom: londonDate(-1),
        validTo: londonDate(300),
        reviewDate: londonDate(100),
        signatories: [
          { name: 'SIRO, Charnwood BC', role: 'SIRO', agencyId: agencies['charnwood-borough-council'], signedOn: londonDate(-2) },
          { name: 'DPO, LFRS', role: 'DPO', agencyId: agencies['leicestershire-fire'], signedOn: londonDate(-2) },
        ],
      };
      let id = '';
      const created = await entriesOf(async () => {
        const { body } = await gql('chair', 'mutation($i: AgreementInput!) { createAgreement(input: $i) { id version } }', { i: input });
        id = (body.data as { createAgreement: { id: string } }).createAgreement.id;
      });
      expect(created).toEqual([expect.objectContaining({
        ...who.chair, operation: 'create', object_type: 'IspAgreement', object_id: id, row_count: 1, agreement_ids: [Number(id)],
        detail: { status: 'draft', tier: 'pseudonymised', providerAgencyId: agencies['charnwood-borough-council'], datasets: ['council.asb'] },
      })]);
      const updated = await entriesOf(() => gql('chair', 'mutation($id: ID!, $i: AgreementInput!) { updateAgreement(id: $id, version: 1, input: $i) { version } }', { id, i: { ...input, purposes: ['Deliberate fire reduction', 'Arson task force'] } }));
      expect(updated).toEqual([expect.objectContaining({
        ...who.chair, operation: 'update', object_type: 'IspAgreement', object_id: id, agreement_ids: [Number(id)], detail: { changed: ['purposes'], fromVersion: 1 },
      })]);
      const activated = await entriesOf(() => gql('chair', `mutation { setAgreementStatus(id: "${id}", version: 2, status: ACTIVE, reason: "Signed at the March board") { status } }`));
      expect(activated).toEqual([expect.objectContaining({
        ...who.chair, operation: 'update', object_type: 'IspAgreement', object_id: id, agreement_ids: [Number(id)],
        detail: { status: { from: 'draft', to: 'active' }, reason: 'Signed at the March board' },
      })]);
      const lapsed = await entriesOf(() => gql('chair', `mutation { setAgreementStatus(id: "${id}", version: 3, status: LAPSED, reason: "Pilot over") { status } }`));
      expect(lapsed).toEqual([expect.objectContaining({ operation: 'update', object_id: id, detail: { status: { from: 'active', to: 'lapsed' }, reason: 'Pilot over' } })]);
    });
  });

  describe('the database keeps the log append-only', () => {
    it('refuses UPDATE, DELETE and TRUNCATE, even for the owner', async () => {
      const id = await lastId();
      expect(id).toBeGreaterThan(0);
      const before = (await hub.db.pool.query('select * from audit_log where id = $1', [id])).rows;
      await expect(hub.db.pool.query('update audit_log set row_count = row_count + 1 where id = $1', [id])).rejects.toMatchObject({
        code: '42501', message: 'audit_log is append-only: UPDATE refused',
      });
      await expect(hub.db.pool.query('delete from audit_log where id = $1', [id])).rejects.toMatchObject({
        code: '42501', message: 'audit_log is append-only: DELETE refused',
      });
      await expect(hub.db.pool.query('truncate audit_log')).rejects.toMatchObject({
        code: '42501', message: 'audit_log is append-only: TRUNCATE refused',
      });
      expect((await hub.db.pool.query('select * from audit_log where id = $1', [id])).rows).toEqual(before);
    });
  });

  describe('csp-hub audit verify', () => {
    const verify = () => runCli(['audit', 'verify'], { ...process.env, DATABASE_URL: hub.db.appUrl, MIGRATION_DATABASE_URL: hub.db.ownerUrl, CSP_HUB_DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'development' });

    it('passes on the intact log, and names the first broken entry after an edit and after a deletion', { timeout: 300_000 }, async () => {
      const total = await count('select count(*)::int as n from audit_log');
      expect(total).toBeGreaterThan(10);
      const intact = await verify();
      expect(intact.stderr).toBe('');
      expect(intact.code).toBe(0);
      expect(intact.stdout).toContain(`audit log intact: ${total.toLocaleString('en-GB')} entries, every hash and link checks out`);

      const ids = (await hub.db.pool.query<{ id: string }>('select id from audit_log order by id')).rows.map((r) => Number(r.id));
      const middle = ids[Math.floor(ids.length / 2)]!;
      const next = ids[ids.indexOf(middle) + 1]!;
      const before = ids.indexOf(middle);
      const client = await hub.db.pool.connect();
      try {
        await client.query('alter table audit_log disable trigger user');

        // (a) one entry's row_count changed
        await client.query('update audit_log set row_count = row_count + 1 where id = $1', [middle]);
        const edited = await verify();
        expect(edited.code).toBe(1);
        expect(edited.stderr).toContain(`audit log BROKEN at entry ${middle}: its contents do not match its hash (edited?) (${before.toLocaleString('en-GB')} entries before it check out)`);
        await client.query('update audit_log set row_count = row_count - 1 where id = $1', [middle]);
        const restored = await verify();
        expect(restored.code).toBe(0);

        // (b) one entry deleted from the middle
        await client.query('create temp table removed as select * from audit_log where id = $1', [middle]);
        await client.query('delete from audit_log where id = $1', [middle]);
        const deleted = await verify();
        expect(deleted.code).toBe(1);
        expect(deleted.stderr).toContain(`audit log BROKEN at entry ${next}: entries ${middle}..${middle} are missing (deleted?)`);
        expect(deleted.stderr).toContain(`(${before.toLocaleString('en-GB')} entries before it check out)`);
        await client.query('insert into audit_log select * from removed');
      } finally {
        await client.query('alter table audit_log enable trigger user');
        client.release();
      }
      const again = await verify();
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`audit log intact: ${total.toLocaleString('en-GB')} entries`);
      // the triggers are back
      await expect(hub.db.pool.query('delete from audit_log where id = $1', [middle])).rejects.toMatchObject({ code: '42501' });
    });
  });
});
