export { copyLine, copyValue } from './copy-text';
export { GEOGRAPHY_FILES, importGeography } from './geography';
export type { GeographyResult } from './geography';
export { ingestFile } from './ingest';
export type { IngestOptions, IngestProgress, IngestResult, Submitter } from './ingest';
export { feedAdapterFor, findStoredLayout, listStoredLayouts, registerLayout, registerLayoutAudited } from './layout-store';
export { agencyIdsByCode, importGeographyIfMissing, resolveFeedTarget } from './resolve-target';
export type { ResolvedTarget } from './resolve-target';
export type { Queryable, RegisteredResult, RegisterLayoutInput, StoredLayout } from './layout-store';
export { adapterForFeed, BUILT_IN_LAYOUTS, compileRegistered, findBuiltInLayout, getAdapter, LAYOUT_TRANSFORMS, listFeeds } from './registry';
export type { BuiltInLayout, RegisteredLayoutSource } from './registry';
export {
  asbCsv,
  DEMO_MONTHS,
  fireIncidentsCsv,
  flyTippingCsv,
  generateDemoFeeds,
  generatePoliceStreetRows,
  ISTV_CSV_HEADER,
  istvSubmissionCsv,
  loadDemoLsoas,
  noiseCsv,
  POLICE_STREET_COLUMNS,
  policeStreetCsv,
} from './demo-feeds';
export type { AsbRow, DemoFeedFile, DemoFeedOptions, DemoLsoa, FireRow, FlyTippingRow, IstvRow, NoiseRow, PoliceStreetRow } from './demo-feeds';
