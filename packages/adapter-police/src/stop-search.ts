import {
  cleanText,
  jsonText,
  londonMonthOf,
  openFeedCsv,
  parseIsoDateTime,
  parseLatLon,
  readJsonElements,
  reject,
  csvOrJsonAdapter,
  type AdapterContext,
  type ByteSource,
  type FeedAdapter,
} from '@csp-hub/adapter-kit';
import { classify, type AdapterItem, type AttributeValue } from '@csp-hub/taxonomy';

/** data.police.uk stop-and-search CSV (15 columns). */
export const STOP_SEARCH_COLUMNS = [
  'Type',
  'Date',
  'Part of a policing operation',
  'Policing operation',
  'Latitude',
  'Longitude',
  'Gender',
  'Age range',
  'Self-defined ethnicity',
  'Officer-defined ethnicity',
  'Legislation',
  'Object of search',
  'Outcome',
  'Outcome linked to object of search',
  'Removal of more than just outer clothing',
] as const;

const LABEL = 'data.police.uk stop and search';

interface StopFields {
  row: number;
  type: string;
  date: string;
  latitude: string;
  longitude: string;
  location: string;
  objectOfSearch: string;
  outcome: string;
  attributes: Record<string, string>;
}

function normaliseStop(f: StopFields): AdapterItem {
  const type = cleanText(f.type);
  if (!type) return reject(f.row, 'Type', f.type, 'MISSING_VALUE', 'the search type is empty');
  const when = parseIsoDateTime(f.date);
  if (!when.ok) return reject(f.row, 'Date', f.date, 'INVALID_DATE', when.message);
  const coords = parseLatLon(f.latitude, f.longitude);
  if (!coords.ok) return reject(f.row, 'Latitude', `${f.latitude},${f.longitude}`, 'INVALID_COORDINATE', coords.message);
  const object = cleanText(f.objectOfSearch) ?? 'Object of search not recorded';
  const attributes: Record<string, AttributeValue> = { type };
  for (const [k, v] of Object.entries(f.attributes)) {
    const t = cleanText(v);
    if (t !== null) attributes[k] = t;
  }
  return {
    kind: 'incident',
    rowNumber: f.row,
    sourceRef: null,
    sourceCategory: object,
    category: classify('police', object),
    occurredMonth: londonMonthOf(when.value),
    occurredAt: when.value,
    locationText: cleanText(f.location),
    lsoaCode: null,
    lsoaName: null,
    wardName: null,
    latitude: coords.value?.latitude ?? null,
    longitude: coords.value?.longitude ?? null,
    outcome: cleanText(f.outcome),
    tier: 'public',
    attributes,
    restrictedText: null,
  };
}

async function* readCsv(source: ByteSource, context: AdapterContext): AsyncGenerator<AdapterItem[]> {
  const csv = await openFeedCsv(source, context, { label: LABEL, requiredColumns: STOP_SEARCH_COLUMNS, defaultEncoding: 'utf-8' });
  const c = csv.column as Record<(typeof STOP_SEARCH_COLUMNS)[number], number>;
  for await (const batch of csv.batches()) {
    const items: AdapterItem[] = batch.rejects.slice();
    for (const { row, fields } of batch.records) {
      const at = (name: (typeof STOP_SEARCH_COLUMNS)[number]) => fields[c[name]]!;
      items.push(
        normaliseStop({
          row,
          type: at('Type'),
          date: at('Date'),
          latitude: at('Latitude'),
          longitude: at('Longitude'),
          location: '',
          objectOfSearch: at('Object of search'),
          outcome: at('Outcome'),
          attributes: {
            partOfPolicingOperation: at('Part of a policing operation'),
            policingOperation: at('Policing operation'),
            gender: at('Gender'),
            ageRange: at('Age range'),
            selfDefinedEthnicity: at('Self-defined ethnicity'),
            officerDefinedEthnicity: at('Officer-defined ethnicity'),
            legislation: at('Legislation'),
            outcomeLinkedToObject: at('Outcome linked to object of search'),
            removalOfMoreThanOuterClothing: at('Removal of more than just outer clothing'),
          },
        }),
      );
    }
    yield items;
  }
}

async function* readJson(source: ByteSource): AsyncGenerator<AdapterItem[]> {
  for await (const elements of readJsonElements(source, 'data.police.uk stop and search')) {
    yield elements.map(({ row, value }) =>
      normaliseStop({
        row,
        type: jsonText(value, 'type'),
        date: jsonText(value, 'datetime'),
        latitude: jsonText(value, 'location', 'latitude'),
        longitude: jsonText(value, 'location', 'longitude'),
        location: jsonText(value, 'location', 'street', 'name'),
        objectOfSearch: jsonText(value, 'object_of_search'),
        outcome: jsonText(value, 'outcome_object', 'name') || jsonText(value, 'outcome'),
        attributes: {
          partOfPolicingOperation: jsonText(value, 'operation'),
          policingOperation: jsonText(value, 'operation_name'),
          gender: jsonText(value, 'gender'),
          ageRange: jsonText(value, 'age_range'),
          selfDefinedEthnicity: jsonText(value, 'self_defined_ethnicity'),
          officerDefinedEthnicity: jsonText(value, 'officer_defined_ethnicity'),
          legislation: jsonText(value, 'legislation'),
          outcomeLinkedToObject: jsonText(value, 'outcome_linked_to_object_of_search'),
          removalOfMoreThanOuterClothing: jsonText(value, 'removal_of_more_than_outer_clothing'),
        },
      }),
    );
  }
}

export const stopSearchAdapter: FeedAdapter = csvOrJsonAdapter({
  feed: 'police.stop_search',
  formats: ['csv', 'json'],
  requiredColumns: STOP_SEARCH_COLUMNS,
  optionalColumns: [],
  defaultEncoding: 'utf-8',
}, {
  csv: readCsv,
  json: (source) => readJson(source),
});
