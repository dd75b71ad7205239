import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { AREA_KINDS, type Area } from '@csp-hub/db';

export const AreaKindEnum = Object.fromEntries(AREA_KINDS.map((k) => [k.toUpperCase(), k])) as Record<string, string>;
registerEnumType(AreaKindEnum, { name: 'AreaKind', description: 'lsoa, ward, district, csp, county, pfa or beat' });

@ObjectType('Area', { description: 'Reference geography: LSOA, ward, district...' })
export class AreaObject {
  @Field(() => String, { description: 'ONS code, e.g. E01025667' })
  code!: string;

  @Field(() => AreaKindEnum)
  kind!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  wardCode!: string | null;

  @Field(() => String, { nullable: true })
  ladCode!: string | null;

  @Field(() => Float, { nullable: true, description: 'WGS84 population-weighted centroid (LSOAs)' })
  latitude!: number | null;

  @Field(() => Float, { nullable: true })
  longitude!: number | null;

  static from(area: Area): AreaObject {
    return Object.assign(new AreaObject(), {
      code: area.code,
      kind: area.kind,
      name: area.name,
      wardCode: area.wardCode,
      ladCode: area.ladCode,
      latitude: area.latitude,
      longitude: area.longitude,
    });
  }
}
