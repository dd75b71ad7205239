import { BigIntType, Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Submission } from './submission.entity';

/**
 * A source row that was not accepted (severity reject), or was accepted with a
 * data-quality note (severity note), kept so the agency can correct and resubmit.
 */
@Entity({ tableName: 'ingest_reject', comment: 'Rejected or noted source rows with the reason; visible to the submitting agency only' })
@Index({ name: 'ingest_reject_submission_row_idx', properties: ['submission', 'rowNumber'] })
export class IngestReject {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne({ entity: () => Submission, deleteRule: 'cascade' })
  submission!: Submission;

  /** 1-based data row (the header is row 0). */
  @Property({ type: 'integer' })
  rowNumber!: number;

  @Property({ type: 'string', columnType: 'text', nullable: true })
  columnName: string | null = null;

  /** The offending value as given (at most 1,000 characters). */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  value: string | null = null;

  @Enum({ items: ['reject', 'note'], type: 'string', columnType: 'text', default: 'reject' })
  severity: 'reject' | 'note' = 'reject';

  @Property({ type: 'string', columnType: 'text' })
  reason!: string;

  @Property({ type: 'string', columnType: 'text' })
  message!: string;
}
