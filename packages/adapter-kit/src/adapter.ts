import type { AdapterItem, FeedDescription, SubmissionHeader } from '@csp-hub/taxonomy';
import { openCsv, type CsvReader } from './csv';
import type { ByteSource, DetectedEncoding, Encoding } from './decode';
import { sniff } from './source';

export interface AdapterContext {
  /** Overrides the feed's default encoding. */
  encoding?: Encoding;
  /** Told which encoding was used. */
  onEncoding?: (encoding: DetectedEncoding) => void;
  /** Told file-level fields (e.g. ISTV reporting period) once read. */
  onHeader?: (header: SubmissionHeader) => void;
  /** Told the format read (csv, json, xml). */
  onFormat?: (format: 'csv' | 'json' | 'xml') => void;
  /** Told the layout that reads a CSV (its id and version), once the header has chosen it. */
  onLayout?: (id: string, version: number) => void;
}

/**
 * An agency feed: pure, no database or network. Reads a byte stream and yields
 * batches of normalised incidents, updates and rejects. Throws HubError
 * (invalid_input) when the file as a whole cannot be accepted.
 */
export interface FeedAdapter {
  description: FeedDescription;
  read(source: ByteSource, context?: AdapterContext): AsyncIterable<AdapterItem[]>;
}

type Reader = (source: ByteSource, context: AdapterContext) => AsyncIterable<AdapterItem[]>;

/** A feed published both as CSV and as JSON: the first character of the file decides which reader runs. */
export function csvOrJsonAdapter(description: FeedDescription, readers: { csv: Reader; json: Reader }): FeedAdapter {
  return {
    description,
    async *read(input, context = {}) {
      const { first, source } = await sniff(input);
      const json = first === '[' || first === '{';
      context.onFormat?.(json ? 'json' : 'csv');
      yield* (json ? readers.json : readers.csv)(source, context);
    },
  };
}

/** Opens a feed's CSV with the submission's encoding (or the feed's default) and reports the encoding used. */
export function openFeedCsv(
  source: ByteSource,
  context: AdapterContext,
  feed: { label: string; requiredColumns: readonly string[]; optionalColumns?: readonly string[]; defaultEncoding: Encoding },
): Promise<CsvReader> {
  return openCsv(source, {
    feedLabel: feed.label,
    requiredColumns: feed.requiredColumns,
    ...(feed.optionalColumns ? { optionalColumns: feed.optionalColumns } : {}),
    encoding: context.encoding ?? feed.defaultEncoding,
    ...(context.onEncoding ? { onEncoding: context.onEncoding } : {}),
  });
}

/** A CSV-only feed: one normalising function per row, given the row's fields by column name. */
export function csvAdapter(
  description: FeedDescription,
  label: string,
  normalise: (row: number, get: (column: string) => string) => AdapterItem | AdapterItem[],
): FeedAdapter {
  return {
    description,
    async *read(source, context = {}) {
      context.onFormat?.('csv');
      const csv = await openFeedCsv(source, context, { label, ...description });
      const c = csv.column;
      for await (const batch of csv.batches()) {
        const items: AdapterItem[] = batch.rejects.slice();
        for (const { row, fields } of batch.records) {
          const out = normalise(row, (column) => {
            const i = c[column];
            return i === undefined ? '' : fields[i]!;
          });
          if (Array.isArray(out)) items.push(...out);
          else items.push(out);
        }
        yield items;
      }
    },
  };
}
