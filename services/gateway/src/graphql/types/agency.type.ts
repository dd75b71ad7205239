import { Field, ID, ObjectType } from 'type-graphql';
import type { Agency } from '@csp-hub/db';

@ObjectType('Agency', { description: 'A partner organisation that shares data' })
export class AgencyObject {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Stable slug, e.g. leicestershire-police' })
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'police, fire, health, council, probation, youth_offending, housing or other' })
  type!: string;

  @Field(() => Boolean, { description: 'A responsible authority under s5 Crime and Disorder Act 1998' })
  statutory!: boolean;

  @Field(() => String, { nullable: true, description: 'Police: the force name its data.police.uk files carry (Reported by / Falls within)' })
  forceName!: string | null;

  static from(agency: Agency): AgencyObject {
    return Object.assign(new AgencyObject(), {
      id: String(agency.id),
      code: agency.code,
      name: agency.name,
      type: agency.type,
      statutory: agency.statutory,
      forceName: agency.forceName,
    });
  }
}
