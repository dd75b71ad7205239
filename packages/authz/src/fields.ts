/**
 * Incident fields by sensitivity, and the column each maps to. Masks work on
 * these names; SQL uses the columns.
 */
export const INCIDENT_COLUMNS = {
  id: 'id',
  submissionId: 'submission_id',
  agencyId: 'agency_id',
  feed: 'feed',
  sourceRef: 'source_ref',
  sourceCategory: 'source_category',
  category: 'category',
  occurredMonth: 'occurred_month',
  occurredAt: 'occurred_at',
  locationText: 'location_text',
  lsoaCode: 'lsoa_code',
  wardCode: 'ward_code',
  ladCode: 'lad_code',
  areaMethod: 'area_method',
  latitude: 'latitude',
  longitude: 'longitude',
  outcome: 'outcome',
  tier: 'tier',
  attributes: 'attributes',
  restrictedText: 'restricted_text',
} as const;

export type IncidentField = keyof typeof INCIDENT_COLUMNS;

/** Seen by anyone who may read the row: what, when (month) and where (area). */
export const BASE_FIELDS: IncidentField[] = [
  'id',
  'submissionId',
  'agencyId',
  'feed',
  'sourceCategory',
  'category',
  'occurredMonth',
  'lsoaCode',
  'wardCode',
  'ladCode',
  'areaMethod',
  'tier',
];

/** Record-level detail: exact time and place, the source's id, outcome and feed attributes. */
export const DETAIL_FIELDS: IncidentField[] = ['sourceRef', 'occurredAt', 'locationText', 'latitude', 'longitude', 'outcome', 'attributes'];

/** Free text that stays with the providing agency (ISTV location description). */
export const RESTRICTED_FIELDS: IncidentField[] = ['restrictedText'];

export const ALL_INCIDENT_FIELDS: IncidentField[] = [...BASE_FIELDS, ...DETAIL_FIELDS, ...RESTRICTED_FIELDS];

/** Fields a query may filter or sort on: only those every reader of a row sees. */
export const FILTERABLE_FIELDS: ReadonlySet<IncidentField> = new Set(BASE_FIELDS);

export const SUBMISSION_COLUMNS = {
  id: 'id',
  agencyId: 'agency_id',
  feed: 'feed',
  status: 'status',
} as const;

export const REJECT_COLUMNS = {
  id: 'r.id',
  submissionId: 'r.submission_id',
  agencyId: 's.agency_id',
} as const;
