/** Seen by every reader of a submission. */
export const SUBMISSION_OUTLINE_FIELDS = [
  'id', 'agencyId', 'feed', 'format', 'status', 'errorCode', 'submittedVia', 'asOf', 'asOfSource', 'periods', 'revises', 'duplicateOf',
  'startedAt', 'finishedAt', 'durationMs',
] as const;

/** Seen by the submitting agency only: may quote source values or reveal counts. */
export const SUBMISSION_DETAIL_FIELDS = [
  'fileName', 'checksum', 'bytes', 'container', 'encoding', 'rowsRead', 'rowsAccepted', 'rowsRejected', 'rowsInserted', 'rowsUpdated',
  'rowsRetired', 'rowsKeptNewer', 'errorMessage', 'submittedByUserId', 'submittedByLabel', 'header', 'quality',
] as const;

export type SubmissionField = (typeof SUBMISSION_OUTLINE_FIELDS)[number] | (typeof SUBMISSION_DETAIL_FIELDS)[number];
