import { HubError } from '@csp-hub/taxonomy';
import { SUBMISSION_STATUSES } from '@csp-hub/db';
import type { AccessContext } from './access';
import { audit } from './access';
import { allowedSql } from './rules-sql';
import { SqlParams } from './sql-conditions';

export interface SubmissionView {
  id: number;
  agencyId: number;
  feed: string;
  format: string;
  fileName: string;
  checksum: string;
  bytes: number;
  encoding: string | null;
  status: string;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsInserted: number;
  rowsUpdated: number;
  errorCode: string | null;
  errorMessage: string | null;
  duplicateOf: number | null;
  submittedByUserId: number | null;
  submittedByLabel: string;
  submittedVia: string;
  header: Record<string, string> | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

export interface RejectView {
  rowNumber: number;
  column: string | null;
  value: string | null;
  reason: string;
  message: string;
}

const SUBMISSION = { agencyId: 's.agency_id' };

function toView(r: Record<string, unknown>): SubmissionView {
  return {
    id: Number(r.id),
    agencyId: Number(r.agency_id),
    feed: r.feed as string,
    format: r.format as string,
    fileName: r.file_name as string,
    checksum: r.checksum as string,
    bytes: Number(r.bytes),
    encoding: r.encoding as string | null,
    status: r.status as string,
    rowsRead: r.rows_read as number,
    rowsAccepted: r.rows_accepted as number,
    rowsRejected: r.rows_rejected as number,
    rowsInserted: r.rows_inserted as number,
    rowsUpdated: r.rows_updated as number,
    errorCode: r.error_code as string | null,
    errorMessage: r.error_message as string | null,
    duplicateOf: r.duplicate_of === null ? null : Number(r.duplicate_of),
    submittedByUserId: r.submitted_by_id as number | null,
    submittedByLabel: r.submitted_by_label as string,
    submittedVia: r.submitted_via as string,
    header: r.header as Record<string, string> | null,
    startedAt: (r.started_at as Date).toISOString(),
    finishedAt: (r.finished_at as Date).toISOString(),
    durationMs: r.duration_ms as number,
  };
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
  return rows.rows.map(toView);
}

/** One submission; NOT_FOUND when missing or not the principal's to see. */
export async function getSubmission(ctx: AccessContext, id: number): Promise<SubmissionView> {
  const params = new SqlParams();
  const allowed = allowedSql(ctx.ability, 'read', 'Submission', SUBMISSION, params);
  const rows = await ctx.db.query(`select s.* from submission s where s.id = ${params.add(id)} and (${allowed})`, params.values);
  if (rows.rows.length === 0) throw HubError.notFound('Submission', String(id));
  return toView(rows.rows[0]!);
}

/**
 * A submission's rejected rows, for the submitting agency only (they hold the
 * raw source values). Every read is audited.
 */
export async function listRejects(ctx: AccessContext, submissionId: number, limit = 500, offset = 0): Promise<{ total: number; rejects: RejectView[] }> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw HubError.invalidInput('PAGE_SIZE', 'limit must be 1 to 5000');
  if (!Number.isInteger(offset) || offset < 0) throw HubError.invalidInput('PAGE_OFFSET', 'offset must not be negative');
  const params = new SqlParams();
  const allowed = allowedSql(ctx.ability, 'read', 'IngestReject', SUBMISSION, params);
  const sub = await ctx.db.query<{ rows_rejected: number }>(`select s.rows_rejected from submission s where s.id = ${params.add(submissionId)} and (${allowed})`, params.values);
  if (sub.rows.length === 0) throw HubError.notFound('Submission', String(submissionId));
  const rows = await ctx.db.query<{ row_number: number; column_name: string | null; value: string | null; reason: string; message: string }>(
    `select row_number, column_name, value, reason, message from ingest_reject where submission_id = $1 order by row_number, id limit $2 offset $3`,
    [submissionId, limit, offset],
  );
  await audit(ctx, { operation: 'read', objectType: 'IngestReject', objectId: String(submissionId), detail: { limit, offset }, rowCount: rows.rows.length, agreementIds: [] });
  return {
    total: sub.rows[0]!.rows_rejected,
    rejects: rows.rows.map((r) => ({ rowNumber: r.row_number, column: r.column_name, value: r.value, reason: r.reason, message: r.message })),
  };
}
