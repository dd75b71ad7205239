import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from 'vitest';
import { bytesOf } from '@csp-hub/adapter-kit';
import { DEMO_PARTNERSHIPS, DEMO_USER_TEMPLATES, demoEmail } from '@csp-hub/db';
import { ingestFile } from '@csp-hub/ingest';
import { CHARNWOOD_LSOAS, HARBOROUGH_LSOAS, loadStandardDataset } from '../support/dataset';
import { DEFAULT_CELL_KEY } from '@csp-hub/authz';
import { startTestHub, type TestHub } from '../support/hub';
import {
  countOf,
  countsBy,
  csvRowProblems,
  exportCsv,
  getOne,
  gqlRowProblems,
  listAll,
  type ApiIncident,
  type GetResult,
  type GroupByName,
} from './matrix/api';
import {
  ALL_FIELDS,
  compareIds,
  expectedCounts,
  loadAgreements,
  loadWorld,
  matchesBaseFields,
  Oracle,
  type Filter,
  type GroupKey,
  type RawIncident,
  type RawUser,
  type World,
} from './matrix/oracle';
import { publishedCount, tablePublished, tableProblems } from './matrix/sdc';

/**
 * The authorization matrix: every demo role and agency type, in three
 * partnerships, against every provider and record tier of the standard
 * dataset, for every read operation (list, get, count, aggregate, export).
 * Expectations come from ./matrix/oracle (an independent reading of
 * docs/authorization.md over the raw tables), never from @csp-hub/authz.
 */

const HANDLES = [
  'police.analyst', 'fire.analyst', 'health.analyst', 'district.analyst', 'county.analyst',
  'police.tasking', 'probation.tasking', 'district.chair', 'district.admin', 'county.auditor',
] as const;
/** Information asset owners: no partner data of their own (like admins), checked in the own-agency suite only. */
const DATA_OWNER_HANDLES = ['police.data_owner', 'fire.data_owner', 'health.data_owner', 'county.data_owner'] as const;
const PARTNERSHIPS = ['charnwood', 'harborough', 'west-oxfordshire'] as const;
const CHARNWOOD_LAD = 'E07000130';
const HARBOROUGH_LAD = 'E07000131';
const WEST_OXFORDSHIRE_LAD = 'E07000181';
/** The hub under test runs disclosure control at 1-4 (tests/support/hub.ts). */
const SDC = DEFAULT_CELL_KEY;

interface Principal {
  slug: string;
  handle: string;
  email: string;
  label: string;
}

const PRINCIPALS: Principal[] = PARTNERSHIPS.flatMap((slug) =>
  HANDLES.map((handle) => ({ slug, handle, email: demoEmail(slug, handle), label: `${slug} ${handle}` })),
);
const DATA_OWNERS: Principal[] = PARTNERSHIPS.flatMap((slug) =>
  DATA_OWNER_HANDLES.map((handle) => ({ slug, handle, email: demoEmail(slug, handle), label: `${slug} ${handle}` })),
);

interface Slice {
  name: string;
  filter: Filter;
}

/** Filters that keep police pages small while every provider and tier appears somewhere. */
const SLICES: Slice[] = [
  { name: 'police.street(public) drugs_alcohol, all areas', filter: { feeds: ['police.street'], categories: ['drugs_alcohol'] } },
  { name: 'police.street(public) West Oxfordshire', filter: { feeds: ['police.street'], ladCodes: [WEST_OXFORDSHIRE_LAD] } },
  { name: 'fire.incidents(pseudonymised)', filter: { feeds: ['fire.incidents'] } },
  { name: 'health.istv(pseudonymised)', filter: { feeds: ['health.istv'] } },
  { name: 'council.asb(personal)', filter: { feeds: ['council.asb'] } },
  { name: 'council.fly_tipping(pseudonymised)', filter: { feeds: ['council.fly_tipping'] } },
  {
    name: 'all feeds, Charnwood+Harborough, damage/ASB/environmental',
    filter: { monthFrom: '2024-01', monthTo: '2024-01', ladCodes: [CHARNWOOD_LAD, HARBOROUGH_LAD], categories: ['criminal_damage_arson', 'anti_social_behaviour', 'environmental'] },
  },
  { name: 'all feeds, outcome "Warning letter"', filter: { outcome: 'Warning letter' } },
];

const AGGREGATE_SLICES: Slice[] = [...SLICES, { name: 'everything', filter: {} }];
const GROUPINGS: GroupByName[][] = [['CATEGORY'], ['CATEGORY', 'LAD_CODE'], ['SOURCE_CATEGORY', 'MONTH']];
const GROUP_KEYS: Record<GroupByName, GroupKey> = {
  CATEGORY: 'category',
  SOURCE_CATEGORY: 'sourceCategory',
  MONTH: 'month',
  FEED: 'feed',
  LAD_CODE: 'ladCode',
  WARD_CODE: 'wardCode',
  LSOA_CODE: 'lsoaCode',
};

type Op = 'list' | 'get' | 'count' | 'export';
interface RowCase {
  name: string;
  principal: Principal;
  op: Op;
  slice: Slice;
}
interface AggregateCase {
  name: string;
  principal: Principal;
  groupBy: GroupByName[];
  slice: Slice;
}

const ROW_CASES: RowCase[] = PRINCIPALS.flatMap((principal) =>
  (['list', 'get', 'count', 'export'] as const).flatMap((op) =>
    SLICES.map((slice) => ({ name: `${principal.label} · ${op} · ${slice.name}`, principal, op, slice })),
  ),
);
const AGGREGATE_CASES: AggregateCase[] = PRINCIPALS.flatMap((principal) =>
  AGGREGATE_SLICES.flatMap((slice) =>
    (slice.name === 'everything' ? GROUPINGS : [['CATEGORY', 'LAD_CODE'] as GroupByName[]]).map((groupBy) => ({
      name: `${principal.label} · aggregate [${groupBy.join(', ')}] · ${slice.name}`,
      principal,
      groupBy,
      slice,
    })),
  ),
);

let hub: TestHub;
let world: World;
const tokens = new Map<string, string>();

function principal(slug: string, handle: string): Principal {
  const p = [...PRINCIPALS, ...DATA_OWNERS].find((x) => x.slug === slug && x.handle === handle);
  if (!p) throw new Error(`no principal ${slug} ${handle}`);
  return p;
}

function userOf(p: Principal): RawUser {
  const u = world.users.get(p.email);
  if (!u) throw new Error(`no demo user ${p.email}`);
  return u;
}

function token(p: Principal): string {
  const t = tokens.get(p.email);
  if (!t) throw new Error(`no token for ${p.email}`);
  return t;
}

/** The oracle for a principal, over the agreements as they stand in the database now. */
async function oracleFor(p: Principal): Promise<Oracle> {
  return new Oracle(userOf(p), await loadAgreements(hub.db.pool));
}

/** Submission metadata: own agency's; chairs, admins and auditors also partner agencies'. */
function submissionVisible(user: RawUser, providerId: number): boolean {
  if (providerId === user.agencyId) return true;
  const overseer = user.roles.some((r) => r === 'chair' || r === 'partnership_admin' || r === 'auditor');
  return overseer && user.partnerAgencyIds.includes(providerId);
}

function rawOf(id: string): RawIncident {
  const r = world.incidentById.get(id);
  if (!r) throw new Error(`the API returned incident ${id}, which does not exist in the database`);
  return r;
}

function rowProblems(oracle: Oracle, nodes: ApiIncident[]): string[] {
  const problems: string[] = [];
  for (const n of nodes) {
    const raw = world.incidentById.get(n.id);
    if (!raw) {
      problems.push(`incident ${n.id}: not in the database`);
      continue;
    }
    const v = oracle.judge(raw);
    if (!v.listed) {
      problems.push(`incident ${n.id} (${raw.feed}, agency ${raw.agencyId}, ${raw.tier}, lad ${raw.ladCode}): returned but not listable for this user`);
      continue;
    }
    problems.push(...gqlRowProblems(n, raw, v.visible, submissionVisible(oracle.user, raw.agencyId)));
  }
  return problems;
}

/** The first and last of a list (ordered by id, so the sample is stable). */
function ends(xs: RawIncident[]): RawIncident[] {
  const sorted = [...xs].sort((a, b) => compareIds(a.id, b.id));
  return sorted.length <= 2 ? sorted : [sorted[0]!, sorted[sorted.length - 1]!];
}

function describeRecords(rows: RawIncident[]): string {
  const by = new Map<string, number>();
  for (const r of rows) {
    const k = `${world.agencies.get(r.agencyId)?.code ?? r.agencyId} ${r.feed}`;
    by.set(k, (by.get(k) ?? 0) + 1);
  }
  return [...by.entries()].sort().map(([k, n]) => `${k}: ${n}`).join('; ') || 'none';
}

async function checkList(expect: ExpectStatic, p: Principal, f: Filter): Promise<RawIncident[]> {
  const oracle = await oracleFor(p);
  const expected = oracle.listed(world.incidents, f);
  const { nodes, pagingProblems } = await listAll(hub, token(p), f);
  expect(pagingProblems).toEqual([]);
  const ids = nodes.map((n) => n.id);
  const extra = ids.filter((id) => !oracle.judge(rawOf(id)).listed || !oracle.matches(rawOf(id), f));
  const missingIds = new Set(ids);
  const missing = expected.filter((r) => !missingIds.has(r.id));
  expect({ extra: describeRecords(extra.map(rawOf)), missing: describeRecords(missing) }).toEqual({ extra: 'none', missing: 'none' });
  expect(ids).toEqual(expected.map((r) => r.id)); // same ids, same order: newest month first, then id descending
  expect(rowProblems(oracle, nodes)).toEqual([]);
  return expected;
}

async function checkCount(expect: ExpectStatic, p: Principal, f: Filter): Promise<number> {
  const oracle = await oracleFor(p);
  const n = await countOf(hub, token(p), f);
  expect(n).toBe(oracle.listed(world.incidents, f).length);
  return n;
}

async function checkExport(expect: ExpectStatic, p: Principal, f: Filter): Promise<void> {
  const oracle = await oracleFor(p);
  const expected = oracle.listed(world.incidents, f);
  const csv = await exportCsv(hub, token(p), f);
  expect(csv.status, csv.raw.slice(0, 300)).toBe(200);
  expect(csv.contentType).toMatch(/^text\/csv/);
  expect([...csv.header].sort()).toEqual([...ALL_FIELDS, 'hiddenFields'].sort());
  const ids = csv.rows.map((r) => r.id ?? '');
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual(expected.map((r) => r.id).sort());
  const problems: string[] = [];
  for (const row of csv.rows) {
    const raw = world.incidentById.get(row.id ?? '');
    if (!raw) continue;
    problems.push(...csvRowProblems(row, raw, oracle.judge(raw).visible));
  }
  expect(problems).toEqual([]);
}

const NOT_FOUND_ID = '987654321';
const missingAnswers = new Map<string, Promise<GetResult>>();

/** What get answers this principal for an id that does not exist (asked once per principal). */
function missingAnswer(p: Principal): Promise<GetResult> {
  let answer = missingAnswers.get(p.email);
  if (!answer) {
    answer = getOne(hub, token(p), NOT_FOUND_ID);
    missingAnswers.set(p.email, answer);
  }
  return answer;
}

async function checkGet(expect: ExpectStatic, p: Principal, f: Filter): Promise<void> {
  const oracle = await oracleFor(p);
  const visible = ends(oracle.listed(world.incidents, f));
  let hidden = world.incidents.filter((r) => oracle.matches(r, { ...f, outcome: undefined }) && !oracle.judge(r).listed);
  if (hidden.length === 0) hidden = world.incidents.filter((r) => (f.feeds ?? []).includes(r.feed) && !oracle.judge(r).listed);
  const hiddenSample = ends(hidden);
  const t = token(p);
  const [absent, ...results] = await Promise.all([missingAnswer(p), ...visible.map((r) => getOne(hub, t, r.id)), ...hiddenSample.map((r) => getOne(hub, t, r.id))]);
  expect(absent!.found).toBe(false);
  const absentMessage = absent!.found ? '' : (absent!.body.errors?.[0]?.message ?? '').replaceAll(NOT_FOUND_ID, '<id>');
  expect(absent!.found ? null : absent!.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  const problems: string[] = [];
  visible.forEach((r, i) => {
    const res = results[i]!;
    if (!res.found) problems.push(`incident ${r.id} (${r.feed}): listable but get answered ${JSON.stringify(res.body.errors)}`);
    else problems.push(...rowProblems(oracle, [res.node]));
  });
  hiddenSample.forEach((r, i) => {
    const res = results[visible.length + i]!;
    if (res.found) {
      problems.push(`incident ${r.id} (${r.feed}, agency ${r.agencyId}, ${r.tier}, lad ${r.ladCode}): not listable but get returned it`);
      return;
    }
    const data = res.body.data ?? null;
    const err = res.body.errors?.[0];
    if (data !== null) problems.push(`incident ${r.id}: NOT_FOUND must carry no data, got ${JSON.stringify(data)}`);
    if (err?.extensions?.code !== 'NOT_FOUND') problems.push(`incident ${r.id}: expected NOT_FOUND, got ${JSON.stringify(res.body.errors)}`);
    if ((err?.message ?? '').replaceAll(r.id, '<id>') !== absentMessage) problems.push(`incident ${r.id}: hidden answer "${err?.message}" differs from a missing one "${absentMessage}"`);
  });
  expect(problems).toEqual([]);
}

async function checkAggregate(expect: ExpectStatic, p: Principal, groupBy: GroupByName[], f: Filter): Promise<void> {
  const oracle = await oracleFor(p);
  const expected = expectedCounts(oracle, world.incidents, groupBy.map((g) => GROUP_KEYS[g]), f, world.agencies).filter((e) => tablePublished(e, SDC));
  const tables = await countsBy(hub, token(p), groupBy, f);
  const problems: string[] = [];
  for (const t of tables) {
    if (!expected.some((e) => e.agencyId === Number(t.agencyId))) {
      const code = world.agencies.get(Number(t.agencyId))?.code;
      problems.push(`provider ${t.agencyId} (${code}): table returned but the user may count none of its records (controlled ${t.controlled}, total ${JSON.stringify(t.total)}, cells ${JSON.stringify(t.cells)})`);
    }
  }
  for (const e of expected) {
    const api = tables.find((t) => Number(t.agencyId) === e.agencyId);
    if (api) problems.push(...tableProblems(api, e, groupBy.length, SDC));
    else problems.push(`provider ${e.agencyId} (${world.agencies.get(e.agencyId)?.code}): table missing (true total ${e.total.length})`);
  }
  expect(problems).toEqual([]);
  expect(tables.map((t) => Number(t.agencyId)).sort((a, b) => a - b)).toEqual(expected.map((t) => t.agencyId));
}

beforeAll(async () => {
  hub = await startTestHub('authorization_matrix');
  await loadStandardDataset(hub.db.pool);
  world = await loadWorld(hub.db.pool);
  await Promise.all([...PRINCIPALS, ...DATA_OWNERS].map(async (p) => tokens.set(p.email, await hub.tokenFor(p.email, '2h'))));
});

afterAll(async () => hub?.stop());

describe('the matrix covers what it claims', () => {
  it('every demo role template, in three partnerships, spanning every role and agency type', () => {
    expect([...HANDLES, ...DATA_OWNER_HANDLES].sort()).toEqual(DEMO_USER_TEMPLATES.map((t) => t.handle).sort());
    expect(PARTNERSHIPS.every((slug) => DEMO_PARTNERSHIPS.some((p) => p.slug === slug))).toBe(true);
    const users = [...PRINCIPALS, ...DATA_OWNERS].map(userOf);
    expect(new Set(users.flatMap((u) => u.roles))).toEqual(new Set(['analyst', 'tasking_member', 'chair', 'partnership_admin', 'auditor', 'data_owner']));
    expect(new Set(users.map((u) => u.agencyType))).toEqual(new Set(['police', 'fire', 'health', 'council', 'probation']));
  });

  it('every provider and record tier of the standard dataset appears in some slice, and police slices stay small', () => {
    const inSlice = (r: RawIncident, f: Filter) => matchesBaseFields(r, f) && (f.outcome === undefined || r.outcome === f.outcome);
    const seen = new Set<string>();
    for (const s of SLICES) {
      for (const r of world.incidents) if (inSlice(r, s.filter)) seen.add(`${world.agencies.get(r.agencyId)?.code} ${r.feed} ${r.tier}`);
    }
    expect([...seen].sort()).toEqual([
      'charnwood-borough-council council.asb personal',
      'charnwood-borough-council council.fly_tipping pseudonymised',
      'harborough-district-council council.asb personal',
      'leicestershire-fire fire.incidents pseudonymised',
      'leicestershire-police police.street public',
      'llr-icb health.istv pseudonymised',
      'thames-valley-police police.street public',
    ]);
    const largest = Math.max(...SLICES.map((s) => world.incidents.filter((r) => inSlice(r, s.filter)).length));
    expect(largest).toBeLessThan(600);
    // spot checks on the data itself (the oracle computes every expectation; these only pin the dataset)
    expect(world.incidents.filter((r) => r.feed === 'council.asb').length).toBe(27);
    expect(world.incidents.filter((r) => r.feed === 'health.istv' && r.ladCode === null && r.restrictedText !== null).length).toBe(23);
    expect(world.incidents.some((r) => r.feed === 'police.street' && r.ladCode === null)).toBe(true);
  });

  it('the oracle agrees with a hand reading of the demo agreements on a few spot checks', async () => {
    const n = async (slug: string, handle: string, f: Filter) => (await oracleFor(principal(slug, handle))).listed(world.incidents, f).length;
    const counted = async (slug: string, handle: string, f: Filter) => (await oracleFor(principal(slug, handle))).countable(world.incidents, f).length;
    // fire shares its Charnwood incidents (30 of 40) with Charnwood police and councils, pseudonymised
    expect(await n('charnwood', 'district.analyst', { feeds: ['fire.incidents'] })).toBe(30);
    expect(await n('charnwood', 'police.tasking', { feeds: ['fire.incidents'] })).toBe(30);
    expect(await n('harborough', 'county.analyst', { feeds: ['fire.incidents'] })).toBe(10);
    // the fire -> probation pilot ended on 2025-03-31
    expect(await n('charnwood', 'probation.tasking', { feeds: ['fire.incidents'] })).toBe(0);
    // council ASB (personal) goes to the partnership's police only, for its own district
    expect(await n('charnwood', 'police.analyst', { feeds: ['council.asb'] })).toBe(18);
    expect(await n('harborough', 'police.analyst', { feeds: ['council.asb'] })).toBe(9);
    expect(await n('charnwood', 'fire.analyst', { feeds: ['council.asb'] })).toBe(0);
    // ISTV: counts only for police and councils, whole (no place)
    expect(await n('charnwood', 'district.analyst', { feeds: ['health.istv'] })).toBe(0);
    expect(await counted('charnwood', 'district.analyst', { feeds: ['health.istv'] })).toBe(23);
    expect(await counted('charnwood', 'fire.analyst', { feeds: ['health.istv'] })).toBe(0);
    // admins and auditors: own agency only
    expect(await n('charnwood', 'district.admin', {})).toBe(33);
    expect(await n('charnwood', 'county.auditor', {})).toBe(0);
    // police open data: Charnwood partners get Charnwood's street crime, not the county's; no-location rows go nowhere
    expect(await n('charnwood', 'health.analyst', { feeds: ['police.street'], categories: ['drugs_alcohol'] })).toBe(23);
    expect(await n('charnwood', 'police.analyst', { feeds: ['police.street'], categories: ['drugs_alcohol'] })).toBe(282);
  });
});

// Read-only cases: they run a few at a time (vitest's maxConcurrency) and use their own expect.
describe.concurrent('authorization matrix: rows and fields', () => {
  it.for(ROW_CASES.map((c) => [c.name, c] as const))('%s', async ([, { principal, op, slice }], { expect }) => {
    switch (op) {
      case 'list':
        await checkList(expect, principal, slice.filter);
        break;
      case 'count':
        await checkCount(expect, principal, slice.filter);
        break;
      case 'export':
        await checkExport(expect, principal, slice.filter);
        break;
      case 'get':
        await checkGet(expect, principal, slice.filter);
        break;
    }
  });
});

describe.concurrent('authorization matrix: aggregates and disclosure control', () => {
  it.for(AGGREGATE_CASES.map((c) => [c.name, c] as const))('%s', async ([, { principal, groupBy, slice }], { expect }) => {
    await checkAggregate(expect, principal, groupBy, slice.filter);
  });
});

// ---- agreements changed by SQL: the next request must follow (these run after the matrix, one at a time) ----

function partnershipCode(slug: string): string {
  const p = DEMO_PARTNERSHIPS.find((x) => x.slug === slug);
  if (!p) throw new Error(`no partnership ${slug}`);
  return p.code;
}

/** The id of the one demo agreement in force in a partnership by provider agency code, dataset and tier. */
async function agreementId(slug: string, providerCode: string, dataset: string, tier: string): Promise<number> {
  const { rows } = await hub.db.pool.query<{ id: number }>(
    `select a.id from isp_agreement a join agency p on p.id = a.provider_id join partnership pt on pt.id = any(a.partnership_ids)
      where pt.code = $1 and p.code = $2 and $3 = any(a.datasets) and a.tier = $4 and a.status = 'active'
        and a.valid_from <= current_date and a.valid_to >= current_date`,
    [partnershipCode(slug), providerCode, dataset, tier],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.id;
}

async function listed(p: Principal, f: Filter): Promise<RawIncident[]> {
  return (await oracleFor(p)).listed(world.incidents, f);
}

function agencyIdOf(code: string): number {
  const id = world.agencyIdByCode.get(code);
  if (id === undefined) throw new Error(`no agency ${code}`);
  return id;
}

describe('agreement changes take effect on the very next request', () => {
  const FIRE: Filter = { feeds: ['fire.incidents'] };
  const recipients = ['police.analyst', 'police.tasking', 'district.analyst', 'county.analyst', 'district.chair'].map((h) => principal('charnwood', h));

  it('charnwood fire agreement valid_to moved to yesterday: its rows leave every recipient at once (list, get, count, aggregate, export), and return when restored', async () => {
    const id = await agreementId('charnwood', 'leicestershire-fire', 'fire.incidents', 'pseudonymised');
    const fireId = agencyIdOf('leicestershire-fire');
    const before = new Map<string, RawIncident[]>();
    for (const p of recipients) {
      const rows = await checkList(expect, p, FIRE);
      expect(rows.length, p.label).toBe(30);
      before.set(p.email, rows);
    }
    const { rows: [saved] } = await hub.db.pool.query<{ valid_to: string }>(`select to_char(valid_to, 'YYYY-MM-DD') as valid_to from isp_agreement where id = $1`, [id]);
    await hub.db.pool.query('update isp_agreement set valid_to = current_date - 1 where id = $1', [id]);
    try {
      for (const p of recipients) {
        expect(await listed(p, FIRE), p.label).toEqual([]);
        expect(await checkList(expect, p, FIRE)).toEqual([]);
        expect(await checkCount(expect, p, FIRE)).toBe(0);
        await checkExport(expect, p, FIRE);
        await checkAggregate(expect, p, ['CATEGORY'], {});
        expect((await countsBy(hub, token(p), ['CATEGORY'], {})).map((t) => Number(t.agencyId))).not.toContain(fireId);
        const gone = before.get(p.email)![0]!;
        const res = await getOne(hub, token(p), gone.id);
        expect(res.found ? 'found' : res.body.errors?.[0]?.extensions?.code, `${p.label} get ${gone.id}`).toBe('NOT_FOUND');
      }
      // the provider still sees its own records; another partnership's agreement is untouched
      expect((await checkList(expect, principal('charnwood', 'fire.analyst'), FIRE)).length).toBe(40);
      expect((await checkList(expect, principal('harborough', 'police.analyst'), FIRE)).length).toBe(10);
    } finally {
      await hub.db.pool.query('update isp_agreement set valid_to = $2::date where id = $1', [id, saved!.valid_to]);
    }
    for (const p of recipients) expect((await checkList(expect, p, FIRE)).map((r) => r.id), p.label).toEqual(before.get(p.email)!.map((r) => r.id));
  });

  it('charnwood fire agreement dates are inclusive: valid_to today still shares, valid_from tomorrow does not, valid_from today does', async () => {
    const id = await agreementId('charnwood', 'leicestershire-fire', 'fire.incidents', 'pseudonymised');
    const p = principal('charnwood', 'county.analyst');
    const { rows: [saved] } = await hub.db.pool.query<{ valid_from: string; valid_to: string }>(
      `select to_char(valid_from, 'YYYY-MM-DD') as valid_from, to_char(valid_to, 'YYYY-MM-DD') as valid_to from isp_agreement where id = $1`,
      [id],
    );
    try {
      await hub.db.pool.query('update isp_agreement set valid_to = current_date where id = $1', [id]);
      expect((await checkList(expect, p, FIRE)).length).toBe(30);
      await hub.db.pool.query('update isp_agreement set valid_from = current_date + 1, valid_to = current_date + 30 where id = $1', [id]);
      expect(await checkList(expect, p, FIRE)).toEqual([]);
      expect(await checkCount(expect, p, FIRE)).toBe(0);
      await hub.db.pool.query('update isp_agreement set valid_from = current_date where id = $1', [id]);
      expect((await checkList(expect, p, FIRE)).length).toBe(30);
    } finally {
      await hub.db.pool.query('update isp_agreement set valid_from = $2::date, valid_to = $3::date where id = $1', [id, saved!.valid_from, saved!.valid_to]);
    }
  });

  it('charnwood fire agreement suspended: rows leave the recipients on the next request, and return when reactivated', async () => {
    const id = await agreementId('charnwood', 'leicestershire-fire', 'fire.incidents', 'pseudonymised');
    const p = principal('charnwood', 'district.analyst');
    expect((await checkList(expect, p, FIRE)).length).toBe(30);
    await hub.db.pool.query(`update isp_agreement set status = 'suspended' where id = $1`, [id]);
    try {
      expect(await checkList(expect, p, FIRE)).toEqual([]);
      expect(await checkCount(expect, p, FIRE)).toBe(0);
    } finally {
      await hub.db.pool.query(`update isp_agreement set status = 'active' where id = $1`, [id]);
    }
    expect((await checkList(expect, p, FIRE)).length).toBe(30);
  });

  it('charnwood council ASB agreement lowered from personal to pseudonymised: police keep the rows but lose detail on personal records (and the outcome filter stops matching)', async () => {
    const id = await agreementId('charnwood', 'charnwood-borough-council', 'council.asb', 'personal');
    const p = principal('charnwood', 'police.analyst');
    const ASB: Filter = { feeds: ['council.asb'] };
    const WARNING: Filter = { outcome: 'Warning letter' };
    expect((await checkList(expect, p, WARNING)).length).toBe(18);
    await hub.db.pool.query(`update isp_agreement set tier = 'pseudonymised' where id = $1`, [id]);
    try {
      const rows = await checkList(expect, p, ASB);
      expect(rows).toHaveLength(18);
      const { nodes } = await listAll(hub, token(p), ASB);
      for (const n of nodes) {
        expect(n.outcome).toBeNull();
        expect(n.locationText).toBeNull();
        expect(n.hiddenFields).toEqual(expect.arrayContaining(['sourceRef', 'occurredAt', 'locationText', 'latitude', 'longitude', 'outcome', 'attributes', 'restrictedText']));
        expect(n.lsoaCode).not.toBeNull();
      }
      expect(await checkList(expect, p, WARNING)).toEqual([]);
      expect(await checkCount(expect, p, WARNING)).toBe(0);
      await checkExport(expect, p, ASB);
      await checkGet(expect, p, ASB);
      await checkAggregate(expect, p, ['CATEGORY', 'LAD_CODE'], {});
    } finally {
      await hub.db.pool.query(`update isp_agreement set tier = 'personal' where id = $1`, [id]);
    }
    expect((await checkList(expect, p, WARNING)).length).toBe(18);
  });

  it('charnwood council ASB agreement lowered to public: personal records are neither listed nor counted for police', async () => {
    const id = await agreementId('charnwood', 'charnwood-borough-council', 'council.asb', 'personal');
    const p = principal('charnwood', 'police.analyst');
    const ASB: Filter = { feeds: ['council.asb'] };
    const councilId = agencyIdOf('charnwood-borough-council');
    await hub.db.pool.query(`update isp_agreement set tier = 'public' where id = $1`, [id]);
    try {
      expect(await checkList(expect, p, ASB)).toEqual([]);
      expect(await checkCount(expect, p, ASB)).toBe(0);
      await checkExport(expect, p, ASB);
      await checkGet(expect, p, ASB);
      // a public grant lists public records and counts nothing else: no council ASB table at all
      expect(expectedCounts(await oracleFor(p), world.incidents, ['category'], ASB, world.agencies)).toEqual([]);
      await checkAggregate(expect, p, ['CATEGORY'], ASB);
      expect((await countsBy(hub, token(p), ['CATEGORY'], ASB)).map((t) => Number(t.agencyId))).not.toContain(councilId);
    } finally {
      await hub.db.pool.query(`update isp_agreement set tier = 'personal' where id = $1`, [id]);
    }
  });
});

describe('partnership admins, auditors and data owners see only their own agency', () => {
  // Police data owners own every Leicestershire police record (thousands): their slice check is below.
  const overseers = [
    ...PARTNERSHIPS.flatMap((slug) => [principal(slug, 'district.admin'), principal(slug, 'county.auditor')]),
    ...DATA_OWNERS.filter((p) => p.handle !== 'police.data_owner'),
  ];

  it.each(PARTNERSHIPS.map((slug) => [slug] as const))('%s police.data_owner: partner feeds the police analyst sees are absent from list, count, export and aggregate', async (slug) => {
    const owner = principal(slug, 'police.data_owner');
    const partnerFeeds: Filter = { feeds: ['council.asb', 'fire.incidents', 'health.istv', 'council.fly_tipping'] };
    expect(await checkList(expect, owner, partnerFeeds)).toEqual([]);
    expect(await checkCount(expect, owner, partnerFeeds)).toBe(0);
    await checkExport(expect, owner, partnerFeeds);
    await checkAggregate(expect, owner, ['FEED'], partnerFeeds);
    if (slug !== 'west-oxfordshire') expect(await checkCount(expect, principal(slug, 'police.analyst'), partnerFeeds)).toBeGreaterThan(0);
  });

  it('(setup) Leicestershire County Council submits fly-tipping in Charnwood and Harborough, so its auditor has records of its own', async () => {
    const lsoas = [...CHARNWOOD_LSOAS.slice(0, 4), ...HARBOROUGH_LSOAS.slice(0, 2)];
    const csv = [
      'Reference,Date,LSOA code,Location description,Land type,Waste type,Size,Action taken',
      ...lsoas.map((lsoa, i) => `LCC-FT-${i},2024-01-${String(i + 10)},${lsoa},Verge on the A6,Highway,Other household waste,Small Van Load,Fixed penalty notice`),
    ].join('\n');
    const result = await ingestFile(hub.db.pool, {
      agencyId: agencyIdOf('leicestershire-county-council'),
      feed: 'council.fly_tipping',
      fileName: 'county-fly-tipping.csv',
      source: bytesOf(`${csv}\n`),
      submitter: { userId: null, label: 'matrix county rows', via: 'seed' },
    });
    expect(result.status).toBe('accepted');
    expect(result.rowsRejected).toBe(0);
    world = await loadWorld(hub.db.pool);
    const county = world.incidents.filter((r) => r.agencyId === agencyIdOf('leicestershire-county-council'));
    expect(county.map((r) => r.ladCode).sort()).toEqual([CHARNWOOD_LAD, CHARNWOOD_LAD, CHARNWOOD_LAD, CHARNWOOD_LAD, HARBOROUGH_LAD, HARBOROUGH_LAD]);
  });

  it.each(overseers.map((p) => [p.label, p] as const))('%s: list, count, export and aggregate of everything hold only own-agency records', async (_label, p) => {
    const own = world.incidents.filter((r) => r.agencyId === userOf(p).agencyId);
    const rows = await checkList(expect, p, {});
    expect(rows.map((r) => r.id).sort()).toEqual(own.map((r) => r.id).sort());
    expect(await checkCount(expect, p, {})).toBe(own.length);
    await checkExport(expect, p, {});
    await checkAggregate(expect, p, ['CATEGORY', 'LAD_CODE'], {});
    const providers = (await countsBy(hub, token(p), ['FEED'], {})).map((t) => Number(t.agencyId));
    expect(providers).toEqual(own.length ? [userOf(p).agencyId] : []);
  });

  it('the draft county -> fire fly-tipping agreement shares nothing; activated, fire sees the county rows in Charnwood only (pseudonymised), and drafted again, nothing', async () => {
    const FT: Filter = { feeds: ['council.fly_tipping'] };
    const countyId = agencyIdOf('leicestershire-county-council');
    const fire = principal('charnwood', 'fire.analyst');
    const { rows } = await hub.db.pool.query<{ id: number }>(
      `select a.id from isp_agreement a join partnership pt on pt.id = any(a.partnership_ids) where pt.code = $1 and a.provider_id = $2 and a.status = 'draft'`,
      [partnershipCode('charnwood'), countyId],
    );
    expect(rows).toHaveLength(1);
    const id = rows[0]!.id;
    expect((await checkList(expect, fire, FT)).filter((r) => r.agencyId === countyId)).toEqual([]);
    await hub.db.pool.query(`update isp_agreement set status = 'active' where id = $1`, [id]);
    try {
      const seen = (await checkList(expect, fire, FT)).filter((r) => r.agencyId === countyId);
      expect(seen.map((r) => r.ladCode)).toEqual([CHARNWOOD_LAD, CHARNWOOD_LAD, CHARNWOOD_LAD, CHARNWOOD_LAD]);
      await checkGet(expect, fire, { feeds: ['council.fly_tipping'], agencyIds: [countyId] });
      await checkAggregate(expect, fire, ['CATEGORY', 'LAD_CODE'], {});
      await checkExport(expect, fire, FT);
      // the agreement names the Leicestershire fire service in Charnwood's partnership only
      expect((await checkList(expect, principal('harborough', 'fire.analyst'), FT)).filter((r) => r.agencyId === countyId)).toEqual([]);
    } finally {
      await hub.db.pool.query(`update isp_agreement set status = 'draft' where id = $1`, [id]);
    }
    expect((await checkList(expect, fire, FT)).filter((r) => r.agencyId === countyId)).toEqual([]);
  });

  it('charnwood: the same agency as an analyst or chair sees partners\' records that its admin and auditor do not', async () => {
    const fireRow = world.incidents.find((r) => r.feed === 'fire.incidents' && r.ladCode === CHARNWOOD_LAD)!;
    for (const handle of ['district.analyst', 'district.chair', 'county.analyst']) {
      const res = await getOne(hub, token(principal('charnwood', handle)), fireRow.id);
      expect(res.found, handle).toBe(true);
    }
    for (const handle of ['district.admin', 'county.auditor']) {
      const res = await getOne(hub, token(principal('charnwood', handle)), fireRow.id);
      expect(res.found ? 'found' : res.body.errors?.[0]?.extensions?.code, handle).toBe('NOT_FOUND');
    }
    expect(await countOf(hub, token(principal('charnwood', 'district.analyst')), {})).toBeGreaterThan(await countOf(hub, token(principal('charnwood', 'district.admin')), {}));
  });
});

describe('restricted text is only ever visible to the providing agency', () => {
  const TEXT: Filter = { feeds: ['council.asb', 'health.istv'] };

  it.each(PRINCIPALS.map((p) => [p.label, p] as const))('%s: restricted text only on own-agency rows (list and export)', async (_label, p) => {
    const me = userOf(p).agencyId;
    const { nodes } = await listAll(hub, token(p), TEXT);
    for (const n of nodes) {
      const raw = rawOf(n.id);
      if (raw.agencyId === me) expect(n.restrictedText, n.id).toBe(raw.restrictedText);
      else {
        expect(n.restrictedText, n.id).toBeNull();
        expect(n.hiddenFields, n.id).toContain('restrictedText');
      }
    }
    const csv = await exportCsv(hub, token(p), TEXT);
    for (const row of csv.rows) if (Number(row.agencyId) !== me) expect(row.restrictedText, row.id).toBe('');
    expect(csv.rows.length).toBe(nodes.length);
  });

  it('ISTV agreement raised to personal: police see every ISTV record with detail, never its restricted text', async () => {
    const id = await agreementId('charnwood', 'llr-icb', 'health.istv', 'aggregate');
    const ISTV: Filter = { feeds: ['health.istv'] };
    const p = principal('charnwood', 'police.analyst');
    await hub.db.pool.query(`update isp_agreement set tier = 'personal' where id = $1`, [id]);
    try {
      const rows = await checkList(expect, p, ISTV);
      expect(rows).toHaveLength(23);
      const { nodes } = await listAll(hub, token(p), ISTV);
      for (const n of nodes) {
        expect(n.occurredAt).not.toBeNull();
        expect(n.restrictedText).toBeNull();
        expect(n.hiddenFields).toEqual(['restrictedText']);
      }
      await checkExport(expect, p, ISTV);
      await checkGet(expect, p, ISTV);
      // the health analyst (the provider) still sees it
      const own = await listAll(hub, token(principal('charnwood', 'health.analyst')), ISTV);
      expect(own.nodes.every((n) => n.restrictedText !== null && n.restrictedText.startsWith('The Red Lion'))).toBe(true);
    } finally {
      await hub.db.pool.query(`update isp_agreement set tier = 'aggregate' where id = $1`, [id]);
    }
  });
});

describe('disclosure control on a table mixing listable and counts-only records', () => {
  it('charnwood council ASB shared with fire at aggregate tier: fire lists none of it, and the council table is controlled with small counts withheld', async () => {
    const councilId = agencyIdOf('charnwood-borough-council');
    const { rows: [inserted] } = await hub.db.pool.query<{ id: number }>(
      `insert into isp_agreement (title, partnership_ids, provider_id, datasets, recipient_agency_ids, recipient_agency_types, tier, purposes,
                                  lawful_basis, valid_from, valid_to, review_date, status, signatories)
       select 'ASB counts to fire (matrix test)', array[pt.id], $2, array['council.asb'], '{}', array['fire'], 'aggregate', array['Deliberate fire reduction'],
              's115 Crime and Disorder Act 1998', current_date - 30, current_date + 30, current_date + 20, 'active', '[]'::jsonb
         from partnership pt where pt.code = $1 returning id`,
      [partnershipCode('charnwood'), councilId],
    );
    const p = principal('charnwood', 'fire.analyst');
    try {
      expect(await checkList(expect, p, { feeds: ['council.asb'] })).toEqual([]);
      expect(await checkCount(expect, p, { agencyIds: [councilId] })).toBe(15); // fly-tipping only
      await checkGet(expect, p, { feeds: ['council.asb'] });
      const oracle = await oracleFor(p);
      for (const groupBy of [['CATEGORY'], ['LSOA_CODE', 'CATEGORY'], ['WARD_CODE'], ['SOURCE_CATEGORY', 'LSOA_CODE'], ['FEED', 'MONTH']] as GroupByName[][]) {
        const expected = expectedCounts(oracle, world.incidents, groupBy.map((g) => GROUP_KEYS[g]), {}, world.agencies).find((t) => t.agencyId === councilId);
        expect(expected?.controlled, groupBy.join(',')).toBe(true);
        await checkAggregate(expect, p, groupBy, {});
        const api = (await countsBy(hub, token(p), groupBy, {})).find((t) => Number(t.agencyId) === councilId)!;
        expect(api.controlled).toBe(true);
        // Small true counts are never published as themselves: 1 and 2 never appear, and a cell of 1-2 records shows as nothing.
        for (const c of api.cells) expect(c.count, groupBy.join(',')).toBeGreaterThan(SDC.threshold);
        const small = [...expected!.cells.entries()].filter(([, records]) => records.length <= SDC.threshold);
        for (const [k] of small) expect(api.cells.some((c) => c.keys.join('|') === k && c.count === publishedCount(expected!.cells.get(k)!, true, SDC)) || publishedCount(expected!.cells.get(k)!, true, SDC) === 0).toBe(true);
      }
      // the police (who list the same ASB records under a personal agreement) get an uncontrolled table
      const police = principal('charnwood', 'police.analyst');
      await checkAggregate(expect, police, ['LSOA_CODE', 'CATEGORY'], {});
      expect((await countsBy(hub, token(police), ['LSOA_CODE', 'CATEGORY'], {})).find((t) => Number(t.agencyId) === councilId)?.controlled).toBe(false);
    } finally {
      await hub.db.pool.query('delete from isp_agreement where id = $1', [inserted!.id]);
    }
  });
});

describe('exports stay formula-safe and masked on text that could start a formula', () => {
  it('charnwood council ASB rows whose text starts with = + - @: the owner and the police (personal grant) export them apostrophe-prefixed; fire and admin exports hold none', async () => {
    const councilId = agencyIdOf('charnwood-borough-council');
    const csv = [
      'Reference,Date,LSOA code,Location description,ASB category,ASB type,Outcome,Description',
      `CBC-FORMULA-1,03/01/2024 21:30,${CHARNWOOD_LSOAS[0]},"=HYPERLINK(""http://example.test"")",Personal,Rowdy behaviour,@SUM(1),+44 7700 900000`,
      `CBC-FORMULA-2,04/01/2024 21:30,${CHARNWOOD_LSOAS[1]},-Layby on Ashby Road,Nuisance,Rowdy behaviour,=1+1,-quiet now`,
    ].join('\n');
    const result = await ingestFile(hub.db.pool, {
      agencyId: councilId,
      feed: 'council.asb',
      fileName: 'formula.csv',
      source: bytesOf(`${csv}\n`),
      submitter: { userId: null, label: 'matrix formula rows', via: 'seed' },
    });
    expect(result.status).toBe('accepted');
    expect(result.rowsRejected).toBe(0);
    world = await loadWorld(hub.db.pool);
    const formulaRows = world.incidents.filter((r) => r.sourceRef?.startsWith('CBC-FORMULA-')).sort((a, b) => compareIds(a.id, b.id));
    expect(formulaRows.map((r) => [r.locationText, r.outcome])).toEqual([
      ['=HYPERLINK("http://example.test")', '@SUM(1)'],
      ['-Layby on Ashby Road', '=1+1'],
    ]);
    const ASB: Filter = { feeds: ['council.asb'] };
    for (const handle of ['district.analyst', 'police.analyst', 'fire.analyst', 'district.admin']) {
      await checkExport(expect, principal('charnwood', handle), ASB);
      await checkList(expect, principal('charnwood', handle), ASB);
    }
    const police = await exportCsv(hub, token(principal('charnwood', 'police.analyst')), ASB);
    const row = police.rows.find((r) => r.sourceRef === 'CBC-FORMULA-1');
    expect(row?.locationText).toBe('\'=HYPERLINK("http://example.test")');
    expect(row?.restrictedText).toBe('');
  });
});
