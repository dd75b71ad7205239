import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { ByteSource, Encoding } from '@csp-hub/adapter-kit';
import type { SubmissionStatus } from '@csp-hub/db';
import {
  FEEDS,
  HubError,
  isFeedId,
  isHubError,
  silentLogger,
  type AdapterItem,
  type FeedId,
  type HubLogger,
  type SubmissionHeader,
} from '@csp-hub/taxonomy';
import { copyLine } from './copy-text';
import {
  APPLY_UPDATES,
  COPY_STAGING,
  CREATE_STAGING,
  MERGE_INCIDENTS,
  REJECT_DUPLICATE_IDS,
  REJECT_UNMATCHED_UPDATES,
  STAGED_INCIDENTS,
  STAGED_UPDATES,
  STORE_REJECTS,
} from './merge-sql';
import { feedAdapterFor } from './layout-store';
import { getAdapter } from './registry';

export interface Submitter {
  userId: number | null;
  /** Who, in words (e-mail or operating-system account). */
  label: string;
  via: 'cli' | 'http' | 'seed';
}

export interface IngestProgress {
  bytes: number;
  rows: number;
}

export interface IngestOptions {
  /** The agency whose data this is (its type must own the feed). */
  agencyId: number;
  feed: string;
  fileName: string;
  source: ByteSource;
  submitter: Submitter;
  encoding?: Encoding;
  /** A layout id to read the file with, instead of letting the header choose (csp-hub layouts list). */
  layout?: string;
  onProgress?: (progress: IngestProgress) => void;
  logger?: HubLogger;
}

export interface IngestResult {
  submissionId: number;
  status: SubmissionStatus;
  feed: string;
  fileName: string;
  checksum: string;
  bytes: number;
  format: string | null;
  encoding: string | null;
  /** The layout that read the file, when it was a CSV and one was chosen. */
  layout: { id: string; version: number } | null;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsInserted: number;
  rowsUpdated: number;
  durationMs: number;
  duplicateOf: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** The first rejected rows of this file, for whoever submitted it (all of them: GraphQL submission.rejects). */
  firstRejects: { rowNumber: number; column: string | null; reason: string; message: string }[];
}

/** Feeds whose rows update records of another feed. */
const UPDATE_TARGETS: Partial<Record<FeedId, FeedId>> = { 'police.outcomes': 'police.street' };

const EMPTY_JSON = '{}';

/** Refresh the planner's statistics after a submission adds at least this many incidents. */
const ANALYZE_AFTER_ROWS = 50_000;

function monthStart(month: string): string {
  return `${month}-01`;
}

/** One adapter item as a staging COPY line. */
function stagingLine(item: AdapterItem): string {
  switch (item.kind) {
    case 'incident': {
      const attrs = item.attributes;
      let json = EMPTY_JSON;
      for (const _ in attrs) {
        json = JSON.stringify(attrs);
        break;
      }
      return copyLine([
        item.rowNumber, 'i', item.sourceRef, item.sourceCategory, item.category, monthStart(item.occurredMonth), item.occurredAt,
        item.locationText, item.lsoaCode, item.lsoaName, item.wardName, item.latitude, item.longitude, item.outcome, item.tier,
        json, item.restrictedText, null, null, null, null,
      ]);
    }
    case 'update':
      return copyLine([
        item.rowNumber, 'u', item.sourceRef, null, null, monthStart(item.month), null,
        null, null, null, null, null, null, item.outcome, null, null, null, null, null, null, null,
      ]);
    case 'reject':
      return copyLine([
        item.rowNumber, 'r', null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        item.column, item.value, item.reason, item.message,
      ]);
  }
}

type Meta = { format: string | null; encoding: string | null; header: SubmissionHeader | null; layout: { id: string; version: number } | null };

interface Tally {
  bytes: number;
  rows: number;
  hash: ReturnType<typeof createHash>;
}

/** Passes bytes through while hashing and counting them. */
async function* measured(source: ByteSource, tally: Tally, onProgress?: (p: IngestProgress) => void): AsyncGenerator<Uint8Array> {
  let lastReport = 0;
  for await (const chunk of source) {
    tally.hash.update(chunk);
    tally.bytes += chunk.byteLength;
    if (onProgress && tally.bytes - lastReport >= 1024 * 1024) {
      lastReport = tally.bytes;
      onProgress({ bytes: tally.bytes, rows: tally.rows });
    }
    yield chunk;
  }
}

async function drain(source: AsyncIterator<Uint8Array>): Promise<void> {
  for (;;) {
    const next = await source.next();
    if (next.done) return;
  }
}

async function agencyType(client: pg.PoolClient, agencyId: number): Promise<string> {
  const found = await client.query<{ type: string }>('select type from agency where id = $1', [agencyId]);
  if (found.rowCount === 0) throw HubError.notFound('Agency', agencyId);
  return found.rows[0]!.type;
}

/**
 * Streams one file into the store. All accepted rows of the submission become
 * visible in one transaction, or none do: a refused file, a failure or a
 * killed process leaves no incidents and no rejects behind (a refused file is
 * recorded as a refused submission afterwards, with its reason).
 */
export async function ingestFile(pool: pg.Pool, options: IngestOptions): Promise<IngestResult> {
  const log = (options.logger ?? silentLogger).child({ feed: options.feed, agencyId: options.agencyId });
  const started = new Date();
  const tally: Tally = { bytes: 0, rows: 0, hash: createHash('sha256') };
  const input = measured(options.source, tally, options.onProgress)[Symbol.asyncIterator]();
  const meta: Meta = { format: null, encoding: null, header: null, layout: null };
  const client = await pool.connect();
  let inTransaction = false;
  try {
    if (!isFeedId(options.feed)) getAdapter(options.feed); // throws UNKNOWN_FEED naming the feeds
    const feed = options.feed as FeedId;
    const adapter = await feedAdapterFor(client, feed, options.layout);
    const type = await agencyType(client, options.agencyId);
    if (FEEDS[feed].agencyType !== type) {
      throw HubError.invalidInput('FEED_NOT_FOR_AGENCY', `The ${feed} feed is for ${FEEDS[feed].agencyType} agencies; this agency is ${type}.`);
    }
    await client.query('begin');
    inTransaction = true;
    await client.query(CREATE_STAGING);
    // The adapter gets next() only: if it stops early we can still drain the rest for the checksum.
    const items = adapter.read({ [Symbol.asyncIterator]: () => ({ next: () => input.next() }) }, {
      ...(options.encoding ? { encoding: options.encoding } : {}),
      onEncoding: (e) => (meta.encoding = e),
      onFormat: (f) => (meta.format = f),
      onHeader: (h) => (meta.header = h),
      onLayout: (id, version) => (meta.layout = { id, version }),
    });
    let rejectsSeen = 0;
    await pipeline(
      Readable.from(
        (async function* () {
          for await (const batch of items) {
            let text = '';
            for (const item of batch) {
              text += stagingLine(item);
              if (item.kind === 'reject') rejectsSeen += 1;
            }
            tally.rows += batch.length;
            if (text) yield text;
          }
        })(),
      ),
      client.query(copyStreams.from(COPY_STAGING)),
    );
    const checksum = tally.hash.digest('hex');
    const duplicate = await client.query<{ id: string }>(
      `select id from submission where agency_id = $1 and feed = $2 and checksum = $3 and status = 'accepted' limit 1`,
      [options.agencyId, feed, checksum],
    );
    if (duplicate.rowCount) {
      await client.query('rollback');
      inTransaction = false;
      const duplicateOf = Number(duplicate.rows[0]!.id);
      log.info({ duplicateOf }, 'file already accepted: nothing stored');
      return await recordOutcome(client, options, started, tally, checksum, meta, {
        status: 'duplicate',
        duplicateOf,
        errorCode: 'DUPLICATE_FILE',
        errorMessage: `This exact file was already accepted as submission ${duplicateOf}; nothing was stored again.`,
      });
    }

    const submission = await client.query<{ id: string }>(
      `insert into submission (agency_id, feed, format, file_name, checksum, bytes, encoding, status, submitted_by_id,
         submitted_via, submitted_by_label, header, started_at, finished_at, layout, layout_version)
       values ($1, $2, $3, $4, $5, $6, $7, 'accepted', $8, $9, $10, $11, $12, now(), $13, $14) returning id`,
      [options.agencyId, feed, meta.format ?? 'csv', options.fileName, checksum, tally.bytes, meta.encoding, options.submitter.userId,
        options.submitter.via, options.submitter.label, meta.header ? JSON.stringify(meta.header) : null, started,
        meta.layout?.id ?? null, meta.layout?.version ?? null],
    );
    const submissionId = Number(submission.rows[0]!.id);

    // Incidents: fast path assumes ids are unique within the file; if not, reject the repeats and merge again.
    let merged: { inserted: number; updated: number };
    await client.query('savepoint merge');
    try {
      merged = (await client.query<{ inserted: number; updated: number }>(MERGE_INCIDENTS, [submissionId, options.agencyId, feed])).rows[0]!;
    } catch (error) {
      if ((error as { code?: string }).code !== '21000') throw error;
      await client.query('rollback to savepoint merge');
      await client.query(REJECT_DUPLICATE_IDS);
      merged = (await client.query<{ inserted: number; updated: number }>(MERGE_INCIDENTS, [submissionId, options.agencyId, feed])).rows[0]!;
    }
    const incidents = (await client.query<{ n: number }>(STAGED_INCIDENTS)).rows[0]!.n;

    let updatesApplied = 0;
    const target = UPDATE_TARGETS[feed];
    let updatesAccepted = 0;
    if (target) {
      await client.query(REJECT_UNMATCHED_UPDATES, [options.agencyId, target]);
      updatesAccepted = (await client.query<{ n: number }>(STAGED_UPDATES)).rows[0]!.n;
      updatesApplied = (await client.query<{ updated: number }>(APPLY_UPDATES, [submissionId, options.agencyId, target])).rows[0]!.updated;
    }
    const stored = await client.query(STORE_REJECTS, [submissionId]);
    const rowsRejected = stored.rowCount ?? 0;
    const firstRejects = (
      await client.query<{ row_number: number; reject_column: string | null; reject_reason: string; reject_message: string }>(
        `select row_number, reject_column, reject_reason, reject_message from ingest_staging where kind = 'r' order by row_number limit 10`,
      )
    ).rows.map((r) => ({ rowNumber: r.row_number, column: r.reject_column, reason: r.reject_reason, message: r.reject_message }));
    const rowsAccepted = incidents + updatesAccepted;
    const finished = new Date();
    await client.query(
      `update submission set rows_read = $2, rows_accepted = $3, rows_rejected = $4, rows_inserted = $5, rows_updated = $6,
         finished_at = $7, duration_ms = $8 where id = $1`,
      [submissionId, rowsAccepted + rowsRejected, rowsAccepted, rowsRejected, merged.inserted, merged.updated + updatesApplied, finished,
        finished.getTime() - started.getTime()],
    );
    await client.query('commit');
    inTransaction = false;
    if (merged.inserted >= ANALYZE_AFTER_ROWS) {
      // A large load changes the table's statistics more than autovacuum notices at once; plans for
      // authorized pages depend on them.
      await client.query('analyze incident');
    }
    log.info({ submissionId, rows: rowsAccepted + rowsRejected, rejected: rowsRejected, inserted: merged.inserted, updated: merged.updated + updatesApplied, adapterRejects: rejectsSeen }, 'submission accepted');
    options.onProgress?.({ bytes: tally.bytes, rows: tally.rows });
    return {
      submissionId,
      status: 'accepted',
      feed,
      fileName: options.fileName,
      checksum,
      bytes: tally.bytes,
      format: meta.format ?? 'csv',
      encoding: meta.encoding,
      layout: meta.layout,
      rowsRead: rowsAccepted + rowsRejected,
      rowsAccepted,
      rowsRejected,
      rowsInserted: merged.inserted,
      rowsUpdated: merged.updated + updatesApplied,
      durationMs: finished.getTime() - started.getTime(),
      duplicateOf: null,
      errorCode: null,
      errorMessage: null,
      firstRejects,
    };
  } catch (error) {
    if (inTransaction) await client.query('rollback').catch(() => undefined);
    if (!isHubError(error) || error.kind !== 'invalid_input') throw error;
    // The file is refused whole: read the rest so the checksum covers the file, then record why.
    await drain(input).catch(() => undefined);
    log.info({ reason: error.reason }, 'submission refused');
    return await recordOutcome(client, options, started, tally, tally.hash.digest('hex'), meta, {
      status: 'refused',
      duplicateOf: null,
      errorCode: error.reason,
      errorMessage: error.message,
    });
  } finally {
    client.release();
  }
}

/** Records a refused or duplicate submission (no rows stored) and returns its result. */
async function recordOutcome(
  client: pg.PoolClient,
  options: IngestOptions,
  started: Date,
  tally: Tally,
  checksum: string,
  meta: Meta,
  outcome: { status: 'refused' | 'duplicate'; duplicateOf: number | null; errorCode: string; errorMessage: string },
): Promise<IngestResult> {
  const finished = new Date();
  const feed = isFeedId(options.feed) ? options.feed : options.feed.slice(0, 100);
  const known = await client.query('select 1 from agency where id = $1', [options.agencyId]);
  let submissionId = 0;
  if (known.rowCount) {
    const row = await client.query<{ id: string }>(
      `insert into submission (agency_id, feed, format, file_name, checksum, bytes, encoding, status, error_code, error_message,
         duplicate_of, submitted_by_id, submitted_via, submitted_by_label, header, started_at, finished_at, duration_ms)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) returning id`,
      [options.agencyId, feed, meta.format ?? 'unknown', options.fileName, checksum, tally.bytes, meta.encoding, outcome.status, outcome.errorCode,
        outcome.errorMessage, outcome.duplicateOf, options.submitter.userId, options.submitter.via, options.submitter.label,
        meta.header ? JSON.stringify(meta.header) : null, started, finished, finished.getTime() - started.getTime()],
    );
    submissionId = Number(row.rows[0]!.id);
  }
  return {
    submissionId,
    status: outcome.status,
    feed,
    fileName: options.fileName,
    checksum,
    bytes: tally.bytes,
    format: meta.format,
    encoding: meta.encoding,
    layout: meta.layout,
    rowsRead: 0,
    rowsAccepted: 0,
    rowsRejected: 0,
    rowsInserted: 0,
    rowsUpdated: 0,
    durationMs: finished.getTime() - started.getTime(),
    duplicateOf: outcome.duplicateOf,
    errorCode: outcome.errorCode,
    errorMessage: outcome.errorMessage,
    firstRejects: [],
  };
}
