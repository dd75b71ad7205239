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
@Index({ name: 'incident_lad_month_id_idx', properties: ['ladCode', 'occurredMonth', 'id'] })
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

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  firstSeenAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
