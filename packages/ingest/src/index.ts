export { copyLine, copyValue } from './copy-text';
export { GEOGRAPHY_FILES, importGeography } from './geography';
export type { GeographyResult } from './geography';
export { ingestFile } from './ingest';
export type { IngestOptions, IngestProgress, IngestResult, Submitter } from './ingest';
export { feedAdapterFor, findStoredLayout, listStoredLayouts, registerLayout } from './layout-store';
export type { Queryable, RegisteredResult, RegisterLayoutInput, StoredLayout } from './layout-store';
export { adapterForFeed, BUILT_IN_LAYOUTS, compileRegistered, findBuiltInLayout, getAdapter, LAYOUT_TRANSFORMS, listFeeds } from './registry';
export type { BuiltInLayout, RegisteredLayoutSource } from './registry';
