import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import proj4 from 'proj4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { demoEmail } from '@csp-hub/db';
import { startTestHub, type TestHub } from '../support/hub';
import type { IngestResult } from '@csp-hub/ingest';
import { agencyId, cliEnv, runCli } from './ingest/support';

/**
 * "Layouts without code", end to end: a fire service export the built-in
 * layouts do not know is described in a layout file, registered with
 * `csp-hub layouts add`, ingested with `csp-hub ingest`, and read back through
 * GraphQL.
 *
 * The export is constructed (no public incident-level extract with these
 * columns could be copied here). Its column names follow the Incident
 * Recording System vocabulary Essex County Fire & Rescue Service uses for its
 * published incident data (transparency.essex-fire.gov.uk, e.g. EIR 1748 and
 * EIR 1749 of November 2024: incident category, fire classification, motive,
 * ward, district); the rows, references and notes are invented. As Excel saves
 * "CSV" on Windows, it is Windows-1252 with CRLF line ends, writes NULL for
 * empty fields and dates day-first (03/02/2024 14:05).
 */

const FIRE_ANALYST = demoEmail('charnwood', 'fire.analyst');
const COUNCIL_ANALYST = demoEmail('charnwood', 'district.analyst');

const HEADER = [
  'Incident Ref',
  'Date Of Call',
  'Incident Type',
  'Property',
  'Station Area',
  'Grid Ref E',
  'Grid Ref N',
  'LSOA',
  'Ward',
  'Casualties',
  'Final Outcome',
  'Crew Notes',
  'Est. Loss',
  'Last Amended',
];

/** [ref, call, type, property, station, E, N, LSOA, ward, casualties, outcome, notes, loss, amended] */
const ROWS: string[][] = [
  ['LFRS/24/000101', '03/02/2024 14:05', 'Secondary Fire - Deliberate', 'Wheelie bin', 'Loughborough', '453420', '319670', 'E01025672', 'Loughborough Hastings', '0', 'Extinguished', 'Bin by the Café set alight again', '£50', '03/02/2024 16:00'],
  ['LFRS/24/000102', '14/03/2024 09:30', 'RTC', 'Car', 'Shepshed', 'NULL', 'NULL', 'E01025673', 'NULL', '2', 'Casualties released', 'Driver’s door cut away', 'NULL', 'NULL'],
  ['LFRS/24/000103', '05/07/2024 23:10', 'False Alarm - Malicious', 'School', 'Loughborough', '454100', '320200', 'NULL', 'Loughborough Lemyngton', 'NULL', 'No action', '-', 'N/A', '06/07/2024 08:00'],
  ['LFRS/24/000104', '31/06/2024 10:00', 'AFA', 'Care home', 'Loughborough', 'NULL', 'NULL', 'E01025672', 'NULL', '0', 'No action', 'NULL', 'NULL', 'NULL'],
  ['LFRS/24/000105', '01/08/2024 12:00', 'NULL', 'Grassland', 'Shepshed', 'NULL', 'NULL', 'E01025673', 'NULL', '0', 'Extinguished', 'NULL', 'NULL', 'NULL'],
  ['LFRS/24/000106', '27/10/2024 01:30', 'Primary Fire - Accidental', 'Café', 'Loughborough', '453550', '319800', 'E01025672', 'Loughborough Hastings', '1', 'Extinguished', 'Chip pan; owner’s estimate £1,200', '£1,200', '28/10/2024 09:15'],
];

/** Windows-1252 bytes of the characters the export uses beyond ASCII. */
const CP1252: Record<string, number> = { 'é': 0xe9, '£': 0xa3, '’': 0x92 };

function windows1252(text: string): Buffer {
  return Buffer.from(
    [...text].map((ch) => {
      const code = CP1252[ch] ?? ch.charCodeAt(0);
      if (code > 0xff) throw new Error(`no Windows-1252 byte for ${ch}`);
      return code;
    }),
  );
}

const csvField = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
const EXPORT = windows1252([HEADER, ...ROWS].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n');

const LAYOUT = `# Leicestershire Fire and Rescue Service incident extract (IRS), as exported
# to Excel by the service's performance team: Windows-1252, NULL for empty
# fields, day-first dates in London time, British National Grid references.
id: leics-fire-irs
version: 1
label: LFRS IRS incident extract
feed: fire.incidents
encoding: windows-1252
header:
  required: [Incident Ref, Date Of Call, Incident Type]
  anyOf:
    name: location column
    groups: [[Grid Ref E, Grid Ref N], [LSOA]]
columns:
  sourceRef: Incident Ref
  occurredAt:
    column: Date Of Call
    format: dd/MM/yyyy HH:mm
  sourceCategory: Incident Type
  category:
    map:
      Primary Fire - Deliberate: criminal_damage_arson
      Secondary Fire - Deliberate: criminal_damage_arson
      RTC: road_safety
      False Alarm - Malicious: anti_social_behaviour
    default: other
  coordinates: { system: bng, easting: Grid Ref E, northing: Grid Ref N }
  lsoaCode: LSOA
  wardName: Ward
  outcome: Final Outcome
  restrictedText:
    - { column: Crew Notes, label: Crew notes }
  attributes:
    propertyType: Property
    stationArea: { column: Station Area, values: [Loughborough, Shepshed, Coalville] }
    casualties: { column: Casualties, type: integer, min: 0 }
    estimatedLoss: Est. Loss
  asOf: { column: Last Amended, format: dd/MM/yyyy HH:mm }
rules:
  requireLocation: true
`;

const BNG = '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs';
const wgs84 = (e: number, n: number) => {
  const [longitude, latitude] = proj4(BNG, 'WGS84').forward([e, n]);
  return { latitude: latitude!, longitude: longitude! };
};

/** The 1-based number of the first line of text that starts with the given text. */
function lineOf(text: string, start: string): number {
  const i = text.split('\n').findIndex((l) => l.startsWith(start));
  if (i < 0) throw new Error(`no line starts with ${start}`);
  return i + 1;
}

/** POST /api/submissions naming a layout (?layout=). */
async function uploadWithLayout(base: string, token: string, body: Buffer, fileName: string, layout: string): Promise<{ status: number; submission?: IngestResult }> {
  const params = new URLSearchParams({ feed: 'fire.incidents', fileName, layout });
  const res = await fetch(`${base}/api/submissions?${params}`, { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` }, body });
  return { status: res.status, ...((await res.json()) as { submission?: IngestResult }) };
}

interface IncidentNode {
  sourceRef: string;
  sourceCategory: string;
  category: string;
  occurredAt: string | null;
  occurredMonth: string;
  lsoaCode: string | null;
  ladCode: string | null;
  latitude: number | null;
  longitude: number | null;
  outcome: string | null;
  attributes: Record<string, unknown>;
  restrictedText: string | null;
  tier: string;
  hiddenFields: string[];
}

describe('a layout written as a file maps an export the built-in layouts do not know', () => {
  let hub: TestHub;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let layoutFile: string;
  let exportFile: string;
  const cli = (...args: string[]) => runCli(args, { env, timeoutMs: 120_000 });
  /** Tests that spawn the CLI (each run loads TypeScript afresh): minutes on a busy machine. */
  const CLI_TEST_MS = 600_000;

  beforeAll(async () => {
    hub = await startTestHub('layouts');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'csp-hub-layouts-'));
    env = cliEnv(hub.db, path.join(tmp, 'data'));
    layoutFile = path.join(tmp, 'leics-fire-irs.yaml');
    exportFile = path.join(tmp, 'lfrs-incidents-2024.csv');
    writeFileSync(layoutFile, LAYOUT);
    writeFileSync(exportFile, EXPORT);
  });
  afterAll(async () => {
    await hub?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the export really is Windows-1252 and holds literal NULLs and day-first dates', () => {
    expect(EXPORT.includes(Buffer.from([0xa3]))).toBe(true);
    expect(EXPORT.includes(Buffer.from([0x92]))).toBe(true);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(EXPORT)).toThrow();
    expect(EXPORT.toString('latin1')).toContain(',NULL,');
    expect(EXPORT.toString('latin1')).toContain('03/02/2024 14:05');
  });

  it('before the layout is registered, the built-in layouts refuse the file', async () => {
    const run = await cli('ingest', '--agency', 'leicestershire-fire', '--feed', 'fire.incidents', '--as', FIRE_ANALYST, exportFile);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refused (WRONG_HEADER)');
    expect(run.stderr).toContain('Accepted layouts and the columns each needs');
  }, CLI_TEST_MS);

  it('layouts add validates, stores and audits the layout (an analyst of the fire service)', async () => {
    const run = await cli('layouts', 'add', layoutFile, '--as', FIRE_ANALYST);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('layout leics-fire-irs version 1 registered for fire.incidents (LFRS IRS incident extract).');
    const stored = await hub.db.pool.query(`select l.feed, l.version, l.active, l.source, u.email from layout l join app_user u on u.id = l.created_by_id where l.id = 'leics-fire-irs'`);
    expect(stored.rows).toEqual([{ feed: 'fire.incidents', version: 1, active: true, source: LAYOUT, email: FIRE_ANALYST }]);
    const audit = await hub.db.pool.query(
      `select a.operation, a.object_type, a.object_id, a.detail, u.email from audit_log a join app_user u on u.id = a.user_id where a.object_type = 'Layout'`,
    );
    expect(audit.rows).toEqual([
      { operation: 'create', object_type: 'Layout', object_id: 'leics-fire-irs@1', detail: { via: 'cli', by: FIRE_ANALYST, feed: 'fire.incidents', version: 1, replacedVersion: null }, email: FIRE_ANALYST },
    ]);
    const verify = await cli('audit', 'verify');
    expect(verify.code).toBe(0);
  }, CLI_TEST_MS);

  it('layouts list and show: the registered layout beside the built-in ones, and its file as written', async () => {
    const list = await cli('layouts', 'list', '--feed', 'fire.incidents');
    expect(list.code).toBe(0);
    const ids = list.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
    expect(ids).toEqual(['afrs', 'lfb', 'fire-generic', 'leics-fire-irs']);
    expect(list.stdout).toMatch(/leics-fire-irs\s+1\s+fire\.incidents\s+registered\s+active\s+LFRS IRS incident extract/);
    const show = await cli('layouts', 'show', 'leics-fire-irs');
    expect(show.stdout).toBe(LAYOUT);
    const builtIn = await cli('layouts', 'show', 'afrs');
    expect(builtIn.stdout).toBe(readFileSync(path.resolve(import.meta.dirname, '../../packages/adapter-fire/layouts/afrs.yaml'), 'utf8'));
  }, CLI_TEST_MS);

  it('csp-hub ingest reads the export with the registered layout; the submission records which', async () => {
    const run = await cli('ingest', '--agency', 'leicestershire-fire', '--feed', 'fire.incidents', '--as', FIRE_ANALYST, exportFile);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/submission \d+ accepted: 6 rows read, 4 accepted \(4 new, 0 updated, 0 unchanged\), 2 rejected, in [\d.]+ s \(layout leics-fire-irs version 1\)/);
    expect(run.stdout).toContain('row 4 [Date Of Call] INVALID_DATE: "31/06/2024 10:00" is not a real date: 2024-06 has no day 31');
    expect(run.stdout).toContain('row 5 [Incident Type] MISSING_VALUE: Incident Type is empty: the row has no category');
    const submission = await hub.db.pool.query(`select id, layout, layout_version, encoding, status, rows_read, rows_accepted, rows_rejected, header from submission where file_name = 'lfrs-incidents-2024.csv' and status = 'accepted'`);
    expect(submission.rows).toEqual([
      expect.objectContaining({ layout: 'leics-fire-irs', layout_version: 1, encoding: 'windows-1252', rows_read: 6, rows_accepted: 4, rows_rejected: 2, header: { layout: 'leics-fire-irs', layoutLabel: 'LFRS IRS incident extract' } }),
    ]);
    const stored = await hub.db.pool.query(`select source_ref from incident where source_ref like 'LFRS/%' order by source_ref`);
    expect(stored.rows.map((r) => r.source_ref)).toEqual(['LFRS/24/000101', 'LFRS/24/000102', 'LFRS/24/000103', 'LFRS/24/000106']);
  }, CLI_TEST_MS);

  it('GraphQL returns every mapped field: decoded characters, nulls for NULL, London times as instants', async () => {
    const token = await hub.tokenFor(FIRE_ANALYST);
    const { status, body } = await hub.gql(
      `{ incidents(first: 50, filter: { feeds: ["fire.incidents"] }) { nodes {
          sourceRef sourceCategory category occurredAt occurredMonth lsoaCode ladCode latitude longitude outcome attributes restrictedText tier hiddenFields } } }`,
      { token },
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const nodes = (body.data!.incidents as { nodes: IncidentNode[] }).nodes;
    const byRef = new Map(nodes.map((n) => [n.sourceRef, n]));
    expect([...byRef.keys()].sort()).toEqual(['LFRS/24/000101', 'LFRS/24/000102', 'LFRS/24/000103', 'LFRS/24/000106']);

    const bin = byRef.get('LFRS/24/000101')!;
    expect(bin).toMatchObject({
      sourceCategory: 'Secondary Fire - Deliberate',
      category: 'CRIMINAL_DAMAGE_ARSON',
      occurredAt: '2024-02-03T14:05:00.000Z', // 14:05 GMT
      occurredMonth: '2024-02',
      lsoaCode: 'E01025672',
      ladCode: 'E07000130',
      outcome: 'Extinguished',
      restrictedText: 'Crew notes: Bin by the Café set alight again',
      tier: 'pseudonymised',
      hiddenFields: [],
    });
    expect(bin.attributes).toEqual({ propertyType: 'Wheelie bin', stationArea: 'Loughborough', casualties: 0, estimatedLoss: '£50' });
    const binPlace = wgs84(453420, 319670);
    expect(bin.latitude).toBeCloseTo(binPlace.latitude, 6);
    expect(bin.longitude).toBeCloseTo(binPlace.longitude, 6);

    const rtc = byRef.get('LFRS/24/000102')!;
    expect(rtc).toMatchObject({
      sourceCategory: 'RTC',
      category: 'ROAD_SAFETY',
      occurredAt: '2024-03-14T09:30:00.000Z',
      lsoaCode: 'E01025673',
      latitude: null,
      longitude: null,
      outcome: 'Casualties released',
      restrictedText: 'Crew notes: Driver’s door cut away',
    });
    // NULL read as empty: the attribute is left out, not stored as the text "NULL".
    expect(rtc.attributes).toEqual({ propertyType: 'Car', stationArea: 'Shepshed', casualties: 2 });

    const hoax = byRef.get('LFRS/24/000103')!;
    expect(hoax).toMatchObject({
      sourceCategory: 'False Alarm - Malicious',
      category: 'ANTI_SOCIAL_BEHAVIOUR',
      occurredAt: '2024-07-05T22:10:00.000Z', // 23:10 BST
      occurredMonth: '2024-07',
      restrictedText: null, // "-" is a null token
      ladCode: 'E07000130',
    });
    expect(hoax.attributes).toEqual({ propertyType: 'School', stationArea: 'Loughborough' }); // "N/A" loss and NULL casualties left out
    const hoaxPlace = wgs84(454100, 320200);
    expect(hoax.latitude).toBeCloseTo(hoaxPlace.latitude, 6);

    const chipPan = byRef.get('LFRS/24/000106')!;
    expect(chipPan).toMatchObject({
      sourceCategory: 'Primary Fire - Accidental',
      category: 'OTHER',
      occurredAt: '2024-10-27T01:30:00.000Z', // 01:30 on the morning the clocks go back: GMT again
      occurredMonth: '2024-10',
      restrictedText: 'Crew notes: Chip pan; owner’s estimate £1,200',
    });
    expect(chipPan.attributes).toEqual({ propertyType: 'Café', stationArea: 'Loughborough', casualties: 1, estimatedLoss: '£1,200' });
    expect(JSON.stringify(nodes)).not.toMatch(/NULL|N\/A|\uFFFD|Ã/);
  });

  it('the rejects name the row, the column and the reason (GraphQL, for the submitting agency)', async () => {
    const token = await hub.tokenFor(FIRE_ANALYST);
    const id = (await hub.db.pool.query(`select id from submission where file_name = 'lfrs-incidents-2024.csv' and status = 'accepted'`)).rows[0].id;
    const { body } = await hub.gql(`{ submission(id: "${id}") { status rowsRejected rejects { total items { rowNumber column value reason } } } }`, { token });
    expect(body.data!.submission).toEqual({
      status: 'accepted',
      rowsRejected: 2,
      rejects: {
        total: 2,
        items: [
          { rowNumber: 4, column: 'Date Of Call', value: '31/06/2024 10:00', reason: 'INVALID_DATE' },
          { rowNumber: 5, column: 'Incident Type', value: '', reason: 'MISSING_VALUE' },
        ],
      },
    });
  });

  it('a new version replaces the old; a repeat, a built-in id, a bad file and an analyst of another agency are refused', async () => {
    const v2 = LAYOUT.replace('version: 1', 'version: 2').replace('    estimatedLoss: Est. Loss\n', '    estimatedLoss: Est. Loss\n    amendedAt: { column: Last Amended, type: date, format: dd/MM/yyyy HH:mm }\n');
    const v2File = path.join(tmp, 'leics-fire-irs-v2.yaml');
    writeFileSync(v2File, v2);
    const added = await cli('layouts', 'add', v2File, '--as', FIRE_ANALYST);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('layout leics-fire-irs version 2 registered for fire.incidents (LFRS IRS incident extract); it replaces version 1.');
    const again = await cli('layouts', 'add', v2File, '--as', FIRE_ANALYST);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Layout leics-fire-irs version 2 is already registered');
    expect(again.stderr).toContain('(LAYOUT_EXISTS)');

    const builtInFile = path.join(tmp, 'afrs.yaml');
    writeFileSync(builtInFile, LAYOUT.replace('id: leics-fire-irs', 'id: afrs'));
    const builtIn = await cli('layouts', 'add', builtInFile);
    expect(builtIn.code).toBe(1);
    expect(builtIn.stderr).toContain('(LAYOUT_IS_BUILT_IN)');

    // Every problem at once, each with its line: a bad date format, a bad coordinate system and an unknown field.
    const badFile = path.join(tmp, 'bad.yaml');
    writeFileSync(
      badFile,
      LAYOUT.replace('id: leics-fire-irs', 'id: bad-one')
        .replace('    format: dd/MM/yyyy HH:mm\n  sourceCategory', '    format: dd/mm/yy hh\n  sourceCategory')
        .replace('system: bng', 'system: osgb')
        .replace('  lsoaCode: LSOA', '  lsoa: LSOA'),
    );
    const bad = await cli('layouts', 'add', badFile, '--as', FIRE_ANALYST);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('bad.yaml is not a valid layout (3 problems):');
    expect(bad.stderr).toContain(`bad.yaml line ${lineOf(LAYOUT, '    format: dd/MM/yyyy HH:mm')}, columns.occurredAt.format: unknown date format "dd/mm/yy hh"`);
    expect(bad.stderr).toContain(`bad.yaml line ${lineOf(LAYOUT, '  coordinates:')}, columns.coordinates.system: "osgb" is not one of: wgs84, bng`);
    expect(bad.stderr).toContain(`bad.yaml line ${lineOf(LAYOUT, '  lsoaCode: LSOA')}, columns.lsoa: unknown field "lsoa" (did you mean "lsoaCode"?)`);

    const council = await cli('layouts', 'add', path.join(tmp, 'leics-fire-irs.yaml'), '--as', COUNCIL_ANALYST);
    expect(council.code).toBe(1);
    expect(council.stderr).toContain('(NOT_YOUR_FEED)');
    const stored = await hub.db.pool.query(`select id, version, active from layout order by id, version`);
    expect(stored.rows).toEqual([
      { id: 'leics-fire-irs', version: 1, active: false },
      { id: 'leics-fire-irs', version: 2, active: true },
    ]);
  }, CLI_TEST_MS);

  it('HTTP upload can name the layout: the active version reads it; a layout that does not fit refuses it', async () => {
    const token = await hub.tokenFor(FIRE_ANALYST);
    // A different file (the first rows only), so it is not a duplicate of the CLI submission.
    const lines = EXPORT.toString('latin1').split('\r\n');
    const part = Buffer.from(`${lines.slice(0, 3).join('\r\n')}\r\n`, 'latin1');
    const named = await uploadWithLayout(hub.base, token, part, 'part.csv', 'leics-fire-irs');
    expect(named.status).toBe(201);
    expect(named.submission).toMatchObject({ status: 'accepted', layout: { id: 'leics-fire-irs', version: 2 }, rowsAccepted: 2, encoding: 'windows-1252' });
    const updated = await hub.db.pool.query(`select attributes->>'amendedAt' as amended from incident where source_ref = 'LFRS/24/000101'`);
    expect(updated.rows).toEqual([{ amended: '2024-02-03T16:00:00.000Z' }]);
    const wrong = await uploadWithLayout(hub.base, token, part, 'part-again.csv', 'afrs');
    expect(wrong.status).toBe(422);
    expect(wrong.submission).toMatchObject({ status: 'refused', errorCode: 'WRONG_HEADER' });
    const fire = await agencyId(hub.db.pool, 'leicestershire-fire');
    const refused = await hub.db.pool.query(`select count(*)::int as n from submission where agency_id = $1 and status = 'refused'`, [fire]);
    expect(refused.rows[0].n).toBe(2);
  });

  it('layouts suggest proposes a layout from the export: encoding, null tokens, date format and British National Grid', async () => {
    const run = await cli('layouts', 'suggest', '--feed', 'fire.incidents', exportFile);
    expect(run.code).toBe(0);
    const yaml = run.stdout;
    expect(yaml).toContain('# Null tokens seen: NULL (');
    expect(yaml).toContain('Windows-1252');
    expect(yaml).toContain('# British National Grid: Grid Ref E 453,420-454,100, Grid Ref N 319,670-320,200 metres');
    expect(yaml).toContain('CHECK');
    const suggested = parse(yaml) as { encoding: string; columns: Record<string, unknown> };
    expect(suggested.encoding).toBe('windows-1252');
    expect(suggested.columns).toMatchObject({
      sourceRef: 'Incident Ref',
      occurredAt: { column: 'Date Of Call', format: 'dd/MM/yyyy HH:mm' },
      asOf: { column: 'Last Amended', format: 'dd/MM/yyyy HH:mm' },
      coordinates: { system: 'bng', easting: 'Grid Ref E', northing: 'Grid Ref N' },
      lsoaCode: 'LSOA',
      wardName: 'Ward',
      sourceCategory: 'Incident Type',
    });
    // The person checking it can dry-run it on the export before adding it.
    const suggestedFile = path.join(tmp, 'suggested.yaml');
    writeFileSync(suggestedFile, yaml);
    const check = await cli('layouts', 'check', suggestedFile, exportFile);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('lfrs-incidents-2024.csv (windows-1252): 6 rows, 4 read, 2 rejected.');
  }, CLI_TEST_MS);
});
