import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bytesOf, type AdapterContext, type ByteSource } from '@csp-hub/adapter-kit';
import { collect, countBy } from '@csp-hub/adapter-kit/testing';
import { HubError, type SubmissionHeader } from '@csp-hub/taxonomy';
import { ASSAULT_ITEMS, HEALTH_ADAPTERS, istvAdapter, ISTV_CSV_COLUMNS } from './index';

/*
 * There is no real ISTV data anywhere (it is patient-derived; see PROVENANCE.md),
 * so every fixture here is synthetic, written out below.
 */

interface Assault {
  arrival: string;
  assaultAt: string;
  method: string;
  methodOther: string;
  locationType: string;
  locationDescription: string;
}

interface Submission {
  start: string;
  end: string;
  site: string;
  assaults: Assault[];
}

const ASSAULTS: Assault[] = [
  {
    arrival: '2024-03-02T23:55:00',
    assaultAt: '2024-03-02T23:15:00',
    method: '01',
    methodOther: '',
    locationType: 'Licensed premises',
    locationDescription: 'The Red Lion, 12 High Street',
  },
  {
    // British Summer Time began at 01:00 GMT on 31 March 2024.
    arrival: '31/03/2024 15:05',
    assaultAt: '31/03/2024 14:20',
    method: 'Knife/sharp object',
    methodOther: '',
    locationType: '1',
    locationDescription: '  Alley behind   Market Place ',
  },
  {
    // An explicit offset: 00:30+01:00 on 1 March is 23:30 GMT on 29 February, so the London month is February.
    arrival: '2024-03-01T00:40:00Z',
    assaultAt: '2024-03-01T00:30:00+01:00',
    method: 'other',
    methodOther: 'Dog lead',
    locationType: 'home',
    locationDescription: '',
  },
  {
    // Assaulted before the period, arrived in it: accepted (the period is about attendances).
    arrival: '2024-03-01 00:20',
    assaultAt: '2024-02-29 23:50',
    method: 'GLASS OR BOTTLE',
    methodOther: '',
    locationType: '06',
    locationDescription: 'Café Nero, Station Road',
  },
  {
    // No arrival time (the item is "required", not mandatory).
    arrival: '',
    assaultAt: '15/03/2024 09:30:00 PM',
    method: '4',
    methodOther: '',
    locationType: 'Public transport',
    locationDescription: 'No. 7 bus & "night" <service>, upper deck',
  },
];

const SUBMISSION: Submission = { start: '2024-03-01', end: '2024-03-31', site: 'RWEAA', assaults: ASSAULTS };

const REPORTED_HEADER: SubmissionHeader = { reportingPeriodStart: '2024-03-01', reportingPeriodEnd: '2024-03-31', siteCode: 'RWEAA' };

/** ISO date -> dd/mm/yyyy (the CSV fixtures use UK dates in the header, the XML ones ISO). */
function ukDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${d}/${m}/${y}` : iso;
}

function csvField(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

function csvRow(s: Submission, a: Assault): string {
  return [ukDate(s.start), ukDate(s.end), s.site, a.arrival, a.assaultAt, a.method, a.methodOther, a.locationType, a.locationDescription]
    .map(csvField)
    .join(',');
}

function toCsv(s: Submission): string {
  return `${ISTV_CSV_COLUMNS.map(csvField).join(',')}\r\n${s.assaults.map((a) => `${csvRow(s, a)}\r\n`).join('')}`;
}

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An Assault element; empty items are left out (as an XML export would). */
function xmlAssault(a: Assault, p = 'istv:'): string {
  const items: [string, string][] = [
    [ASSAULT_ITEMS.arrival.xml, a.arrival],
    [ASSAULT_ITEMS.assaultAt.xml, a.assaultAt],
    [ASSAULT_ITEMS.method.xml, a.method],
    [ASSAULT_ITEMS.methodOther.xml, a.methodOther],
    [ASSAULT_ITEMS.locationType.xml, a.locationType],
    [ASSAULT_ITEMS.locationDescription.xml, a.locationDescription],
  ];
  const body = items
    .filter(([, v]) => v !== '')
    .map(([name, v]) => `    <${p}${name}>${xmlText(v)}</${p}${name}>\n`)
    .join('');
  return `  <${p}Assault>\n${body}  </${p}Assault>\n`;
}

function xmlHead(s: Pick<Submission, 'start' | 'end' | 'site'>, p = 'istv:'): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<${p}ISTVSubmission xmlns${p ? `:${p.slice(0, -1)}` : ''}="urn:example:istv">\n` +
    `  <${p}SubmissionHeader>\n` +
    `    <${p}ReportingPeriodStartDate>${s.start}</${p}ReportingPeriodStartDate>\n` +
    `    <${p}ReportingPeriodEndDate>${s.end}</${p}ReportingPeriodEndDate>\n` +
    `    <${p}SiteCodeOfTreatment>${s.site}</${p}SiteCodeOfTreatment>\n` +
    `  </${p}SubmissionHeader>\n`
  );
}

function toXml(s: Submission, p = 'istv:'): string {
  return `${xmlHead(s, p)}${s.assaults.map((a) => xmlAssault(a, p)).join('')}</${p}ISTVSubmission>\n`;
}

type Format = 'csv' | 'xml';
const render = (format: Format, s: Submission): string => (format === 'csv' ? toCsv(s) : toXml(s));

async function read(input: ByteSource) {
  const headers: SubmissionHeader[] = [];
  const formats: string[] = [];
  const context: AdapterContext = { onHeader: (h) => headers.push(h), onFormat: (f) => formats.push(f) };
  const result = await collect(istvAdapter.read(input, context));
  return { ...result, headers, formats };
}

async function refusal(input: ByteSource): Promise<HubError> {
  const error = await collect(istvAdapter.read(input)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  expect((error as HubError).kind).toBe('invalid_input');
  return error as HubError;
}

describe('ISTV adapter: description and registration', () => {
  it('is the health.istv feed, CSV and XML, and the only health adapter', () => {
    expect(istvAdapter.description.feed).toBe('health.istv');
    expect(istvAdapter.description.formats).toEqual(['csv', 'xml']);
    expect(istvAdapter.description.requiredColumns).toEqual(ISTV_CSV_COLUMNS);
    expect(HEALTH_ADAPTERS).toEqual([istvAdapter]);
  });
});

describe('ISTV submissions, CSV and XML', () => {
  it('reads the CSV: every assault an incident, fields normalised', async () => {
    const { incidents, rejects, headers, formats } = await read(bytesOf(toCsv(SUBMISSION)));
    expect(rejects).toEqual([]);
    expect(formats).toEqual(['csv']);
    expect(headers).toEqual([REPORTED_HEADER]);
    expect(incidents).toHaveLength(5);
    expect(incidents[0]).toEqual({
      kind: 'incident',
      rowNumber: 1,
      sourceRef: null,
      sourceCategory: 'Assault',
      category: 'violence',
      occurredMonth: '2024-03',
      occurredAt: '2024-03-02T23:15:00.000Z',
      locationText: null,
      lsoaCode: null,
      lsoaName: null,
      wardName: null,
      latitude: null,
      longitude: null,
      outcome: null,
      tier: 'pseudonymised',
      attributes: {
        siteCode: 'RWEAA',
        reportingPeriodStart: '2024-03-01',
        reportingPeriodEnd: '2024-03-31',
        arrivalAt: '2024-03-02T23:55:00.000Z',
        assaultMethod: 'Body part',
        assaultMethodCode: '01',
        assaultLocationType: 'Licensed premises',
        assaultLocationTypeCode: '02',
      },
      restrictedText: 'The Red Lion, 12 High Street',
    });
    expect(
      incidents.map((i) => [
        i.rowNumber,
        i.occurredAt,
        i.occurredMonth,
        i.attributes.arrivalAt,
        i.attributes.assaultMethod,
        i.attributes.assaultMethodCode,
        i.attributes.assaultLocationType,
        i.attributes.assaultLocationTypeCode,
        i.restrictedText,
      ]),
    ).toEqual([
      [1, '2024-03-02T23:15:00.000Z', '2024-03', '2024-03-02T23:55:00.000Z', 'Body part', '01', 'Licensed premises', '02', 'The Red Lion, 12 High Street'],
      [2, '2024-03-31T13:20:00.000Z', '2024-03', '2024-03-31T14:05:00.000Z', 'Knife or sharp object', '03', 'Public place', '01', 'Alley behind Market Place'],
      [3, '2024-02-29T23:30:00.000Z', '2024-02', '2024-03-01T00:40:00.000Z', 'Other', '98', 'Home', '03', 'Assault method, other: Dog lead'],
      [4, '2024-02-29T23:50:00.000Z', '2024-02', '2024-03-01T00:20:00.000Z', 'Glass or bottle', '05', 'Public transport', '06', 'Café Nero, Station Road'],
      [5, '2024-03-15T21:30:00.000Z', '2024-03', null, 'Firearm', '04', 'Public transport', '06', 'No. 7 bus & "night" <service>, upper deck'],
    ]);
    expect(countBy(incidents, (i) => i.occurredMonth)).toEqual({ '2024-02': 2, '2024-03': 3 });
    expect(incidents.every((i) => i.category === 'violence' && i.tier === 'pseudonymised' && i.sourceRef === null)).toBe(true);
    expect(incidents.every((i) => i.attributes.siteCode === 'RWEAA' && i.attributes.reportingPeriodEnd === '2024-03-31')).toBe(true);
  });

  it('reads the equivalent XML (namespace prefix, ISO header dates) to the same incidents and header', async () => {
    const csv = await read(bytesOf(toCsv(SUBMISSION)));
    const xml = await read(bytesOf(toXml(SUBMISSION)));
    expect(xml.rejects).toEqual([]);
    expect(xml.formats).toEqual(['xml']);
    expect(xml.headers).toEqual([REPORTED_HEADER]);
    expect(xml.incidents).toHaveLength(5);
    expect(xml.incidents).toEqual(csv.incidents);
  });

  it('reads XML with a default namespace or none, and ignores elements it does not know', async () => {
    const plain = toXml(SUBMISSION, '').replace(' xmlns="urn:example:istv"', '');
    const extra = toXml(SUBMISSION, '').replace(
      '<Assault>\n',
      '<Assault>\n    <LocalAuditNote><Nested>x</Nested></LocalAuditNote>\n',
    ).replace('</SubmissionHeader>\n', '</SubmissionHeader>\n  <!-- exported by test -->\n  <Software>ED system 1.2</Software>\n');
    const expected = (await read(bytesOf(toXml(SUBMISSION)))).incidents;
    for (const text of [toXml(SUBMISSION, ''), plain, extra]) {
      const { incidents, rejects } = await read(bytesOf(text));
      expect(rejects).toEqual([]);
      expect(incidents).toEqual(expected);
    }
  });

  it('keeps the location description and the "other" method description only in restrictedText, nowhere else in the output', async () => {
    const fragments = ['Dog lead', 'Rolling pin', 'Red Lion', 'High Street', 'Market Place', 'Café Nero', 'Station Road', 'upper deck'];
    for (const format of ['csv', 'xml'] as const) {
      // Include a row the adapter rejects and a row openCsv rejects (wrong width), both with a description.
      let text = render(format, {
        ...SUBMISSION,
        assaults: [...ASSAULTS, { ...ASSAULTS[0]!, method: 'Spoon', methodOther: 'Rolling pin', locationDescription: 'Red Lion car park' }],
      });
      if (format === 'csv') text += `${csvRow(SUBMISSION, ASSAULTS[3]!)},"extra field"\r\n`;
      const { incidents, rejects, headers } = await read(bytesOf(text));
      expect(incidents.map((i) => i.restrictedText)).toEqual([
        'The Red Lion, 12 High Street',
        'Alley behind Market Place',
        'Assault method, other: Dog lead',
        'Café Nero, Station Road',
        'No. 7 bus & "night" <service>, upper deck',
      ]);
      expect(rejects).toHaveLength(format === 'csv' ? 2 : 1);
      const elsewhere = JSON.stringify({ incidents: incidents.map((i) => ({ ...i, restrictedText: null })), rejects, headers });
      for (const fragment of fragments) expect(elsewhere).not.toContain(fragment);
      expect(incidents.every((i) => i.locationText === null)).toBe(true);
    }
  });

  it('accepts codes, labels and listed spellings of method and location type', async () => {
    const spellings: [string, string, string, string][] = [
      ['3', 'Knife or sharp object', 'PUBLIC PLACE / STREET', 'Public place'],
      ['03', 'Knife or sharp object', 'Pub, bar or club', 'Licensed premises'],
      ['knife', 'Knife or sharp object', '5', 'Educational establishment'],
      ['Blunt  instrument', 'Blunt object', 'Work', 'Workplace'],
      ['Bottle/glass', 'Glass or bottle', 'Not known', 'Not known'],
      ['99', 'Not known', '98', 'Other'],
    ];
    const assaults = spellings.map(([method, , locationType]) => ({ ...ASSAULTS[0]!, method, locationType }));
    const { incidents, rejects } = await read(bytesOf(toCsv({ ...SUBMISSION, assaults })));
    expect(rejects).toEqual([]);
    expect(incidents.map((i) => [i.attributes.assaultMethod, i.attributes.assaultLocationType])).toEqual(spellings.map(([, m, , l]) => [m, l]));
  });

  it('parses XML split into 3-byte chunks (multi-byte characters cut in two) the same as whole', async () => {
    const text = toXml(SUBMISSION);
    const whole = await read(bytesOf(text));
    const tiny = await read(bytesOf(text, 3));
    expect(tiny.incidents).toHaveLength(5);
    expect(tiny.incidents).toEqual(whole.incidents);
    expect(tiny.headers).toEqual([REPORTED_HEADER]);
    expect(tiny.incidents[3]!.restrictedText).toBe('Café Nero, Station Road');
    const csvTiny = await read(bytesOf(toCsv(SUBMISSION), 3));
    expect(csvTiny.incidents).toEqual(whole.incidents);
  });

  it('reads a Windows-1252 CSV (an Excel export) by default, and says so', async () => {
    const encodings: string[] = [];
    const bytes = Buffer.from(toCsv(SUBMISSION), 'latin1');
    const { incidents, rejects } = await collect(istvAdapter.read(bytesOf(bytes), { onEncoding: (e) => encodings.push(e) }));
    expect(rejects).toEqual([]);
    expect(encodings).toEqual(['windows-1252']);
    expect(incidents[3]!.restrictedText).toBe('Café Nero, Station Road');
  });

  it('reads CDATA and character references in XML values', async () => {
    const text = toXml(SUBMISSION).replace(
      `<istv:AssaultLocationDescription>The Red Lion, 12 High Street</istv:AssaultLocationDescription>`,
      `<istv:AssaultLocationDescription><![CDATA[The Red Lion,]]> 12 High&#32;Street</istv:AssaultLocationDescription>`,
    );
    const { incidents } = await read(bytesOf(text));
    expect(incidents[0]!.restrictedText).toBe('The Red Lion, 12 High Street');
  });
});

describe('ISTV row rejects name the assault, item, value and problem', () => {
  type Case = [name: string, change: Partial<Assault>, item: keyof typeof ASSAULT_ITEMS, reason: string, value: string | null, message: RegExp];
  const cases: Case[] = [
    ['missing assault date and time', { assaultAt: '' }, 'assaultAt', 'INVALID_DATE', '', /missing; it is mandatory/],
    ['assault date that does not exist', { assaultAt: '30/02/2024 10:00' }, 'assaultAt', 'INVALID_DATE', '30/02/2024 10:00', /not a real date/],
    ['assault date without a time', { assaultAt: '2024-03-05' }, 'assaultAt', 'INVALID_DATE', '2024-03-05', /no time/],
    ['assault date-time in neither form', { assaultAt: 'last Tuesday' }, 'assaultAt', 'INVALID_DATE', 'last Tuesday', /not an ISO 8601 date/],
    ['arrival date-time invalid', { arrival: '2024-03-02T25:00' }, 'arrival', 'INVALID_DATE', '2024-03-02T25:00', /not a real time/],
    ['arrival before the assault', { arrival: '2024-03-02T23:00:00' }, 'arrival', 'INCONSISTENT_DATES', '2024-03-02T23:00:00', /before the assault/],
    ['arrival after the reporting period', { assaultAt: '2024-03-31T23:30', arrival: '2024-04-01T00:10' }, 'arrival', 'OUT_OF_PERIOD', '2024-04-01T00:10', /outside the reporting period 2024-03-01 to 2024-03-31/],
    ['arrival before the reporting period', { assaultAt: '2024-02-29T21:00', arrival: '2024-02-29T23:59' }, 'arrival', 'OUT_OF_PERIOD', '2024-02-29T23:59', /outside the reporting period/],
    ['no arrival and an assault after the period', { arrival: '', assaultAt: '01/04/2024 00:30' }, 'assaultAt', 'OUT_OF_PERIOD', '01/04/2024 00:30', /after the reporting period/],
    ['missing assault method', { method: ' ' }, 'method', 'MISSING_VALUE', ' ', /mandatory\. Allowed: 01 Body part, 02 Blunt object/],
    ['unknown assault method', { method: 'Spoon' }, 'method', 'UNKNOWN_CATEGORY', 'Spoon', /"Spoon" is not an allowed .*Allowed: 01 Body part.*98 Other, 99 Not known/],
    ['missing location type', { locationType: '' }, 'locationType', 'MISSING_VALUE', '', /mandatory\. Allowed: 01 Public place/],
    ['unknown location type', { locationType: '07' }, 'locationType', 'UNKNOWN_CATEGORY', '07', /Allowed: 01 Public place, 02 Licensed premises/],
    ['over-long location description (value withheld)', { locationDescription: 'x'.repeat(10_001) }, 'locationDescription', 'VALUE_TOO_LONG', null, /longer than the 10,000 characters accepted \(the text is withheld/],
    ['over-long "other" method description (value withheld)', { methodOther: 'y'.repeat(10_001) }, 'methodOther', 'VALUE_TOO_LONG', null, /longer than the 10,000 characters accepted \(the text is withheld/],
  ];

  describe.each(['csv', 'xml'] as const)('%s', (format) => {
    it.each(cases)('%s', async (_name, change, item, reason, value, message) => {
      const assaults = [ASSAULTS[0]!, { ...ASSAULTS[0]!, ...change }, ASSAULTS[1]!];
      const { incidents, rejects } = await read(bytesOf(render(format, { ...SUBMISSION, assaults })));
      expect(incidents.map((i) => i.rowNumber)).toEqual([1, 3]);
      // (The XML fixture leaves an empty item out; an absent element reads as an empty value.)
      expect(rejects).toEqual([
        { kind: 'reject', rowNumber: 2, column: ASSAULT_ITEMS[item][format], value, reason, message: expect.stringMatching(message) },
      ]);
    });
  });

  it('xml: an item given twice in one Assault', async () => {
    const text = toXml(SUBMISSION).replace(
      '<istv:AssaultMethod>Knife/sharp object</istv:AssaultMethod>',
      '<istv:AssaultMethod>Knife/sharp object</istv:AssaultMethod><istv:AssaultMethod>01</istv:AssaultMethod>',
    );
    const { incidents, rejects } = await read(bytesOf(text));
    expect(incidents.map((i) => i.rowNumber)).toEqual([1, 3, 4, 5]);
    expect(rejects).toEqual([expect.objectContaining({ rowNumber: 2, column: 'AssaultMethod', reason: 'DUPLICATE_ITEM', value: null })]);
  });

  it('csv: a row of the wrong width is rejected with its text withheld', async () => {
    const text = `${toCsv(SUBMISSION)}"01/03/2024","31/03/2024","RWEAA","2024-03-05T10:00","Spoon"\r\n`;
    const { incidents, rejects } = await read(bytesOf(text));
    expect(incidents).toHaveLength(5);
    expect(rejects).toEqual([
      expect.objectContaining({ rowNumber: 6, column: null, value: null, reason: 'COLUMN_COUNT', message: expect.stringContaining('Expected 9 fields, found 5') }),
    ]);
  });
});

describe('ISTV whole-file refusals', () => {
  const both = ['csv', 'xml'] as const;

  it.each(both)('%s: a missing header item', async (format) => {
    const error = await refusal(bytesOf(render(format, { ...SUBMISSION, site: '' })));
    expect(error.reason).toBe('MISSING_HEADER');
    expect(error.message).toContain(format === 'csv' ? 'SITE CODE (OF TREATMENT) is missing' : 'SiteCodeOfTreatment is missing');
  });

  it.each(both)('%s: a period that ends before it starts', async (format) => {
    const error = await refusal(bytesOf(render(format, { ...SUBMISSION, start: '2024-03-31', end: '2024-03-01' })));
    expect(error.reason).toBe('INVALID_PERIOD');
    expect(error.message).toContain('ends (2024-03-01) before it starts (2024-03-31)');
  });

  it.each(both.flatMap((f) => ['AB', 'RWE-AA', 'ABCDEFGHIJKLM'].map((site) => [f, site] as const)))('%s: site code %s', async (format, site) => {
    const error = await refusal(bytesOf(render(format, { ...SUBMISSION, site })));
    expect(error.reason).toBe('INVALID_SITE_CODE');
    expect(error.message).toContain(`"${site}"`);
    expect(error.message).toContain('3 to 12 letters and digits');
  });

  it.each(both)('%s: a header date that is not a date', async (format) => {
    const error = await refusal(bytesOf(render(format, { ...SUBMISSION, end: '2024-02-30' })));
    expect(error.reason).toBe('INVALID_HEADER');
    expect(error.message).toMatch(/REPORTING PERIOD END DATE|ReportingPeriodEndDate/);
  });

  it.each(both)('%s: no assaults', async (format) => {
    const error = await refusal(bytesOf(render(format, { ...SUBMISSION, assaults: [] })));
    expect(error.reason).toBe('NO_ASSAULTS');
  });

  it('csv: another feed\'s file (wrong header) names the ISTV columns', async () => {
    const error = await refusal(bytesOf('Crime ID,Month,Reported by\nabc,2024-01,Leicestershire Police\n'));
    expect(error.reason).toBe('WRONG_HEADER');
    expect(error.message).toContain('This is not a health ISTV (ISB/SCCI 1594) assault file');
    expect(error.message).toContain('REPORTING PERIOD START DATE, REPORTING PERIOD END DATE, SITE CODE (OF TREATMENT)');
  });

  it('csv: a row from another submission refuses the file', async () => {
    const rows = toCsv(SUBMISSION).split('\r\n');
    rows[3] = rows[3]!.replace('"RWEAA"', '"RX1CC"');
    const error = await refusal(bytesOf(rows.join('\r\n')));
    expect(error.reason).toBe('HEADER_MISMATCH');
    expect(error.message).toContain('Row 3 belongs to another submission');
    expect(error.message).toContain('site RX1CC');
  });

  it('csv: the header written differently on other rows is the same header', async () => {
    const rows = toCsv(SUBMISSION).split('\r\n');
    rows[2] = rows[2]!.replace('"01/03/2024","31/03/2024","RWEAA"', '"2024-03-01"," 31/3/2024","rweaa"');
    const { incidents, rejects, headers } = await read(bytesOf(rows.join('\r\n')));
    expect(rejects).toEqual([]);
    expect(incidents).toHaveLength(5);
    expect(headers).toEqual([REPORTED_HEADER]);
  });

  it('xml: malformed XML names the line', async () => {
    const text = toXml(SUBMISSION).replace('</istv:AssaultMethod>', '</istv:AssaultMethd>');
    const error = await refusal(bytesOf(text));
    expect(error.reason).toBe('MALFORMED_XML');
    const line = text.split('\n').findIndex((l) => l.includes('</istv:AssaultMethd>')) + 1;
    expect(error.message).toContain(`at line ${line},`);
    expect(error.details).toMatchObject({ line });
  });

  it('xml: a truncated document', async () => {
    const text = toXml(SUBMISSION);
    const error = await refusal(bytesOf(text.slice(0, text.length - 40)));
    expect(error.reason).toBe('MALFORMED_XML');
    expect(error.message).toMatch(/at line \d+/);
  });

  it('xml: an undeclared namespace prefix', async () => {
    const error = await refusal(bytesOf(toXml(SUBMISSION).replace(' xmlns:istv="urn:example:istv"', '')));
    expect(error.reason).toBe('MALFORMED_XML');
    expect(error.message).toContain('at line 2');
  });

  it('xml: another root element', async () => {
    const error = await refusal(bytesOf('<?xml version="1.0"?>\n<ECDSSubmission><Header/></ECDSSubmission>\n'));
    expect(error.reason).toBe('WRONG_FORMAT');
    expect(error.message).toContain('expected <ISTVSubmission>');
  });

  it('xml: an Assault before the SubmissionHeader', async () => {
    const text = `<ISTVSubmission>\n${xmlAssault(ASSAULTS[0]!, '')}</ISTVSubmission>\n`;
    const error = await refusal(bytesOf(text));
    expect(error.reason).toBe('MISSING_HEADER');
    expect(error.message).toContain('Line 2');
  });

  it('xml: no SubmissionHeader at all', async () => {
    const error = await refusal(bytesOf('<ISTVSubmission>\n</ISTVSubmission>\n'));
    expect(error.reason).toBe('MISSING_HEADER');
  });

  it('xml: two SubmissionHeaders', async () => {
    const header = xmlHead(SUBMISSION, '').split('\n').slice(2).join('\n');
    const text = toXml(SUBMISSION, '').replace('</SubmissionHeader>\n', `</SubmissionHeader>\n${header}`);
    const error = await refusal(bytesOf(text));
    expect(error.reason).toBe('DUPLICATE_HEADER');
  });

  it('xml: text that never reaches a tag (an unclosed comment) is refused before it fills memory', async () => {
    const text = `${xmlHead(SUBMISSION, '')}<!-- ${'x'.repeat(1_200_000)}`;
    const error = await refusal(bytesOf(text));
    expect(error.reason).toBe('MALFORMED_XML');
    expect(error.message).toContain('without a tag');
  });

  it('an empty file', async () => {
    const error = await refusal(bytesOf('  \n'));
    expect(error.reason).toBe('EMPTY_FILE');
  });
});

describe('ISTV XML streaming', () => {
  const COUNT = 50_000;
  const PER_CHUNK = 50;

  it(`streams ${COUNT.toLocaleString('en-GB')} assaults from a lazy generator without reading ahead`, async () => {
    // Live heap, measured after a full collection so garbage does not count. `gc` is
    // exposed for this process only (the test runner does not start Node with --expose-gc).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const liveHeap = (): number => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    let heapPeak = 0;
    const encoder = new TextEncoder();
    let produced = 0;
    let producedBytes = 0;
    async function* generate(): AsyncGenerator<Uint8Array> {
      const head = encoder.encode(xmlHead(SUBMISSION));
      producedBytes += head.length;
      yield head;
      for (let i = 0; i < COUNT; i += PER_CHUNK) {
        let chunk = '';
        for (let k = i; k < Math.min(COUNT, i + PER_CHUNK); k++) {
          const day = 1 + (k % 30);
          const minute = k % 60;
          const a: Assault = {
            arrival: `2024-03-${String(day).padStart(2, '0')}T12:${String(minute).padStart(2, '0')}:00`,
            assaultAt: `2024-03-${String(day).padStart(2, '0')}T11:${String(minute).padStart(2, '0')}:00`,
            method: ['01', '02', '03', '05'][k % 4]!,
            methodOther: '',
            locationType: ['01', '02', '03'][k % 3]!,
            locationDescription: `Synthetic place ${k}`,
          };
          chunk += xmlAssault(a);
        }
        produced = Math.min(COUNT, i + PER_CHUNK);
        // Sampled while the adapter pulls input, so holding on to it shows even if nothing is yielded yet.
        if ((i / PER_CHUNK) % 100 === 99) heapPeak = Math.max(heapPeak, liveHeap());
        const bytes = encoder.encode(chunk);
        producedBytes += bytes.length;
        yield bytes;
      }
      const tail = encoder.encode('</istv:ISTVSubmission>\n');
      producedBytes += tail.length;
      yield tail;
    }

    const heapBefore = liveHeap();
    let batches = 0;
    let consumed = 0;
    let maxAhead = 0;
    let firstBatchAt = -1;
    const methods: Record<string, number> = {};
    for await (const batch of istvAdapter.read(generate())) {
      if (firstBatchAt < 0) firstBatchAt = produced;
      for (const item of batch) {
        expect(item.kind).toBe('incident');
        if (item.kind !== 'incident') continue;
        consumed += 1;
        expect(item.rowNumber).toBe(consumed);
        const m = String(item.attributes.assaultMethod);
        methods[m] = (methods[m] ?? 0) + 1;
      }
      maxAhead = Math.max(maxAhead, produced - consumed);
      batches += 1;
      if (batches % 10 === 0) heapPeak = Math.max(heapPeak, liveHeap());
    }

    expect(consumed).toBe(COUNT);
    expect(methods).toEqual({ 'Body part': 12_500, 'Blunt object': 12_500, 'Knife or sharp object': 12_500, 'Glass or bottle': 12_500 });
    // Laziness (deterministic): the first batch arrives after about one batch of input,
    // and the generator is never more than a batch (500) plus a chunk (50) ahead of the output.
    expect(firstBatchAt).toBeLessThanOrEqual(600);
    expect(maxAhead).toBeLessThanOrEqual(550);
    // Memory: sampled every 100 input chunks and every 10 batches, the live heap never grows by
    // more than a tenth of the document (holding the document or every incident would exceed that).
    expect(batches).toBeGreaterThanOrEqual(100);
    expect(producedBytes).toBeGreaterThan(20_000_000);
    expect(heapPeak - heapBefore).toBeLessThan(producedBytes / 10);
  });
});
