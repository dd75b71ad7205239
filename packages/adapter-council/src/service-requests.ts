import { cleanText, csvAdapter, reject, type FeedAdapter } from '@csp-hub/adapter-kit';
import type { AdapterItem } from '@csp-hub/taxonomy';
import { councilIncident, parseCoordinates, parseOptionalWhen, parseWhen } from './common';

/**
 * Environmental protection service requests as B&NES publishes them (Socrata
 * export). The trailing computed-region columns (Ward, LSOA, OA, MSOA,
 * Boundary) are Socrata integer ids, not ONS codes, and are ignored.
 */
export const SERVICE_REQUEST_COLUMNS = ['Ref', 'Kind', 'Type', 'ReceivedDate', 'Latitude', 'Longitude'] as const;
export const SERVICE_REQUEST_OPTIONAL_COLUMNS = ['Status', 'ClosedDate', 'ReceivedHow', 'ReceivedWhere', 'Location'] as const;

const LABEL = 'council environmental protection service requests';
type Column = (typeof SERVICE_REQUEST_COLUMNS)[number] | (typeof SERVICE_REQUEST_OPTIONAL_COLUMNS)[number];

function normaliseServiceRequest(row: number, get: (column: Column) => string): AdapterItem {
  const ref = cleanText(get('Ref'));
  if (ref === null) return reject(row, 'Ref', get('Ref'), 'MISSING_ID', 'Ref is empty: every request needs its reference');
  const kind = cleanText(get('Kind'));
  // Type is empty on some rows (385 in the B&NES sample); Kind is the coarser label then.
  const sourceCategory = cleanText(get('Type')) ?? kind;
  if (sourceCategory === null) return reject(row, 'Type', get('Type'), 'MISSING_VALUE', 'Type and Kind are both empty: the request has no category');
  const when = parseWhen(get('ReceivedDate'));
  if (!when.ok) return reject(row, 'ReceivedDate', get('ReceivedDate'), 'INVALID_DATE', when.message);
  const closed = parseOptionalWhen(get('ClosedDate'));
  if (!closed.ok) return reject(row, 'ClosedDate', get('ClosedDate'), 'INVALID_DATE', closed.message);
  const coords = parseCoordinates(get('Latitude'), get('Longitude'), get('Location'));
  if (!coords.ok) return reject(row, coords.column, coords.value, 'INVALID_COORDINATE', coords.message);
  if (coords.value === null) {
    return reject(row, null, null, 'MISSING_LOCATION', 'No location: Latitude, Longitude and Location are all empty');
  }
  return councilIncident('council.service_requests', {
    rowNumber: row,
    sourceRef: ref,
    sourceCategory,
    when: when.value,
    // Coordinates are snapped to the nearest road centre; there is no separate place description.
    locationText: null,
    lsoaCode: null,
    wardName: null,
    coordinates: coords.value,
    outcome: null,
    attributes: {
      kind,
      status: cleanText(get('Status')),
      receivedHow: cleanText(get('ReceivedHow')),
      receivedWhere: cleanText(get('ReceivedWhere')),
      closedAt: closed.value,
    },
    restrictedText: null,
  });
}

export const serviceRequestsAdapter: FeedAdapter = csvAdapter(
  {
    feed: 'council.service_requests',
    formats: ['csv'],
    requiredColumns: SERVICE_REQUEST_COLUMNS,
    optionalColumns: SERVICE_REQUEST_OPTIONAL_COLUMNS,
    defaultEncoding: 'utf-8',
  },
  LABEL,
  normaliseServiceRequest,
);
