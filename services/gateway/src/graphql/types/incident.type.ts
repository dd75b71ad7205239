import { GraphQLDateTimeISO, GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { IncidentView } from '@csp-hub/authz';
import { PRIORITIES } from '@csp-hub/taxonomy';

export const PriorityEnum = Object.fromEntries(PRIORITIES.map((p) => [p.toUpperCase(), p])) as Record<string, string>;
registerEnumType(PriorityEnum, { name: 'Priority', description: 'Partnership priority every source category maps to' });

// simpleResolvers: plain properties resolve with graphql's default resolver, without a wrapper per field (1,000 a page).
@ObjectType('Incident', {
  description: 'A normalised agency record as the reader may see it: fields outside their agreements are null and named in hiddenFields',
  simpleResolvers: true,
})
export class IncidentObject {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'Providing agency' })
  agencyId!: string;

  @Field(() => String)
  feed!: string;

  @Field(() => String, { nullable: true })
  sourceCategory!: string | null;

  @Field(() => PriorityEnum, { nullable: true })
  category!: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM' })
  occurredMonth!: string | null;

  @Field(() => String, { nullable: true })
  lsoaCode!: string | null;

  @Field(() => String, { nullable: true })
  wardCode!: string | null;

  @Field(() => String, { nullable: true })
  ladCode!: string | null;

  @Field(() => String, { nullable: true })
  areaMethod!: string | null;

  @Field(() => String, { nullable: true, description: 'Record classification: public, pseudonymised or personal' })
  tier!: string | null;

  @Field(() => String, { nullable: true })
  sourceRef!: string | null;

  @Field(() => GraphQLDateTimeISO, { nullable: true })
  occurredAt!: Date | null;

  @Field(() => String, { nullable: true })
  locationText!: string | null;

  @Field(() => Float, { nullable: true })
  latitude!: number | null;

  @Field(() => Float, { nullable: true })
  longitude!: number | null;

  @Field(() => String, { nullable: true })
  outcome!: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  attributes!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: 'Free text kept to the providing agency' })
  restrictedText!: string | null;

  @Field(() => [String], { description: 'Fields withheld from this reader (null because hidden, not because empty)' })
  hiddenFields!: string[];

  /** For the submission field resolver. */
  submissionId!: number | null;

  static from(v: IncidentView): IncidentObject {
    // One copy per row (a page has 100): the view's fields, then the three whose GraphQL type differs.
    const o = Object.assign(new IncidentObject(), v) as unknown as IncidentObject;
    o.id = String(v.id);
    o.agencyId = String(v.agencyId);
    o.occurredAt = v.occurredAt ? new Date(v.occurredAt) : null;
    return o;
  }
}

@ObjectType('PageInfo', { simpleResolvers: true })
export class PageInfoObject {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType('IncidentConnection', { simpleResolvers: true })
export class IncidentConnectionObject {
  @Field(() => [IncidentObject])
  nodes!: IncidentObject[];

  @Field(() => PageInfoObject)
  pageInfo!: PageInfoObject;
}

@InputType('IncidentFilter', { description: 'Filters on fields every reader of a row sees; outcome matches only where the reader may see it' })
export class IncidentFilterInput {
  @Field(() => String, { nullable: true, description: 'YYYY-MM inclusive' })
  monthFrom?: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM inclusive' })
  monthTo?: string | null;

  @Field(() => [PriorityEnum], { nullable: true })
  categories?: string[] | null;

  @Field(() => [String], { nullable: true })
  feeds?: string[] | null;

  @Field(() => [Int], { nullable: true })
  agencyIds?: number[] | null;

  @Field(() => [String], { nullable: true })
  ladCodes?: string[] | null;

  @Field(() => [String], { nullable: true })
  wardCodes?: string[] | null;

  @Field(() => [String], { nullable: true })
  lsoaCodes?: string[] | null;

  @Field(() => String, { nullable: true })
  outcome?: string | null;
}

export const GroupByEnum = {
  CATEGORY: 'category',
  SOURCE_CATEGORY: 'sourceCategory',
  MONTH: 'month',
  FEED: 'feed',
  LAD_CODE: 'ladCode',
  WARD_CODE: 'wardCode',
  LSOA_CODE: 'lsoaCode',
} as const;
registerEnumType(GroupByEnum, { name: 'GroupBy' });

@ObjectType('CountCell', { description: 'A count; in a controlled table it is perturbed, and counts published as 0 are not listed' })
export class CountCellObject {
  @Field(() => [String])
  keys!: string[];

  @Field(() => Int)
  count!: number;
}

@ObjectType('ProviderCounts', {
  description:
    "One providing agency's counts. Controlled: you may only count some of these records, so every count is perturbed by the cell-key method " +
    '(the same cell always gets the same noise; totals are perturbed as cells of their own) and counts published as 0 are not listed',
})
export class ProviderCountsObject {
  @Field(() => ID)
  agencyId!: string;

  @Field(() => Boolean)
  controlled!: boolean;

  @Field(() => [CountCellObject])
  cells!: CountCellObject[];

  @Field(() => [CountCellObject])
  rowTotals!: CountCellObject[];

  @Field(() => [CountCellObject])
  columnTotals!: CountCellObject[];

  @Field(() => Int)
  total!: number;
}
