import {
  cleanText,
  isOnsCode,
  jsonText,
  openFeedCsv,
  parseLatLon,
  parseMonth,
  readJsonElements,
  reject,
  csvOrJsonAdapter,
  type AdapterContext,
  type ByteSource,
  type FeedAdapter,
} from '@csp-hub/adapter-kit';
import { classify, POLICE_API_CATEGORIES, type AdapterItem, type NormalisedIncident } from '@csp-hub/taxonomy';

/** The columns data.police.uk's crime and outcome files begin with. */
export const CRIME_LOCATION_COLUMNS = [
  'Crime ID',
  'Month',
  'Reported by',
  'Falls within',
  'Longitude',
  'Latitude',
  'Location',
  'LSOA code',
  'LSOA name',
] as const;

/** data.police.uk street-level crime CSV, exactly as published (12 columns). */
export const STREET_COLUMNS = [...CRIME_LOCATION_COLUMNS, 'Crime type', 'Last outcome category', 'Context'] as const;

const CRIME_TYPES = new Set(Object.values(POLICE_API_CATEGORIES));
const NO_LOCATION = 'No Location';
const LABEL = 'data.police.uk street-level crime';

interface StreetFields {
  row: number;
  crimeId: string;
  month: string;
  latitude: string;
  longitude: string;
  location: string;
  lsoaCode: string;
  lsoaName: string;
  crimeType: string;
  outcome: string;
  context: string;
  extra: Record<string, string | number>;
  /** "Reported by" and "Falls within", when the source has them. */
  publisher?: string[];
}

/** Validates and normalises one street-level row (CSV or API); a reject names the column. */
export function normaliseStreet(f: StreetFields): AdapterItem {
  const month = parseMonth(f.month);
  if (!month.ok) return reject(f.row, 'Month', f.month, 'INVALID_DATE', month.message);
  const crimeType = f.crimeType.trim();
  if (!CRIME_TYPES.has(crimeType)) {
    return reject(f.row, 'Crime type', f.crimeType, 'UNKNOWN_CATEGORY', `"${f.crimeType}" is not a data.police.uk crime type`);
  }
  const location = f.location.trim();
  const unlocated = location === NO_LOCATION;
  const coords = parseLatLon(f.latitude, f.longitude);
  if (!coords.ok) {
    const column = coords.message.startsWith('longitude') ? 'Longitude' : 'Latitude';
    return reject(f.row, column, `${f.latitude},${f.longitude}`, 'INVALID_COORDINATE', coords.message);
  }
  if (!unlocated && coords.value === null && location !== '') {
    // data.police.uk blanks coordinates only for "No Location" rows.
    return reject(f.row, 'Longitude', '', 'MISSING_COORDINATE', `"${location}" has no coordinates (only "No Location" rows may omit them)`);
  }
  const lsoaCode = f.lsoaCode.trim();
  if (lsoaCode !== '' && !isOnsCode(lsoaCode)) {
    return reject(f.row, 'LSOA code', f.lsoaCode, 'INVALID_AREA_CODE', `"${f.lsoaCode}" is not an ONS LSOA code (e.g. E01025667)`);
  }
  const crimeId = f.crimeId.trim();
  const context = cleanText(f.context);
  const incident: NormalisedIncident = {
    kind: 'incident',
    rowNumber: f.row,
    sourceRef: crimeId === '' ? null : crimeId,
    sourceCategory: crimeType,
    category: classify('police', crimeType),
    occurredMonth: month.value,
    occurredAt: null,
    locationText: unlocated ? null : cleanText(location),
    lsoaCode: lsoaCode === '' ? null : lsoaCode,
    lsoaName: cleanText(f.lsoaName),
    wardName: null,
    latitude: coords.value?.latitude ?? null,
    longitude: coords.value?.longitude ?? null,
    outcome: cleanText(f.outcome),
    tier: 'public',
    attributes: context ? { ...f.extra, context } : f.extra,
    restrictedText: null,
  };
  if (f.publisher) incident.publisher = f.publisher;
  return incident;
}

async function* readStreetCsv(source: ByteSource, context: AdapterContext): AsyncGenerator<AdapterItem[]> {
  const csv = await openFeedCsv(source, context, { label: LABEL, requiredColumns: STREET_COLUMNS, defaultEncoding: 'utf-8' });
  const c = csv.column as Record<(typeof STREET_COLUMNS)[number], number>;
  const none = {};
  for await (const batch of csv.batches()) {
    const items: AdapterItem[] = batch.rejects.slice();
    for (const { row, fields } of batch.records) {
      items.push(
        normaliseStreet({
          row,
          crimeId: fields[c['Crime ID']]!,
          month: fields[c.Month]!,
          latitude: fields[c.Latitude]!,
          longitude: fields[c.Longitude]!,
          location: fields[c.Location]!,
          lsoaCode: fields[c['LSOA code']]!,
          lsoaName: fields[c['LSOA name']]!,
          crimeType: fields[c['Crime type']]!,
          outcome: fields[c['Last outcome category']]!,
          context: fields[c.Context]!,
          extra: none,
          publisher: [fields[c['Reported by']]!.trim(), fields[c['Falls within']]!.trim()].filter((p) => p !== ''),
        }),
      );
    }
    yield items;
  }
}

/** crimes-street / crimes-at-location API records (array, or one object). */
async function* readStreetJson(source: ByteSource): AsyncGenerator<AdapterItem[]> {
  for await (const elements of readJsonElements(source, 'data.police.uk crimes-street')) {
    yield elements.map(({ row, value }) => {
      const slug = jsonText(value, 'category');
      const label = POLICE_API_CATEGORIES[slug];
      if (!label) return reject(row, 'category', slug, 'UNKNOWN_CATEGORY', `"${slug}" is not a data.police.uk crime category`);
      const street = jsonText(value, 'location', 'street', 'name');
      const apiId = jsonText(value, 'id');
      const locationType = jsonText(value, 'location_type');
      const extra: Record<string, string> = {};
      if (apiId) extra.apiId = apiId;
      if (locationType) extra.locationType = locationType;
      return normaliseStreet({
        row,
        crimeId: jsonText(value, 'persistent_id'),
        month: jsonText(value, 'month'),
        latitude: jsonText(value, 'location', 'latitude'),
        longitude: jsonText(value, 'location', 'longitude'),
        location: street === '' && jsonText(value, 'location', 'latitude') === '' ? NO_LOCATION : street,
        lsoaCode: '',
        lsoaName: '',
        crimeType: label,
        outcome: jsonText(value, 'outcome_status', 'category'),
        context: jsonText(value, 'context'),
        extra,
      });
    });
  }
}

export const streetAdapter: FeedAdapter = csvOrJsonAdapter({
  feed: 'police.street',
  formats: ['csv', 'json'],
  requiredColumns: STREET_COLUMNS,
  optionalColumns: [],
  defaultEncoding: 'utf-8',
}, {
  csv: readStreetCsv,
  json: (source) => readStreetJson(source),
});
