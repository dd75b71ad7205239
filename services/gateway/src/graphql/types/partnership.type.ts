import { Field, ID, ObjectType } from 'type-graphql';
import type { Partnership } from '@csp-hub/db';
import { AgencyObject } from './agency.type';

@ObjectType('Partnership', { description: 'A Community Safety Partnership and its partner agencies' })
export class PartnershipObject {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'ONS CSP code, e.g. E22000165' })
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => [String], { description: 'ONS local authority district codes covered' })
  ladCodes!: string[];

  @Field(() => String, { nullable: true })
  countyCode!: string | null;

  @Field(() => String, { nullable: true, description: 'Police force area code' })
  pfaCode!: string | null;

  @Field(() => [AgencyObject])
  agencies!: AgencyObject[];

  /** Expects agencies to be populated. */
  static from(partnership: Partnership): PartnershipObject {
    return Object.assign(new PartnershipObject(), {
      id: String(partnership.id),
      code: partnership.code,
      name: partnership.name,
      ladCodes: partnership.ladCodes,
      countyCode: partnership.countyCode,
      pfaCode: partnership.pfaCode,
      agencies: partnership.agencies
        .getItems()
        .map(AgencyObject.from)
        .sort((a, b) => a.name.localeCompare(b.name)),
    });
  }
}
