import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesOf } from '@csp-hub/adapter-kit';
import { collect, countBy, fileSource, sharedData, splitCsv } from '@csp-hub/adapter-kit/testing';
import { classify, HubError, mappedCategories, type NormalisedIncident } from '@csp-hub/taxonomy';
import { bngToWgs84 } from './grid';
import { AFRS_LAYOUT, FIRE_STOP_CODE_LABELS, fireIncidentsAdapter, FIRE_ADAPTERS, GENERIC_LAYOUT, LFB_LAYOUT } from './index';

const AFRS_FILE = 'afrs_attended_incidents_july_2014.csv';
const LFB_FILE = 'lfb-incident-records-excerpt-20rows.csv';

/**
 * An independent CSV reader for expected values: splits the whole decoded text
 * character by character (RFC 4180 quoting, CRLF or LF). The adapter streams
 * through papaparse in adapter-kit; this shares no code with it.
 */
function parseCsvText(text: string): Record<string, string>[] {
  const [header, ...data] = splitCsv(text);
  return data.map((fields) => Object.fromEntries(header!.map((name, i) => [name, fields[i] ?? ''])));
}

/**
 * Decodes a whole file. Windows-1252 is decoded with `stream: true`: on Node
 * 20.18.3+ a one-shot `TextDecoder('windows-1252').decode(bytes)` takes a
 * Latin-1 fast path and turns 0x96 into U+0096 instead of the en dash U+2013
 * (nodejs/node#56542, #59515); the streaming call goes through ICU and is right.
 */
function decodeFile(file: string, encoding: 'windows-1252' | 'utf-8'): string {
  const decoder = new TextDecoder(encoding);
  return decoder.decode(readFileSync(sharedData('fire', file)), { stream: true }) + decoder.decode();
}

function sourceRows(file: string, encoding: 'windows-1252' | 'utf-8'): Record<string, string>[] {
  return parseCsvText(decodeFile(file, encoding));
}

async function readFire(file: string) {
  let encoding = '';
  let layout = '';
  const out = await collect(
    fireIncidentsAdapter.read(fileSource(sharedData('fire', file)), {
      onEncoding: (e) => (encoding = e),
      onHeader: (h) => (layout = h.layout ?? ''),
    }),
  );
  return { ...out, encoding, layout };
}

const byRef = (incidents: NormalisedIncident[]) => new Map(incidents.map((i) => [i.sourceRef, i]));

describe('AFRS monthly attended incidents (real file, July 2014)', () => {
  it('reads all 1,084 rows; counts per Incident Category equal an independent count of the source', async () => {
    const source = sourceRows(AFRS_FILE, 'windows-1252');
    const { incidents, rejects, encoding, layout } = await readFire(AFRS_FILE);
    expect(layout).toBe('afrs');
    expect(encoding).toBe('windows-1252');
    expect(rejects).toEqual([]);
    expect(source).toHaveLength(1084);
    expect(incidents).toHaveLength(source.length);
    const expected = countBy(source, (r) => r['Incident Category']!);
    expect(expected).toEqual({ 'False Alarm': 523, Fire: 344, 'Special Service': 217 });
    expect(countBy(incidents, (i) => String(i.attributes.incidentGroup))).toEqual(expected);
  });

  it('gives the same result when the file arrives in small chunks', async () => {
    const whole = await readFire(AFRS_FILE);
    const chunked = await collect(fireIncidentsAdapter.read(fileSource(sharedData('fire', AFRS_FILE), 997)));
    expect(chunked.rejects).toEqual([]);
    expect(chunked.incidents).toEqual(whole.incidents);
  });

  it('decodes the Windows-1252 en dash (byte 0x96) as U+2013', async () => {
    // The test's own decoding first: every 0x96 byte became an en dash, no C1 control characters.
    const bytes = readFileSync(sharedData('fire', AFRS_FILE));
    const decoded = decodeFile(AFRS_FILE, 'windows-1252');
    expect(decoded.split('\u2013').length - 1).toBe(bytes.filter((b) => b === 0x96).length);
    expect(decoded).not.toMatch(/[\u0080-\u009f]/);
    const source = parseCsvText(decoded);
    const { incidents } = await readFire(AFRS_FILE);
    const withDash = (values: (string | undefined)[]) => values.filter((v) => v?.includes('\u2013')).length;
    expect(withDash(incidents.map((i) => i.attributes.itemFirstDamaged as string | undefined))).toBe(
      withDash(source.map((r) => r['Item First Damaged'])),
    );
    expect(withDash(incidents.map((i) => i.attributes.causeOfFire as string | undefined))).toBe(withDash(source.map((r) => r['Cause of Fire'])));
    const refs = byRef(incidents);
    const one = refs.get('005545-01072014')!;
    expect(one.attributes.itemFirstDamaged).toBe('Structural/Fixtures/Fitting s \u2013 Internal -> Wiring insulation');
    expect(JSON.stringify(incidents)).not.toMatch(/[\u0080-\u009f\uFFFD]/);
  });

  it('locates every incident in the Bristol/Bath area at the centre of its 1 km square', async () => {
    const { incidents } = await readFire(AFRS_FILE);
    for (const i of incidents) {
      expect(i.latitude).toBeGreaterThan(51.25);
      expect(i.latitude).toBeLessThan(51.7);
      expect(i.longitude).toBeGreaterThan(-3.05);
      expect(i.longitude).toBeLessThan(-2.2);
      expect(i.attributes.locationPrecisionM).toBe(1000);
    }
    // Row 1: X 376***, Y 165*** (BANES, Abbey ward, central Bath)
    const first = incidents[0]!;
    expect(first).toMatchObject({ rowNumber: 1, sourceRef: '005538-01072014', wardName: 'ABBEY' });
    const centre = bngToWgs84(376500, 165500);
    expect(first.latitude).toBeCloseTo(centre.latitude, 9);
    expect(first.longitude).toBeCloseTo(centre.longitude, 9);
    expect(countBy(incidents, (i) => String(i.attributes.unitaryAuthority))).toEqual({ BANES: 156, BRISTOL: 525, 'N SOM': 150, 'S GLOS': 253 });
  });

  it('has unique incident numbers, and call times in London time that agree with the date in the number', async () => {
    const { incidents } = await readFire(AFRS_FILE);
    const refs = incidents.map((i) => i.sourceRef);
    expect(new Set(refs).size).toBe(incidents.length);
    expect(refs.every((r) => r !== null && /^\d{6}-\d{8}$/.test(r))).toBe(true);
    // 1 July 2014 01:54:02 BST
    expect(incidents[0]!.occurredAt).toBe('2014-07-01T00:54:02.000Z');
    expect(new Set(incidents.map((i) => i.occurredMonth))).toEqual(new Set(['2014-07']));
    // The number ends DDMMYYYY of the day the incident was opened: the call day, or the next day for calls just before midnight.
    const londonDay = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: '2-digit', month: '2-digit', year: 'numeric' });
    for (const i of incidents) {
      const called = new Date(i.occurredAt!);
      const numbered = i.sourceRef!.slice(7);
      const sameDay = londonDay.format(called).replace(/\//g, '');
      const nextDay = londonDay.format(new Date(called.getTime() + 86_400_000)).replace(/\//g, '');
      expect([sameDay, nextDay]).toContain(numbered);
    }
  });

  it('derives stop codes from the IRS fields; deliberate fires count as arson', async () => {
    const source = sourceRows(AFRS_FILE, 'windows-1252');
    const { incidents } = await readFire(AFRS_FILE);
    const deliberate = source.filter((r) => r['Incident Category'] === 'Fire' && r['Cause of Fire']!.startsWith('Deliberate'));
    expect(incidents.filter((i) => i.category === 'criminal_damage_arson')).toHaveLength(deliberate.length);
    const malicious = source.filter((r) => r['False Alarm Reason']!.startsWith('Malicious False Alarm'));
    expect(incidents.filter((i) => i.sourceCategory === 'Hoax/malicious false alarm')).toHaveLength(malicious.length);
    expect(incidents.filter((i) => i.category === 'anti_social_behaviour')).toHaveLength(malicious.length);
    const rtc = source.filter((r) => r['Incident Category'] === 'Special Service' && r['Road Traffic Collision'] === 'yes');
    expect(incidents.filter((i) => i.category === 'road_safety')).toHaveLength(rtc.length);
    const refs = byRef(incidents);
    expect(refs.get('005542-01072014')).toMatchObject({ sourceCategory: 'Road traffic collision', category: 'road_safety' });
    expect(refs.get('005562-01072014')).toMatchObject({ sourceCategory: 'Hoax/malicious false alarm', category: 'anti_social_behaviour' });
    expect(refs.get('005543-01072014')).toMatchObject({ sourceCategory: 'False alarm - apparatus', category: 'other' });
    expect(incidents.every((i) => i.tier === 'pseudonymised' && i.locationText === null && i.restrictedText === null && i.outcome === null)).toBe(true);
  });

  it('keeps casualty counts as numbers where the source gives them', async () => {
    const source = sourceRows(AFRS_FILE, 'windows-1252');
    const { incidents } = await readFire(AFRS_FILE);
    const sum = (values: unknown[]) => values.reduce<number>((s, v) => s + (typeof v === 'number' ? v : 0), 0);
    expect(sum(incidents.map((i) => i.attributes.injuries))).toBe(sum(source.map((r) => (r['No. of injuries'] === '' ? null : Number(r['No. of injuries'])))));
    expect(incidents.filter((i) => typeof i.attributes.rescues === 'number')).toHaveLength(source.filter((r) => r['No. of rescues'] !== '').length);
  });
});

describe('London Fire Brigade incident records (real 20-row excerpt)', () => {
  it('reads 20 rows: Fire 8, Special Service 8, False Alarm 4, equal to an independent count', async () => {
    const source = sourceRows(LFB_FILE, 'utf-8');
    const { incidents, rejects, encoding, layout } = await readFire(LFB_FILE);
    expect(layout).toBe('lfb');
    expect(encoding).toBe('utf-8');
    expect(rejects).toEqual([]);
    expect(incidents).toHaveLength(20);
    const expected = countBy(source, (r) => r.IncidentGroup!);
    expect(expected).toEqual({ 'False Alarm': 4, Fire: 8, 'Special Service': 8 });
    expect(countBy(incidents, (i) => String(i.attributes.incidentGroup))).toEqual(expected);
  });

  it('uses exact eastings where given (agreeing with LFB latitude/longitude) and rounded ones otherwise', async () => {
    const source = sourceRows(LFB_FILE, 'utf-8');
    const { incidents } = await readFire(LFB_FILE);
    const exact = source.filter((r) => r.Easting_m !== '');
    const roundedOnly = source.filter((r) => r.Easting_m === '');
    expect(roundedOnly).toHaveLength(6);
    const refs = byRef(incidents);
    for (const r of exact) {
      const i = refs.get(r.IncidentNumber!)!;
      expect(i.attributes.locationPrecisionM).toBe(1);
      // LFB publishes its own WGS84 conversion beside the grid reference: ours must agree to a few metres.
      expect(Math.abs(i.latitude! - Number(r.Latitude)) * 111_000).toBeLessThan(5);
      expect(Math.abs(i.longitude! - Number(r.Longitude)) * 111_000 * Math.cos((51.5 * Math.PI) / 180)).toBeLessThan(5);
    }
    for (const r of roundedOnly) {
      const i = refs.get(r.IncidentNumber!)!;
      expect(r.Latitude).toBe('');
      expect(i.attributes.locationPrecisionM).toBe(100);
      const centre = bngToWgs84(Number(r.Easting_rounded), Number(r.Northing_rounded));
      expect(i.latitude).toBeCloseTo(centre.latitude, 9);
      expect(i.longitude).toBeCloseTo(centre.longitude, 9);
      expect(i.latitude).toBeGreaterThan(51.28);
      expect(i.latitude).toBeLessThan(51.7);
    }
  });

  it('maps stop codes, reads 01 Jan 2009 call times, and keeps no full postcode or UPRN', async () => {
    const source = sourceRows(LFB_FILE, 'utf-8');
    const { incidents } = await readFire(LFB_FILE);
    const first = incidents[0]!;
    expect(first).toMatchObject({
      sourceRef: '235138081',
      sourceCategory: 'Road traffic collision',
      category: 'road_safety',
      occurredAt: '2009-01-01T00:00:37.000Z',
      occurredMonth: '2009-01',
      wardName: 'Battersea Park',
      lsoaCode: null,
      locationText: null,
    });
    expect(first.attributes).toMatchObject({ stopCode: 'Special Service', specialServiceType: 'RTC', postcodeDistrict: 'SW11', borough: 'WANDSWORTH', propertyType: 'Car' });
    expect(countBy(incidents, (i) => i.sourceCategory)).toEqual({
      'False alarm - apparatus': 3,
      'False alarm - good intent': 1,
      'Other special service': 6,
      'Primary fire': 2,
      'Road traffic collision': 2,
      'Secondary fire': 6,
    });
    const stored = JSON.stringify(incidents);
    for (const r of source) {
      if (r.Postcode_full !== '') expect(stored).not.toContain(`"${r.Postcode_full}"`);
      if (r.UPRN !== '' && r.UPRN !== '0.0') expect(stored).not.toContain(r.UPRN!.replace(/\.0$/, ''));
    }
  });
});

describe('fire categories -> partnership priorities', () => {
  it('maps every canonical label explicitly', () => {
    const mapped = new Map(mappedCategories('fire'));
    for (const label of FIRE_STOP_CODE_LABELS) expect(mapped.has(label.toLowerCase())).toBe(true);
  });

  it.each([
    ['Deliberate primary fire', 'criminal_damage_arson'],
    ['Deliberate secondary fire', 'criminal_damage_arson'],
    ['Deliberate fire', 'criminal_damage_arson'],
    ['Road traffic collision', 'road_safety'],
    ['Hoax/malicious false alarm', 'anti_social_behaviour'],
    ['Accidental primary fire', 'other'],
    ['Secondary fire', 'other'],
    ['False alarm - good intent', 'other'],
    ['False alarm - apparatus', 'other'],
    ['Other special service', 'other'],
  ] as const)('%s -> %s', (label, priority) => {
    expect(classify('fire', label)).toBe(priority);
  });
});

const GENERIC_HEADER = 'IncidentNumber,CallDateTime,IncidentGroup,StopCode,PropertyType,Easting,Northing,PostcodeDistrict';

async function readText(text: string) {
  return collect(fireIncidentsAdapter.read(bytesOf(text)));
}

describe('generic incident-level extract', () => {
  it('reads stop codes and classifies them', async () => {
    const rows = [
      'FR-1,2024-07-01T14:05:00,Fire,Deliberate secondary fire,Refuse container,358650,172950,BS1',
      'FR-2,01/12/2024 08:30,Special Service,RTC,Car,,,BS2',
      'FR-3,2024-07-02 23:10,False Alarm,False alarm - Malicious,School,359100,173400,',
      'FR-4,2024-07-03,Fire,Primary fire,House,,,BS16 3AB',
    ];
    const { incidents, rejects } = await readText(`${GENERIC_HEADER}\n${rows.join('\n')}\n`);
    expect(rejects).toEqual([]);
    expect(incidents.map((i) => [i.sourceRef, i.sourceCategory, i.category, i.occurredAt, i.occurredMonth])).toEqual([
      ['FR-1', 'Deliberate secondary fire', 'criminal_damage_arson', '2024-07-01T13:05:00.000Z', '2024-07'],
      ['FR-2', 'Road traffic collision', 'road_safety', '2024-12-01T08:30:00.000Z', '2024-12'],
      ['FR-3', 'Hoax/malicious false alarm', 'anti_social_behaviour', '2024-07-02T22:10:00.000Z', '2024-07'],
      ['FR-4', 'Primary fire', 'other', null, '2024-07'],
    ]);
    // Postcode district only: unlocated; a full postcode is cut to its district.
    expect(incidents[1]).toMatchObject({ latitude: null, longitude: null, attributes: { postcodeDistrict: 'BS2' } });
    expect(incidents[3]!.attributes.postcodeDistrict).toBe('BS16');
    expect(JSON.stringify(incidents)).not.toContain('3AB');
    expect(incidents[3]!.attributes.occurredOn).toBe('2024-07-03');
    expect(incidents[0]!.attributes.occurredOn).toBeUndefined();
    expect(incidents[0]!.attributes.locationPrecisionM).toBe(1);
  });

  it('reads the optional columns: latitude/longitude when there is no easting, area codes, casualties', async () => {
    const header = 'IncidentNumber,CallDateTime,IncidentGroup,StopCode,PropertyType,PostcodeDistrict,Latitude,Longitude,WardName,WardCode,LsoaCode,LocalAuthority,Injuries';
    const rows = [
      'X1,2024-07-01 14:05,Fire,Accidental primary fire,House,BS5,51.4615,-2.5631,Easton,e05010892,e01014602,Bristol,2',
      'X2,2024-07-01 15:00,Fire,Accidental primary fire,House,BS5,,,Easton,E05010892,E02003000,Bristol,',
      'X3,2024-07-01 16:00,Fire,Accidental primary fire,House,BS5,48.85,2.35,Easton,,,Bristol,',
    ];
    const { incidents, rejects } = await readText(`${header}\n${rows.join('\n')}\n`);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      latitude: 51.4615,
      longitude: -2.5631,
      wardName: 'Easton',
      lsoaCode: 'E01014602',
      attributes: { wardCode: 'E05010892', localAuthority: 'Bristol', injuries: 2, postcodeDistrict: 'BS5' },
    });
    expect(incidents[0]!.attributes.locationPrecisionM).toBeUndefined();
    expect(rejects).toEqual([
      expect.objectContaining({ rowNumber: 2, column: 'LsoaCode', reason: 'INVALID_AREA_CODE' }),
      expect.objectContaining({ rowNumber: 3, column: 'Latitude', reason: 'INVALID_COORDINATE' }),
    ]);
  });

  it('takes the motive from CauseOfFire when the stop code has none', async () => {
    const header = `${GENERIC_HEADER},CauseOfFire`;
    const { incidents } = await readText(`${header}\nA,2024-01-05 10:00,Fire,Secondary fire,Grassland,358650,172950,,Deliberate\n`);
    expect(incidents[0]).toMatchObject({ sourceCategory: 'Deliberate secondary fire', category: 'criminal_damage_arson' });
  });
});

describe('row rejects name the row, column and problem; good rows survive', () => {
  const good = 'FR-9,2024-07-01T14:05:00,Fire,Deliberate primary fire,House,358650,172950,BS1';
  const cases: [string, string, string, string][] = [
    ['invalid date', good.replace('2024-07-01T14:05:00', '2024-02-30T14:05:00'), 'CallDateTime', 'INVALID_DATE'],
    ['invalid time', good.replace('14:05:00', '25:05:00'), 'CallDateTime', 'INVALID_DATE'],
    ['coordinates outside the UK', good.replace('358650,172950', '690000,40000'), 'Easting', 'INVALID_COORDINATE'],
    ['coordinates beyond the grid', good.replace('358650,172950', '358650,9999999'), 'Easting', 'INVALID_COORDINATE'],
    ['coordinates not numbers', good.replace('358650,172950', 'ST58,72'), 'Easting', 'INVALID_COORDINATE'],
    ['unknown incident group', good.replace(',Fire,', ',Flood,'), 'IncidentGroup', 'UNKNOWN_CATEGORY'],
    ['unknown stop code', good.replace('Deliberate primary fire', 'Bonfire night'), 'StopCode', 'UNKNOWN_CATEGORY'],
    ['stop code of another group', good.replace('Deliberate primary fire', 'Road traffic collision'), 'StopCode', 'UNKNOWN_CATEGORY'],
    ['missing incident number', good.replace('FR-9', ''), 'IncidentNumber', 'MISSING_ID'],
    ['no location at all', good.replace('358650,172950,BS1', ',,'), 'Easting', 'MISSING_LOCATION'],
    ['bad postcode district', good.replace(',BS1', ',Bristol'), 'PostcodeDistrict', 'INVALID_POSTCODE_DISTRICT'],
  ];
  it.each(cases)('generic: %s', async (_name, line, column, reason) => {
    const { incidents, rejects } = await readText(`${GENERIC_HEADER}\n${good}\n${line}\n${good}\n`);
    expect(incidents.map((i) => i.rowNumber)).toEqual([1, 3]);
    expect(rejects).toEqual([expect.objectContaining({ rowNumber: 2, column, reason })]);
    expect(rejects[0]!.message.length).toBeGreaterThan(10);
  });

  it('generic: the reject carries the value and a message naming the problem', async () => {
    const bad = good.replace('358650,172950', '690000,40000');
    const { rejects } = await readText(`${GENERIC_HEADER}\n${bad}\n`);
    expect(rejects).toEqual([
      {
        kind: 'reject',
        rowNumber: 1,
        column: 'Easting',
        value: '690000,40000',
        reason: 'INVALID_COORDINATE',
        message: expect.stringContaining('outside the UK') as string,
      },
    ]);
  });

  // AFRS layout: the real header and first row, with one field changed.
  const [afrsHeader, afrsRow] = decodeFile(AFRS_FILE, 'windows-1252').split('\r\n') as [string, string];
  const afrsCases: [string, string, string, string][] = [
    ['day not in the month', afrsRow.replace(/^1,July,/, '31,June,'), 'Day', 'INVALID_DATE'],
    ['month not a month', afrsRow.replace(/^1,July,/, '1,Julember,'), 'Month', 'INVALID_DATE'],
    ['time not a time', afrsRow.replace('01:54:02', '1.54pm'), 'Time of Call', 'INVALID_DATE'],
    ['masked coordinate outside the grid', afrsRow.replace('376***', '999***'), 'X Coordinate', 'INVALID_COORDINATE'],
    ['unknown incident category', afrsRow.replace(',Fire,Dwelling,', ',Flood,Dwelling,'), 'Incident Category', 'UNKNOWN_CATEGORY'],
    ['missing incident number', afrsRow.replace('005538-01072014', ''), 'Incident Number', 'MISSING_ID'],
    ['casualty count not a number', afrsRow.replace(/,,,,$/, ',,,one,'), 'No. of injuries', 'INVALID_NUMBER'],
  ];
  it.each(afrsCases)('AFRS: %s', async (_name, line, column, reason) => {
    expect(line).not.toBe(afrsRow);
    const { incidents, rejects } = await readText(`${afrsHeader}\r\n${afrsRow}\r\n${line}\r\n${afrsRow}\r\n`);
    expect(incidents.map((i) => i.rowNumber)).toEqual([1, 3]);
    expect(rejects).toEqual([expect.objectContaining({ rowNumber: 2, column, reason })]);
  });

  it('LFB: a bad date is rejected, a row with no location at all is kept unlocated', async () => {
    const lines = readFileSync(sharedData('fire', LFB_FILE), 'utf8').split('\n');
    const header = lines[0]!;
    const row = lines[1]!;
    const badDate = row.replace('01 Jan 2009', '31 Feb 2009');
    const cells = row.split(',');
    const col = (name: string) => header.split(',').indexOf(name);
    for (const name of ['Easting_m', 'Northing_m', 'Easting_rounded', 'Northing_rounded', 'Latitude', 'Longitude']) cells[col(name)] = '';
    const { incidents, rejects } = await readText(`${header}\n${row}\n${badDate}\n${cells.join(',')}\n`);
    expect(rejects).toEqual([expect.objectContaining({ rowNumber: 2, column: 'DateOfCall', reason: 'INVALID_DATE' })]);
    expect(incidents.map((i) => [i.rowNumber, i.latitude === null, i.wardName])).toEqual([
      [1, false, 'Battersea Park'],
      [3, true, 'Battersea Park'],
    ]);
    expect(incidents[1]!.attributes.locationPrecisionM).toBeUndefined();
  });
});

describe('file-level refusals', () => {
  it('refuses a header that matches no layout, naming the columns each layout needs', async () => {
    const error = await readText('Ref,When,What\n1,2024-01-01,Fire\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    const hub = error as HubError;
    expect(hub.kind).toBe('invalid_input');
    expect(hub.reason).toBe('WRONG_HEADER');
    for (const layout of [AFRS_LAYOUT, LFB_LAYOUT, GENERIC_LAYOUT]) {
      expect(hub.message).toContain(`${layout.label}: ${layout.required.join(', ')}`);
    }
    expect(hub.message).toContain('Easting + Northing or PostcodeDistrict');
    expect(hub.message).toContain('Found: Ref, When, What');
  });

  it('names what the closest layout lacks', async () => {
    const error = await readText('IncidentNumber,CallDateTime,IncidentGroup,StopCode,PropertyType,Latitude,Longitude\nA,2024-01-01 10:00,Fire,Primary fire,House,51.45,-2.58\n').catch(
      (e: unknown) => e,
    );
    expect((error as HubError).reason).toBe('WRONG_HEADER');
    expect((error as HubError).message).toContain(`Closest is the ${GENERIC_LAYOUT.label}, missing Easting + Northing or PostcodeDistrict`);
  });

  it('refuses a file of another feed whole', async () => {
    const error = await collect(fireIncidentsAdapter.read(fileSource(sharedData('police', '2024-01-leicestershire-street.csv')))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).reason).toBe('WRONG_HEADER');
    expect((error as HubError).message).toContain('IncidentGroup, StopCodeDescription');
  });

  it('refuses a truncated file whole (adapter-kit check)', async () => {
    const error = await readText(`${GENERIC_HEADER}\nFR-1,2024-07-01T14:05:00,Fire,Deliberate`).catch((e: unknown) => e);
    expect((error as HubError).reason).toBe('TRUNCATED_FILE');
  });
});

describe('package surface', () => {
  it('describes the feed and lists it in FIRE_ADAPTERS', () => {
    expect(FIRE_ADAPTERS).toEqual([fireIncidentsAdapter]);
    expect(fireIncidentsAdapter.description).toMatchObject({ feed: 'fire.incidents', formats: ['csv'], defaultEncoding: 'auto' });
    expect(fireIncidentsAdapter.description.requiredColumns).toEqual(GENERIC_LAYOUT.required);
  });
});
