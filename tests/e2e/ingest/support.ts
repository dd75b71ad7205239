import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { sharedData } from '@csp-hub/adapter-kit/testing';
import type { IngestResult } from '@csp-hub/ingest';
import { splitCsv } from '@csp-hub/adapter-kit/testing';

/** The gateway's CLI entry point, run as a child process like an operator would. */
export const CLI_BIN = path.resolve(import.meta.dirname, '../../../services/gateway/bin/csp-hub.js');

export const STREET_HEADER =
  'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context';

/** Column positions in a data.police.uk street-level row. */
export const COL = {
  crimeId: 0,
  month: 1,
  reportedBy: 2,
  fallsWithin: 3,
  longitude: 4,
  latitude: 5,
  location: 6,
  lsoaCode: 7,
  lsoaName: 8,
  crimeType: 9,
  outcome: 10,
  context: 11,
} as const;

/** A real Leicestershire street-level month in the shared data folder (read in place, never copied). */
export function streetFile(month: '2024-01' | '2024-02' | '2024-03'): string {
  return sharedData('police', `${month}-leicestershire-street.csv`);
}

/**
 * The data rows of a real street file as field arrays. The published files hold
 * no quoted fields (PROVENANCE.md); that is checked here so a plain split is a
 * faithful, independent parse.
 */
export function streetRows(file: string): string[][] {
  const text = readFileSync(file, 'utf8');
  if (text.includes('"')) throw new Error(`${file} has quoted fields: a plain split would misread it`);
  const lines = text.split('\n');
  if (lines[0] !== STREET_HEADER) throw new Error(`${file} does not start with the street-level header`);
  if (lines[lines.length - 1] !== '') throw new Error(`${file} does not end with a newline`);
  return lines.slice(1, -1).map((line) => {
    const fields = line.split(',');
    if (fields.length !== 12) throw new Error(`${file}: a row with ${fields.length} fields`);
    return fields;
  });
}

/** One CSV line from fields, quoting only where RFC 4180 requires it. */
export function csvRow(fields: readonly string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}

/** A street-level file (header plus rows, LF, final newline). */
export function streetCsv(rows: readonly (readonly string[])[]): string {
  return `${[STREET_HEADER, ...rows.map(csvRow)].join('\n')}\n`;
}

/** A unique 64-hex Crime ID derived from a label. */
export function crimeId(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

/**
 * `n` real located crime rows (with a Crime ID, coordinates and an LSOA code)
 * moved to `month` and given Crime IDs unique to `label`, so each test case's
 * rows are disjoint from every other case's.
 */
export function sampleRows(n: number, month: string, label: string): string[][] {
  const located = streetRows(streetFile('2024-01')).filter((f) => f[COL.crimeId] !== '' && f[COL.latitude] !== '' && f[COL.lsoaCode] !== '');
  if (located.length < n) throw new Error(`only ${located.length} located rows`);
  return located.slice(0, n).map((f, i) => {
    const row = f.slice();
    row[COL.crimeId] = crimeId(`${label}-${i}`);
    row[COL.month] = month;
    return row;
  });
}

/** Counts of a key over rows, as a plain object. */
export function tally<T>(items: Iterable<T>, key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// --- HTTP ------------------------------------------------------------------

export interface UploadResponse {
  status: number;
  submission?: IngestResult;
  error?: { code: string; message: string };
}

/** POST /api/submissions with the file as the raw body. */
export async function upload(
  base: string,
  token: string | undefined,
  body: Buffer | string,
  query: { feed: string; fileName: string; encoding?: string },
): Promise<UploadResponse> {
  const params = new URLSearchParams({ feed: query.feed, fileName: query.fileName, ...(query.encoding ? { encoding: query.encoding } : {}) });
  const headers: Record<string, string> = { 'content-type': 'text/csv' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}/api/submissions?${params}`, { method: 'POST', headers, body });
  const json = (await res.json()) as { submission?: IngestResult; error?: { code: string; message: string } };
  return { status: res.status, ...json };
}

/** GET a CSV resource; status and text. */
export async function getText(base: string, token: string, pathAndQuery: string): Promise<{ status: number; contentType: string | null; text: string }> {
  const res = await fetch(`${base}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

/** An RFC 4180 reader independent of the product's CSV code (shared test helper). */
export const parseCsv = splitCsv;

/** CSV text as objects keyed by the header row. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

// --- database --------------------------------------------------------------

export interface TableCounts {
  incidents: number;
  rejects: number;
  submissions: number;
}

export async function tableCounts(pool: pg.Pool): Promise<TableCounts> {
  const r = await pool.query<TableCounts>(
    `select (select count(*)::int from incident) as incidents, (select count(*)::int from ingest_reject) as rejects,
            (select count(*)::int from submission) as submissions`,
  );
  return r.rows[0]!;
}

export interface StoredReject {
  row_number: number;
  column_name: string | null;
  value: string | null;
  reason: string;
  message: string;
}

export async function rejectsOf(pool: pg.Pool, submissionId: number): Promise<StoredReject[]> {
  const r = await pool.query<StoredReject>(
    'select row_number, column_name, value, reason, message from ingest_reject where submission_id = $1 order by row_number, id',
    [submissionId],
  );
  return r.rows;
}

export async function incidentCountOf(pool: pg.Pool, submissionId: number): Promise<number> {
  return (await pool.query<{ n: number }>('select count(*)::int as n from incident where submission_id = $1', [submissionId])).rows[0]!.n;
}

export interface SubmissionRow {
  id: string;
  agency_id: number;
  feed: string;
  status: string;
  error_code: string | null;
  error_message: string | null;
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  rows_inserted: number;
  rows_updated: number;
  bytes: string;
  encoding: string | null;
  submitted_via: string;
  submitted_by_id: number | null;
  submitted_by_label: string;
  checksum: string;
  file_name: string;
}

export async function submissionRow(pool: pg.Pool, id: number): Promise<SubmissionRow | undefined> {
  return (await pool.query<SubmissionRow>('select * from submission where id = $1', [id])).rows[0];
}

export async function agencyId(pool: pg.Pool, code: string): Promise<number> {
  return (await pool.query<{ id: number }>('select id from agency where code = $1', [code])).rows[0]!.id;
}

/** Waits until no other session of this database has a transaction open (a killed client's backend has rolled back). */
export async function waitForNoOpenTransactions(pool: pg.Pool, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null`,
    );
    if (open.rows[0]!.n === 0) return;
    if (Date.now() > deadline) throw new Error(`${open.rows[0]!.n} sessions still hold a transaction open`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// --- CLI -------------------------------------------------------------------

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Largest VmHWM (peak resident set) seen in /proc/<pid>/status while it ran, in bytes. */
  peakRssBytes: number;
  timedOut: boolean;
  pid: number;
}

export interface CliOptions {
  env: NodeJS.ProcessEnv;
  /** Options for node itself, before the script (e.g. --max-old-space-size=160). */
  nodeArgs?: string[];
  /** Kill the child (SIGKILL) after this long and report timedOut. */
  timeoutMs?: number;
  /** Called with the stderr text so far on every chunk; return true to SIGKILL the child. */
  killWhen?: (stderr: string) => boolean;
}

function vmHwm(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `csp-hub <args>` in a child process, sampling its peak RSS while it runs. */
export async function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI_BIN, ...args], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid!;
  let stdout = '';
  let stderr = '';
  let peak = 0;
  let timedOut = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (options.killWhen?.(stderr) && child.exitCode === null) {
      peak = Math.max(peak, vmHwm(pid));
      child.kill('SIGKILL');
    }
  });
  const sampler = setInterval(() => (peak = Math.max(peak, vmHwm(pid))), 50);
  const timer = options.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs)
    : undefined;
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearInterval(sampler);
  if (timer) clearTimeout(timer);
  return { code, signal, stdout, stderr, peakRssBytes: peak, timedOut, pid };
}

/** Environment for the CLI against a test database (as services/gateway/src/cli.pg.test.ts does): two roles, as in production. */
export function cliEnv(db: { appUrl: string; ownerUrl: string }, dataDir: string): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: db.appUrl, MIGRATION_DATABASE_URL: db.ownerUrl, CSP_HUB_DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'development' };
}

/** Progress lines the CLI prints on stderr (not a TTY: one line each). */
export const PROGRESS_LINE = /^ingest police\.street: (\d+)% ([\d.]+) MB of ([\d.]+) MB, ([\d,]+) rows, ([\d.]+) MB\/s$/;

export function progressLines(stderr: string): RegExpExecArray[] {
  return stderr.split('\n').flatMap((l) => {
    const m = PROGRESS_LINE.exec(l);
    return m ? [m] : [];
  });
}

// --- large files -------------------------------------------------------------

export interface GeneratedFile {
  rows: number;
  bytes: number;
  /** Rows per "month crime-type", computed while writing. */
  byMonthType: Record<string, number>;
  /** SHA-256 of the file, computed while writing. */
  checksum: string;
}

/**
 * Writes a street-level file of at least `targetBytes` from the real rows of
 * the three months: every crime gets a unique Crime ID, ASB rows (no Crime ID)
 * stay as published, months cycle over 2019-2021 so nothing overlaps the real
 * months other tests store.
 */
export async function writeLargeStreetFile(target: string, targetBytes: number, label: string): Promise<GeneratedFile> {
  const templates = (['2024-01', '2024-02', '2024-03'] as const).flatMap((m) => streetRows(streetFile(m)));
  const out = createWriteStream(target);
  const hash = createHash('sha256');
  const header = `${STREET_HEADER}\n`;
  out.write(header);
  hash.update(header);
  let bytes = header.length;
  let rows = 0;
  const byMonthType: Record<string, number> = {};
  let buffer = '';
  while (bytes < targetBytes) {
    const fields = templates[rows % templates.length]!.slice();
    const month = `${2019 + Math.floor((rows % 36) / 12)}-${String((rows % 12) + 1).padStart(2, '0')}`;
    fields[COL.month] = month;
    if (fields[COL.crimeId] !== '') fields[COL.crimeId] = crimeId(`${label}-${rows}`);
    const line = `${fields.join(',')}\n`;
    buffer += line;
    bytes += line.length;
    rows += 1;
    const key = `${month} ${fields[COL.crimeType]}`;
    byMonthType[key] = (byMonthType[key] ?? 0) + 1;
    if (buffer.length > 1 << 20) {
      hash.update(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  hash.update(buffer);
  out.end(buffer);
  await once(out, 'finish');
  return { rows, bytes, byMonthType, checksum: hash.digest('hex') };
}
