export { copyLine, copyValue } from './copy-text';
export { GEOGRAPHY_FILES, importGeography } from './geography';
export type { GeographyResult } from './geography';
export { ingestFile } from './ingest';
export type { IngestOptions, IngestProgress, IngestResult, Submitter } from './ingest';
export { getAdapter, listFeeds } from './registry';
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
