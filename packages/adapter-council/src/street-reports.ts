import { cleanText, csvAdapter, reject, type FeedAdapter } from '@csp-hub/adapter-kit';
import type { AdapterItem } from '@csp-hub/taxonomy';
import { councilIncident, parseCoordinates, parseOptionalWhen, parseWhen } from './common';

/**
 * FixMyStreet reports as B&NES publishes them. `ward` (lower case) is the ward
 * name; `Ward` (capital W) and the other trailing columns are Socrata
 * computed-region ids and are ignored. Header names are matched exactly, so
 * the two stay apart.
 */
export const STREET_REPORT_COLUMNS = ['url', 'created', 'category', 'latitude', 'longitude'] as const;
export const STREET_REPORT_OPTIONAL_COLUMNS = ['title', 'state', 'whensent', 'lastupdate', 'ward', 'Location'] as const;

const LABEL = 'council FixMyStreet street reports';
type Column = (typeof STREET_REPORT_COLUMNS)[number] | (typeof STREET_REPORT_OPTIONAL_COLUMNS)[number];

/** The numeric FixMyStreet report id at the end of a report URL (`.../report/123456`), or null. */
export function reportIdOf(url: string): string | null {
  return /\/report\/(\d+)\/?(?:[?#].*)?$/.exec(url.trim())?.[1] ?? null;
}

function normaliseStreetReport(row: number, get: (column: Column) => string): AdapterItem {
  const url = get('url').trim();
  const id = reportIdOf(url);
  if (id === null) return reject(row, 'url', get('url'), 'MISSING_ID', `"${get('url')}" is not a FixMyStreet report URL ending /report/<number>`);
  const category = cleanText(get('category'));
  if (category === null) return reject(row, 'category', get('category'), 'MISSING_VALUE', 'category is empty');
  const when = parseWhen(get('created'));
  if (!when.ok) return reject(row, 'created', get('created'), 'INVALID_DATE', when.message);
  const sent = parseOptionalWhen(get('whensent'));
  if (!sent.ok) return reject(row, 'whensent', get('whensent'), 'INVALID_DATE', sent.message);
  const updated = parseOptionalWhen(get('lastupdate'));
  if (!updated.ok) return reject(row, 'lastupdate', get('lastupdate'), 'INVALID_DATE', updated.message);
  const coords = parseCoordinates(get('latitude'), get('longitude'), get('Location'), 'latitude');
  if (!coords.ok) return reject(row, coords.column, coords.value, 'INVALID_COORDINATE', coords.message);
  const wardName = cleanText(get('ward'));
  if (coords.value === null && wardName === null) {
    return reject(row, null, null, 'MISSING_LOCATION', 'No location: latitude, longitude, Location and ward are all empty');
  }
  return councilIncident('council.street_reports', {
    rowNumber: row,
    sourceRef: id,
    sourceCategory: category,
    when: when.value,
    locationText: null,
    lsoaCode: null,
    wardName,
    coordinates: coords.value,
    outcome: null,
    attributes: { state: cleanText(get('state')), sentAt: sent.value, lastUpdate: updated.value, url },
    // The title is user-written free text: it stays with the providing council.
    restrictedText: cleanText(get('title')),
  });
}

export const streetReportsAdapter: FeedAdapter = csvAdapter(
  {
    feed: 'council.street_reports',
    formats: ['csv'],
    requiredColumns: STREET_REPORT_COLUMNS,
    optionalColumns: STREET_REPORT_OPTIONAL_COLUMNS,
    defaultEncoding: 'utf-8',
  },
  LABEL,
  normaliseStreetReport,
);
