import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { AccessExplanation, AgreementView } from '@csp-hub/authz';

export const AgreementStatusEnum = { DRAFT: 'draft', ACTIVE: 'active', SUSPENDED: 'suspended', LAPSED: 'lapsed' } as const;
registerEnumType(AgreementStatusEnum, { name: 'AgreementStatus' });

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

  @Field(() => String, { description: 'in_force, not_yet_in_force, expired, draft, suspended or lapsed' })
  effectiveStatus!: string;

  @Field(() => Boolean)
  reviewOverdue!: boolean;

  @Field(() => [SignatoryObject])
  signatories!: SignatoryObject[];

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
