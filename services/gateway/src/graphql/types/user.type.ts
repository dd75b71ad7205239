import { Field, ID, ObjectType } from 'type-graphql';
import type { Principal } from '@csp-hub/authz';

@ObjectType('AgencyRef')
export class AgencyRefObject {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  type!: string;
}

@ObjectType('PartnershipRef')
export class PartnershipRefObject {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  code!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType('Me', { description: 'The signed-in user' })
export class MeObject {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => [String], { description: 'analyst, tasking_member, chair, partnership_admin, auditor' })
  roles!: string[];

  @Field(() => AgencyRefObject)
  agency!: AgencyRefObject;

  @Field(() => PartnershipRefObject)
  partnership!: PartnershipRefObject;

  static from(p: Principal): MeObject {
    return Object.assign(new MeObject(), {
      id: String(p.userId),
      displayName: p.displayName,
      roles: p.roles,
      agency: Object.assign(new AgencyRefObject(), { id: String(p.agencyId), code: p.agencyCode, name: p.agencyName, type: p.agencyType }),
      partnership: Object.assign(new PartnershipRefObject(), { id: String(p.partnershipId), code: p.partnershipCode, name: p.partnershipName }),
    });
  }
}
