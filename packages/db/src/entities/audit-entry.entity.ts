import { ArrayType, BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One audited access or change. Append-only and hash-chained: `hash` covers
 * the entry's fields and the previous entry's hash, so altering or removing
 * any entry breaks the chain from there (`csp-hub audit verify`). The database
 * refuses UPDATE, DELETE and TRUNCATE on this table.
 */
@Entity({ tableName: 'audit_log', comment: 'Append-only, hash-chained audit of sensitive reads and every write' })
@Index({ name: 'audit_log_at_idx', properties: ['at'] })
@Index({ name: 'audit_log_user_idx', properties: ['userId', 'at'] })
export class AuditEntry {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  at!: Date;

  @Property({ type: 'integer', nullable: true })
  userId: number | null = null;

  @Property({ type: 'integer', nullable: true })
  agencyId: number | null = null;

  @Property({ type: 'integer', nullable: true })
  partnershipId: number | null = null;

  @Property({ type: ArrayType, columnType: 'text[]' })
  roles: string[] = [];

  /** read, list, count, aggregate, export, create, update, ... */
  @Property({ type: 'string', columnType: 'text' })
  operation!: string;

  @Property({ type: 'string', columnType: 'text' })
  objectType!: string;

  @Property({ type: 'string', columnType: 'text', nullable: true })
  objectId: string | null = null;

  /** The filter or change, as given (no record contents). */
  @Property({ type: 'json' })
  detail: Record<string, unknown> = {};

  @Property({ type: 'integer' })
  rowCount: number = 0;

  @Property({ type: ArrayType, columnType: 'int[]' })
  agreementIds: number[] = [];

  @Property({ type: 'string', columnType: 'text', nullable: true })
  requestId: string | null = null;

  @Property({ type: 'string', columnType: 'text' })
  prevHash!: string;

  @Property({ type: 'string', columnType: 'text', unique: true, comment: 'sha256 hex of prev_hash and the canonical entry (see packages/authz audit.ts)' })
  hash!: string;
}
