import { GraphQLDateTimeISO } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { AgencyView, UserView } from '@csp-hub/authz';
import { AgencyRefObject } from './user.type';

@ObjectType('HubUser', { description: 'A user account of your partnership (user administration)' })
export class HubUserObject {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => AgencyRefObject)
  agency!: AgencyRefObject;

  @Field(() => [String], { description: 'analyst, tasking_member, chair, partnership_admin, auditor, data_owner' })
  roles!: string[];

  @Field(() => Boolean, { description: 'A deactivated user is refused on their next request' })
  active!: boolean;

  @Field(() => GraphQLDateTimeISO)
  createdAt!: Date;

  static from(u: UserView, agencyType: string): HubUserObject {
    return Object.assign(new HubUserObject(), {
      id: String(u.id),
      email: u.email,
      displayName: u.displayName,
      agency: Object.assign(new AgencyRefObject(), { id: String(u.agencyId), code: u.agencyCode, name: u.agencyName, type: agencyType }),
      roles: u.roles,
      active: u.active,
      createdAt: new Date(u.createdAt),
    });
  }
}

@InputType('NewUserInput')
export class NewUserInput {
  @Field(() => String)
  email!: string;

  @Field(() => String, { nullable: true, description: 'Defaults to the e-mail address' })
  displayName?: string | null;

  @Field(() => ID, { description: 'A partner agency of your partnership' })
  agencyId!: string;

  @Field(() => [String])
  roles!: string[];
}

@ObjectType('PartnershipMember', { description: 'A partner agency of your partnership, with its number of users' })
export class PartnershipMemberObject {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  type!: string;

  @Field(() => Boolean)
  statutory!: boolean;

  @Field(() => String, { nullable: true })
  forceName!: string | null;

  @Field(() => Int)
  activeUsers!: number;

  static from(a: AgencyView, activeUsers: number): PartnershipMemberObject {
    return Object.assign(new PartnershipMemberObject(), {
      id: String(a.id),
      code: a.code,
      name: a.name,
      type: a.type,
      statutory: a.statutory,
      forceName: a.forceName,
      activeUsers,
    });
  }
}
