import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { AccessExplanation, AgreementView } from '@csp-hub/authz';
import type { AgreementActor, AgreementApproval, AgreementTerms, PendingApproval } from '@csp-hub/db';

export const AgreementStatusEnum = {
  DRAFT: 'draft',
  REQUESTED: 'requested',
  ACTIVE: 'active',
  SUSPENDED: 'suspended',
  DECLINED: 'declined',
  LAPSED: 'lapsed',
} as const;
registerEnumType(AgreementStatusEnum, {
  name: 'AgreementStatus',
  description: 'draft -> requested (awaiting the provider) -> active or declined; active -> suspended; any but lapsed -> lapsed (docs/authorization.md)',
  valuesConfig: {
    REQUESTED: { description: "Awaiting the provider agency's approval" },
    ACTIVE: { description: 'Approved by the provider; in force between validFrom and validTo' },
    DECLINED: { description: 'The provider declined it; it can be changed and requested again' },
  },
});

export const TierEnum = { PUBLIC: 'public', AGGREGATE: 'aggregate', PSEUDONYMISED: 'pseudonymised', PERSONAL: 'personal' } as const;
registerEnumType(TierEnum, { name: 'Tier', description: 'Data tier granted: personal, pseudonymised, aggregate (counts only) or public' });

@ObjectType('Signatory')
export class SignatoryObject {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  role!: string;

  @Field(() => ID)
  agencyId!: string;

  @Field(() => String, { description: 'YYYY-MM-DD' })
  signedOn!: string;
}

@InputType('SignatoryInput')
export class SignatoryInput {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  role!: string;

  @Field(() => Int)
  agencyId!: number;

  @Field(() => String, { description: 'YYYY-MM-DD' })
  signedOn!: string;
}

@ObjectType('AgreementActor', { description: 'Who acted: a hub user, or the CLI operator (userId null)' })
export class AgreementActorObject {
  @Field(() => ID, { nullable: true })
  userId!: string | null;

  @Field(() => String)
  name!: string;

  @Field(() => ID, { nullable: true })
  agencyId!: string | null;

  @Field(() => [String])
  roles!: string[];

  static from(a: AgreementActor): AgreementActorObject {
    return Object.assign(new AgreementActorObject(), {
      userId: a.userId === null ? null : String(a.userId),
      name: a.name,
      agencyId: a.agencyId === null ? null : String(a.agencyId),
      roles: a.roles,
    });
  }
}

@ObjectType('AgreementApproval', { description: "One decision of the provider agency, recorded in the hub" })
export class AgreementApprovalObject {
  @Field(() => String, { description: 'approved or declined' })
  decision!: string;

  @Field(() => String, { description: 'activation (or resumption) or change' })
  subject!: string;

  @Field(() => AgreementActorObject)
  by!: AgreementActorObject;

  @Field(() => GraphQLDateTimeISO)
  at!: Date;

  @Field(() => Int, { description: 'The version decided on' })
  version!: number;

  @Field(() => String, { nullable: true })
  note!: string | null;

  static from(a: AgreementApproval): AgreementApprovalObject {
    return Object.assign(new AgreementApprovalObject(), {
      decision: a.decision,
      subject: a.subject,
      by: AgreementActorObject.from(a),
      at: new Date(a.at),
      version: a.version,
      note: a.note,
    });
  }
}

@ObjectType('AgreementTerms', { description: 'The terms a pending change proposes' })
export class AgreementTermsObject {
  @Field(() => String)
  title!: string;

  @Field(() => ID)
  providerAgencyId!: string;

  @Field(() => [String])
  datasets!: string[];

  @Field(() => [ID])
  recipientAgencyIds!: string[];

  @Field(() => [String])
  recipientAgencyTypes!: string[];

  @Field(() => TierEnum)
  tier!: string;

  @Field(() => [String])
  purposes!: string[];

  @Field(() => String)
  lawfulBasis!: string;

  @Field(() => String)
  validFrom!: string;

  @Field(() => String)
  validTo!: string;

  @Field(() => String)
  reviewDate!: string;

  static from(t: AgreementTerms): AgreementTermsObject {
    return Object.assign(new AgreementTermsObject(), {
      ...t,
      providerAgencyId: String(t.providerAgencyId),
      recipientAgencyIds: t.recipientAgencyIds.map(String),
    });
  }
}

@ObjectType('PendingApproval', { description: "What waits for the provider agency's approval" })
export class PendingApprovalObject {
  @Field(() => String, { description: 'activation (the agreement as it stands) or change (terms not yet in force)' })
  kind!: string;

  @Field(() => AgreementActorObject)
  requestedBy!: AgreementActorObject;

  @Field(() => GraphQLDateTimeISO)
  requestedAt!: Date;

  @Field(() => String, { nullable: true })
  note!: string | null;

  @Field(() => AgreementTermsObject, { nullable: true, description: 'For a change: the terms proposed; the terms in force stay until the provider approves' })
  terms!: AgreementTermsObject | null;

  @Field(() => [String], { description: 'For a change: what it widens (tier, datasets, recipientAgencyIds, recipientAgencyTypes, purposes, lawfulBasis, validFrom, validTo)' })
  widens!: string[];

  static from(p: PendingApproval): PendingApprovalObject {
    return Object.assign(new PendingApprovalObject(), {
      kind: p.kind,
      requestedBy: AgreementActorObject.from(p.requestedBy),
      requestedAt: new Date(p.requestedAt),
      note: p.note,
      terms: p.terms ? AgreementTermsObject.from(p.terms) : null,
      widens: p.widens,
    });
  }
}

@ObjectType('Agreement', { description: 'An Information Sharing Protocol agreement' })
export class AgreementObject {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => ID)
  providerAgencyId!: string;

  @Field(() => [String], { description: 'Feed ids covered' })
  datasets!: string[];

  @Field(() => [ID])
  recipientAgencyIds!: string[];

  @Field(() => [String])
  recipientAgencyTypes!: string[];

  @Field(() => TierEnum)
  tier!: string;

  @Field(() => [String])
  purposes!: string[];

  @Field(() => String)
  lawfulBasis!: string;

  @Field(() => String)
  validFrom!: string;

  @Field(() => String)
  validTo!: string;

  @Field(() => String)
  reviewDate!: string;

  @Field(() => AgreementStatusEnum)
  status!: string;

  @Field(() => String, { description: 'in_force, not_yet_in_force, expired, draft, requested, suspended, declined or lapsed' })
  effectiveStatus!: string;

  @Field(() => Boolean)
  reviewOverdue!: boolean;

  @Field(() => [SignatoryObject], { description: 'Documentary: who signed the paper protocol (activation is the provider approving in the hub)' })
  signatories!: SignatoryObject[];

  @Field(() => [AgreementApprovalObject], { description: "The provider's decisions, oldest first" })
  approvals!: AgreementApprovalObject[];

  @Field(() => PendingApprovalObject, { nullable: true, description: "What waits for the provider's approval, if anything" })
  pendingApproval!: PendingApprovalObject | null;

  @Field(() => Int, { description: 'Send it back with changes (optimistic locking)' })
  version!: number;

  @Field(() => GraphQLDateTimeISO)
  updatedAt!: Date;

  static from(a: AgreementView): AgreementObject {
    return Object.assign(new AgreementObject(), {
      ...a,
      id: String(a.id),
      providerAgencyId: String(a.providerAgencyId),
      recipientAgencyIds: a.recipientAgencyIds.map(String),
      signatories: a.signatories.map((s) => Object.assign(new SignatoryObject(), { ...s, agencyId: String(s.agencyId) })),
      approvals: a.approvals.map(AgreementApprovalObject.from),
      pendingApproval: a.pendingApproval ? PendingApprovalObject.from(a.pendingApproval) : null,
      updatedAt: new Date(a.updatedAt),
    });
  }
}

@InputType('AgreementInput')
export class AgreementInputType {
  @Field(() => String)
  title!: string;

  @Field(() => Int)
  providerAgencyId!: number;

  @Field(() => [String])
  datasets!: string[];

  @Field(() => [Int], { defaultValue: [] })
  recipientAgencyIds!: number[];

  @Field(() => [String], { defaultValue: [] })
  recipientAgencyTypes!: string[];

  @Field(() => TierEnum)
  tier!: string;

  @Field(() => [String])
  purposes!: string[];

  @Field(() => String)
  lawfulBasis!: string;

  @Field(() => String)
  validFrom!: string;

  @Field(() => String)
  validTo!: string;

  @Field(() => String)
  reviewDate!: string;

  @Field(() => [SignatoryInput], { defaultValue: [] })
  signatories!: SignatoryInput[];
}

@ObjectType('FieldsByRecordTier')
export class FieldsByRecordTierObject {
  @Field(() => String)
  recordTier!: string;

  @Field(() => [String])
  fields!: string[];
}

@ObjectType('AccessLine', { description: 'One provider the user sees, how, and why' })
export class AccessLineObject {
  @Field(() => ID)
  providerAgencyId!: string;

  @Field(() => String)
  providerName!: string;

  @Field(() => [String])
  datasets!: string[];

  @Field(() => String, { description: 'rows or counts' })
  access!: string;

  @Field(() => String, { description: 'own, or the tier the agreement grants' })
  tier!: string;

  @Field(() => [FieldsByRecordTierObject])
  fieldsByRecordTier!: FieldsByRecordTierObject[];

  @Field(() => [String])
  area!: string[];

  @Field(() => ID, { nullable: true })
  agreementId!: string | null;

  @Field(() => String, { nullable: true })
  agreementTitle!: string | null;

  @Field(() => String, { nullable: true })
  lawfulBasis!: string | null;

  @Field(() => String, { nullable: true })
  validTo!: string | null;
}

@ObjectType('AccessExplanation')
export class AccessExplanationObject {
  @Field(() => ID)
  userId!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String)
  agencyName!: string;

  @Field(() => String)
  partnershipName!: string;

  @Field(() => [String])
  roles!: string[];

  @Field(() => [AccessLineObject])
  lines!: AccessLineObject[];

  @Field(() => [String])
  notes!: string[];

  static from(e: AccessExplanation): AccessExplanationObject {
    return Object.assign(new AccessExplanationObject(), {
      ...e,
      userId: String(e.userId),
      lines: e.lines.map((l) =>
        Object.assign(new AccessLineObject(), {
          ...l,
          providerAgencyId: String(l.providerAgencyId),
          agreementId: l.agreementId === null ? null : String(l.agreementId),
          fieldsByRecordTier: l.fieldsByRecordTier.map((f) => Object.assign(new FieldsByRecordTierObject(), f)),
        }),
      ),
    });
  }
}
