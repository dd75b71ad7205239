import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { buildPTable, cellKey, DEFAULT_CELL_KEY, perturb } from '@csp-hub/authz';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEmail } from '@csp-hub/db';
import { quietOnDrop } from '@csp-hub/db/testing';
import { createHubApp, createLogger, signToken, type HubApp } from '@csp-hub/gateway';
import { loadStandardDataset } from '../support/dataset';
import { startTestHub, testUploadLimits, type GraphQLBody, type TestHub } from '../support/hub';
import { expectErrorCode, expectNoneOf, exportCsv, gqlData, istvCsv, policeStreetCsv, upload } from './leaks/http';
import { BASE, DETAIL, RESTRICTED, hiddenFieldsOf, londonDate, userView, type UserView } from './leaks/policy';

const CHARNWOOD_LAD = 'E07000130';
const HARBOROUGH_LAD = 'E07000131';

const USERS = {
  policeAnalyst: demoEmail('charnwood', 'police.analyst'),
  districtAnalyst: demoEmail('charnwood', 'district.analyst'),
  fireAnalyst: demoEmail('charnwood', 'fire.analyst'),
  healthAnalyst: demoEmail('charnwood', 'health.analyst'),
  policeTasking: demoEmail('charnwood', 'police.tasking'),
  chair: demoEmail('charnwood', 'district.chair'),
  admin: demoEmail('charnwood', 'district.admin'),
  auditor: demoEmail('charnwood', 'county.auditor'),
  harboroughPolice: demoEmail('harborough', 'police.analyst'),
  woDistrictAnalyst: demoEmail('west-oxfordshire', 'district.analyst'),
  woChair: demoEmail('west-oxfordshire', 'district.chair'),
} as const;
type UserKey = keyof typeof USERS;

interface IncidentNode {
  id: string;
  agencyId: string;
  feed: string;
  occurredMonth: string;
  ladCode: string | null;
  tier: string;
  hiddenFields: string[];
  [field: string]: unknown;
}
interface Page {
  incidents: { nodes: IncidentNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}
interface CountsTable {
  agencyId: string;
  controlled: boolean;
  cells: { keys: string[]; count: number }[];
  total: number;
}

const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

describe('attempts to get round the authorization layer all fail', () => {
  let hub: TestHub;
  const tokens = {} as Record<UserKey, string>;
  const userIds = {} as Record<UserKey, number>;
  let agencyIds: Record<string, number>;
  let partnershipIds: Record<string, number>;
  /** Record ids by group. */
  let ids: {
    charnwoodAsb: number[]; harboroughAsb: number[]; fireCharnwood: number[]; fireHarborough: number[];
    istv: number[]; istvDecember: number[]; flyTipping: number[]; policeCharnwood: number[];
  };
  let restrictedTexts: string[];
  let asbAgreementId: number;
  let asbToFireAgreementId: number;
  let policeSubmissionId: number;
  let rejectValues: string[];

  const gql = (who: UserKey, query: string, variables?: Record<string, unknown>) => hub.gql(query, { token: tokens[who], ...(variables ? { variables } : {}) });
  const data = <T>(who: UserKey, query: string, variables?: Record<string, unknown>) => gqlData<T>(hub, tokens[who], query, variables);
  const view = (who: UserKey): Promise<UserView> => userView(hub.db.pool, USERS[who]);
  const sql = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await hub.db.pool.query<T>(text, values)).rows;
  const idsWhere = async (where: string, values: unknown[] = []) =>
    (await sql<{ id: string }>(`select i.id from incident i join agency a on a.id = i.agency_id where ${where} order by i.id`, values)).map((r) => Number(r.id));

  /** Every page of `incidents` under the filter. */
  async function pageThrough(who: UserKey, filter: Record<string, unknown> = {}, fields = 'id agencyId feed occurredMonth ladCode tier hiddenFields'): Promise<IncidentNode[]> {
    const out: IncidentNode[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 200; guard++) {
      const page: Page = await data<Page>(
        who,
        `query($f: IncidentFilter, $after: String) { incidents(filter: $f, first: 100, after: $after) { nodes { ${fields} } pageInfo { hasNextPage endCursor } } }`,
        { f: filter, after },
      );
      out.push(...page.incidents.nodes);
      if (!page.incidents.pageInfo.hasNextPage) return out;
      after = page.incidents.pageInfo.endCursor;
    }
    throw new Error('paging did not end');
  }

  beforeAll(async () => {
    hub = await startTestHub('authz_leaks');
    const dataset = await loadStandardDataset(hub.db.pool);
    agencyIds = dataset.agencyIds;
    partnershipIds = Object.fromEntries((await sql<{ id: number; code: string }>('select id, code from partnership')).map((r) => [r.code, r.id]));
    for (const key of Object.keys(USERS) as UserKey[]) {
      tokens[key] = await hub.tokenFor(USERS[key]);
      userIds[key] = (await sql<{ id: number }>('select id from app_user where email = $1', [USERS[key]]))[0]!.id;
    }

    // The police analyst uploads a file with two bad rows: their raw values stay with the police.
    const policeFile = policeStreetCsv([
      { crimeId: 'a'.repeat(64), month: '2024-02', lsoa: 'E01025672', location: 'On or near Station Road' },
      { crimeId: 'b'.repeat(64), month: '2024-13', lsoa: 'E01025672', location: 'On or near Station Road' },
      { crimeId: 'c'.repeat(64), month: '2024-02', lsoa: 'E01025672', location: 'On or near Station Road', crimeType: 'Informant Zebra Nine' },
    ]);
    const up = await upload(hub, tokens.policeAnalyst, 'police.street', policeFile);
    expect(up.status, JSON.stringify(up.json)).toBe(201);
    policeSubmissionId = (up.json.submission as { submissionId: number }).submissionId;
    rejectValues = (await sql<{ value: string | null }>('select value from ingest_reject where submission_id = $1', [policeSubmissionId]))
      .map((r) => r.value)
      .filter((v): v is string => v !== null && v.length > 3);
    expect(rejectValues.length).toBeGreaterThan(0);

    // The health analyst sends three ISTV attendances from December 2023: a small group only they may count exactly.
    const istv = await upload(hub, tokens.healthAnalyst, 'health.istv', istvCsv([1, 2, 3].map((d) => ({
      assaultAt: `2023-12-1${d}T22:10:00`, arrivalAt: `2023-12-1${d}T23:40:00`, place: `Flat ${d} Quarry Lane`,
    }))));
    expect(istv.status, JSON.stringify(istv.json)).toBe(201);

    // The chair agrees council ASB for the fire service at pseudonymised tier: ASB records are personal,
    // so fire sees them without detail (outcome among it).
    const created = await data<{ createAgreement: { id: string; status: string } }>(
      'chair',
      `mutation($input: AgreementInput!) { createAgreement(input: $input, activate: true) { id status } }`,
      {
        input: {
          title: 'Council ASB to fire (pseudonymised, deliberate fire reduction)',
          providerAgencyId: agencyIds['charnwood-borough-council'],
          datasets: ['council.asb'],
          recipientAgencyIds: [agencyIds['leicestershire-fire']],
          tier: 'PSEUDONYMISED',
          purposes: ['Deliberate fire reduction'],
          lawfulBasis: 's115 Crime and Disorder Act 1998',
          validFrom: londonDate(-30),
          validTo: londonDate(365),
          reviewDate: londonDate(180),
          signatories: [
            { name: 'IG lead, Charnwood BC', role: 'SIRO', agencyId: agencyIds['charnwood-borough-council'], signedOn: londonDate(-31) },
            { name: 'IG lead, LFRS', role: 'DPO', agencyId: agencyIds['leicestershire-fire'], signedOn: londonDate(-31) },
          ],
        },
      },
    );
    expect(created.createAgreement.status).toBe('ACTIVE');
    asbToFireAgreementId = Number(created.createAgreement.id);

    const charnwood = partnershipIds.E22000165!;
    asbAgreementId = (await sql<{ id: number }>(`select id from isp_agreement where title like 'Council ASB and noise%' and $1 = any(partnership_ids)`, [charnwood]))[0]!.id;
    ids = {
      charnwoodAsb: await idsWhere(`a.code = 'charnwood-borough-council' and i.feed = 'council.asb'`),
      harboroughAsb: await idsWhere(`a.code = 'harborough-district-council' and i.feed = 'council.asb'`),
      fireCharnwood: await idsWhere(`a.code = 'leicestershire-fire' and i.lad_code = $1`, [CHARNWOOD_LAD]),
      fireHarborough: await idsWhere(`a.code = 'leicestershire-fire' and i.lad_code = $1`, [HARBOROUGH_LAD]),
      istv: await idsWhere(`i.feed = 'health.istv'`),
      istvDecember: await idsWhere(`i.feed = 'health.istv' and i.occurred_month = '2023-12-01'`),
      flyTipping: await idsWhere(`i.feed = 'council.fly_tipping'`),
      policeCharnwood: await idsWhere(`a.code = 'leicestershire-police' and i.lad_code = $1`, [CHARNWOOD_LAD]),
    };
    expect(ids.istvDecember).toHaveLength(3);
    restrictedTexts = (await sql<{ t: string }>('select restricted_text as t from incident where restricted_text is not null')).map((r) => r.t);
    expect(restrictedTexts.length).toBeGreaterThan(0);
  });
  afterAll(async () => hub?.stop());

  describe('1. aliases', () => {
    it('the same hidden field under several aliases is null under every one', async () => {
      const id = ids.charnwoodAsb[0]!;
      const secret = (await sql<{ t: string; o: string }>('select restricted_text as t, outcome as o from incident where id = $1', [id]))[0]!;
      const { status, body } = await gql('policeAnalyst', `{ incident(id: "${id}") { id a: restrictedText b: restrictedText c: restrictedText restrictedText outcome hiddenFields } }`);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({ incident: { id: String(id), a: null, b: null, c: null, restrictedText: null, outcome: secret.o, hiddenFields: ['restrictedText'] } });
      expectNoneOf(JSON.stringify(body), restrictedTexts);
    });

    it('aliases over a list leave restricted text null on every record', async () => {
      const page = await data<{ incidents: { nodes: { id: string; x: null; y: null; z: null }[] } }>(
        'policeAnalyst',
        `{ incidents(filter: { feeds: ["council.asb"] }, first: 100) { nodes { id x: restrictedText y: restrictedText z: restrictedText } } }`,
      );
      expect(page.incidents.nodes.map((n) => Number(n.id)).sort((a, b) => a - b)).toEqual(ids.charnwoodAsb);
      for (const n of page.incidents.nodes) expect([n.x, n.y, n.z]).toEqual([null, null, null]);
    });

    it('hidden records asked for by id under aliases answer NOT_FOUND, the same as ids that do not exist', async () => {
      const harboroughFire = ids.fireHarborough[0]!;
      const istv = ids.istv[0]!;
      const missing = 987_654_321;
      const requested = new Map([['a', harboroughFire], ['b', istv], ['c', missing]]);
      const { status, body } = await gql('districtAnalyst', `{ a: incident(id: "${harboroughFire}") { id restrictedText } b: incident(id: "${istv}") { id r1: restrictedText r2: restrictedText } c: incident(id: "${missing}") { id } }`);
      expect(status).toBe(200);
      expect(body.data ?? null).toBeNull();
      // graphql-js stops at the first non-null root field that fails; whichever it is, the answer is the same NOT_FOUND
      for (const e of expectErrorCode(body, 'NOT_FOUND', 'NOT_FOUND')) {
        const [alias] = (e as { path?: string[] }).path!;
        expect(e.message).toBe(`Incident ${requested.get(alias!)} was not found`);
      }
      expectNoneOf(JSON.stringify(body), [...restrictedTexts, 'E07000131', 'Assault', 'health.istv', 'fire.incidents']);
      // one by one, the hidden ids and the missing one answer alike
      for (const [alias, id] of requested) {
        const one = await gql('districtAnalyst', `{ ${alias}: incident(id: "${id}") { id x: restrictedText y: restrictedText } }`);
        expect(one.body).toEqual({
          data: null,
          errors: [{ message: `Incident ${id} was not found`, extensions: { code: 'NOT_FOUND', reason: 'NOT_FOUND' }, path: [alias], locations: [{ line: 1, column: 3 }] }],
        });
      }
      // the same hidden id under several aliases
      const repeated = await gql('districtAnalyst', `{ x: incident(id: "${harboroughFire}") { id } y: incident(id: "${harboroughFire}") { ladCode } }`);
      expect(repeated.body.data ?? null).toBeNull();
      for (const e of expectErrorCode(repeated.body, 'NOT_FOUND')) expect(e.message).toBe(`Incident ${harboroughFire} was not found`);
    });

    it('a visible record aliased next to a hidden one does not carry the hidden one out', async () => {
      const { body } = await gql('districtAnalyst', `{ ok: incident(id: "${ids.fireCharnwood[0]}") { id } hidden: incident(id: "${ids.fireHarborough[0]}") { id ladCode } }`);
      expect(body.data ?? null).toBeNull();
      const errors = expectErrorCode(body, 'NOT_FOUND');
      expect(errors.map((e) => (e as { path?: unknown }).path)).toEqual([['hidden']]);
      expectNoneOf(JSON.stringify(body), [HARBOROUGH_LAD]);
    });

    it('aggregate-tier ISTV records are not readable by id whatever the alias', async () => {
      const aliases = ids.istv.slice(0, 5).map((id, i) => `i${i}: incident(id: "${id}") { id feed restrictedText attributes }`).join(' ');
      const { body } = await gql('policeAnalyst', `{ ${aliases} }`);
      expect(body.data ?? null).toBeNull();
      for (const e of expectErrorCode(body, 'NOT_FOUND')) expect(e.message).toMatch(/^Incident \d+ was not found$/);
      for (const id of ids.istv.slice(0, 5)) {
        const one = await gql('policeAnalyst', `{ incident(id: "${id}") { id feed attributes } }`);
        expect(one.body.data ?? null).toBeNull();
        expect(expectErrorCode(one.body, 'NOT_FOUND')[0]!.message).toBe(`Incident ${id} was not found`);
      }
      expectNoneOf(JSON.stringify(body), [...restrictedTexts, 'Body part', 'RWEAA']);
    });
  });

  describe('2. fragments', () => {
    it('named and inline fragments on Incident select hidden fields and get them masked', async () => {
      const expected = await view('fireAnalyst');
      const page = await data<{ incidents: { nodes: IncidentNode[] } }>(
        'fireAnalyst',
        `query {
          incidents(filter: { feeds: ["council.asb"] }, first: 100) { nodes { ...Detail ... on Incident { inlineText: restrictedText inlineOutcome: outcome } } }
        }
        fragment Detail on Incident { id tier hiddenFields restrictedText outcome locationText occurredAt sourceRef attributes latitude longitude lsoaCode }`,
      );
      const nodes = page.incidents.nodes;
      expect(expected.agreements.map((a) => a.id)).toContain(asbToFireAgreementId);
      expect(nodes.map((n) => Number(n.id)).sort((a, b) => a - b)).toEqual(ids.charnwoodAsb);
      for (const n of nodes) {
        const access = expected.records.get(Number(n.id))!;
        expect(access.listable).toBe(true);
        expect(n.hiddenFields).toEqual(hiddenFieldsOf(access));
        expect(n.hiddenFields).toEqual([...DETAIL, ...RESTRICTED]);
        for (const f of ['restrictedText', 'outcome', 'locationText', 'occurredAt', 'sourceRef', 'attributes', 'latitude', 'longitude', 'inlineText', 'inlineOutcome']) {
          expect(n[f], `${f} of ${n.id}`).toBeNull();
        }
        expect(n.lsoaCode).not.toBeNull(); // base fields stay
      }
      expectNoneOf(JSON.stringify(page), [...restrictedTexts, 'Warning letter', 'Acacia Avenue', 'Market Place', 'CBC-ASB']);
    });

    it('a fragment spread on a single hidden record is NOT_FOUND, not a partial object', async () => {
      const { body } = await gql('fireAnalyst', `query { incident(id: "${ids.harboroughAsb[0]}") { ...F } } fragment F on Incident { id restrictedText outcome }`);
      expect(body.data ?? null).toBeNull();
      expect(expectErrorCode(body, 'NOT_FOUND')[0]!.message).toBe(`Incident ${ids.harboroughAsb[0]} was not found`);
    });
  });

  describe('3. nested relations: submissions and their rejects', () => {
    it("a recipient of another agency's records gets submission null and no rejects", async () => {
      const { status, body } = await gql('policeAnalyst', `{ incidents(filter: { feeds: ["council.asb"] }, first: 100) { nodes { id submission { id fileName rejects { total items { rowNumber column value } } } } } }`);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      const nodes = (body.data as unknown as Page).incidents.nodes;
      expect(nodes).toHaveLength(ids.charnwoodAsb.length);
      for (const n of nodes) expect(n.submission).toBeNull();
    });

    it("a chair sees a partner's submission metadata but not its rejects (raw values)", async () => {
      const { body } = await gql('chair', `{ incidents(filter: { feeds: ["police.street"], monthFrom: "2024-02", ladCodes: ["${CHARNWOOD_LAD}"] }, first: 10) { nodes { id submission { id rowsRejected rejects { total items { value } } } } } }`);
      const nodes = (body.data as unknown as Page).incidents.nodes;
      expect(nodes.length).toBe(1); // the one accepted row of the police upload
      expect(nodes[0]!.submission).toBeNull();
      const errors = expectErrorCode(body, 'NOT_FOUND');
      expect(errors.map((e) => (e as { path?: unknown }).path)).toEqual([['incidents', 'nodes', 0, 'submission', 'rejects']]);
      expectNoneOf(JSON.stringify(body), rejectValues);

      // Partners see that a file came in and how it went, never how many rows it had or what it said.
      const meta = await data<{ submission: { id: string; agencyId: string; rowsRejected: number | null; fileName: string | null } }>('chair', `{ submission(id: "${policeSubmissionId}") { id agencyId rowsRejected fileName } }`);
      expect(meta.submission).toEqual({ id: String(policeSubmissionId), agencyId: String(agencyIds['leicestershire-police']), rowsRejected: null, fileName: null });
      const direct = await gql('chair', `{ submission(id: "${policeSubmissionId}") { id rejects { items { value } } } }`);
      expect(direct.body.data ?? null).toBeNull();
      expect(expectErrorCode(direct.body, 'NOT_FOUND')[0]!.message).toBe(`Submission ${policeSubmissionId} was not found`);
      expectNoneOf(JSON.stringify(direct.body), rejectValues);
    });

    it("an analyst of another agency cannot reach the submission at all, by relation, by id or by list", async () => {
      const nested = await data<Page>('districtAnalyst', `{ incidents(filter: { feeds: ["police.street"], monthFrom: "2024-02" }, first: 10) { nodes { id submission { id rejects { items { value } } } } } }`);
      expect(nested.incidents.nodes).toHaveLength(1);
      expect(nested.incidents.nodes[0]!.submission).toBeNull();
      const byId = await gql('districtAnalyst', `{ submission(id: "${policeSubmissionId}") { id } }`);
      expect(expectErrorCode(byId.body, 'NOT_FOUND')[0]!.message).toBe(`Submission ${policeSubmissionId} was not found`);
      const list = await data<{ submissions: { agencyId: string }[] }>('districtAnalyst', `{ submissions(agencyId: "${agencyIds['leicestershire-police']}") { agencyId } }`);
      expect(list.submissions).toEqual([]);
    });

    it('rejects.csv answers 404 to anyone but the submitting agency, which does get the raw values', async () => {
      for (const who of ['chair', 'districtAnalyst', 'fireAnalyst', 'auditor', 'woChair'] as const) {
        const res = await fetch(`${hub.base}/api/submissions/${policeSubmissionId}/rejects.csv`, { headers: { authorization: `Bearer ${tokens[who]}` } });
        const text = await res.text();
        expect(res.status, who).toBe(404);
        expect(JSON.parse(text)).toEqual({ error: { code: 'NOT_FOUND', message: `Submission ${policeSubmissionId} was not found` } });
      }
      const own = await fetch(`${hub.base}/api/submissions/${policeSubmissionId}/rejects.csv`, { headers: { authorization: `Bearer ${tokens.harboroughPolice}` } });
      expect(own.status).toBe(200); // same agency (Leicestershire Police), another partnership: still the submitting agency
      const text = await own.text();
      for (const v of rejectValues) expect(text).toContain(v);
    });
  });

  describe('4. introspection', () => {
    it('development introspection names restrictedText but knowing the name gives no values', async () => {
      const schema = await data<{ __type: { fields: { name: string }[] }; __schema: { queryType: { fields: { name: string; args: { name: string }[] }[] } } }>(
        'policeAnalyst',
        `{ __type(name: "Incident") { fields { name } } __schema { queryType { fields { name args { name } } } } }`,
      );
      expect(schema.__type.fields.map((f) => f.name)).toContain('restrictedText');
      const incidentsArgs = schema.__schema.queryType.fields.find((f) => f.name === 'incidents')!.args.map((a) => a.name);
      expect(incidentsArgs.sort()).toEqual(['after', 'filter', 'first']);
      expectNoneOf(JSON.stringify(schema), restrictedTexts);

      // Every record the police analyst can list that is not their own: restrictedText is null throughout.
      const nodes = await pageThrough('policeAnalyst', { agencyIds: [agencyIds['charnwood-borough-council'], agencyIds['leicestershire-fire'], agencyIds['llr-icb']] }, 'id agencyId restrictedText hiddenFields');
      const expected = await view('policeAnalyst');
      expect(nodes.map((n) => Number(n.id))).toEqual(
        expected.listableOrdered((r) => [agencyIds['charnwood-borough-council'], agencyIds['leicestershire-fire'], agencyIds['llr-icb']].includes(r.agencyId)),
      );
      for (const n of nodes) {
        expect(n.restrictedText).toBeNull();
        expect(n.hiddenFields).toContain('restrictedText');
      }
    });

    it('in production __schema and __type are refused', async () => {
      const pool = quietOnDrop(new pg.Pool({ connectionString: hub.db.url, max: 2 }));
      const app: HubApp = await createHubApp({
        orm: hub.orm, pool, ingestPool: pool, keys: hub.keys, logger: createLogger('silent'), production: true, uploads: testUploadLimits(), sdc: DEFAULT_CELL_KEY,
      });
      try {
        await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', () => resolve()));
        const { port } = app.httpServer.address() as AddressInfo;
        const post = async (query: string) => {
          const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.policeAnalyst}` },
            body: JSON.stringify({ query }),
          });
          return { status: res.status, body: (await res.json()) as GraphQLBody };
        };
        for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Incident") { fields { name } } }']) {
          const { status, body } = await post(query);
          expect(status).toBe(400);
          expect(body.data ?? null).toBeNull();
          const [error] = expectErrorCode(body, 'GRAPHQL_VALIDATION_FAILED');
          expect(error!.message).toMatch(/introspection/i);
          expectNoneOf(JSON.stringify(body), ['restrictedText', 'hiddenFields']);
        }
        // The production app still answers ordinary queries, masked the same way.
        const ok = await post(`{ incident(id: "${ids.charnwoodAsb[0]}") { id restrictedText } }`);
        expect(ok.body).toEqual({ data: { incident: { id: String(ids.charnwoodAsb[0]), restrictedText: null } } });
      } finally {
        await app.stop();
        await pool.end();
      }
    });
  });

  describe('5. pagination', () => {
    const forged: [string, string][] = [
      ['not base64 of anything', 'garbage!'],
      ['an id without a month', cursorOf('8401')],
      ['a month without an id', cursorOf('2024-01|')],
      ['an id that is not a number', cursorOf('2024-01|abc')],
      ['SQL in the cursor', cursorOf("2024-01|1) or (1=1")],
      ['extra fields', cursorOf('2024-01|8401|restrictedText')],
      ['a JSON cursor', cursorOf('{"month":"2024-01","id":8401}')],
      ['an impossible month', cursorOf('2024-13|8401')],
      ['month zero', cursorOf('2024-00|8401')],
      ['an id beyond bigint', cursorOf('2024-01|99999999999999999999')],
    ];
    it.each(forged)('a forged after cursor (%s) is BAD_USER_INPUT', async (_label, after) => {
      const { body } = await gql('districtAnalyst', `query($after: String) { incidents(first: 5, after: $after) { nodes { id } } }`, { after });
      expect(body.data ?? null).toBeNull();
      const [error] = expectErrorCode(body, 'BAD_USER_INPUT', 'INVALID_CURSOR');
      expectNoneOf(error!.message, ids.fireHarborough.map(String));
    });

    it('a cursor crafted to seek just past a hidden record resumes at the next visible record', async () => {
      const expected = await view('districtAnalyst');
      const hidden = [ids.fireHarborough[0]!, ids.fireHarborough[5]!, ids.istv[3]!, ids.harboroughAsb[2]!];
      for (const id of hidden) {
        expect(expected.records.get(id)!.listable).toBe(false);
        const month = expected.records.get(id)!.row.month;
        for (const seek of [id + 1, id]) {
          const page = await data<Page>('districtAnalyst', `query($after: String) { incidents(first: 3, after: $after) { nodes { id } } }`, { after: cursorOf(`${month}|${seek}`) });
          const got = page.incidents.nodes.map((n) => Number(n.id));
          const all = expected.listableOrdered();
          const start = all.findIndex((x) => {
            const r = expected.records.get(x)!.row;
            return r.month < month || (r.month === month && x < seek);
          });
          expect(got).toEqual(all.slice(start, start + 3));
          expect(got).not.toContain(id);
        }
      }
    });

    it.each([[101], [0], [-1], [1000]])('first: %i is BAD_USER_INPUT and says nothing about how many records there are', async (first) => {
      const { body } = await gql('districtAnalyst', `query($first: Int!) { incidents(first: $first) { nodes { id } } }`, { first });
      expect(body.data ?? null).toBeNull();
      const [error] = expectErrorCode(body, 'BAD_USER_INPUT', 'PAGE_SIZE');
      expect(error!.message).toBe('first must be 1 to 100');
    });

    it.each([['districtAnalyst'], ['fireAnalyst'], ['woDistrictAnalyst'], ['admin']] as [UserKey][])(
      'paging through everything as %s yields exactly the listable records, each masked as the policy says',
      async (who) => {
        const expected = await view(who);
        const nodes = await pageThrough(who);
        expect(nodes.map((n) => Number(n.id))).toEqual(expected.listableOrdered());
        for (const n of nodes) {
          const access = expected.records.get(Number(n.id))!;
          expect(n.hiddenFields, `hiddenFields of ${n.id}`).toEqual(hiddenFieldsOf(access));
        }
        const hiddenIds = [...expected.records.values()].filter((a) => !a.listable).map((a) => a.row.id);
        const seen = new Set(nodes.map((n) => Number(n.id)));
        expect(hiddenIds.filter((id) => seen.has(id))).toEqual([]);
      },
    );
  });

  describe('6. sorting', () => {
    it.each([
      ['orderBy on restrictedText', '{ incidents(orderBy: { field: "restrictedText", direction: "ASC" }) { nodes { id } } }'],
      ['orderBy on outcome', '{ incidents(orderBy: "outcome") { nodes { id } } }'],
      ['sort argument', '{ incidents(sort: "restrictedText") { nodes { id } } }'],
      ['a filter on restrictedText', '{ incidents(filter: { restrictedText: "Red Lion" }) { nodes { id } } }'],
      ['a filter on locationText', '{ incidentCount(filter: { locationText: "Market Place" }) }'],
    ])('%s is a validation error', async (_label, query) => {
      const { status, body } = await gql('policeAnalyst', query);
      expect(status).toBe(400);
      expect(body.data ?? null).toBeNull();
      const [error] = expectErrorCode(body, 'GRAPHQL_VALIDATION_FAILED');
      expectNoneOf(error!.message, [...restrictedTexts, 'Warning letter']);
    });

    it('the order is fixed: month descending, then id descending', async () => {
      const expected = await view('policeAnalyst');
      const page = await data<Page>('policeAnalyst', `{ incidents(first: 100, filter: { ladCodes: ["${CHARNWOOD_LAD}"] }) { nodes { id occurredMonth } } }`);
      const nodes = page.incidents.nodes;
      expect(nodes).toHaveLength(100);
      for (let i = 1; i < nodes.length; i++) {
        const [a, b] = [nodes[i - 1]!, nodes[i]!];
        expect(a.occurredMonth > b.occurredMonth || (a.occurredMonth === b.occurredMonth && Number(a.id) > Number(b.id))).toBe(true);
      }
      expect(nodes.map((n) => Number(n.id))).toEqual(expected.listableOrdered((r) => r.ladCode === CHARNWOOD_LAD).slice(0, 100));
      expect(nodes[0]!.occurredMonth).toBe('2024-02'); // the newest month (the police upload) comes first
    });
  });

  describe('7. filters that probe hidden values', () => {
    const countQuery = `query($f: IncidentFilter) { incidentCount(filter: $f) }`;
    const listQuery = `query($f: IncidentFilter) { incidents(filter: $f, first: 100) { nodes { id outcome } } }`;
    const countsQuery = `query($f: IncidentFilter, $g: [GroupBy!]!) { incidentCounts(groupBy: $g, filter: $f) { agencyId controlled cells { keys count } total } }`;

    it('outcome matches nothing where the outcome is hidden, even with the exact true value', async () => {
      const trueOutcome = (await sql<{ o: string }>('select distinct outcome as o from incident where id = any($1)', [ids.charnwoodAsb]))[0]!.o;
      const probe = { feeds: ['council.asb'], outcome: trueOutcome };
      // fire holds ASB at pseudonymised tier: the records list, the outcome does not
      const all = await data<{ incidents: { nodes: { id: string; outcome: string | null }[] } }>('fireAnalyst', listQuery, { f: { feeds: ['council.asb'] } });
      expect(all.incidents.nodes).toHaveLength(ids.charnwoodAsb.length);
      expect(all.incidents.nodes.every((n) => n.outcome === null)).toBe(true);
      expect((await data<{ incidents: { nodes: unknown[] } }>('fireAnalyst', listQuery, { f: probe })).incidents.nodes).toEqual([]);
      expect((await data<{ incidentCount: number }>('fireAnalyst', countQuery, { f: probe })).incidentCount).toBe(0);
      expect((await data<{ incidentCounts: CountsTable[] }>('fireAnalyst', countsQuery, { f: probe, g: ['CATEGORY'] })).incidentCounts).toEqual([]);
      const exported = await exportCsv(hub, tokens.fireAnalyst, { feeds: 'council.asb', outcome: trueOutcome });
      expect(exported.status).toBe(200);
      expect(exported.rows).toEqual([]);

      // the police (personal tier) see the outcome, so the same filter matches for them
      expect((await data<{ incidentCount: number }>('policeAnalyst', countQuery, { f: probe })).incidentCount).toBe(ids.charnwoodAsb.length);
      // and the outcome filter does work for fire where fire may see the outcome (fly-tipping, pseudonymised records)
      const flyOutcome = (await sql<{ o: string }>('select distinct outcome as o from incident where id = any($1)', [ids.flyTipping]))[0]!.o;
      expect((await data<{ incidentCount: number }>('fireAnalyst', countQuery, { f: { feeds: ['council.fly_tipping'], outcome: flyOutcome } })).incidentCount).toBe(ids.flyTipping.length);
    });

    it('incidentCount with probing filters counts only what could be listed', async () => {
      const probes: [UserKey, Record<string, unknown>][] = [
        ['policeAnalyst', { feeds: ['health.istv'] }],
        ['policeAnalyst', { agencyIds: [agencyIds['llr-icb']], monthFrom: '2023-12', monthTo: '2023-12' }],
        ['districtAnalyst', { feeds: ['fire.incidents'], ladCodes: [HARBOROUGH_LAD] }],
        ['districtAnalyst', { feeds: ['council.asb'], ladCodes: [HARBOROUGH_LAD] }],
        ['policeAnalyst', { agencyIds: [agencyIds['harborough-district-council']] }],
        ['fireAnalyst', { feeds: ['health.istv'] }],
      ];
      for (const [who, f] of probes) {
        expect((await data<{ incidentCount: number }>(who, countQuery, { f })).incidentCount, `${who} ${JSON.stringify(f)}`).toBe(0);
      }
      const expected = await view('districtAnalyst');
      const n = expected.listableOrdered((r) => r.feed === 'fire.incidents').length;
      expect(n).toBe(ids.fireCharnwood.length);
      expect((await data<{ incidentCount: number }>('districtAnalyst', countQuery, { f: { feeds: ['fire.incidents'] } })).incidentCount).toBe(n);
    });

    it('incidentCounts never shows recipients a small ISTV group as it is, while the provider sees the exact number', async () => {
      const december = { feeds: ['health.istv'], monthFrom: '2023-12', monthTo: '2023-12' };
      const provider = await data<{ incidentCounts: CountsTable[] }>('healthAnalyst', countsQuery, { f: december, g: ['CATEGORY'] });
      expect(provider.incidentCounts).toEqual([
        { agencyId: String(agencyIds['llr-icb']), controlled: false, cells: [{ keys: ['violence'], count: ids.istvDecember.length }], total: ids.istvDecember.length },
      ]);
      // Recipients hold ISTV at aggregate tier: the three December records are a cell of their own, perturbed by their cell key.
      const keys = (await sql<{ k: number }>('select record_key as k from incident where id = any($1)', [ids.istvDecember])).map((r) => r.k);
      const published = perturb(buildPTable(DEFAULT_CELL_KEY), keys.length, cellKey(keys));
      for (const who of ['policeAnalyst', 'districtAnalyst', 'chair'] as const) {
        const recipient = await data<{ incidentCounts: CountsTable[] }>(who, countsQuery, { f: december, g: ['CATEGORY'] });
        expect(recipient.incidentCounts, who).toEqual(
          published === 0 ? [] : [{ agencyId: String(agencyIds['llr-icb']), controlled: true, cells: [{ keys: ['violence'], count: published }], total: published }],
        );
        // and asking again gives the very same answer: the noise belongs to the records, not to the request
        expect((await data<{ incidentCounts: CountsTable[] }>(who, countsQuery, { f: december, g: ['CATEGORY'] })).incidentCounts).toEqual(recipient.incidentCounts);
      }
      // by month, the December cell is the same cell: the same published value, or absent just as an empty month would be
      const byMonth = await data<{ incidentCounts: CountsTable[] }>('policeAnalyst', countsQuery, { f: { feeds: ['health.istv'] }, g: ['MONTH'] });
      const [table] = byMonth.incidentCounts;
      expect(table!.controlled).toBe(true);
      const decemberCell = table!.cells.find((c) => c.keys[0] === '2023-12');
      expect(decemberCell?.count ?? 0).toBe(published);
      for (const c of table!.cells) expect(c.count).toBeGreaterThan(DEFAULT_CELL_KEY.threshold);
      // fire has no ISTV agreement: nothing at all
      expect((await data<{ incidentCounts: CountsTable[] }>('fireAnalyst', countsQuery, { f: december, g: ['CATEGORY'] })).incidentCounts).toEqual([]);
    });
  });

  describe('8. suspended and expired agreements stop access on the next request', () => {
    const asbFilter = { feeds: ['council.asb'] };
    async function policeSeesAsb(): Promise<{ list: number; count: number; counts: number | null; exported: number; byId: boolean }> {
      const list = await data<{ incidents: { nodes: unknown[] } }>('policeAnalyst', `query($f: IncidentFilter) { incidents(filter: $f, first: 100) { nodes { id } } }`, { f: asbFilter });
      const count = await data<{ incidentCount: number }>('policeAnalyst', `query($f: IncidentFilter) { incidentCount(filter: $f) }`, { f: asbFilter });
      const counts = await data<{ incidentCounts: CountsTable[] }>('policeAnalyst', `query($f: IncidentFilter) { incidentCounts(groupBy: [], filter: $f) { agencyId total } }`, { f: asbFilter });
      const exported = await exportCsv(hub, tokens.policeAnalyst, { feeds: 'council.asb' });
      expect(exported.status).toBe(200);
      const byId = await gql('policeAnalyst', `{ incident(id: "${ids.charnwoodAsb[0]}") { id } }`);
      if (byId.body.errors) expectErrorCode(byId.body, 'NOT_FOUND');
      return {
        list: list.incidents.nodes.length,
        count: count.incidentCount,
        counts: counts.incidentCounts.find((t) => t.agencyId === String(agencyIds['charnwood-borough-council']))?.total ?? null,
        exported: exported.rows.length,
        byId: !byId.body.errors,
      };
    }
    const allOf = (n: number) => ({ list: n, count: n, counts: n, exported: n, byId: true });
    const none = { list: 0, count: 0, counts: null, exported: 0, byId: false };

    async function setStatus(status: string): Promise<void> {
      const { agreement } = await data<{ agreement: { version: number } }>('chair', `{ agreement(id: "${asbAgreementId}") { version } }`);
      const changed = await data<{ setAgreementStatus: { status: string } }>(
        'chair',
        `mutation($id: ID!, $v: Int!, $s: AgreementStatus!) { setAgreementStatus(id: $id, version: $v, status: $s, reason: "ICO query pending") { status } }`,
        { id: String(asbAgreementId), v: agreement.version, s: status },
      );
      expect(changed.setAgreementStatus.status).toBe(status);
    }

    it('suspending stops rows, counts and export at once; reactivating brings them back', async () => {
      const n = ids.charnwoodAsb.length;
      expect(await policeSeesAsb()).toEqual(allOf(n));
      await setStatus('SUSPENDED');
      expect(await policeSeesAsb()).toEqual(none);
      await setStatus('ACTIVE');
      expect(await policeSeesAsb()).toEqual(allOf(n));
    });

    it('valid_to of yesterday stops access; restoring it brings access back', async () => {
      const n = ids.charnwoodAsb.length;
      const original = (await sql<{ valid_to: string }>(`select to_char(valid_to, 'YYYY-MM-DD') as valid_to from isp_agreement where id = $1`, [asbAgreementId]))[0]!.valid_to;
      try {
        await hub.db.pool.query('update isp_agreement set valid_to = $2::date where id = $1', [asbAgreementId, londonDate(-1)]);
        expect(await policeSeesAsb()).toEqual(none);
        const explain = await data<{ explainAccess: { lines: { agreementId: string | null }[] } }>('policeAnalyst', '{ explainAccess { lines { agreementId } } }');
        expect(explain.explainAccess.lines.map((l) => l.agreementId)).not.toContain(String(asbAgreementId));
      } finally {
        await hub.db.pool.query('update isp_agreement set valid_to = $2::date where id = $1', [asbAgreementId, original]);
      }
      expect(await policeSeesAsb()).toEqual(allOf(n));
    });

    it('an agreement that starts tomorrow gives nothing today', async () => {
      const original = (await sql<{ valid_from: string }>(`select to_char(valid_from, 'YYYY-MM-DD') as valid_from from isp_agreement where id = $1`, [asbAgreementId]))[0]!.valid_from;
      try {
        await hub.db.pool.query('update isp_agreement set valid_from = $2::date where id = $1', [asbAgreementId, londonDate(1)]);
        expect(await policeSeesAsb()).toEqual(none);
      } finally {
        await hub.db.pool.query('update isp_agreement set valid_from = $2::date where id = $1', [asbAgreementId, original]);
      }
    });
  });

  describe('9. one partnership reading another', () => {
    it("a token whose pid names another partnership than the user's is UNAUTHENTICATED everywhere", async () => {
      // Leicestershire Police is a partner in Harborough too: claiming Harborough must not open Harborough's ASB data.
      for (const pid of [partnershipIds.E22000166!, partnershipIds.E22000315!, 999_999]) {
        const forged = signToken(hub.keys, { sub: String(userIds.policeAnalyst), pid }, '1h');
        const { status, body } = await hub.gql(`{ incidents(filter: { feeds: ["council.asb"] }) { nodes { id restrictedText } } }`, { token: forged });
        expect(status).toBe(401);
        expect(body.data ?? null).toBeNull();
        expectErrorCode(body, 'UNAUTHENTICATED', 'PARTNERSHIP_MISMATCH');
        const exported = await exportCsv(hub, forged, { feeds: 'council.asb' });
        expect(exported.status).toBe(401);
        expect(JSON.parse(exported.text)).toEqual({ error: { code: 'PARTNERSHIP_MISMATCH', message: 'The token was issued for another partnership' } });
        const up = await upload(hub, forged, 'police.street', policeStreetCsv([{ crimeId: 'd'.repeat(64), month: '2024-02', lsoa: 'E01025672', location: 'On or near X' }]));
        expect(up.status).toBe(401);
      }
    });

    it('the Charnwood police analyst cannot see Harborough ASB shared with police in Harborough', async () => {
      const { body } = await gql('policeAnalyst', `{ incident(id: "${ids.harboroughAsb[0]}") { id } }`);
      expectErrorCode(body, 'NOT_FOUND');
      expect((await data<{ incidentCount: number }>('policeAnalyst', `{ incidentCount(filter: { agencyIds: [${agencyIds['harborough-district-council']}] }) }`)).incidentCount).toBe(0);
      // while the Harborough police analyst (same agency) sees them
      expect((await data<{ incidentCount: number }>('harboroughPolice', `{ incidentCount(filter: { agencyIds: [${agencyIds['harborough-district-council']}] }) }`)).incidentCount).toBe(ids.harboroughAsb.length);
    });

    it('a West Oxfordshire user cannot see Charnwood records by id, in lists, counts, exports or by ladCodes', async () => {
      for (const id of [ids.charnwoodAsb[0]!, ids.policeCharnwood[0]!, ids.fireCharnwood[0]!, ids.istv[0]!]) {
        const { body } = await gql('woDistrictAnalyst', `{ incident(id: "${id}") { id restrictedText } }`);
        expect(expectErrorCode(body, 'NOT_FOUND')[0]!.message).toBe(`Incident ${id} was not found`);
      }
      const byLad = { ladCodes: [CHARNWOOD_LAD] };
      expect((await data<Page>('woDistrictAnalyst', `query($f: IncidentFilter) { incidents(filter: $f) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { f: byLad })).incidents)
        .toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
      expect((await data<{ incidentCount: number }>('woDistrictAnalyst', `query($f: IncidentFilter) { incidentCount(filter: $f) }`, { f: byLad })).incidentCount).toBe(0);
      expect((await data<{ incidentCounts: unknown[] }>('woDistrictAnalyst', `query($f: IncidentFilter) { incidentCounts(groupBy: [FEED], filter: $f) { agencyId } }`, { f: byLad })).incidentCounts).toEqual([]);
      const exported = await exportCsv(hub, tokens.woDistrictAnalyst, { ladCodes: CHARNWOOD_LAD });
      expect(exported.status).toBe(200);
      expect(exported.rows).toEqual([]);
      // unfiltered, the lists hold West Oxfordshire records only
      const everything = await exportCsv(hub, tokens.woDistrictAnalyst);
      const expected = await view('woDistrictAnalyst');
      expect(everything.rows.map((r) => Number(r.id))).toEqual(expected.listableOrdered());
      const leicestershire = new Set([agencyIds['leicestershire-police'], agencyIds['leicestershire-fire'], agencyIds['llr-icb'], agencyIds['charnwood-borough-council']].map(String));
      expect(everything.rows.filter((r) => leicestershire.has(r.agencyId!))).toEqual([]);
      expect(everything.rows.length).toBeGreaterThan(0);
    });

    it("another partnership's users and agreements are NOT_FOUND, with the same answer as ids that do not exist", async () => {
      const other = userIds.policeAnalyst;
      const explain = await gql('woChair', `{ explainAccess(userId: "${other}") { userId lines { agreementId } } }`);
      expect(expectErrorCode(explain.body, 'NOT_FOUND')[0]!.message).toBe(`User ${other} was not found`);
      const missingUser = await gql('woChair', `{ explainAccess(userId: "987654") { userId } }`);
      expect(expectErrorCode(missingUser.body, 'NOT_FOUND')[0]!.message).toBe('User 987654 was not found');

      const agreement = await gql('woChair', `{ agreement(id: "${asbAgreementId}") { id title } }`);
      expect(expectErrorCode(agreement.body, 'NOT_FOUND')[0]!.message).toBe(`Agreement ${asbAgreementId} was not found`);
      const missingAgreement = await gql('woChair', `{ agreement(id: "987654") { id } }`);
      expect(expectErrorCode(missingAgreement.body, 'NOT_FOUND')[0]!.message).toBe('Agreement 987654 was not found');

      const { version, status } = (await sql<{ version: number; status: string }>('select version, status from isp_agreement where id = $1', [asbAgreementId]))[0]!;
      const suspend = await gql('woChair', `mutation { setAgreementStatus(id: "${asbAgreementId}", version: ${version}, status: SUSPENDED, reason: "not ours") { id } }`);
      expectErrorCode(suspend.body, 'NOT_FOUND');
      expect(await sql('select version, status from isp_agreement where id = $1', [asbAgreementId])).toEqual([{ version, status }]);

      const list = await data<{ agreements: { id: string }[] }>('woChair', '{ agreements { id } }');
      const woAgreements = await sql<{ id: number }>('select id from isp_agreement where $1 = any(partnership_ids) order by id', [partnershipIds.E22000315]);
      expect(list.agreements.map((a) => Number(a.id))).toEqual(woAgreements.map((a) => a.id));
      const subs = await data<{ submissions: unknown[] }>('woChair', `{ submissions(agencyId: "${agencyIds['leicestershire-police']}") { id } }`);
      expect(subs.submissions).toEqual([]);
      const sub = await gql('woChair', `{ submission(id: "${policeSubmissionId}") { id } }`);
      expectErrorCode(sub.body, 'NOT_FOUND');
    });
  });

  describe('10. uploads', () => {
    const asbFile = (prefix: string) => [
      'Reference,Date,LSOA code,Location description,ASB category,ASB type,Outcome,Description',
      `${prefix}-1,03/02/2024 21:30,E01025672,Market Place,Nuisance,Rowdy behaviour,Warning letter,Shouting`,
      '',
    ].join('\n');

    it.each([['chair'], ['admin'], ['auditor'], ['policeTasking']] as [UserKey][])('%s cannot upload: FORBIDDEN (403), nothing stored', async (who) => {
      const before = await sql<{ n: number }>('select count(*)::int as n from submission');
      const res = await upload(hub, tokens[who], 'council.asb', asbFile(`FORBID-${who}`));
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ error: { code: 'NOT_AN_ANALYST', message: "Only analysts submit their agency's data feeds" } });
      expect(await sql('select count(*)::int as n from submission')).toEqual(before);
    });

    it('an analyst uploads only as their own agency, whatever the request says', async () => {
      const res = await upload(hub, tokens.districtAnalyst, 'council.asb', asbFile('OWN'), { agencyId: String(agencyIds['leicestershire-police']), agency: 'leicestershire-police' });
      expect(res.status).toBe(201);
      const id = (res.json.submission as { submissionId: number }).submissionId;
      expect(await sql('select agency_id, submitted_by_id from submission where id = $1', [id])).toEqual([{ agency_id: agencyIds['charnwood-borough-council'], submitted_by_id: userIds.districtAnalyst }]);
      expect(await sql('select distinct agency_id from incident where submission_id = $1', [id])).toEqual([{ agency_id: agencyIds['charnwood-borough-council'] }]);

      // another agency type's feed is refused rather than filed under the council
      const police = await upload(hub, tokens.districtAnalyst, 'police.street', policeStreetCsv([{ crimeId: 'e'.repeat(64), month: '2024-02', lsoa: 'E01025672', location: 'On or near X' }]));
      expect(police.status).toBe(422);
      const refused = police.json.submission as { submissionId: number; status: string; errorCode: string; rowsAccepted: number };
      expect(refused).toMatchObject({ status: 'refused', errorCode: 'FEED_NOT_FOR_AGENCY', rowsAccepted: 0 });
      expect(await sql('select count(*)::int as n from incident where submission_id = $1', [refused.submissionId])).toEqual([{ n: 0 }]);
    });

    it('an upload without a token is UNAUTHENTICATED', async () => {
      const res = await fetch(`${hub.base}/api/submissions?feed=council.asb`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: asbFile('ANON') });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TOKEN_MISSING');
    });
  });

  describe("11. one side cannot grant itself another's data", () => {
    const FIRE_TO_PARTNERS = 'Fire and rescue attended incidents to police and councils';
    const fields = 'id version status tier datasets recipientAgencyIds recipientAgencyTypes purposes lawfulBasis validFrom validTo reviewDate title providerAgencyId signatories { name role agencyId signedOn } pendingApproval { kind widens }';
    const asInput = (a: Record<string, unknown>, overrides: Record<string, unknown> = {}) => ({
      title: a.title, providerAgencyId: Number(a.providerAgencyId), datasets: a.datasets, recipientAgencyIds: (a.recipientAgencyIds as string[]).map(Number),
      recipientAgencyTypes: a.recipientAgencyTypes, tier: a.tier, purposes: a.purposes, lawfulBasis: a.lawfulBasis, validFrom: a.validFrom, validTo: a.validTo,
      reviewDate: a.reviewDate, signatories: (a.signatories as { agencyId: string }[]).map((x) => ({ ...x, agencyId: Number(x.agencyId) })), ...overrides,
    });
    const districtFireTier = async () => (await data<{ explainAccess: { lines: { agreementTitle: string | null; tier: string }[] } }>('districtAnalyst', '{ explainAccess { lines { agreementTitle tier } } }'))
      .explainAccess.lines.find((l) => l.agreementTitle === FIRE_TO_PARTNERS)?.tier;

    it.each([['chair'], ['admin']] as [UserKey][])("the council's %s cannot activate, approve or widen an agreement over fire data; a widening change only waits", async (who) => {
      const fireId = (await sql<{ id: number }>(`select id from isp_agreement where title = $1 and $2 = any(partnership_ids)`, [FIRE_TO_PARTNERS, partnershipIds.E22000165]))[0]!.id;
      const before = await sql('select tier, status, version, pending_approval from isp_agreement where id = $1', [fireId]);
      const input = {
        title: 'Fire incidents to the council, personal (self-granted)', providerAgencyId: agencyIds['leicestershire-fire'], datasets: ['fire.incidents'],
        recipientAgencyIds: [agencyIds['charnwood-borough-council']], tier: 'PERSONAL', purposes: ['ASB'], lawfulBasis: 's115 Crime and Disorder Act 1998',
        validFrom: londonDate(-1), validTo: londonDate(300), reviewDate: londonDate(200), signatories: [],
      };
      const count = async () => (await sql<{ n: number }>('select count(*)::int as n from isp_agreement'))[0]!.n;
      const agreements = await count();
      expectErrorCode((await gql(who, `mutation($i: AgreementInput!) { createAgreement(input: $i, activate: true) { id } }`, { i: input })).body, 'FORBIDDEN', 'PROVIDER_APPROVAL_REQUIRED');
      expect(await count()).toBe(agreements);
      const draft = await data<{ createAgreement: { id: string; version: number } }>(who, `mutation($i: AgreementInput!) { createAgreement(input: $i) { id version } }`, { i: input });
      const { id, version } = draft.createAgreement;
      expectErrorCode((await gql(who, `mutation { setAgreementStatus(id: "${id}", version: ${version}, status: ACTIVE, reason: "self") { id } }`)).body, 'FORBIDDEN', 'PROVIDER_APPROVAL_REQUIRED');
      expectErrorCode((await gql(who, `mutation { approveAgreement(id: "${id}", version: ${version}) { id } }`)).body, 'FORBIDDEN', 'PROVIDER_APPROVAL_REQUIRED');
      expect(await sql('select status from isp_agreement where id = $1', [Number(id)])).toEqual([{ status: 'draft' }]);
      await data(who, `mutation { setAgreementStatus(id: "${id}", version: ${version}, status: LAPSED, reason: "test over") { id } }`);

      // raising the demo fire agreement to personal waits for the fire service; the terms in force stay
      const current = (await data<{ agreement: Record<string, unknown> }>(who, `{ agreement(id: "${fireId}") { ${fields} } }`)).agreement;
      const raised = (await data<{ updateAgreement: Record<string, unknown> }>(who, `mutation($id: ID!, $v: Int!, $i: AgreementInput!) { updateAgreement(id: $id, version: $v, input: $i) { ${fields} } }`,
        { id: String(fireId), v: current.version, i: asInput(current, { tier: 'PERSONAL' }) })).updateAgreement;
      expect(raised).toMatchObject({ status: 'ACTIVE', tier: 'PSEUDONYMISED', pendingApproval: { kind: 'change', widens: ['tier'] } });
      expect(await districtFireTier()).toBe('pseudonymised');
      expect((await sql<{ tier: string }>('select tier from isp_agreement where id = $1', [fireId]))[0]!.tier).toBe('pseudonymised');
      // sending the terms in force again withdraws the proposal
      const withdrawn = (await data<{ updateAgreement: Record<string, unknown> }>(who, `mutation($id: ID!, $v: Int!, $i: AgreementInput!) { updateAgreement(id: $id, version: $v, input: $i) { ${fields} } }`,
        { id: String(fireId), v: raised.version, i: asInput(current) })).updateAgreement;
      expect(withdrawn).toMatchObject({ tier: 'PSEUDONYMISED', pendingApproval: null });
      const after = await sql<{ tier: string; status: string; version: number; pending_approval: unknown }>('select tier, status, version, pending_approval from isp_agreement where id = $1', [fireId]);
      expect(after).toEqual([{ ...(before[0] as object), version: (before[0] as { version: number }).version + 2 }]);
    });
  });

  it('no test above left the hidden fields of a base-only record readable through the export', async () => {
    const exported = await exportCsv(hub, tokens.fireAnalyst, { feeds: 'council.asb' });
    const expected = await view('fireAnalyst');
    expect(exported.rows.map((r) => Number(r.id))).toEqual(expected.listableOrdered((r) => r.feed === 'council.asb'));
    expect(exported.rows.length).toBeGreaterThanOrEqual(ids.charnwoodAsb.length);
    for (const r of exported.rows) {
      for (const f of [...DETAIL, ...RESTRICTED]) expect(r[f], f).toBe('');
      expect(r.hiddenFields!.split(' ')).toEqual([...DETAIL, ...RESTRICTED]);
      for (const f of BASE.filter((b) => !['wardCode', 'areaMethod'].includes(b))) expect(r[f], f).not.toBe('');
    }
    expectNoneOf(exported.text, [...restrictedTexts, 'Warning letter', 'Acacia Avenue', 'CBC-ASB']);
  });
});
