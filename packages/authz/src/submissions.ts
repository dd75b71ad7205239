import { subject as asSubject } from '@casl/ability';
import { HubError } from '@csp-hub/taxonomy';
import { SUBMISSION_STATUSES } from '@csp-hub/db';
import type { AccessContext } from './access';
import { audit } from './access';
import { allowedSql } from './rules-sql';
import { SqlParams } from './sql-conditions';
import { SUBMISSION_DETAIL_FIELDS, type SubmissionField } from './submission-fields';

/**
 * A submission as a reader may see it. The submitting agency sees everything.
 * Partners' chairs, admins and auditors see what happened (feed, status, the
 * reason code, when, the months) but nothing that could carry source values
 * or reveal counts: file name, messages quoting rows, row counts, notes,
 * header fields and who submitted are withheld (null, named in `withheld`),
 * and the message is the fixed text for the reason code.
 */
export interface SubmissionView {
  id: number;
  agencyId: number;
  feed: string;
  format: string;
  fileName: string | null;
  checksum: string | null;
  bytes: number | null;
  container: string | null;
  encoding: string | null;
  status: string;
  rowsRead: number | null;
  rowsAccepted: number | null;
  rowsRejected: number | null;
  rowsInserted: number | null;
  rowsUpdated: number | null;
  rowsRetired: number | null;
  rowsKeptNewer: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  duplicateOf: number | null;
  submittedByUserId: number | null;
  submittedByLabel: string | null;
  submittedVia: string;
  header: Record<string, string> | null;
  asOf: string | null;
  asOfSource: string | null;
  periods: string[];
  revises: number[];
  quality: { code: string; rows: number; message: string }[] | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Fields withheld from this reader. */
  withheld: SubmissionField[];
}

export interface RejectView {
  rowNumber: number;
  column: string | null;
  value: string | null;
  reason: string;
  message: string;
}

/**
 * The message a reader outside the submitting agency sees for a reason code:
 * fixed text that never quotes the file.
 */
const CODE_MESSAGES: Record<string, string> = {
  DUPLICATE_FILE: 'The same file had already been accepted; nothing was stored again.',
  WRONG_HEADER: "The file's columns did not match the feed's layout; nothing was stored.",
  MISSING_HEADER: 'The file had no header row; nothing was stored.',
  INVALID_HEADER: 'The header row could not be read; nothing was stored.',
  DUPLICATE_HEADER: 'The header row named a column twice; nothing was stored.',
  EMPTY_FILE: 'The file was empty; nothing was stored.',
  NO_DATA_ROWS: 'The file had a header but no data rows; nothing was stored.',
  ALL_ROWS_REJECTED: 'Every row of the file was rejected; nothing was stored.',
  TRUNCATED_FILE: 'The file was cut short; nothing was stored.',
  MALFORMED_QUOTING: 'The file had an unterminated quote; nothing was stored.',
  MALFORMED_JSON: 'The file was not valid JSON; nothing was stored.',
  MALFORMED_XML: 'The file was not valid XML; nothing was stored.',
  WRONG_FORMAT: 'The file was not in a format the feed accepts; nothing was stored.',
  INVALID_ENCODING: 'The file was not in the expected text encoding; nothing was stored.',
  NOT_TEXT: 'The file was not a text file; nothing was stored.',
  BAD_ARCHIVE: 'The compressed file could not be unpacked; nothing was stored.',
  ZIP_NOT_ONE_FILE: 'The .zip file did not hold exactly one file; nothing was stored.',
  FILE_TOO_LARGE: 'The file was larger than the upload limit; nothing was stored.',
  WRONG_FORCE: "The file belonged to another police force; nothing was stored.",
  FEED_NOT_FOR_AGENCY: 'The feed is not one this agency provides; nothing was stored.',
  UNKNOWN_FEED: 'The feed named does not exist; nothing was stored.',
  INVALID_AS_OF: 'The as-of time given was not valid; nothing was stored.',
  INTERRUPTED: 'The submission was stopped before it finished and rolled back; nothing was stored.',
  INTERNAL_ERROR: 'The hub failed while processing the file; nothing was stored.',
};

export function outlineMessage(code: string | null): string | null {
  if (code === null) return null;
  return CODE_MESSAGES[code] ?? `The file was refused (${code}); the submitting agency can see why.`;
}

const SUBMISSION = { agencyId: 's.agency_id' };

function dateText(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}

function fullView(r: Record<string, unknown>): SubmissionView {
  return {
    id: Number(r.id),
    agencyId: Number(r.agency_id),
    feed: r.feed as string,
    format: r.format as string,
    fileName: r.file_name as string,
    checksum: r.checksum as string,
    bytes: Number(r.bytes),
    container: r.container as string | null,
    encoding: r.encoding as string | null,
    status: r.status as string,
    rowsRead: r.rows_read as number,
    rowsAccepted: r.rows_accepted as number,
    rowsRejected: r.rows_rejected as number,
    rowsInserted: r.rows_inserted as number,
    rowsUpdated: r.rows_updated as number,
    rowsRetired: r.rows_retired as number,
    rowsKeptNewer: r.rows_kept_newer as number,
    errorCode: r.error_code as string | null,
    errorMessage: r.error_message as string | null,
    duplicateOf: r.duplicate_of === null ? null : Number(r.duplicate_of),
    submittedByUserId: r.submitted_by_id as number | null,
    submittedByLabel: r.submitted_by_label as string,
    submittedVia: r.submitted_via as string,
    header: r.header as Record<string, string> | null,
    asOf: r.as_of === null ? null : (r.as_of as Date).toISOString(),
    asOfSource: r.as_of_source as string | null,
    periods: ((r.periods as unknown[] | null) ?? []).map((p) => dateText(p).slice(0, 7)),
    revises: ((r.revises as unknown[] | null) ?? []).map(Number),
    quality: r.quality as SubmissionView['quality'],
    startedAt: (r.started_at as Date).toISOString(),
    finishedAt: (r.finished_at as Date).toISOString(),
    durationMs: r.duration_ms as number,
    withheld: [],
  };
}

/** The view for this reader: fields the ability does not grant are withheld, the message replaced by the code's text. */
function viewFor(ctx: AccessContext, r: Record<string, unknown>): SubmissionView {
  const view = fullView(r);
  const row = asSubject('Submission', { agencyId: view.agencyId });
  const withheld = SUBMISSION_DETAIL_FIELDS.filter((f) => !ctx.ability.can('read', row, f));
  if (withheld.length === 0) return view;
  const masked: Record<string, unknown> = { ...view, withheld };
  for (const f of withheld) masked[f] = null;
  if (withheld.includes('errorMessage')) masked.errorMessage = outlineMessage(view.errorCode);
  return masked as unknown as SubmissionView;
}

/** Reads of other agencies' submission metadata are audited (ids only). */
async function auditPartnerReads(ctx: AccessContext, operation: string, views: SubmissionView[], detail: Record<string, unknown>): Promise<void> {
  const partners = views.filter((v) => v.agencyId !== ctx.principal.agencyId);
  if (partners.length === 0) return;
  await audit(ctx, {
    operation,
    objectType: 'Submission',
    objectId: partners.length === 1 ? String(partners[0]!.id) : null,
    detail: { ...detail, submissionIds: partners.map((v) => v.id) },
    rowCount: partners.length,
    agreementIds: [],
  });
}

export interface SubmissionQuery {
  agencyId?: number | null;
  feed?: string | null;
  status?: string | null;
  limit?: number;
  offset?: number;
}

/** Submissions the principal may see (their agency's; chairs, admins and auditors: their partners'), newest first. */
export async function listSubmissions(ctx: AccessContext, q: SubmissionQuery = {}): Promise<SubmissionView[]> {
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw HubError.invalidInput('PAGE_SIZE', 'limit must be 1 to 200');
  const offset = q.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw HubError.invalidInput('PAGE_OFFSET', 'offset must not be negative');
  if (q.agencyId !== null && q.agencyId !== undefined && !(Number.isInteger(q.agencyId) && q.agencyId >= 1 && q.agencyId <= 2_147_483_647)) {
    throw HubError.invalidInput('INVALID_FILTER', 'agencyId must be the id of an agency');
  }
  if (q.feed && !/^[a-z]+\.[a-z_]+$/.test(q.feed)) throw HubError.invalidInput('INVALID_FILTER', 'feed must be a feed id such as police.street (csp-hub feeds lists them)');
  if (q.status && !(SUBMISSION_STATUSES as readonly string[]).includes(q.status)) {
    throw HubError.invalidInput('INVALID_FILTER', `status must be one of ${SUBMISSION_STATUSES.join(', ')}`);
  }
  const params = new SqlParams();
  const where = [allowedSql(ctx.ability, 'read', 'Submission', SUBMISSION, params)];
  if (q.agencyId) where.push(`s.agency_id = ${params.add(q.agencyId)}`);
  if (q.feed) where.push(`s.feed = ${params.add(q.feed)}`);
  if (q.status) where.push(`s.status = ${params.add(q.status)}`);
  const rows = await ctx.db.query(
    `select s.* from submission s where ${where.map((w) => `(${w})`).join(' and ')} order by s.started_at desc, s.id desc limit ${limit} offset ${offset}`,
    params.values,
  );
  const views = rows.rows.map((r) => viewFor(ctx, r));
  await auditPartnerReads(ctx, 'list', views, { filter: { agencyId: q.agencyId ?? null, feed: q.feed ?? null, status: q.status ?? null }, limit, offset });
  return views;
}

/** One submission; NOT_FOUND when missing or not the principal's to see. */
export async function getSubmission(ctx: AccessContext, id: number): Promise<SubmissionView> {
  const params = new SqlParams();
  const allowed = allowedSql(ctx.ability, 'read', 'Submission', SUBMISSION, params);
  const rows = await ctx.db.query(`select s.* from submission s where s.id = ${params.add(id)} and (${allowed})`, params.values);
  if (rows.rows.length === 0) throw HubError.notFound('Submission', String(id));
  const view = viewFor(ctx, rows.rows[0]!);
  await auditPartnerReads(ctx, 'read', [view], {});
  return view;
}

/**
 * A submission's rejected rows (severity reject) or data-quality notes
 * (severity note), for the submitting agency only (they hold the raw source
 * values). Every read is audited.
 */
export async function listRejects(
  ctx: AccessContext,
  submissionId: number,
  limit = 500,
  offset = 0,
  severity: 'reject' | 'note' = 'reject',
): Promise<{ total: number; rejects: RejectView[] }> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw HubError.invalidInput('PAGE_SIZE', 'limit must be 1 to 5000');
  if (!Number.isInteger(offset) || offset < 0) throw HubError.invalidInput('PAGE_OFFSET', 'offset must not be negative');
  const params = new SqlParams();
  const allowed = allowedSql(ctx.ability, 'read', 'IngestReject', SUBMISSION, params);
  const sub = await ctx.db.query<{ rows_rejected: number }>(`select s.rows_rejected from submission s where s.id = ${params.add(submissionId)} and (${allowed})`, params.values);
  if (sub.rows.length === 0) throw HubError.notFound('Submission', String(submissionId));
  const rows = await ctx.db.query<{ row_number: number; column_name: string | null; value: string | null; reason: string; message: string; total: number }>(
    `select row_number, column_name, value, reason, message, count(*) over ()::int as total from ingest_reject
     where submission_id = $1 and severity = $4 order by row_number, id limit $2 offset $3`,
    [submissionId, limit, offset, severity],
  );
  const total = severity === 'reject' ? sub.rows[0]!.rows_rejected
    : rows.rows[0]?.total ?? (await ctx.db.query<{ n: number }>(`select count(*)::int as n from ingest_reject where submission_id = $1 and severity = 'note'`, [submissionId])).rows[0]!.n;
  await audit(ctx, { operation: 'read', objectType: 'IngestReject', objectId: String(submissionId), detail: { severity, limit, offset }, rowCount: rows.rows.length, agreementIds: [] });
  return {
    total,
    rejects: rows.rows.map((r) => ({ rowNumber: r.row_number, column: r.column_name, value: r.value, reason: r.reason, message: r.message })),
  };
}
