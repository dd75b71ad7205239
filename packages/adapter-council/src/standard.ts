import { cleanText, openCsv, reject, type AdapterContext, type ByteSource, type FeedAdapter } from '@csp-hub/adapter-kit';
import { FEEDS, HubError, type AdapterItem, type AttributeValue, type FeedId } from '@csp-hub/taxonomy';
import { councilIncident, parseAreaCode, parseCoordinates, parseOptionalWhen, parseWhen, splitLocationText } from './common';

/**
 * The hub's standard council layouts: one CSV per feed (ASB, fly-tipping,
 * graffiti, noise, abandoned vehicles) sharing a reference, a date and the
 * location columns, plus columns of their own. Columns are matched by exact
 * name in any order; other columns are ignored.
 */

/** Every standard layout starts with these. */
export const COMMON_COLUMNS = ['Reference', 'Date'] as const;

/** Where a row is: at least one of ward code, ward name, LSOA code or latitude/longitude per row. */
export const LOCATION_COLUMNS = ['Ward code', 'Ward name', 'LSOA code', 'Latitude', 'Longitude', 'Location description'] as const;

/** Flycapture fly-tipping size categories (Defra), in increasing size. */
export const FLYCAPTURE_SIZES = [
  'Single Black Bag',
  'Single Item',
  'Car Boot or Less',
  'Small Van Load',
  'Transit Van Load',
  'Tipper Lorry Load',
  'Significant/Multi Loads',
] as const;

/** Home Office ASB categories (National Standard for Incident Recording). */
export const ASB_CATEGORIES = ['Personal', 'Nuisance', 'Environmental'] as const;

/** How a layout column's value is read: free text, yes/no, a date, or one of a fixed list. */
export type ColumnValue = 'text' | 'yes-no' | 'date' | readonly string[];

export interface LayoutColumn {
  column: string;
  /** The column must be in the header and non-empty on every row. */
  required: boolean;
  value: ColumnValue;
  /** An attribute key, the incident outcome, or free text kept with the providing agency. */
  into: { attribute: string } | 'outcome' | 'restrictedText';
}

export interface StandardLayout {
  feed: FeedId;
  /** Feed name for messages. */
  label: string;
  /** Every row of a single-type feed carries this source category (classified by the council mapping). */
  sourceCategory: string;
  columns: readonly LayoutColumn[];
}

const text = (column: string, attribute: string, required = false): LayoutColumn => ({ column, required, value: 'text', into: { attribute } });

export const ASB_LAYOUT: StandardLayout = {
  feed: 'council.asb',
  label: 'council anti-social behaviour',
  sourceCategory: 'Anti-social behaviour',
  columns: [
    { column: 'ASB category', required: true, value: ASB_CATEGORIES, into: { attribute: 'asbCategory' } },
    text('ASB type', 'asbType'),
    { column: 'Outcome', required: false, value: 'text', into: 'outcome' },
    { column: 'Description', required: false, value: 'text', into: 'restrictedText' },
  ],
};

export const FLY_TIPPING_LAYOUT: StandardLayout = {
  feed: 'council.fly_tipping',
  label: 'council fly-tipping (Flycapture)',
  sourceCategory: 'Fly-tipping',
  columns: [
    text('Land type', 'landType', true),
    text('Waste type', 'wasteType', true),
    { column: 'Size', required: true, value: FLYCAPTURE_SIZES, into: { attribute: 'size' } },
    { column: 'Action taken', required: false, value: 'text', into: 'outcome' },
  ],
};

export const GRAFFITI_LAYOUT: StandardLayout = {
  feed: 'council.graffiti',
  label: 'council graffiti',
  sourceCategory: 'Graffiti',
  columns: [
    text('Graffiti type', 'graffitiType'),
    { column: 'Offensive', required: false, value: 'yes-no', into: { attribute: 'offensive' } },
    text('Surface', 'surface'),
    { column: 'Removed date', required: false, value: 'date', into: { attribute: 'removedAt' } },
    { column: 'Outcome', required: false, value: 'text', into: 'outcome' },
  ],
};

export const NOISE_LAYOUT: StandardLayout = {
  feed: 'council.noise',
  label: 'council noise complaints',
  sourceCategory: 'Noise complaint',
  columns: [
    text('Noise type', 'noiseType', true),
    text('Source type', 'sourceType'),
    { column: 'Outcome', required: false, value: 'text', into: 'outcome' },
    { column: 'Description', required: false, value: 'text', into: 'restrictedText' },
  ],
};

/** Vehicle registration marks are deliberately not read: they identify the keeper. */
export const ABANDONED_VEHICLES_LAYOUT: StandardLayout = {
  feed: 'council.abandoned_vehicles',
  label: 'council abandoned vehicles',
  sourceCategory: 'Abandoned vehicle',
  columns: [text('Vehicle make', 'vehicleMake'), text('Vehicle colour', 'vehicleColour'), { column: 'Outcome', required: false, value: 'text', into: 'outcome' }],
};

/** Required and optional columns of a standard layout. */
export function layoutColumns(layout: StandardLayout): { required: string[]; optional: string[] } {
  return {
    required: [...COMMON_COLUMNS, ...layout.columns.filter((c) => c.required).map((c) => c.column)],
    optional: [...LOCATION_COLUMNS, ...layout.columns.filter((c) => !c.required).map((c) => c.column)],
  };
}

function foldChoice(value: string): string {
  return value.toLowerCase().replace(/\s*\/\s*/g, '/').replace(/\s+/g, ' ').trim();
}

const YES = new Set(['yes', 'y', 'true']);
const NO = new Set(['no', 'n', 'false']);

type ColumnResult = { ok: true; value: AttributeValue } | { ok: false; reason: string; message: string };

function readColumn(spec: LayoutColumn, raw: string, choiceIndex: ReadonlyMap<string, string> | undefined): ColumnResult {
  const value = cleanText(raw);
  if (value === null) {
    return spec.required ? { ok: false, reason: 'MISSING_VALUE', message: `${spec.column} is empty` } : { ok: true, value: null };
  }
  if (spec.value === 'text') return { ok: true, value };
  if (spec.value === 'yes-no') {
    const folded = value.toLowerCase();
    if (YES.has(folded)) return { ok: true, value: true };
    if (NO.has(folded)) return { ok: true, value: false };
    return { ok: false, reason: 'INVALID_VALUE', message: `"${value}" is not Yes or No` };
  }
  if (spec.value === 'date') {
    const when = parseOptionalWhen(value);
    return when.ok ? { ok: true, value: when.value } : { ok: false, reason: 'INVALID_DATE', message: when.message };
  }
  const canonical = choiceIndex?.get(foldChoice(value));
  if (canonical === undefined) {
    return { ok: false, reason: 'UNKNOWN_CATEGORY', message: `"${value}" is not a ${spec.column} value: expected one of ${spec.value.join(', ')}` };
  }
  return { ok: true, value: canonical };
}

/** Refuses a header that can never place a row (no location column, or half a coordinate pair). */
function checkLocationHeader(layout: StandardLayout, header: readonly string[], required: readonly string[]): void {
  const has = (c: string) => header.includes(c);
  const expected = `Expected the ${layout.label} columns: ${required.join(', ')}, and at least one of Ward code, Ward name, LSOA code, or Latitude and Longitude.`;
  if (has('Latitude') !== has('Longitude')) {
    throw HubError.invalidInput('WRONG_HEADER', `This ${layout.label} file has ${has('Latitude') ? 'Latitude but no Longitude' : 'Longitude but no Latitude'} column. ${expected}`, {
      found: header,
    });
  }
  if (!['Ward code', 'Ward name', 'LSOA code', 'Latitude'].some(has)) {
    throw HubError.invalidInput('WRONG_HEADER', `This ${layout.label} file has no location column. ${expected} Found: ${header.slice(0, 40).join(', ')}.`, {
      missing: ['Ward code', 'Ward name', 'LSOA code', 'Latitude', 'Longitude'],
      found: header,
    });
  }
}

async function* readStandard(layout: StandardLayout, source: ByteSource, context: AdapterContext): AsyncGenerator<AdapterItem[]> {
  const { required, optional } = layoutColumns(layout);
  const csv = await openCsv(source, {
    feedLabel: layout.label,
    requiredColumns: required,
    optionalColumns: optional,
    encoding: context.encoding ?? 'auto',
    ...(context.onEncoding ? { onEncoding: context.onEncoding } : {}),
  });
  checkLocationHeader(layout, csv.header, required);
  const c = csv.column;
  const present = layout.columns.filter((spec) => c[spec.column] !== undefined);
  const choices = new Map<string, ReadonlyMap<string, string>>();
  for (const spec of present) {
    if (typeof spec.value !== 'string') choices.set(spec.column, new Map(spec.value.map((v) => [foldChoice(v), v])));
  }
  const field = (fields: string[], column: string): string => {
    const i = c[column];
    return i === undefined ? '' : fields[i]!;
  };
  for await (const batch of csv.batches()) {
    const items: AdapterItem[] = batch.rejects.slice();
    for (const { row, fields } of batch.records) {
      items.push(normaliseStandardRow(layout, row, (column) => field(fields, column), present, choices, c));
    }
    yield items;
  }
}

function normaliseStandardRow(
  layout: StandardLayout,
  row: number,
  get: (column: string) => string,
  present: readonly LayoutColumn[],
  choices: ReadonlyMap<string, ReadonlyMap<string, string>>,
  column: Readonly<Record<string, number>>,
): AdapterItem {
  const ref = cleanText(get('Reference'));
  if (ref === null) return reject(row, 'Reference', get('Reference'), 'MISSING_ID', "Reference is empty: every row needs the council's own reference");
  const when = parseWhen(get('Date'));
  if (!when.ok) return reject(row, 'Date', get('Date'), 'INVALID_DATE', when.message);

  const attributes: Record<string, AttributeValue> = {};
  const restricted: string[] = [];
  let outcome: string | null = null;
  for (const spec of present) {
    const raw = get(spec.column);
    const result = readColumn(spec, raw, choices.get(spec.column));
    if (!result.ok) return reject(row, spec.column, raw, result.reason, result.message);
    if (spec.into === 'outcome') outcome = typeof result.value === 'string' ? result.value : null;
    else if (spec.into === 'restrictedText') {
      if (typeof result.value === 'string') restricted.push(`${spec.column}: ${result.value}`);
    } else attributes[spec.into.attribute] = result.value;
  }

  const coords = parseCoordinates(get('Latitude'), get('Longitude'), '');
  if (!coords.ok) return reject(row, coords.column, coords.value, 'INVALID_COORDINATE', coords.message);
  const ward = parseAreaCode(get('Ward code'), 'ward');
  if (!ward.ok) return reject(row, 'Ward code', get('Ward code'), 'INVALID_AREA_CODE', ward.message);
  const lsoa = parseAreaCode(get('LSOA code'), 'lsoa');
  if (!lsoa.ok) return reject(row, 'LSOA code', get('LSOA code'), 'INVALID_AREA_CODE', lsoa.message);
  const wardName = cleanText(get('Ward name'));
  if (coords.value === null && ward.value === null && lsoa.value === null && wardName === null) {
    return reject(
      row,
      null,
      null,
      'MISSING_LOCATION',
      'No location: give at least one of Ward code, Ward name, LSOA code, or Latitude and Longitude (a location description alone cannot be placed)',
    );
  }
  if (column['Ward code'] !== undefined) attributes.wardCode = ward.value;

  const place = splitLocationText(get('Location description'));
  if (place.withheld !== null) restricted.unshift(`Location description: ${place.withheld}`);
  return councilIncident(layout.feed, {
    rowNumber: row,
    sourceRef: ref,
    sourceCategory: layout.sourceCategory,
    when: when.value,
    locationText: place.shared,
    lsoaCode: lsoa.value,
    wardName,
    coordinates: coords.value,
    outcome,
    attributes,
    restrictedText: restricted.length > 0 ? restricted.join('\n') : null,
  });
}

/** A FeedAdapter for one standard council layout. */
export function standardAdapter(layout: StandardLayout): FeedAdapter {
  const { required, optional } = layoutColumns(layout);
  if (FEEDS[layout.feed].agencyType !== 'council') throw new Error(`${layout.feed} is not a council feed`);
  return {
    description: { feed: layout.feed, formats: ['csv'], requiredColumns: required, optionalColumns: optional, defaultEncoding: 'auto' },
    async *read(source, context = {}) {
      context.onFormat?.('csv');
      yield* readStandard(layout, source, context);
    },
  };
}

export const asbAdapter = standardAdapter(ASB_LAYOUT);
export const flyTippingAdapter = standardAdapter(FLY_TIPPING_LAYOUT);
export const graffitiAdapter = standardAdapter(GRAFFITI_LAYOUT);
export const noiseAdapter = standardAdapter(NOISE_LAYOUT);
export const abandonedVehiclesAdapter = standardAdapter(ABANDONED_VEHICLES_LAYOUT);
