import type { AdapterItem, FeedDescription, SubmissionHeader } from '@csp-hub/taxonomy';
import type { ByteSource, DetectedEncoding, Encoding } from './decode';

export interface AdapterContext {
  /** Overrides the feed's default encoding. */
  encoding?: Encoding;
  /** Told which encoding was used. */
  onEncoding?: (encoding: DetectedEncoding) => void;
  /** Told file-level fields (e.g. ISTV reporting period) once read. */
  onHeader?: (header: SubmissionHeader) => void;
  /** Told the format read (csv, json, xml). */
  onFormat?: (format: 'csv' | 'json' | 'xml') => void;
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
