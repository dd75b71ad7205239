import { ArrayType, BigIntType, Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Agency } from './agency.entity';
import { User } from './user.entity';

export const SUBMISSION_STATUSES = ['accepted', 'duplicate', 'refused', 'failed'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

/**
 * Provenance of one file an agency submitted: what, who, when, how it went.
 * An accepted submission's incidents became visible in the same transaction as
 * this row; a refused one stored no incidents (only, when every row was
 * rejected, its rejects); a failed one (the hub broke or was stopped) stored nothing.
 */
@Entity({ tableName: 'submission', comment: 'Feed provenance: one row per file submitted' })
@Index({ name: 'submission_agency_feed_idx', properties: ['agency', 'feed', 'startedAt'] })
@Index({
  name: 'submission_accepted_checksum_uniq',
  expression:
    'create unique index "submission_accepted_checksum_uniq" on "submission" ("agency_id", "feed", "checksum", coalesce("layout", \'\')) where status = \'accepted\'',
})
@Check({ name: 'submission_rows_add_up', expression: 'rows_read = rows_accepted + rows_rejected' })
export class Submission {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne({ entity: () => Agency, deleteRule: 'restrict' })
  agency!: Agency;

  /** Feed id, e.g. police.street. */
  @Property({ type: 'string', columnType: 'text' })
  feed!: string;

  @Property({ type: 'string', columnType: 'text' })
  format!: string;

  @Property({ type: 'string', columnType: 'text' })
  fileName!: string;

  /** SHA-256 of the file's content (inside a .gz or .zip: of the file it holds), hex. */
  @Property({ type: 'string', columnType: 'text', comment: 'SHA-256 of the submitted content (decompressed), hex' })
  checksum!: string;

  /** Bytes received (compressed, for a .gz or .zip). */
  @Property({ type: new BigIntType('number') })
  bytes: number = 0;

  /** gzip or zip when the content came compressed. */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  container: string | null = null;

  @Property({ type: 'string', columnType: 'text', nullable: true })
  encoding: string | null = null;

  @Enum({ items: [...SUBMISSION_STATUSES], type: 'string', columnType: 'text' })
  status!: SubmissionStatus;

  @Property({ type: 'integer' })
  rowsRead: number = 0;

  @Property({ type: 'integer' })
  rowsAccepted: number = 0;

  @Property({ type: 'integer' })
  rowsRejected: number = 0;

  /** Of the accepted rows: new incidents, incidents updated, updates with no matching incident. */
  @Property({ type: 'integer' })
  rowsInserted: number = 0;

  @Property({ type: 'integer' })
  rowsUpdated: number = 0;

  /** Rows a later snapshot of the same period no longer publishes (snapshot feeds). */
  @Property({ type: 'integer' })
  rowsRetired: number = 0;

  /** Rows that differed but were kept, because what is stored is as new or newer (its as-of). */
  @Property({ type: 'integer' })
  rowsKeptNewer: number = 0;

  /** When the file's content was current: from the file, from the submitter, or the time of upload. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  asOf: Date | null = null;

  @Enum({ items: ['file', 'submitter', 'upload'], type: 'string', columnType: 'text', nullable: true })
  asOfSource: 'file' | 'submitter' | 'upload' | null = null;

  /** Months the file holds rows for (a snapshot feed's periods). */
  @Property({ type: ArrayType, columnType: 'date[]', default: '{}' })
  periods: string[] = [];

  /** Earlier accepted submissions of the same feed and periods that this one revises. */
  @Property({ type: ArrayType, columnType: 'bigint[]', default: '{}' })
  revises: number[] = [];

  /** Data-quality notes as codes and counts (no source values): e.g. rows sharing a source id. */
  @Property({ type: 'json', nullable: true })
  quality: { code: string; rows: number; message: string }[] | null = null;

  /** For a refused or duplicate submission: the stable reason code and the message shown. */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  errorCode: string | null = null;

  @Property({ type: 'string', columnType: 'text', nullable: true })
  errorMessage: string | null = null;

  /** For a duplicate: the accepted submission it repeats. */
  @Property({ type: new BigIntType('number'), nullable: true })
  duplicateOf: number | null = null;

  @ManyToOne({ entity: () => User, nullable: true, deleteRule: 'set null' })
  submittedBy: User | null = null;

  @Enum({ items: ['cli', 'http', 'seed'], type: 'string', columnType: 'text' })
  submittedVia!: 'cli' | 'http' | 'seed';

  /** Who, in words, for CLI runs without a user (operating-system account). */
  @Property({ type: 'string', columnType: 'text' })
  submittedByLabel!: string;

  /** The layout that read the file (id and version), when it was a CSV; null for JSON/XML and files refused before a layout was chosen. */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  layout: string | null = null;

  @Property({ type: 'integer', nullable: true })
  layoutVersion: number | null = null;

  /** File-level fields the feed carries (e.g. ISTV reporting period and site). */
  @Property({ type: 'json', nullable: true })
  header: Record<string, string> | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  startedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  finishedAt!: Date;

  @Property({ type: 'integer' })
  durationMs: number = 0;
}
