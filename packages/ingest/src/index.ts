export { copyLine, copyValue } from './copy-text';
export { GEOGRAPHY_FILES, importGeography } from './geography';
export type { GeographyResult } from './geography';
export { ingestFile } from './ingest';
export type { IngestOptions, IngestProgress, IngestResult, Submitter } from './ingest';
export { getAdapter, listFeeds } from './registry';
