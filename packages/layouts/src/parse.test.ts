import { describe, expect, it } from 'vitest';
import { HubError } from '@csp-hub/taxonomy';
import { parseLayout, validateLayoutText, type LayoutIssue } from './parse';
import { transformRegistry, type LayoutTransform } from './transforms';

const UPPER: LayoutTransform = {
  name: 'upper',
  description: 'upper-cases a code',
  inputs: { code: { required: true, description: 'the code' }, fallback: { required: false, description: 'used when code is empty' } },
  options: { empty: { values: ['reject', 'keep'], default: 'reject', description: 'what an empty code does' } },
  apply: (inputs) => ({ ok: true, value: (inputs.code || inputs.fallback || '').toUpperCase() }),
};
const transforms = transformRegistry([UPPER]);

function issues(text: string, fileName = 'test.yaml'): LayoutIssue[] {
  const result = validateLayoutText(text, { fileName, transforms });
  if (result.ok) throw new Error('expected the layout to be refused');
  return result.issues;
}

const GOOD = `# A constructed fire service export.
id: acme-fire
label: Acme Fire incident extract
feed: fire.incidents
encoding: windows-1252
header:
  required: [Incident Ref, Call Date, Incident Type]
columns:
  sourceRef: Incident Ref
  occurredAt: { column: Call Date, format: dd/MM/yyyy HH:mm }
  sourceCategory: Incident Type
  coordinates: { system: bng, easting: Grid E, northing: Grid N }
  attributes:
    station: Station
`;

describe('reading a layout', () => {
  it('reads YAML, applying the defaults and the shorthands', () => {
    const layout = parseLayout(GOOD, { fileName: 'acme.yaml', transforms });
    expect(layout).toMatchObject({
      id: 'acme-fire',
      version: 1,
      feed: 'fire.incidents',
      format: 'csv',
      encoding: 'windows-1252',
      nullTokens: ['NULL', 'N/A', '-', ''],
      emptyAttributes: 'omit',
      header: { required: ['Incident Ref', 'Call Date', 'Incident Type'] },
      rules: { requireLocation: false, recordLocationPrecision: false },
    });
    expect(layout.columns.sourceRef).toEqual({ column: ['Incident Ref'], required: true });
    expect(layout.columns.occurredAt).toEqual({ column: ['Call Date'], format: ['dd/MM/yyyy HH:mm'] });
    expect(layout.columns.coordinates).toEqual([{ system: 'bng', easting: 'Grid E', northing: 'Grid N' }]);
    expect(layout.columns.attributes?.station).toMatchObject({ column: ['Station'], type: 'text', required: false, invalid: 'reject' });
  });

  it('reads the same layout written as JSON', () => {
    const json = JSON.stringify({
      id: 'acme-fire',
      label: 'Acme Fire incident extract',
      feed: 'fire.incidents',
      encoding: 'windows-1252',
      header: { required: ['Incident Ref', 'Call Date', 'Incident Type'] },
      columns: {
        sourceRef: 'Incident Ref',
        occurredAt: { column: 'Call Date', format: 'dd/MM/yyyy HH:mm' },
        sourceCategory: 'Incident Type',
        coordinates: { system: 'bng', easting: 'Grid E', northing: 'Grid N' },
        attributes: { station: 'Station' },
      },
    }, null, 2);
    expect(parseLayout(json, { fileName: 'acme.json', transforms })).toEqual(parseLayout(GOOD, { fileName: 'acme.yaml', transforms }));
  });
});

describe('a bad layout file: every problem at once, each with its file, line and field', () => {
  it('names the line and field of a bad date format, with the rest of the problems', () => {
    const text = [
      'id: fire-acme', //                                  1
      'label: Acme Fire and Rescue incidents', //          2
      'feed: fire.incident', //                            3
      'encoding: latin-1', //                              4
      'header:', //                                        5
      '  required:', //                                    6
      '    - Incident Ref', //                             7
      '    - Call Date', //                                8
      'columns:', //                                       9
      '  sourceRef: Incident Ref', //                      10
      '  sourceCategory: { value: Fire }', //              11
      '  occurredAt:', //                                  12
      '    column: Call Date', //                          13
      '    format: dd/mm/yy hh', //                        14
      '  wardNmae: Ward', //                               15
      '',
    ].join('\n');
    const dateProblem =
      'unknown date format "dd/mm/yy hh": no month ("mm" is minutes; the month is "MM"); ' +
      '"hh" is a 12-hour clock hour and needs "a" for AM/PM (use "HH" for a 24-hour clock)';
    expect(issues(text, 'fire-acme.yaml')).toEqual([
      { line: 3, path: 'feed', message: expect.stringMatching(/^"fire\.incident" is not one of: police\.street, .* \(did you mean "fire\.incidents"\?\)$/) },
      { line: 4, path: 'encoding', message: '"latin-1" is not one of: utf-8, windows-1252, auto' },
      { line: 14, path: 'columns.occurredAt.format', message: dateProblem },
      { line: 15, path: 'columns.wardNmae', message: 'unknown field "wardNmae" (did you mean "wardName"?)' },
    ]);
    const fixed = text.replace('fire.incident\n', 'fire.incidents\n').replace('latin-1', 'auto').replace('wardNmae', 'wardName');
    let error: unknown;
    try {
      parseLayout(fixed, { fileName: 'fire-acme.yaml', transforms });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).reason).toBe('INVALID_LAYOUT');
    expect((error as HubError).message).toBe(`fire-acme.yaml is not a valid layout (1 problem):\nfire-acme.yaml line 14, columns.occurredAt.format: ${dateProblem}`);
  });

  it('points at the item of a list of formats, and at the parent of a missing field', () => {
    const text = `id: x1
label: Missing things
feed: council.asb
header:
  required: Ref
columns:
  sourceRef: Ref
  occurredAt:
    column: Date
    format:
      - dd/MM/yyyy
      - yyyy-MM-dd hh:mm
`;
    expect(issues(text)).toEqual([
      { line: 6, path: 'columns.sourceCategory', message: 'is required' },
      { line: 12, path: 'columns.occurredAt.format[1]', message: expect.stringContaining('unknown date format "yyyy-MM-dd hh:mm"') },
    ]);
  });

  it('checks which fields go together', () => {
    const text = `id: council-x
label: Mixed up
feed: council.fly_tipping
header:
  required: [Ref, When]
columns:
  sourceRef: Ref
  occurredAt:
    column: When
    date: When
  month: Month
  sourceCategory: { value: Fly-tipping, column: Type }
  category: { default: environmental }
  coordinates:
    - { system: wgs84, easting: E, northing: N }
    - { system: bng, easting: E }
  attributes:
    size: { column: Size, type: integer, values: [Small, Large] }
    when: { column: Seen, format: dd/MM/yyyy }
rules:
  missingLocationColumn: Ref
`;
    const found = issues(text).map((i) => `${i.line} ${i.path}: ${i.message}`);
    expect(found).toEqual([
      '8 columns.occurredAt: occurredAt takes only one of column, date, day; found column and date',
      '11 columns.month: give occurredAt or month, not both',
      '12 columns.sourceCategory: sourceCategory takes only one of column, value, transform; found column and value',
      '13 columns.category.default: default is the priority of categories the map does not list; give the map too (or leave category out to use the taxonomy)',
      '15 columns.coordinates[0]: easting and northing are British National Grid: use system bng',
      '15 columns.coordinates[0]: a WGS84 source is latitude and longitude columns, or one point column "(lat, lon)"',
      '16 columns.coordinates[1]: a British National Grid source needs easting and northing',
      '18 columns.attributes.size.values: allowed values go with type text, not integer',
      '19 columns.attributes.when.format: format goes with type date',
      '21 rules.missingLocationColumn: goes with requireLocation: true',
    ]);
  });

  it('checks transforms: the name, the inputs and the options', () => {
    const text = `id: t-1
label: Transforms
feed: fire.incidents
header:
  required: [Ref, Date]
columns:
  sourceRef: { transform: upper, inputs: { fallback: Ref, extra: Other }, options: { empty: drop, colour: red } }
  occurredAt: Date
  sourceCategory: { transform: lower, inputs: { code: Type } }
  attributes:
    code: { column: Code, inputs: { code: Code } }
`;
    const found = issues(text).map((i) => `${i.line} ${i.path}: ${i.message}`);
    expect(found).toEqual([
      '7 columns.sourceRef.inputs: transform upper needs input code (the code)',
      '7 columns.sourceRef.inputs.extra: transform upper has no input extra (inputs: code, fallback)',
      '7 columns.sourceRef.options.empty: "drop" is not one of: reject, keep',
      '7 columns.sourceRef.options.colour: transform upper has no option colour',
      '9 columns.sourceCategory.transform: there is no transform "lower" (transforms: upper)',
      '11 columns.attributes.code.inputs: inputs belong to a transform; name the transform too',
    ]);
  });

  it('refuses types it cannot read and names the value it found', () => {
    const text = `{
  "id": "Bad Id",
  "version": 0,
  "label": "JSON with wrong types",
  "feed": "council.noise",
  "nullTokens": { "NULL": true },
  "header": { "required": [] },
  "columns": {
    "occurredAt": { "column": 7 },
    "sourceCategory": { "value": "Noise complaint" },
    "attributes": { "Noise-Type": "Noise type" }
  }
}`;
    const found = issues(text, 'noise.json').map((i) => `${i.line} ${i.path}: ${i.message}`);
    expect(found).toEqual([
      '2 id: an id is 2-63 lower-case letters, digits and dashes, e.g. acme-fire-irs',
      '3 version: must be at least 1',
      '6 nullTokens: expected a list, found a mapping',
      '7 header.required: needs at least 1 item',
      '9 columns.occurredAt.column: expected text, found 7',
      '11 columns.attributes.Noise-Type: the name "Noise-Type" is not allowed: attribute names are camelCase letters and digits, e.g. propertyType',
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const found = issues('id: a1\nlabel: [unclosed\nfeed: council.asb\n');
    expect(found[0]).toMatchObject({ line: expect.any(Number), path: '', message: expect.stringContaining('not valid YAML or JSON') });
    expect(issues('- just\n- a list\n')).toEqual([{ line: 1, path: '', message: 'a layout is a mapping of fields (id, label, feed, header, columns ...)' }]);
    expect(issues('id: a1\nid: a2\n')[0]!.message).toContain('not valid YAML or JSON');
  });

  it('refuses a layout for police outcomes and one that requires a location it cannot find', () => {
    const text = `id: outcomes-x
label: Outcomes
feed: police.outcomes
header: { required: [Crime ID, Month] }
columns:
  sourceRef: Crime ID
  month: Month
  sourceCategory: { value: Outcome }
rules: { requireLocation: true }
`;
    expect(issues(text).map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      '3 feed: police.outcomes rows update crimes already stored; a layout maps rows to incidents, so it cannot describe them',
      '9 rules.requireLocation: no column can place a row: map coordinates, lsoaCode, wardCode, wardName or an attribute with locates: true',
    ]);
  });
});
