import { BigIntType, Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { DATA_TIERS, PRIORITIES, type AttributeValue, type DataTier, type Priority } from '@csp-hub/taxonomy';
import { Agency } from './agency.entity';
import { Submission } from './submission.entity';

/**
 * One normalised record from an agency feed. Read only through @csp-hub/authz:
 * row filters and field masks come from the reader's ISP agreements.
 */
@Entity({ tableName: 'incident', comment: 'Normalised agency records; read only through the authorization layer' })
@Unique({ name: 'incident_natural_key_uniq', properties: ['agency', 'feed', 'naturalKey'] })
@Index({ name: 'incident_submission_idx', properties: ['submission'] })
// The authorized relation's branches (packages/authz relation.ts, ADR 0015): each walks one of these in (month, id) order.
@Index({
  name: 'incident_page_agency_idx',
  expression:
    'create index "incident_page_agency_idx" on "incident" ("agency_id", "occurred_month", "id") where retired_at is null',
})
@Index({
  name: 'incident_page_lad_idx',
  expression:
    'create index "incident_page_lad_idx" on "incident" ("agency_id", "feed", "lad_code", "occurred_month", "id") where retired_at is null',
})
// Analyses of a provider's own records for some districts (packages/insight, ADR 0019): one range per district and month.
@Index({
  name: 'incident_analysis_lad_idx',
  expression:
    'create index "incident_analysis_lad_idx" on "incident" ("agency_id", "lad_code", "occurred_month") where retired_at is null',
})
@Index({
  name: 'incident_shared_ref_idx',
  expression:
    'create index "incident_shared_ref_idx" on "incident" ("agency_id", "feed", "source_ref") where natural_key <> source_ref',
})
@Check({ name: 'incident_latitude_range', expression: 'latitude is null or (latitude >= -90::double precision and latitude <= 90::double precision)' })
@Check({ name: 'incident_longitude_range', expression: 'longitude is null or (longitude >= -180::double precision and longitude <= 180::double precision)' })
@Check({ name: 'incident_month_first_day', expression: "extract(day from occurred_month) = 1" })
export class Incident {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne({ entity: () => Submission, deleteRule: 'restrict' })
  submission!: Submission;

  /** The agency that provided the record. */
  @ManyToOne({ entity: () => Agency, deleteRule: 'restrict' })
  agency!: Agency;

  @Property({ type: 'string', columnType: 'text' })
  feed!: string;

  @Property({ type: 'string', columnType: 'text', nullable: true })
  sourceRef: string | null = null;

  /** sourceRef when the source has one, otherwise a deterministic hash key (see ADR 0004). */
  @Property({
    type: 'string',
    columnType: 'text',
    comment: 'source_ref when the source has one, else a hash of the row content plus its ordinal among identical rows',
  })
  naturalKey!: string;

  @Property({ type: 'string', columnType: 'text' })
  sourceCategory!: string;

  @Enum({ items: [...PRIORITIES], type: 'string', columnType: 'text' })
  category!: Priority;

  /** First day of the month the incident occurred in. */
  @Property({ type: 'date' })
  occurredMonth!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  occurredAt: Date | null = null;

  @Property({ type: 'string', columnType: 'text', nullable: true })
  locationText: string | null = null;

  @Property({ type: 'string', columnType: 'text', nullable: true })
  lsoaCode: string | null = null;

  @Property({ type: 'string', columnType: 'text', nullable: true })
  wardCode: string | null = null;

  @Property({ type: 'string', columnType: 'text', nullable: true })
  ladCode: string | null = null;

  /** How the area was found: source, lsoa-name, nearest-centroid, ward-code, ward-name, none. */
  @Property({ type: 'string', columnType: 'text', comment: 'source, lsoa-name, nearest-centroid, ward-code, ward-name or none' })
  areaMethod!: string;

  @Property({ type: 'double', runtimeType: 'number', nullable: true })
  latitude: number | null = null;

  @Property({ type: 'double', runtimeType: 'number', nullable: true })
  longitude: number | null = null;

  @Property({ type: 'string', columnType: 'text', nullable: true })
  outcome: string | null = null;

  @Enum({ items: [...DATA_TIERS], type: 'string', columnType: 'text', comment: 'classification of the record content' })
  tier!: DataTier;

  @Property({ type: 'json', defaultRaw: "'{}'" })
  attributes: Record<string, AttributeValue> = {};

  /** Free text that stays with the providing agency (e.g. ISTV location description). */
  @Property({ type: 'string', columnType: 'text', nullable: true, comment: 'kept to the providing agency until reviewed' })
  restrictedText: string | null = null;

  /** md5 of what the source said (not of what the hub derived), as a uuid: tells an edited row from an unchanged one. */
  @Property({ type: 'uuid', nullable: true, comment: 'md5 of the source content of the row; null for rows stored before revisions were tracked' })
  contentHash: string | null = null;

  /**
   * When the source says the stored values were current: the row's own as-of
   * (a last-updated column) or its submission's. A row changes only when a
   * submission with a later as-of brings different content.
   */
  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  asOf: Date = new Date();

  /** Set when a later snapshot of the same period no longer publishes the row: kept for history, excluded from reads. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  retiredAt: Date | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  retiredBySubmissionId: number | null = null;

  /** Disclosure control: a random key 0-255 per record; the cell key of a count is the sum of its records' keys mod 256. */
  @Property({
    type: 'smallint',
    columnType: 'int2',
    defaultRaw: '(floor((random() * (256)::double precision)))::smallint',
    comment: 'cell-key method record key, uniform 0-255',
  })
  recordKey!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  firstSeenAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
