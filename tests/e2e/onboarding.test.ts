import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitCsv } from '@csp-hub/adapter-kit/testing';
import { freePort } from '@csp-hub/db';
import { createTestDatabase, type TestDatabase } from '@csp-hub/db/testing';
import { POLICE_STREET_COLUMNS, policeStreetCsv, type PoliceStreetRow } from '@csp-hub/ingest';
import { SHARED_DATA } from '../support/dataset';
import { CLI, runCli } from './leaks/http';

/**
 * Issue #11: a real partnership set up from an EMPTY database with the CLI alone, the same
 * sequence README.md "Set up your own partnership" shows: South Nottinghamshire (E22000366) from
 * its ONS CSP code, a police force and a council, four users, an agreement requested by the
 * council and approved by the police, then an upload over HTTP of a data.police.uk-shaped file
 * and reading it back through GraphQL.
 */
const SOUTH_NOTTS = { csp: 'E22000366', lads: ['E07000172', 'E07000173', 'E07000176'], pfa: 'E23000019' };
const NOTTINGHAM_CITY = 'E06000018';
const POLICE = 'nottinghamshire-police';
const COUNCIL = 'rushcliffe-borough-council';
const USERS = {
  policeAnalyst: 'analyst@nottinghamshire.police.example',
  policeOwner: 'iao@nottinghamshire.police.example',
  councilChair: 'chair@rushcliffe.example',
  councilAnalyst: 'analyst@rushcliffe.example',
} as const;

interface Lsoa { code: string; name: string; lad: string; latitude: number; longitude: number }

/** Real LSOAs of the named districts from the ONS files, with their population-weighted centroids. */
function lsoasOf(lads: string[]): Lsoa[] {
  const table = (file: string) => {
    const [header, ...rows] = splitCsv(readFileSync(path.join(SHARED_DATA, 'geography', file), 'utf8').replace(/^\uFEFF/, ''));
    return rows.filter((r) => r.length === header!.length).map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
  };
  const centroids = new Map(table('Lower_Layer_Super_Output_Areas_December_2011_Population_Weighted_Centroids.csv').map((r) => [r.lsoa11cd!, [Number(r.X), Number(r.Y)]]));
  return table('ons-lsoa11-ward19-lad19-lookup-ew.csv')
    .filter((r) => lads.includes(r.LAD19CD!))
    .map((r) => ({ code: r.LSOA11CD!, name: r.LSOA11NM!, lad: r.LAD19CD!, longitude: centroids.get(r.LSOA11CD!)![0]!, latitude: centroids.get(r.LSOA11CD!)![1]! }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

/** A street-level month as data.police.uk publishes it: 12 columns, 64-hex Crime IDs, ASB without one. */
function streetRows(lsoas: Lsoa[], n: number, label: string): PoliceStreetRow[] {
  const types = ['Violence and sexual offences', 'Anti-social behaviour', 'Burglary', 'Criminal damage and arson', 'Shoplifting'];
  return Array.from({ length: n }, (_, i) => {
    const l = lsoas[(i * 7) % lsoas.length]!;
    const crimeType = types[i % types.length]!;
    const asb = crimeType === 'Anti-social behaviour';
    return {
      crimeId: asb ? '' : Buffer.from(`${label}-${i}`).toString('hex').padEnd(64, '0').slice(0, 64),
      month: '2024-02',
      force: 'Nottinghamshire Police',
      longitude: Number(l.longitude.toFixed(6)),
      latitude: Number(l.latitude.toFixed(6)),
      location: 'On or near Main Road',
      lsoaCode: l.code,
      lsoaName: l.name,
      crimeType,
      outcome: asb ? '' : 'Under investigation',
    };
  });
}

// Each CLI run starts a process (several seconds on a busy machine): generous per-test time.
describe('onboarding South Nottinghamshire with the CLI alone, then sharing over HTTP and GraphQL', { timeout: 600_000 }, () => {
  let db: TestDatabase;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let server: ChildProcess | undefined;
  let base = '';
  const tokens = {} as Record<keyof typeof USERS, string>;
  const cli = async (...args: string[]) => runCli(args, env);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.stderr, `csp-hub ${args.join(' ')}`).toBe('');
    expect(r.code, `csp-hub ${args.join(' ')}`).toBe(0);
    return r.stdout;
  };
  const refused = async (reason: string, ...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, `csp-hub ${args.join(' ')}: ${r.stdout}`).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^csp-hub: .+ \\(${reason}\\)\\n$`));
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    return r.stderr;
  };
  const sql = async <T>(text: string, values: unknown[] = []) => (await db.pool.query(text, values)).rows as T[];
  const gql = async <T>(who: keyof typeof USERS, query: string, variables?: Record<string, unknown>): Promise<T> => {
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data!;
  };

  beforeAll(async () => {
    db = await createTestDatabase('onboarding', { empty: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-onboarding-'));
    env = { ...process.env, DATABASE_URL: db.appUrl, MIGRATION_DATABASE_URL: db.ownerUrl, CSP_HUB_DATA_DIR: dataDir, CSP_HUB_REFERENCE_DIR: SHARED_DATA, LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server!.once('exit', resolve));
    }
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrate and import-geography on an empty database', async () => {
    expect(await ok('migrate')).toContain('migrations are up to date');
    expect(await ok('import-geography')).toMatch(/^loaded 34753 LSOAs, \d+ wards, \d+ districts, \d+ CSPs\n$/);
    expect(await sql('select count(*)::int as n from partnership')).toEqual([{ n: 0 }]);
  });

  it('partnership add --csp-code E22000366 registers South Nottinghamshire: three districts and the Nottinghamshire force area', async () => {
    const out = await ok('partnership', 'add', '--csp-code', SOUTH_NOTTS.csp);
    expect(out).toContain('South Nottinghamshire Community Safety Partnership');
    expect(out).toContain('districts: Broxtowe (E07000172), Gedling (E07000173), Rushcliffe (E07000176)');
    expect(out).toContain('police force area: Nottinghamshire (E23000019)');
    expect(await sql('select code, name, lad_codes, pfa_code, county_code from partnership')).toEqual([
      { code: SOUTH_NOTTS.csp, name: 'South Nottinghamshire Community Safety Partnership', lad_codes: SOUTH_NOTTS.lads, pfa_code: SOUTH_NOTTS.pfa, county_code: 'E10000024' },
    ]);
    expect(await refused('PARTNERSHIP_EXISTS', 'partnership', 'add', '--csp-code', SOUTH_NOTTS.csp)).toContain('already registered');
    expect(await refused('UNKNOWN_CSP', 'partnership', 'add', '--csp-code', 'E22999999')).toContain('No CSP E22999999');
  });

  it('agency add: the police force with the name it publishes under, and a council; bad input is refused by name', async () => {
    expect(await refused('INVALID_AGENCY', 'agency', 'add', '--code', POLICE, '--name', 'Nottinghamshire Police', '--type', 'police', '--partnership', SOUTH_NOTTS.csp))
      .toContain('a police agency needs --force-name');
    expect(await refused('INVALID_AGENCY', 'agency', 'add', '--code', 'x-council', '--name', 'X', '--type', 'parish'))
      .toContain('type "parish" is not one of police, fire, health, council');
    await ok('agency', 'add', '--code', POLICE, '--name', 'Nottinghamshire Police', '--type', 'police', '--force-name', 'Nottinghamshire Police', '--partnership', SOUTH_NOTTS.csp);
    await ok('agency', 'add', '--code', COUNCIL, '--name', 'Rushcliffe Borough Council', '--type', 'council', '--partnership', SOUTH_NOTTS.csp);
    expect(await sql('select a.code, a.type, a.force_name, a.statutory from agency a join partnership_agency pa on pa.agency_id = a.id order by a.code')).toEqual([
      { code: POLICE, type: 'police', force_name: 'Nottinghamshire Police', statutory: true },
      { code: COUNCIL, type: 'council', force_name: null, statutory: true },
    ]);
  });

  it('user add: police analyst and data owner, council chair (first partnership admin) and analyst; duplicates, unknown roles and outsiders refused', async () => {
    await ok('user', 'add', '--email', USERS.policeAnalyst, '--agency', POLICE, '--partnership', SOUTH_NOTTS.csp, '--roles', 'analyst');
    await ok('user', 'add', '--email', USERS.policeOwner, '--agency', POLICE, '--partnership', SOUTH_NOTTS.csp, '--roles', 'data_owner', '--name', 'Information Asset Owner, Nottinghamshire Police');
    await ok('user', 'add', '--email', USERS.councilChair, '--agency', COUNCIL, '--partnership', SOUTH_NOTTS.csp, '--roles', 'chair,partnership_admin');
    await ok('user', 'add', '--email', USERS.councilAnalyst, '--agency', COUNCIL, '--partnership', SOUTH_NOTTS.csp, '--roles', 'analyst');
    expect(await refused('USER_EXISTS', 'user', 'add', '--email', USERS.councilAnalyst.toUpperCase(), '--agency', COUNCIL, '--partnership', SOUTH_NOTTS.csp, '--roles', 'analyst'))
      .toContain(`A user with e-mail ${USERS.councilAnalyst} already exists`);
    expect(await refused('UNKNOWN_ROLE', 'user', 'add', '--email', 'x@rushcliffe.example', '--agency', COUNCIL, '--partnership', SOUTH_NOTTS.csp, '--roles', 'analyst,superuser'))
      .toContain('Unknown role superuser');
    await ok('agency', 'add', '--code', 'bassetlaw-district-council', '--name', 'Bassetlaw District Council', '--type', 'council');
    expect(await refused('AGENCY_NOT_IN_PARTNERSHIP', 'user', 'add', '--email', 'x@bassetlaw.example', '--agency', 'bassetlaw-district-council', '--partnership', SOUTH_NOTTS.csp, '--roles', 'analyst'))
      .toContain('Bassetlaw District Council (bassetlaw-district-council) is not a partner of South Nottinghamshire Community Safety Partnership');
    expect(await refused('LAST_ADMIN', 'user', 'roles', '--email', USERS.councilChair, '--roles', 'chair')).toContain('last active partnership administrator');
    expect(await sql('select email, roles, active from app_user order by id')).toEqual([
      { email: USERS.policeAnalyst, roles: ['analyst'], active: true },
      { email: USERS.policeOwner, roles: ['data_owner'], active: true },
      { email: USERS.councilChair, roles: ['chair', 'partnership_admin'], active: true },
      { email: USERS.councilAnalyst, roles: ['analyst'], active: true },
    ]);
  });

  it('agreement: the council chair adds and requests it, cannot approve it; the police data owner approves it', async () => {
    const added = await ok(
      'agreement', 'add', '--as', USERS.councilChair, '--title', 'Street-level crime to Rushcliffe Borough Council',
      '--provider', POLICE, '--datasets', 'police.street', '--recipients', COUNCIL, '--tier', 'public',
      '--purpose', 'Fortnightly tasking', '--lawful-basis', 's115 Crime and Disorder Act 1998', '--request',
    );
    expect(added).toMatch(/^recorded agreement 1 \(version 1\): requested {2}"Street-level crime to Rushcliffe Borough Council"/);
    expect(await refused('PROVIDER_APPROVAL_REQUIRED', 'agreement', 'approve', '--as', USERS.councilChair, '--id', '1'))
      .toContain('Only a chair, partnership administrator or data owner of Nottinghamshire Police (the provider)');
    const approved = await ok('agreement', 'approve', '--as', USERS.policeOwner, '--id', '1', '--note', 'Approved by the IAO');
    expect(approved).toContain('active (in force)');
    expect(approved).toContain('approved (activation) by Information Asset Owner, Nottinghamshire Police of nottinghamshire-police');
    expect(await sql(`select status, tier, datasets, jsonb_array_length(approvals) as approvals from isp_agreement`)).toEqual([
      { status: 'active', tier: 'public', datasets: ['police.street'], approvals: 1 },
    ]);
  });

  it('every onboarding change is in the audit log, the CLI ones under the operating-system account, and the chain verifies', async () => {
    const entries = await sql<{ object_type: string; operation: string; user_id: number | null; by: string | null }>(
      `select object_type, operation, user_id, detail->>'by' as by from audit_log order by id`,
    );
    const operator = `cli:${os.userInfo().username}`;
    expect(entries.filter((e) => e.by === operator).map((e) => `${e.operation} ${e.object_type}`)).toEqual([
      'create Partnership', 'create Agency', 'update Partnership', 'create Agency', 'update Partnership',
      'create User', 'create User', 'create User', 'create User', 'create Agency',
    ]);
    expect(entries.filter((e) => e.object_type === 'IspAgreement').map((e) => [e.operation, e.user_id])).toEqual([['create', 3], ['update', 2]]);
    expect(await ok('audit', 'verify')).toMatch(/^audit log intact: 12 entries/);
  });

  it('serve; the police analyst uploads a data.police.uk street file over HTTP; the council analyst reads the rows in South Nottinghamshire only', async () => {
    for (const who of Object.keys(USERS) as (keyof typeof USERS)[]) tokens[who] = (await ok('token', '--email', USERS[who])).trim();
    const port = await freePort();
    server = spawn(process.execPath, [CLI, 'serve'], { env: { ...env, PORT: String(port) } });
    let out = '';
    server.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    server.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const deadline = Date.now() + 90_000;
    while (!out.includes('csp-hub is running') && Date.now() < deadline && server.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    expect(out).toContain(`GraphQL: http://127.0.0.1:${port}/graphql`);
    base = `http://127.0.0.1:${port}`;

    const inArea = lsoasOf(SOUTH_NOTTS.lads);
    expect(new Set(inArea.map((l) => l.lad))).toEqual(new Set(SOUTH_NOTTS.lads));
    const city = lsoasOf([NOTTINGHAM_CITY]);
    const rows = [...streetRows(inArea, 40, 'sn'), ...streetRows(city, 10, 'city')];
    const file = policeStreetCsv(rows);
    expect(file.split('\n')[0]).toBe(POLICE_STREET_COLUMNS.join(','));
    expect(file.split('\n')[0]).toBe('Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context');
    const upload = await fetch(`${base}/api/submissions?feed=police.street&fileName=2024-02-nottinghamshire-street.csv`, {
      method: 'POST', headers: { authorization: `Bearer ${tokens.policeAnalyst}`, 'content-type': 'text/csv' }, body: file,
    });
    const result = (await upload.json()) as { submission: { status: string; rowsRead: number; rowsAccepted: number; rowsRejected: number } };
    expect(upload.status, JSON.stringify(result)).toBe(201);
    expect(result.submission).toMatchObject({ status: 'accepted', rowsRead: 50, rowsAccepted: 50, rowsRejected: 0 });

    const query = `query($f: IncidentFilter) { incidentCount(filter: $f) incidents(filter: $f, first: 100) { nodes { id ladCode lsoaCode sourceCategory locationText latitude hiddenFields } } }`;
    type Result = { incidentCount: number; incidents: { nodes: { ladCode: string | null; lsoaCode: string | null; locationText: string | null; latitude: number | null; hiddenFields: string[] }[] } };
    const council = await gql<Result>('councilAnalyst', query, { f: { feeds: ['police.street'] } });
    expect(council.incidentCount).toBe(40);
    expect(new Set(council.incidents.nodes.map((n) => n.ladCode))).toEqual(new Set(SOUTH_NOTTS.lads));
    expect(council.incidents.nodes.map((n) => n.lsoaCode).sort()).toEqual(rows.slice(0, 40).map((r) => r.lsoaCode).sort());
    for (const n of council.incidents.nodes) {
      expect(n.hiddenFields).toEqual(['restrictedText']); // public records at public tier: every shared field
      expect(n.locationText).toBe('On or near Main Road');
      expect(n.latitude).not.toBeNull();
    }
    const outside = await gql<Result>('councilAnalyst', query, { f: { ladCodes: [NOTTINGHAM_CITY] } });
    expect(outside.incidentCount).toBe(0);

    const police = await gql<Result>('policeAnalyst', query, { f: { feeds: ['police.street'] } });
    expect(police.incidentCount).toBe(50);
    expect(police.incidents.nodes.filter((n) => n.ladCode === NOTTINGHAM_CITY)).toHaveLength(10);
    expect(police.incidents.nodes.every((n) => n.hiddenFields.length === 0)).toBe(true);
  });

  it('a deactivated user is refused on the next request; the partnership admin then manages users through GraphQL', async () => {
    await ok('user', 'deactivate', '--email', USERS.councilAnalyst, '--reason', 'Left the council');
    const res = await fetch(`${base}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.councilAnalyst}` }, body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(res.status).toBe(401);
    const users = await gql<{ users: { email: string; active: boolean }[] }>('councilChair', '{ users { email active } }');
    expect(users.users.find((u) => u.email === USERS.councilAnalyst)).toEqual({ email: USERS.councilAnalyst, active: false });
    const created = await gql<{ createUser: { email: string; roles: string[]; agency: { code: string } } }>(
      'councilChair', 'mutation($i: NewUserInput!) { createUser(input: $i) { email roles agency { code } } }',
      { i: { email: 'new.analyst@rushcliffe.example', agencyId: String((await sql<{ id: number }>('select id from agency where code = $1', [COUNCIL]))[0]!.id), roles: ['analyst'] } },
    );
    expect(created.createUser).toEqual({ email: 'new.analyst@rushcliffe.example', roles: ['analyst'], agency: { code: COUNCIL } });
    server!.kill('SIGTERM');
    expect(await new Promise((resolve) => server!.once('exit', resolve))).toBe(0);
  });
});
