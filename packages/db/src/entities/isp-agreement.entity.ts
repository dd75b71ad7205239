import { ArrayType, Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { DATA_TIERS, type DataTier } from '@csp-hub/taxonomy';
import { Agency } from './agency.entity';
import { User } from './user.entity';

/**
 * draft -> requested (awaiting the provider) -> active | declined; active -> suspended -> active (provider again);
 * anything but lapsed -> lapsed. The state machine and who may take each step: packages/authz agreements.ts.
 */
export const AGREEMENT_STATUSES = ['draft', 'requested', 'active', 'suspended', 'declined', 'lapsed'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

/** Who acted, as recorded on the agreement (a hub user, or the CLI operator when userId is null). */
export interface AgreementActor {
  userId: number | null;
  name: string;
  agencyId: number | null;
  roles: string[];
}

/** One decision of the provider agency: activation (or resumption) or a widening change, approved or declined. */
export interface AgreementApproval extends AgreementActor {
  decision: 'approved' | 'declined';
  subject: 'activation' | 'change';
  /** ISO timestamp. */
  at: string;
  /** The version the decision was taken on. */
  version: number;
  note: string | null;
}

/** The terms an agreement sets (what a change proposes). */
export interface AgreementTerms {
  title: string;
  providerAgencyId: number;
  datasets: string[];
  recipientAgencyIds: number[];
  recipientAgencyTypes: string[];
  tier: DataTier;
  purposes: string[];
  lawfulBasis: string;
  validFrom: string;
  validTo: string;
  reviewDate: string;
  signatories: Signatory[];
}

/** What waits for the provider: activation of the agreement as it stands, or a change to an active one. */
export interface PendingApproval {
  kind: 'activation' | 'change';
  requestedBy: AgreementActor;
  /** ISO timestamp. */
  requestedAt: string;
  note: string | null;
  /** For a change: the terms proposed (the terms in force stay until the provider approves) and what widens. */
  terms: AgreementTerms | null;
  widens: string[];
}

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
  [OptionalProps]?: 'version' | 'createdAt' | 'updatedAt' | 'createdBy' | 'approvals' | 'pendingApproval';

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

  /** Documentary: who signed the paper protocol. Approval in the hub is what activates an agreement. */
  @Property({ type: 'json' })
  signatories: Signatory[] = [];

  /** The provider's decisions, oldest first: who approved or declined what, when, on which version. */
  @Property({ type: 'json', defaultRaw: "'[]'" })
  approvals: AgreementApproval[] = [];

  /** What waits for the provider's approval, if anything. */
  @Property({ type: 'json', nullable: true })
  pendingApproval: PendingApproval | null = null;

  @ManyToOne({ entity: () => User, nullable: true, deleteRule: 'set null' })
  createdBy: User | null = null;

  @Property({ type: 'integer', version: true })
  version: number = 1;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
