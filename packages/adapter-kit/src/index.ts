export { csvAdapter, csvOrJsonAdapter, openFeedCsv } from './adapter';
export type { AdapterContext, FeedAdapter } from './adapter';
export { openCsv, peekCsvHeader, reject } from './csv';
export type { CsvBatch, CsvOptions, CsvReader, CsvRecord } from './csv';
export { csvCell, csvLine } from './csv-write';
export { decodeText } from './decode';
export type { ByteSource, DetectedEncoding, Encoding } from './decode';
export { bytesOf, sniff } from './source';
export { jsonText, readJsonElements } from './json';
export type { JsonElement } from './json';
export {
  cleanText,
  isOnsCode,
  londonDateOf,
  londonMonthOf,
  londonToIso,
  parseIsoDateTime,
  parseLatLon,
  parseMonth,
  parseUkDateTime,
  UK_BOUNDS,
} from './values';
export type { Parsed } from './values';
