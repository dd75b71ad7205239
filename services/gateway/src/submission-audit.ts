import type { IngestResult } from '@csp-hub/ingest';

/** What the audit records of a submission: ids, counts and codes, never contents. */
export function submissionAuditDetail(result: IngestResult, via: string): Record<string, unknown> {
  return {
    via,
    feed: result.feed,
    status: result.status,
    rowsRead: result.rowsRead,
    rowsRejected: result.rowsRejected,
    rowsRetired: result.rowsRetired,
    checksum: result.checksum,
    ...(result.errorCode ? { errorCode: result.errorCode } : {}),
    ...(result.revises.length ? { revises: result.revises } : {}),
  };
}
