import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { AGENCY_TYPES, type AgencyType } from '@csp-hub/taxonomy';

/** A partner organisation that shares data (police force, fire service, ICB, council...). */
@Entity({ tableName: 'agency', comment: 'Partner organisations; one agency may serve several partnerships' })
export class Agency {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  /** Stable slug, e.g. leicestershire-police. */
  @Property({ type: 'string', columnType: 'text', unique: true })
  code!: string;

  @Property({ type: 'string', columnType: 'text' })
  name!: string;

  @Enum({ items: [...AGENCY_TYPES], type: 'string', columnType: 'text' })
  type!: AgencyType;

  /**
   * For a police force: the name it publishes under in data.police.uk files
   * ("Reported by" / "Falls within"), e.g. "Nottinghamshire Police".
   */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  forceName: string | null = null;

  /** A responsible authority under s5 Crime and Disorder Act 1998. */
  @Property({ type: 'boolean', default: false })
  statutory: boolean = false;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
