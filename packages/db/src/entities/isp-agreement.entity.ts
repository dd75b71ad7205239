import { ArrayType, Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { DATA_TIERS, type DataTier } from '@csp-hub/taxonomy';
import { Agency } from './agency.entity';
import { User } from './user.entity';

export const AGREEMENT_STATUSES = ['draft', 'active', 'suspended', 'lapsed'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

export interface Signatory {
  name: string;
  role: string;
  agencyId: number;
  signedOn: string;
}

/**
 * An Information Sharing Protocol agreement: what a provider agency shares,
 * with which recipients, at which tier, for what purposes and on what lawful
 * basis. Every cross-agency permission comes from an active agreement.
 */
@Entity({ tableName: 'isp_agreement', comment: 'Information Sharing Protocol agreements: the source of every cross-agency permission' })
@Index({ name: 'isp_agreement_provider_idx', properties: ['provider', 'status'] })
@Check({ name: 'isp_agreement_dates', expression: 'valid_to >= valid_from' })
export class IspAgreement {
  [OptionalProps]?: 'version' | 'createdAt' | 'updatedAt' | 'createdBy';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', columnType: 'text' })
  title!: string;

  /** Partnerships whose members the agreement serves (recipients must belong to one). */
  @Property({ type: ArrayType, columnType: 'int[]' })
  partnershipIds: number[] = [];

  @ManyToOne({ entity: () => Agency, deleteRule: 'restrict' })
  provider!: Agency;

  /** Feed ids covered, e.g. police.street. */
  @Property({ type: ArrayType, columnType: 'text[]' })
  datasets: string[] = [];

  @Property({ type: ArrayType, columnType: 'int[]' })
  recipientAgencyIds: number[] = [];

  /** Agency types that receive (e.g. every council in the partnership). */
  @Property({ type: ArrayType, columnType: 'text[]' })
  recipientAgencyTypes: string[] = [];

  @Enum({ items: [...DATA_TIERS], type: 'string', columnType: 'text' })
  tier!: DataTier;

  @Property({ type: ArrayType, columnType: 'text[]' })
  purposes: string[] = [];

  /** e.g. "s115 Crime and Disorder Act 1998". */
  @Property({ type: 'string', columnType: 'text' })
  lawfulBasis!: string;

  @Property({ type: 'date' })
  validFrom!: string;

  @Property({ type: 'date' })
  validTo!: string;

  @Property({ type: 'date' })
  reviewDate!: string;

  @Enum({ items: [...AGREEMENT_STATUSES], type: 'string', columnType: 'text' })
  status!: AgreementStatus;

  @Property({ type: 'json' })
  signatories: Signatory[] = [];

  @ManyToOne({ entity: () => User, nullable: true, deleteRule: 'set null' })
  createdBy: User | null = null;

  @Property({ type: 'integer', version: true })
  version: number = 1;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
