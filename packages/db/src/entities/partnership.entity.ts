import { Collection, Entity, ManyToMany, PrimaryKey, Property, ArrayType } from '@mikro-orm/core';
import { Agency } from './agency.entity';

/** A Community Safety Partnership: the area it covers and the agencies that are its partners. */
@Entity({ tableName: 'partnership', comment: 'Community Safety Partnerships (CDA 1998 s5-6)' })
export class Partnership {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  /** ONS CSP code, e.g. E22000165 for Charnwood. */
  @Property({ type: 'string', columnType: 'text', unique: true })
  code!: string;

  @Property({ type: 'string', columnType: 'text' })
  name!: string;

  /** ONS local authority district codes the partnership covers. */
  @Property({ type: ArrayType, columnType: 'text[]' })
  ladCodes: string[] = [];

  @Property({ type: 'string', columnType: 'text', nullable: true })
  countyCode: string | null = null;

  /** Police force area code, e.g. E23000021 Leicestershire. */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  pfaCode: string | null = null;

  @ManyToMany({ entity: () => Agency, pivotTable: 'partnership_agency', owner: true })
  agencies = new Collection<Agency>(this);

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
