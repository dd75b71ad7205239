import { describe, expect, it } from 'vitest';
import { bytesOf } from '@csp-hub/adapter-kit';
import { collect } from '@csp-hub/adapter-kit/testing';
import { HubError, type NormalisedIncident } from '@csp-hub/taxonomy';
import { candidatesAdapter, fileCandidate, layoutsDescription } from './adapter';
import { compileLayout, type CompiledLayout } from './compile';
import { bngToWgs84 } from './grid';
import { parseLayout } from './parse';
import { transformRegistry } from './transforms';

const transforms = transformRegistry([
  {
    name: 'code-prefix',
    description: 'the part of a code before the first slash',
    inputs: { code: { required: true, description: 'a code' } },
    apply: (inputs) =>
      inputs.code ? { ok: true, value: inputs.code.split('/')[0]! } : { ok: false, input: 'code', reason: 'MISSING_VALUE', message: 'no code' },
  },
]);

function layout(yaml: string): CompiledLayout {
  return compileLayout(parseLayout(yaml, { fileName: 'test.yaml', transforms }), transforms);
}

function adapterOf(...layouts: CompiledLayout[]) {
  return candidatesAdapter(layouts.map(fileCandidate), { description: layoutsDescription(layouts[0]!.feed, layouts[0]!, layouts) });
}

async function read(l: CompiledLayout | CompiledLayout[], content: string | Uint8Array) {
  const list = Array.isArray(l) ? l : [l];
  const seen: { encoding?: string; layout?: string; header?: Record<string, string> } = {};
  const out = await collect(
    adapterOf(...list).read(bytesOf(content, 7), {
      onEncoding: (e) => (seen.encoding = e),
      onLayout: (id, version) => (seen.layout = `${id}@${version}`),
      onHeader: (h) => (seen.header = h),
    }),
  );
  return { ...out, ...seen };
}

async function refusal(l: CompiledLayout | CompiledLayout[], content: string): Promise<HubError> {
  const error = await read(l, content).catch((e: unknown) => e);
  if (error instanceof HubError) return error;
  throw new Error(`expected a refusal, got ${String(error)}`);
}

const FIRE = `
id: acme-fire
label: Acme incident extract
feed: fire.incidents
header:
  required: [Ref, Called, Type]
columns:
  sourceRef: Ref
  occurredAt: { column: Called, format: dd/MM/yyyy HH:mm }
  sourceCategory: Type
  category:
    map: { Deliberate secondary fire: criminal_damage_arson, RTC: road_safety }
    default: other
  coordinates:
    - { system: bng, easting: E, northing: N }
    - { system: wgs84, latitude: Lat, longitude: Lon }
  lsoaCode: LSOA
  wardName: Ward
  outcome: Result
  restrictedText: [{ column: Notes, label: Notes }]
  attributes:
    casualties: { column: Casualties, type: integer, min: 0 }
    station: Station
rules:
  recordLocationPrecision: true
`;

describe('null tokens', () => {
  const header = 'Ref,Called,Type,E,N,Lat,Lon,LSOA,Ward,Result,Notes,Casualties,Station';

  it('read NULL, N/A, - and empty as empty by default (any case, trimmed)', async () => {
    const csv = `${header}\nA1,03/02/2024 14:05,RTC,NULL, null ,N/A,n/a,-,NULL,N/A, - ,NULL,\n`;
    const { incidents, rejects } = await read(layout(FIRE), csv);
    expect(rejects).toEqual([]);
    expect(incidents[0]).toMatchObject({
      latitude: null,
      longitude: null,
      lsoaCode: null,
      wardName: null,
      outcome: null,
      restrictedText: null,
    });
    expect(incidents[0]!.attributes).toEqual({});
  });

  it('can be overridden: with nullTokens [NA] a literal NULL is text and NA is empty', async () => {
    const custom = layout(FIRE.replace('feed: fire.incidents', 'feed: fire.incidents\nnullTokens: [NA]'));
    const csv = `${header}\nA1,03/02/2024 14:05,RTC,,,,,,NULL,N/A,NA,,-\n`;
    const { incidents } = await read(custom, csv);
    expect(incidents[0]).toMatchObject({ wardName: 'NULL', outcome: 'N/A', restrictedText: null, attributes: { station: '-' } });
  });

  it('empty attributes: left out by default; null when the layout says so and the column is there', async () => {
    const keep = layout(FIRE.replace('feed: fire.incidents', "feed: fire.incidents\nemptyAttributes: 'null'"));
    const { incidents } = await read(keep, 'Ref,Called,Type,Casualties\nA1,03/02/2024 14:05,RTC,NULL\n');
    expect(incidents[0]!.attributes).toEqual({ casualties: null });
  });
});

describe('coordinates', () => {
  const header = 'Ref,Called,Type,E,N,Lat,Lon';
  const at = (row: string) => read(layout(FIRE), `${header}\n${row}\n`);

  it('converts British National Grid to WGS84 with proj4 (exact metres: precision 1)', async () => {
    const { incidents } = await at('A1,03/02/2024 14:05,RTC,453420,319670,,');
    const expected = bngToWgs84(453420, 319670);
    expect(incidents[0]!.latitude).toBeCloseTo(expected.latitude, 9);
    expect(incidents[0]!.longitude).toBeCloseTo(expected.longitude, 9);
    // Loughborough town centre.
    expect(incidents[0]!.latitude).toBeCloseTo(52.7715, 2);
    expect(incidents[0]!.longitude).toBeCloseTo(-1.2056, 2);
    expect(incidents[0]!.attributes.locationPrecisionM).toBe(1);
  });

  it('places masked references at the centre of their square and keeps its size', async () => {
    const { incidents } = await at('A1,03/02/2024 14:05,RTC,453***,319***,,');
    const centre = bngToWgs84(453500, 319500);
    expect(incidents[0]!.latitude).toBeCloseTo(centre.latitude, 9);
    expect(incidents[0]!.attributes.locationPrecisionM).toBe(1000);
  });

  it('falls back to the next source when one is empty, and the precision is unknown for latitude/longitude', async () => {
    const { incidents } = await at('A1,03/02/2024 14:05,RTC,,,52.77,-1.21');
    expect(incidents[0]).toMatchObject({ latitude: 52.77, longitude: -1.21 });
    expect(incidents[0]!.attributes.locationPrecisionM).toBeUndefined();
  });

  it('rejects a bad pair naming its first column, even when a later source would do', async () => {
    const { rejects } = await read(
      layout(FIRE),
      `${header}\nA1,03/02/2024 14:05,RTC,690000,40000,52.77,-1.21\nA2,03/02/2024 14:05,RTC,453420,,,\nA3,03/02/2024 14:05,RTC,,,52.77,\n`,
    );
    expect(rejects).toEqual([
      expect.objectContaining({ rowNumber: 1, column: 'E', value: '690000,40000', reason: 'INVALID_COORDINATE', message: expect.stringContaining('outside the UK') }),
      expect.objectContaining({ rowNumber: 2, column: 'E', reason: 'INVALID_COORDINATE', message: 'only one of easting and northing is given' }),
      expect.objectContaining({ rowNumber: 3, column: 'Lat', reason: 'INVALID_COORDINATE', message: 'only one of latitude and longitude is given' }),
    ]);
  });

  it('reads a "(lat, lon)" point column', async () => {
    const pointLayout = layout(FIRE.replace(/ {2}coordinates:\n.*\n.*\n/, '  coordinates: { system: wgs84, point: Where }\n'));
    const { incidents, rejects } = await read(pointLayout, 'Ref,Called,Type,Where\nA1,03/02/2024 14:05,RTC,"(52.77, -1.21)"\nA2,03/02/2024 14:05,RTC,somewhere\n');
    expect(incidents[0]).toMatchObject({ latitude: 52.77, longitude: -1.21 });
    expect(rejects).toEqual([expect.objectContaining({ rowNumber: 2, column: 'Where', reason: 'INVALID_COORDINATE' })]);
  });

  it('refuses a header with half a coordinate pair', async () => {
    const error = await refusal(layout(FIRE), 'Ref,Called,Type,E\nA1,03/02/2024 14:05,RTC,453420\n');
    expect(error.reason).toBe('WRONG_HEADER');
    expect(error.message).toContain('This Acme incident extract file has E but no N column');
  });
});

describe('fields', () => {
  it('maps every field: id, time, category map, area codes, outcome, restricted text, attributes', async () => {
    const csv = [
      'Ref,Called,Type,LSOA,Ward,Result,Notes,Casualties,Station,Other',
      'A1,03/07/2024 14:05,Deliberate secondary fire,e01025672,Loughborough Southfields,Extinguished,"Bin set alight, ""again""",2,Loughborough,x',
      'A2,03/07/2024 14:05,Chimney,,,,,0,,x',
    ].join('\n');
    const { incidents, rejects } = await read(layout(FIRE), `${csv}\n`);
    expect(rejects).toEqual([]);
    expect(incidents[0]).toEqual<NormalisedIncident>({
      kind: 'incident',
      rowNumber: 1,
      sourceRef: 'A1',
      sourceCategory: 'Deliberate secondary fire',
      category: 'criminal_damage_arson',
      occurredMonth: '2024-07',
      occurredAt: '2024-07-03T13:05:00.000Z',
      locationText: null,
      lsoaCode: 'E01025672',
      lsoaName: null,
      wardName: 'Loughborough Southfields',
      latitude: null,
      longitude: null,
      outcome: 'Extinguished',
      tier: 'pseudonymised',
      attributes: { casualties: 2, station: 'Loughborough' },
      restrictedText: 'Notes: Bin set alight, "again"',
    });
    // Not in the map: the default priority, the source label kept.
    expect(incidents[1]).toMatchObject({ sourceCategory: 'Chimney', category: 'other', attributes: { casualties: 0 } });
  });

  it('classifies with the taxonomy when the layout has no category map', async () => {
    const plain = layout(FIRE.replace(/ {2}category:\n.*\n.*\n/, ''));
    const { incidents } = await read(plain, 'Ref,Called,Type\nA1,03/02/2024 14:05,Hoax/malicious false alarm\n');
    expect(incidents[0]).toMatchObject({ category: 'anti_social_behaviour' });
  });

  it('rejects rows by field, naming the column and the reason', async () => {
    const csv = [
      'Ref,Called,Type,LSOA,Casualties',
      ',03/02/2024 14:05,RTC,,',
      'A2,31/02/2024 14:05,RTC,,',
      'A3,03/02/2024 14:05,,,',
      'A4,03/02/2024 14:05,RTC,E05010880,',
      'A5,03/02/2024 14:05,RTC,,two',
      'A6,03/02/2024 14:05,RTC,,-1',
      'A7,03/02/2024 14:05,RTC,,1',
    ].join('\n');
    const { incidents, rejects } = await read(layout(FIRE), `${csv}\n`);
    expect(incidents.map((i) => i.sourceRef)).toEqual(['A7']);
    expect(rejects.map((r) => [r.rowNumber, r.column, r.reason, r.message])).toEqual([
      [1, 'Ref', 'MISSING_ID', 'Ref is empty: every row needs its reference'],
      [2, 'Called', 'INVALID_DATE', '"31/02/2024 14:05" is not a real date: 2024-02 has no day 31'],
      [3, 'Type', 'MISSING_VALUE', 'Type is empty: the row has no category'],
      [4, 'LSOA', 'INVALID_AREA_CODE', '"E05010880" is not an ONS LSOA code (E01 or W01 followed by six digits, e.g. E01025667)'],
      [5, 'Casualties', 'INVALID_NUMBER', '"two" is not a whole number'],
      [6, 'Casualties', 'INVALID_NUMBER', '"-1" is below 0'],
    ]);
  });

  it('reads typed attributes: allowed values, booleans, numbers, dates, postcode districts, constants and transforms', async () => {
    const typed = layout(`
id: typed
label: Typed attributes
feed: council.fly_tipping
header: { required: [Ref, Date] }
columns:
  sourceRef: Ref
  occurredAt: Date
  sourceCategory: { value: Fly-tipping }
  attributes:
    size: { column: Size, values: [Small Van Load, Single Item] }
    hazardous: { column: Hazardous, type: boolean }
    weightKg: { column: Weight, type: number, invalid: omit }
    clearedAt: { column: Cleared, type: date, format: [dd/MM/yyyy HH:mm, dd/MM/yyyy] }
    district: { column: Postcode, type: postcode-district }
    source: { value: street patrol }
    team: { transform: code-prefix, inputs: { code: Officer } }
`);
    const csv = [
      'Ref,Date,Size,Hazardous,Weight,Cleared,Postcode,Officer',
      'F1,2024-02-03,small van load,Y,"1,250.5",04/02/2024 09:00,LE11 3AB,ENV/17',
      'F2,2024-02-03,Single Item,no,heavy,04/02/2024,LE11,ENV/18',
      'F3,2024-02-03,Skip,no,,,,ENV/1',
      'F4,2024-02-03,,maybe,,,,ENV/1',
      'F5,2024-02-03,,,,,Loughborough,ENV/1',
      'F6,2024-02-03,,,,,,',
    ].join('\n');
    const { incidents, rejects } = await read(typed, `${csv}\n`);
    expect(incidents.map((i) => i.attributes)).toEqual([
      { size: 'Small Van Load', hazardous: true, weightKg: 1250.5, clearedAt: '2024-02-04T09:00:00.000Z', district: 'LE11', source: 'street patrol', team: 'ENV', occurredOn: '2024-02-03' },
      { size: 'Single Item', hazardous: false, clearedAt: '2024-02-04', district: 'LE11', source: 'street patrol', team: 'ENV', occurredOn: '2024-02-03' },
    ]);
    expect(JSON.stringify(incidents)).not.toContain('3AB');
    expect(rejects.map((r) => [r.rowNumber, r.column, r.reason])).toEqual([
      [3, 'Size', 'UNKNOWN_CATEGORY'],
      [4, 'Hazardous', 'INVALID_VALUE'],
      [5, 'Postcode', 'INVALID_POSTCODE_DISTRICT'],
      [6, 'Officer', 'MISSING_VALUE'],
    ]);
    expect(rejects[0]!.message).toBe('"Skip" is not a Size value: expected one of Small Van Load, Single Item');
  });

  it('withholds a location description that looks like an address, and can require a location', async () => {
    const located = layout(`
id: asb-x
label: ASB export
feed: council.asb
header: { required: [Ref, Date] }
columns:
  sourceRef: Ref
  occurredAt: Date
  sourceCategory: { value: Anti-social behaviour }
  wardName: Ward
  locationText: { column: Where, label: Place }
rules: { requireLocation: true, missingLocationColumn: Ward }
`);
    const csv = 'Ref,Date,Ward,Where\nA1,2024-02-03,Hastings,12 High Street\nA2,2024-02-03,Hastings,Market Place\nA3,2024-02-03,,Market Place\n';
    const { incidents, rejects } = await read(located, csv);
    expect(incidents.map((i) => [i.locationText, i.restrictedText])).toEqual([
      [null, 'Place: 12 High Street'],
      ['Market Place', null],
    ]);
    expect(rejects).toEqual([expect.objectContaining({ rowNumber: 3, column: 'Ward', reason: 'MISSING_LOCATION', message: 'No location: Ward is empty' })]);
  });

  it('reads split dates, month-only exports, fall-back columns and the as-of column', async () => {
    const split = layout(`
id: split-x
label: Split dates
feed: fire.incidents
header: { required: [Ref, D, M, Y] }
columns:
  sourceRef: [Ref, OldRef]
  occurredAt:
    day: D
    month: M
    year: Y
    time: { column: T, format: 'HH:mm' }
  sourceCategory: { value: Other fire }
  asOf: { column: Updated, format: dd/MM/yyyy HH:mm }
`);
    const csv = 'Ref,OldRef,D,M,Y,T,Updated\nA1,,3,February,2024,14:05,05/02/2024 09:30\n,B2,3,Feb,2024,,\nA3,,30,2,2024,14:05,\nA4,,3,2,2024,2pm,\n';
    const { incidents, rejects } = await read(split, csv);
    expect(incidents.map((i) => [i.sourceRef, i.occurredAt, i.occurredMonth, i.attributes.occurredOn ?? null, i.asOf])).toEqual([
      ['A1', '2024-02-03T14:05:00.000Z', '2024-02', null, '2024-02-05T09:30:00.000Z'],
      ['B2', null, '2024-02', '2024-02-03', null],
    ]);
    expect(rejects.map((r) => [r.rowNumber, r.column, r.reason])).toEqual([
      [3, 'D', 'INVALID_DATE'],
      [4, 'T', 'INVALID_DATE'],
    ]);
    const monthly = layout(`
id: monthly-x
label: Monthly
feed: police.street
header: { required: [Month, Crime type] }
columns:
  sourceRef: { column: Crime ID, required: false }
  month: { column: Month, format: yyyy-MM }
  sourceCategory: Crime type
`);
    const m = await read(monthly, 'Crime ID,Month,Crime type\n,2024-01,Burglary\n');
    expect(m.incidents[0]).toMatchObject({ sourceRef: null, occurredMonth: '2024-01', occurredAt: null, category: 'acquisitive_crime', tier: 'public' });
  });
});

describe('choosing a layout by the header', () => {
  const small = layout(FIRE);
  const wide = layout(FIRE.replace('id: acme-fire', 'id: acme-fire-v2').replace('label: Acme incident extract', 'label: Acme wide extract').replace('required: [Ref, Called, Type]', 'required: [Ref, Called, Type, Station]'));
  const other = layout(`
id: other-fire
label: Other service extract
feed: fire.incidents
header:
  required: [Incident, When]
  anyOf: { name: location column, groups: [[Easting, Northing], [Postcode]] }
columns:
  sourceRef: Incident
  occurredAt: When
  sourceCategory: { value: Other fire }
  coordinates: { system: bng, easting: Easting, northing: Northing }
`);

  it('picks the layout whose columns are all present, the most specific when several are', async () => {
    expect((await read([small, wide, other], 'Ref,Called,Type\nA1,03/02/2024 14:05,RTC\n')).layout).toBe('acme-fire@1');
    expect((await read([small, wide, other], 'Ref,Called,Type,Station\nA1,03/02/2024 14:05,RTC,X\n')).layout).toBe('acme-fire-v2@1');
    const chosen = await read([small, wide, other], 'Incident,When,Postcode\nB1,2024-02-03 14:05,LE11\n');
    expect(chosen.layout).toBe('other-fire@1');
    expect(chosen.header).toEqual({ layout: 'other-fire', layoutLabel: 'Other service extract' });
    expect(chosen.incidents).toHaveLength(1);
  });

  it('refuses a header no layout fits, naming what each needs and what the closest lacks', async () => {
    const error = await refusal([small, other], 'Incident,When,Postcod\nB1,2024-02-03 14:05,LE11\n');
    expect(error.reason).toBe('WRONG_HEADER');
    expect(error.message).toBe(
      'This is not a Fire and rescue attended incidents (fire.incidents) file: the header matches none of the accepted layouts. ' +
        'Accepted layouts and the columns each needs — Acme incident extract: Ref, Called, Type; Other service extract: Incident, When, and Easting + Northing or Postcode. ' +
        'Closest is the Other service extract, missing Easting + Northing or Postcode. Found: Incident, When, Postcod.',
    );
    expect(error.details).toMatchObject({ closestLayout: 'other-fire', missing: ['Easting + Northing or Postcode'] });
  });

  it('with one layout, names its missing columns and the alternatives it needs', async () => {
    const missing = await refusal(other, 'Incident,Postcode\nB1,LE11\n');
    expect(missing.message).toContain('This is not a Other service extract file: missing column When. Expected the Other service extract columns: Incident, When.');
    const noLocation = await refusal(other, 'Incident,When\nB1,2024-02-03\n');
    expect(noLocation.message).toBe(
      'This Other service extract file has no location column. Expected the Other service extract columns: Incident, When, and at least one of Easting and Northing, or Postcode. Found: Incident, When.',
    );
  });

  it('decodes with the layout\'s encoding: Windows-1252 bytes that are also valid UTF-8 are read as Windows-1252', async () => {
    const cp1252 = layout(FIRE.replace('feed: fire.incidents', 'feed: fire.incidents\nencoding: windows-1252'));
    // "Ã©" in Windows-1252 is the bytes C3 A9, which UTF-8 would read as "é".
    const bytes = Buffer.concat([Buffer.from('Ref,Called,Type,Station\nA1,03/02/2024 14:05,RTC,Caf'), Buffer.from([0xc3, 0xa9, 0x0a])]);
    const { incidents, encoding } = await read([cp1252, other], bytes);
    expect(encoding).toBe('windows-1252');
    expect(incidents[0]!.attributes.station).toBe('Caf\u00c3\u00a9');
  });

  it('refuses an empty file', async () => {
    expect((await refusal([small, other], '')).reason).toBe('EMPTY_FILE');
    expect((await refusal([small, other], '\n\n')).reason).toBe('EMPTY_FILE');
  });
});
