import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';

export const AREA_KINDS = ['lsoa', 'ward', 'district', 'csp', 'county', 'pfa', 'beat'] as const;
export type AreaKind = (typeof AREA_KINDS)[number];

/**
 * Reference geography: LSOAs (with their ward, district and population-weighted
 * centroid), wards, districts, CSPs, counties, police force areas and beats.
 */
@Entity({ tableName: 'area', comment: 'ONS reference geography (LSOA 2011 -> ward 2019 -> LAD 2019) and beats' })
@Index({ name: 'area_kind_lad_idx', properties: ['kind', 'ladCode'] })
@Index({
  name: 'area_lsoa_centroid_gist',
  expression:
    'create index "area_lsoa_centroid_gist" on "area" using gist (point(longitude * 0.62, latitude)) where kind = \'lsoa\' and longitude is not null',
})
export class Area {
  @PrimaryKey({ type: 'string', columnType: 'text' })
  code!: string;

  @Enum({ items: [...AREA_KINDS], type: 'string', columnType: 'text' })
  kind!: AreaKind;

  @Property({ type: 'string', columnType: 'text' })
  name!: string;

  /** For an LSOA: its (best-fit) electoral ward. */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  wardCode: string | null = null;

  /** For an LSOA or ward: its local authority district. */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  ladCode: string | null = null;

  /** For an LSOA: its ward; for a ward: its district; for a district: its CSP. */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  parentCode: string | null = null;

  /** For a district: its police force area (ONS PFA code). */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  pfaCode: string | null = null;

  /** For a district in a two-tier area: its county. */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  countyCode: string | null = null;

  /** WGS84 population-weighted centroid (LSOAs). */
  @Property({ type: 'double', runtimeType: 'number', nullable: true })
  longitude: number | null = null;

  @Property({ type: 'double', runtimeType: 'number', nullable: true })
  latitude: number | null = null;

  /** Which product the row came from, e.g. ons-lsoa11-ward19-lad19. */
  @Property({ type: 'string', columnType: 'text' })
  source!: string;
}
