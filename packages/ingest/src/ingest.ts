import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { ByteSource, Encoding } from '@csp-hub/adapter-kit';
import { inTransaction, type SubmissionStatus } from '@csp-hub/db';
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
  ASSIGN_KEYS,
  COPY_STAGING,
  COUNT_KEPT_NEWER,
  CREATE_STAGING,
  FIRST_REJECTS,
  FIND_UNPUBLISHED,
  FOREIGN_PUBLISHER,
  MERGE_INCIDENTS,
  PUBLISHER_SEPARATOR,
  REJECT_FUTURE,
  REJECT_UNMATCHED_UPDATES,
  RETIRE_UNPUBLISHED,
  REVISED_SUBMISSIONS,
  STAGED_AS_OF,
  STAGED_KINDS,
  STAGED_MONTHS,
  STORE_REJECTS,
  STORE_SHARED_ID_NOTES,
} from './merge-sql';
import { feedAdapterFor } from './layout-store';
import { getAdapter } from './registry';
import { IngestInterrupted, InputRefused, prepareInput, type PartialInput, type PreparedFile } from './spool';

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
  /** The file: a path read where it is, or a stream received into the spool folder first. */
  path?: string;
  source?: ByteSource;
  submitter: Submitter;
  encoding?: Encoding;
  /** When the file's content was current, if the submitter says so (ISO 8601); else from the file, else the time of upload. */
  asOf?: string;
  /** Folder for spooled and unpacked files (default: the system's temporary folder). */
  spoolDir?: string;
  /** Largest file accepted as received, in bytes. */
  maxBytes?: number;
  /** Stops the submission: it is rolled back and recorded as failed (INTERRUPTED). */
  signal?: AbortSignal;
  /** Today's date in London, YYYY-MM-DD (tests pin it; default: now). */
  today?: string;
  /** A layout id to read the file with, instead of letting the header choose (csp-hub layouts list). */
  layout?: string;
  onProgress?: (progress: IngestProgress) => void;
  /**
   * Runs inside the transaction that records the outcome (accepted, refused,
   * duplicate or failed), just before it commits: the caller's audit entry goes
   * here, so a submission and its audit entry are stored together or not at all.
   */
  beforeCommit?: (tx: pg.PoolClient, result: IngestResult) => Promise<void>;
  logger?: HubLogger;
}

export interface QualityNote {
  code: string;
  rows: number;
  message: string;
}

export interface IngestResult {
  submissionId: number;
  status: SubmissionStatus;
  feed: string;
  fileName: string;
  checksum: string;
  /** Bytes received. */
  bytes: number;
  container: 'gzip' | 'zip' | null;
  format: string | null;
  encoding: string | null;
  /** The layout that read the file, when it was a CSV and one was chosen. */
  layout: { id: string; version: number } | null;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsInserted: number;
  rowsUpdated: number;
  /** Rows a later snapshot no longer publishes (retired: kept, excluded from reads). */
  rowsRetired: number;
  /** Rows that differed but were kept, because the stored values are as new or newer. */
  rowsKeptNewer: number;
  asOf: string | null;
  asOfSource: 'file' | 'submitter' | 'upload' | null;
  /** Months the file holds (YYYY-MM). */
  periods: string[];
  /** Earlier accepted submissions of the same feed and months this one revises. */
  revises: number[];
  quality: QualityNote[];
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

/** Today's date in London, YYYY-MM-DD. */
const LONDON_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

function londonToday(now: Date = new Date()): string {
  return LONDON_DATE.format(now);
}

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
        json, item.restrictedText, item.asOf ?? null, item.publisher?.length ? item.publisher.join(PUBLISHER_SEPARATOR) : null,
        null, null, null, null,
      ]);
    }
    case 'update':
      return copyLine([
        item.rowNumber, 'u', item.sourceRef, null, null, monthStart(item.month), null,
        null, null, null, null, null, null, item.outcome, null, null, null, null, null, null, null, null, null,
      ]);
    case 'reject':
      return copyLine([
        item.rowNumber, 'r', null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        item.column, item.value, item.reason, item.message,
      ]);
  }
}

interface Meta {
  format: string | null;
  encoding: string | null;
  header: SubmissionHeader | null;
  /** The layout (built-in or registered, and its version) that read the file. */
  layout: { id: string; version: number } | null;
}

/** What is known of the file when an outcome is recorded. */
interface FileFacts {
  checksum: string;
  receivedBytes: number;
  container: 'gzip' | 'zip' | null;
}

interface AgencyFacts {
  type: string;
  publishingName: string;
}

async function agencyFacts(client: pg.PoolClient, agencyId: number): Promise<AgencyFacts> {
  const found = await client.query<{ type: string; name: string; force_name: string | null }>('select type, name, force_name from agency where id = $1', [agencyId]);
  if (found.rowCount === 0) throw HubError.notFound('Agency', agencyId);
  const row = found.rows[0]!;
  return { type: row.type, publishingName: row.force_name ?? row.name };
}

function parseAsOf(value: string | undefined, today: string): Date | null {
  if (value === undefined) return null;
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at.getTime())) {
    throw HubError.invalidInput('INVALID_AS_OF', `as-of must be a date or date and time (ISO 8601, e.g. 2024-02-01T09:00:00Z), not "${value.slice(0, 40)}"`);
  }
  if (at.getTime() > Date.parse(`${today}T00:00:00Z`) + 2 * 86_400_000) {
    throw HubError.invalidInput('INVALID_AS_OF', `as-of ${value} is in the future`);
  }
  return at;
}

/** Serialises submissions of one agency's feed: the duplicate check and a snapshot's retirements need it. */
async function lockFeed(client: pg.PoolClient, agencyId: number, feed: string): Promise<void> {
  await client.query(`select pg_advisory_xact_lock(hashtextextended('csp-hub ingest ' || $1::text || ' ' || $2::text, 0))`, [agencyId, feed]);
}

/**
 * An accepted submission of the same content, or none. A submitter who names a layout may have the
 * same file read again with another layout (to correct a reading); the same layout again is a duplicate.
 */
async function acceptedDuplicate(client: pg.PoolClient, agencyId: number, feed: string, checksum: string, layout: string | undefined): Promise<number | null> {
  const found = await client.query<{ id: string }>(
    `select id from submission where agency_id = $1 and feed = $2 and checksum = $3 and status = 'accepted'
       and ($4::text is null or coalesce(layout, '') = $4::text) order by id limit 1`,
    [agencyId, feed, checksum, layout ?? null],
  );
  return found.rowCount ? Number(found.rows[0]!.id) : null;
}

/** Cancels the statement a connection is running, from a connection of its own (the pool may be busy). */
async function cancelBackend(pool: pg.Pool, pid: number): Promise<void> {
  const client = new pg.Client(pool.options);
  try {
    await client.connect();
    await client.query('select pg_cancel_backend($1)', [pid]);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function baseResult(options: IngestOptions, file: FileFacts, meta: Meta, started: Date): IngestResult {
  return {
    submissionId: 0,
    status: 'refused',
    feed: isFeedId(options.feed) ? options.feed : options.feed.slice(0, 100),
    fileName: options.fileName,
    checksum: file.checksum,
    bytes: file.receivedBytes,
    container: file.container,
    format: meta.format,
    encoding: meta.encoding,
    layout: meta.layout,
    rowsRead: 0,
    rowsAccepted: 0,
    rowsRejected: 0,
    rowsInserted: 0,
    rowsUpdated: 0,
    rowsRetired: 0,
    rowsKeptNewer: 0,
    asOf: null,
    asOfSource: null,
    periods: [],
    revises: [],
    quality: [],
    durationMs: Date.now() - started.getTime(),
    duplicateOf: null,
    errorCode: null,
    errorMessage: null,
    firstRejects: [],
  };
}

/**
 * Streams one file into the store. The file is received and checked first
 * (spooled, unpacked, hashed), then all accepted rows of the submission become
 * visible in one transaction, or none do. Every attempt is recorded as a
 * submission: accepted, duplicate, refused (with why) or failed (the hub broke
 * or was stopped; nothing stored). Bad input never throws: it is a refused
 * result. Only a failure to record the attempt at all (the database is down)
 * throws.
 */
export async function ingestFile(pool: pg.Pool, options: IngestOptions): Promise<IngestResult> {
  const log = (options.logger ?? silentLogger).child({ feed: options.feed, agencyId: options.agencyId });
  const started = new Date();
  const meta: Meta = { format: null, encoding: null, header: null, layout: null };
  if (!options.path === !options.source) throw new HubError('other', 'INGEST_INPUT', 'ingestFile needs exactly one of path and source');
  let prepared: PreparedFile;
  try {
    prepared = await prepareInput(options.path ? { path: options.path } : { source: options.source! }, {
      ...(options.spoolDir ? { spoolDir: options.spoolDir } : {}),
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof InputRefused) {
      log.info({ reason: error.error.reason }, 'submission refused');
      return recordOutcome(pool, options, started, fileOf(error.partial), meta, { status: 'refused', errorCode: error.error.reason, errorMessage: error.error.message });
    }
    if (error instanceof IngestInterrupted || options.signal?.aborted) {
      return recordInterrupted(pool, options, started, { checksum: '', receivedBytes: 0, container: null }, meta, log);
    }
    throw error;
  }
  try {
    return await ingestPrepared(pool, options, prepared, started, meta, log);
  } finally {
    await prepared.cleanup();
  }
}

function fileOf(p: PartialInput): FileFacts {
  return { checksum: p.checksum, receivedBytes: p.receivedBytes, container: p.container };
}

/** The client with each SQL statement's duration logged at debug level (COPY streams pass through untimed). */
function timed(client: pg.PoolClient, log: HubLogger): pg.PoolClient {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const wrapped = (...args: unknown[]): unknown => {
    if (typeof args[0] !== 'string') return query(...args);
    const started = performance.now();
    const label = args[0].trim().split('\n')[0]!.slice(0, 80);
    return (query(...args) as Promise<unknown>).finally(() => log.debug({ ms: Math.round(performance.now() - started), sql: label }, 'ingest statement'));
  };
  return new Proxy(client, { get: (target, key) => (key === 'query' ? wrapped : Reflect.get(target, key)) });
}

async function ingestPrepared(pool: pg.Pool, options: IngestOptions, prepared: PreparedFile, started: Date, meta: Meta, log: HubLogger): Promise<IngestResult> {
  const file: FileFacts = { checksum: prepared.checksum, receivedBytes: prepared.receivedBytes, container: prepared.container };
  const today = options.today ?? londonToday();
  const receivedAt = new Date();
  const raw = await pool.connect();
  const client = timed(raw, log);
  let inTransaction = false;
  let released = false;
  let backendPid: number | null = null;
  const onAbort = (): void => {
    if (backendPid !== null && inTransaction) void cancelBackend(pool, backendPid).catch(() => undefined);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (!isFeedId(options.feed)) getAdapter(options.feed); // throws UNKNOWN_FEED naming the feeds
    const feed = options.feed as FeedId;
    const adapter = await feedAdapterFor(client, feed, options.layout);
    const agency = await agencyFacts(client, options.agencyId);
    if (FEEDS[feed].agencyType !== agency.type) {
      throw HubError.invalidInput('FEED_NOT_FOR_AGENCY', `The ${feed} feed is for ${FEEDS[feed].agencyType} agencies; this agency is ${agency.type}.`);
    }
    const givenAsOf = parseAsOf(options.asOf, today);
    backendPid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;

    await client.query('begin');
    inTransaction = true;
    // Each statement here runs once per file: compiling it with JIT costs seconds and saves nothing.
    await client.query('set local jit = off');
    await lockFeed(client, options.agencyId, feed);
    const duplicateOf = await acceptedDuplicate(client, options.agencyId, feed, file.checksum, options.layout);
    if (duplicateOf !== null) {
      await client.query('rollback');
      inTransaction = false;
      log.info({ duplicateOf }, 'file already accepted: nothing stored');
      return await recordOutcome(pool, options, started, file, meta, {
        status: 'duplicate',
        duplicateOf,
        errorCode: 'DUPLICATE_FILE',
        errorMessage: `This exact file was already accepted as submission ${duplicateOf}; nothing was stored again.`,
      });
    }

    // 1. Stage every row the adapter yields.
    await client.query(CREATE_STAGING);
    const reader = createReadStream(prepared.path, { highWaterMark: 1 << 20 });
    const items = adapter.read(reader, {
      ...(options.encoding ? { encoding: options.encoding } : {}),
      onEncoding: (e) => (meta.encoding = e),
      onFormat: (f) => (meta.format = f),
      onHeader: (h) => (meta.header = h),
      onLayout: (id, version) => (meta.layout = { id, version }),
    });
    let rows = 0;
    let lastShown = 0;
    const signal = options.signal;
    await pipeline(
      Readable.from(
        (async function* () {
          for await (const batch of items) {
            if (signal?.aborted) throw new IngestInterrupted(String(signal.reason ?? 'stopped'));
            let text = '';
            for (const item of batch) text += stagingLine(item);
            rows += batch.length;
            if (options.onProgress && reader.bytesRead - lastShown >= 1 << 20) {
              lastShown = reader.bytesRead;
              options.onProgress({ bytes: reader.bytesRead, rows });
            }
            if (text) yield text;
          }
        })(),
        // One batch (about 1 MB of the file) waits for COPY at a time: the default (16) let a slow
        // database make the reader hold sixteen, tens of MB of strings, on a busy server.
        { highWaterMark: 1 },
      ),
      client.query(copyStreams.from(COPY_STAGING)),
    );
    if (rows === 0) {
      throw HubError.invalidInput('NO_DATA_ROWS', `The file has a header but no data rows: there is nothing to submit.`);
    }

    // 2. Whole-file and row checks that need every row.
    await client.query(REJECT_FUTURE, [today]);
    if (feed === 'police.street') {
      const foreign = (await client.query<{ row_number: number; publisher: string }>(FOREIGN_PUBLISHER, [agency.publishingName])).rows[0];
      if (foreign) {
        const names = foreign.publisher.split('\u001f');
        throw HubError.invalidInput(
          'WRONG_FORCE',
          `This file is another force's: row ${foreign.row_number} is reported by ${names[0]}${names[1] && names[1] !== names[0] ? ` and falls within ${names[1]}` : ''}, ` +
            `but it was submitted for ${agency.publishingName}. Submit it as that force's agency; nothing was stored.`,
        );
      }
    }
    const target = UPDATE_TARGETS[feed];
    if (target) await client.query(REJECT_UNMATCHED_UPDATES, [options.agencyId, target]);
    const kinds = (await client.query<{ incidents: number; updates: number; rejects: number }>(STAGED_KINDS)).rows[0]!;
    if (kinds.incidents + kinds.updates === 0) {
      return await refuseAllRejected(client, options, started, file, meta, kinds.rejects, () => (inTransaction = false));
    }

    // 3. Keys, as-of, the submission row.
    await client.query(ASSIGN_KEYS, [options.agencyId, feed]);
    // The planner knows nothing of a fresh temporary table: without statistics the anti-join that
    // finds retired rows becomes a nested loop over both sides.
    await client.query('create index on ingest_staging (natural_key)');
    await client.query('analyze ingest_staging');
    const fileAsOf = (await client.query<{ as_of: Date | null }>(STAGED_AS_OF)).rows[0]!.as_of;
    const asOf = givenAsOf ?? fileAsOf ?? receivedAt;
    const asOfSource: 'file' | 'submitter' | 'upload' = givenAsOf ? 'submitter' : fileAsOf ? 'file' : 'upload';
    const months = (await client.query<{ months: string[] }>(STAGED_MONTHS)).rows[0]!.months;
    const submission = await client.query<{ id: string }>(
      `insert into submission (agency_id, feed, format, file_name, checksum, bytes, container, encoding, status, submitted_by_id,
         submitted_via, submitted_by_label, header, started_at, finished_at, as_of, as_of_source, periods, layout, layout_version)
       values ($1, $2, $3, $4, $5, $6, $7, $8, 'accepted', $9, $10, $11, $12, $13, now(), $14, $15, $16::date[], $17, $18) returning id`,
      [options.agencyId, feed, meta.format ?? 'csv', options.fileName, file.checksum, file.receivedBytes, file.container, meta.encoding,
        options.submitter.userId, options.submitter.via, options.submitter.label, meta.header ? JSON.stringify(meta.header) : null, started,
        asOf, asOfSource, months, meta.layout?.id ?? null, meta.layout?.version ?? null],
    );
    const submissionId = Number(submission.rows[0]!.id);

    // 4. Merge: notes, kept-newer count, insert/update, retire, updates, rejects.
    const shared = (await client.query<{ rows: number; ids: number }>(STORE_SHARED_ID_NOTES, [submissionId])).rows[0]!;
    const params = [submissionId, options.agencyId, feed, asOf];
    const keptNewer = (await client.query<{ n: number }>(COUNT_KEPT_NEWER, [options.agencyId, feed, asOf])).rows[0]!.n;
    const merged = (await client.query<{ inserted: number; updated: number }>(MERGE_INCIDENTS, params)).rows[0]!;
    let retired = 0;
    let revises: number[] = [];
    if (FEEDS[feed].revision === 'snapshot') {
      await client.query('set local enable_nestloop = off');
      await client.query(FIND_UNPUBLISHED, [options.agencyId, feed, asOf]);
      await client.query('set local enable_nestloop = on');
      retired = (await client.query<{ n: number }>(RETIRE_UNPUBLISHED, [submissionId])).rows[0]!.n;
      revises = (await client.query<{ ids: string[] }>(REVISED_SUBMISSIONS, [submissionId, options.agencyId, feed, months])).rows[0]!.ids.map(Number);
    }
    const updatesAccepted = kinds.updates;
    const updatesApplied = target ? (await client.query<{ updated: number }>(APPLY_UPDATES, [submissionId, options.agencyId, target])).rows[0]!.updated : 0;
    const rowsRejected = (await client.query(STORE_REJECTS, [submissionId])).rowCount ?? 0;
    const firstRejects = (await client.query<{ row_number: number; reject_column: string | null; reject_reason: string; reject_message: string }>(FIRST_REJECTS)).rows.map(
      (r) => ({ rowNumber: r.row_number, column: r.reject_column, reason: r.reject_reason, message: r.reject_message }),
    );
    const quality: QualityNote[] = shared.rows
      ? [{ code: 'SHARED_SOURCE_ID', rows: shared.rows, message: `${shared.rows} rows share ${shared.ids} source ids with other rows of the file; each is kept as a published row` }]
      : [];
    const rowsAccepted = kinds.incidents + updatesAccepted;
    const finished = new Date();
    await client.query(
      `update submission set rows_read = $2, rows_accepted = $3, rows_rejected = $4, rows_inserted = $5, rows_updated = $6,
         rows_retired = $7, rows_kept_newer = $8, revises = $9::bigint[], quality = $10, finished_at = $11, duration_ms = $12 where id = $1`,
      [submissionId, rowsAccepted + rowsRejected, rowsAccepted, rowsRejected, merged.inserted, merged.updated + updatesApplied, retired, keptNewer,
        revises, quality.length ? JSON.stringify(quality) : null, finished, finished.getTime() - started.getTime()],
    );
    const result: IngestResult = {
      ...baseResult(options, file, meta, started),
      submissionId,
      status: 'accepted',
      feed,
      format: meta.format ?? 'csv',
      rowsRead: rowsAccepted + rowsRejected,
      rowsAccepted,
      rowsRejected,
      rowsInserted: merged.inserted,
      rowsUpdated: merged.updated + updatesApplied,
      rowsRetired: retired,
      rowsKeptNewer: keptNewer,
      asOf: asOf.toISOString(),
      asOfSource,
      periods: months.map((m) => m.slice(0, 7)),
      revises,
      quality,
      durationMs: finished.getTime() - started.getTime(),
      firstRejects,
    };
    if (signal?.aborted) throw new IngestInterrupted(String(signal.reason ?? 'stopped'));
    await options.beforeCommit?.(client, result);
    await client.query('commit');
    inTransaction = false;
    if (merged.inserted >= ANALYZE_AFTER_ROWS) {
      // A large load changes the table's statistics more than autovacuum notices at once; plans for
      // authorized pages depend on them.
      await client.query(`select csp_hub_analyze('incident')`).catch((error: unknown) => log.warn({ err: error }, 'analyze after a large submission failed'));
    }
    log.info(
      { submissionId, rows: result.rowsRead, rejected: rowsRejected, inserted: merged.inserted, updated: result.rowsUpdated, retired, keptNewer },
      'submission accepted',
    );
    options.onProgress?.({ bytes: prepared.contentBytes, rows });
    return result;
  } catch (error) {
    if (inTransaction) await client.query('rollback').catch(() => undefined);
    inTransaction = false;
    const broken = isConnectionError(error);
    raw.release(broken ? (error as Error) : undefined);
    released = true;
    if (error instanceof IngestInterrupted || options.signal?.aborted) return recordInterrupted(pool, options, started, file, meta, log);
    if (isHubError(error) && error.kind === 'invalid_input') {
      log.info({ reason: error.reason }, 'submission refused');
      return recordOutcome(pool, options, started, file, meta, { status: 'refused', errorCode: error.reason, errorMessage: error.message });
    }
    if (isHubError(error) && error.kind === 'not_found') throw error;
    if (broken) throw error;
    log.error({ err: error }, 'submission failed inside the hub; nothing was stored');
    return recordOutcome(pool, options, started, file, meta, {
      status: 'failed',
      errorCode: 'INTERNAL_ERROR',
      errorMessage: 'The hub failed while processing this file; nothing was stored. The operators have the details (see the submission id); try again later.',
    });
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (!released) raw.release();
  }
}

/** Connection-level failures (the server went away): the attempt cannot be recorded either. */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? '';
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === 'ECONNREFUSED' || code === 'ECONNRESET' ||
    (error instanceof Error && /Connection terminated|not queryable|connection.*closed/i.test(error.message));
}

/**
 * Every row was rejected: the file is refused, and its rejects are kept with
 * the refused submission so the agency can see why. In the open transaction.
 */
async function refuseAllRejected(
  client: pg.PoolClient,
  options: IngestOptions,
  started: Date,
  file: FileFacts,
  meta: Meta,
  rejects: number,
  ended: () => void,
): Promise<IngestResult> {
  const finished = new Date();
  const message = `Every row of the file was rejected (${rejects.toLocaleString('en-GB')} rows): nothing was stored. The rejects say why, row by row.`;
  const row = await client.query<{ id: string }>(
    `insert into submission (agency_id, feed, format, file_name, checksum, bytes, container, encoding, status, error_code, error_message,
       rows_read, rows_rejected, submitted_by_id, submitted_via, submitted_by_label, header, started_at, finished_at, duration_ms, layout, layout_version)
     values ($1, $2, $3, $4, $5, $6, $7, $8, 'refused', 'ALL_ROWS_REJECTED', $9, $10, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) returning id`,
    [options.agencyId, options.feed, meta.format ?? 'csv', options.fileName, file.checksum, file.receivedBytes, file.container, meta.encoding, message,
      rejects, options.submitter.userId, options.submitter.via, options.submitter.label, meta.header ? JSON.stringify(meta.header) : null, started,
      finished, finished.getTime() - started.getTime(), meta.layout?.id ?? null, meta.layout?.version ?? null],
  );
  const submissionId = Number(row.rows[0]!.id);
  await client.query(STORE_REJECTS, [submissionId]);
  const firstRejects = (await client.query<{ row_number: number; reject_column: string | null; reject_reason: string; reject_message: string }>(FIRST_REJECTS)).rows.map(
    (r) => ({ rowNumber: r.row_number, column: r.reject_column, reason: r.reject_reason, message: r.reject_message }),
  );
  const result: IngestResult = {
    ...baseResult(options, file, meta, started),
    submissionId,
    status: 'refused',
    format: meta.format ?? 'csv',
    rowsRead: rejects,
    rowsRejected: rejects,
    errorCode: 'ALL_ROWS_REJECTED',
    errorMessage: message,
    firstRejects,
  };
  await options.beforeCommit?.(client, result);
  await client.query('commit');
  ended();
  return result;
}

async function recordInterrupted(pool: pg.Pool, options: IngestOptions, started: Date, file: FileFacts, meta: Meta, log: HubLogger): Promise<IngestResult> {
  const why = options.signal?.reason === undefined ? 'stopped' : String(options.signal.reason);
  log.warn({ why }, 'submission stopped before it finished: rolled back');
  return recordOutcome(pool, options, started, file, meta, {
    status: 'failed',
    errorCode: 'INTERRUPTED',
    errorMessage: `The submission was stopped before it finished (${why}); it was rolled back and nothing was stored.`,
  });
}

/** Records a refused, duplicate or failed submission (no rows stored) in a transaction of its own, and returns its result. */
async function recordOutcome(
  pool: pg.Pool,
  options: IngestOptions,
  started: Date,
  file: FileFacts,
  meta: Meta,
  outcome: { status: 'refused' | 'duplicate' | 'failed'; duplicateOf?: number; errorCode: string; errorMessage: string },
): Promise<IngestResult> {
  const finished = new Date();
  const result: IngestResult = {
    ...baseResult(options, file, meta, started),
    status: outcome.status,
    duplicateOf: outcome.duplicateOf ?? null,
    errorCode: outcome.errorCode,
    errorMessage: outcome.errorMessage,
    durationMs: finished.getTime() - started.getTime(),
  };
  return inTransaction(pool, async (client) => {
    const known = await client.query('select 1 from agency where id = $1', [options.agencyId]);
    if (known.rowCount) {
      const row = await client.query<{ id: string }>(
        `insert into submission (agency_id, feed, format, file_name, checksum, bytes, container, encoding, status, error_code, error_message,
           duplicate_of, submitted_by_id, submitted_via, submitted_by_label, header, started_at, finished_at, duration_ms, layout, layout_version)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) returning id`,
        [options.agencyId, result.feed, meta.format ?? 'unknown', options.fileName, file.checksum, file.receivedBytes, file.container, meta.encoding,
          outcome.status, outcome.errorCode, outcome.errorMessage, outcome.duplicateOf ?? null, options.submitter.userId, options.submitter.via,
          options.submitter.label, meta.header ? JSON.stringify(meta.header) : null, started, finished, finished.getTime() - started.getTime(),
          meta.layout?.id ?? null, meta.layout?.version ?? null],
      );
      result.submissionId = Number(row.rows[0]!.id);
    }
    await options.beforeCommit?.(client, result);
    return result;
  });
}
