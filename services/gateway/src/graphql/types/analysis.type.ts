import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

/**
 * The analysis engine's answers (@csp-hub/insight). Field names and values
 * are the package's JSON shapes (packages/insight/README.md), so the CLI's
 * --json output and GraphQL agree. Categories, classes and statuses are the
 * engine's lower-case ids (criminal_damage_arson, hot-99, persistent).
 */

export const AreaLevelEnum = { DISTRICT: 'district', WARD: 'ward' } as const;
registerEnumType(AreaLevelEnum, { name: 'AreaLevel', description: 'Trend rows per district or per ward' });

export const ComparisonBaseEnum = { PREVIOUS: 'previous', LAST_YEAR: 'lastYear', SEASONAL: 'seasonal' } as const;
registerEnumType(ComparisonBaseEnum, { name: 'ComparisonBase', description: 'What "what changed" ranks on: previous equal period, same period last year, or the 3-year seasonal average' });

@InputType('PeriodInput', { description: 'Whole calendar months, YYYY-MM, inclusive; at most 12 months' })
export class PeriodInput {
  @Field(() => String)
  from!: string;

  @Field(() => String)
  to!: string;
}

@ObjectType('Period')
export class PeriodObject {
  @Field(() => String)
  from!: string;

  @Field(() => String)
  to!: string;
}

@ObjectType('BaseComparison', { description: 'The current count against one base (docs/analysis.md "Period comparison")' })
export class BaseComparisonObject {
  @Field(() => String, { description: 'previous, lastYear or seasonal' })
  base!: string;

  @Field(() => Float, { description: 'The base count (seasonal: the sum of the years)' })
  baseCount!: number;

  @Field(() => Float, { description: 'Expected count for the current period from this base' })
  expected!: number;

  @Field(() => Float)
  change!: number;

  @Field(() => Float, { nullable: true, description: 'null when the expected count is 0' })
  changePct!: number | null;

  @Field(() => String, { description: 'up, down or flat' })
  direction!: string;

  @Field(() => Float, { description: 'Exact two-sided Poisson (conditional binomial) p-value' })
  pValue!: number;

  @Field(() => Float, { description: 'Square-root z = 2(√C − √E)' })
  z!: number;

  @Field(() => Boolean)
  significant!: boolean;
}

@ObjectType('ControlLimits')
export class ControlLimitsObject {
  @Field(() => Float)
  mean!: number;

  @Field(() => Float)
  sigma!: number;

  @Field(() => String, { description: 'sample or poisson (the floor √mean)' })
  sigmaFrom!: string;

  @Field(() => Float)
  lower!: number;

  @Field(() => Float)
  upper!: number;

  @Field(() => Int)
  years!: number;
}

@ObjectType('TrendRow')
export class TrendRowObject {
  @Field(() => String, { description: 'Priority id, e.g. criminal_damage_arson' })
  category!: string;

  @Field(() => String, { description: 'partnership, district or ward' })
  level!: string;

  @Field(() => String, { description: 'District or ward code; the partnership code on partnership rows' })
  areaCode!: string;

  @Field(() => Int, { description: '1 = strongest evidence of change within its level' })
  rank!: number;

  @Field(() => Int)
  current!: number;

  @Field(() => BaseComparisonObject, { nullable: true })
  previous!: BaseComparisonObject | null;

  @Field(() => BaseComparisonObject, { nullable: true })
  lastYear!: BaseComparisonObject | null;

  @Field(() => BaseComparisonObject, { nullable: true })
  seasonal!: BaseComparisonObject | null;

  @Field(() => Int)
  seasonalYears!: number;

  @Field(() => ControlLimitsObject, { nullable: true })
  controlLimits!: ControlLimitsObject | null;

  @Field(() => String, { nullable: true, description: 'above, below or within the control limits; null without history' })
  exceedance!: string | null;

  @Field(() => Float, { nullable: true, description: 'Benjamini–Hochberg q-value over the rows of its level' })
  qValue!: number | null;

  @Field(() => Boolean, { description: 'Significant against the ranked base' })
  significant!: boolean;
}

@ObjectType('TrendResult')
export class TrendResultObject {
  @Field(() => String)
  partnership!: string;

  @Field(() => [String])
  districts!: string[];

  @Field(() => PeriodObject)
  period!: PeriodObject;

  @Field(() => PeriodObject)
  previousPeriod!: PeriodObject;

  @Field(() => [PeriodObject], { description: 'The same period 1, 2 and 3 years before' })
  earlierYears!: PeriodObject[];

  @Field(() => [String], { description: 'Periods (from..to) with no data for you at all: compared as no data, never as 0' })
  periodsWithoutData!: string[];

  @Field(() => String)
  against!: string;

  @Field(() => Float)
  alpha!: number;

  @Field(() => Boolean, { description: 'Counts include records you may only count: perturbed (cell-key method)' })
  controlled!: boolean;

  @Field(() => [ID])
  controlledAgencies!: number[];

  @Field(() => [TrendRowObject])
  rows!: TrendRowObject[];
}

@ObjectType('TopLocation')
export class TopLocationObject {
  @Field(() => Int)
  rank!: number;

  @Field(() => String)
  locationText!: string;

  @Field(() => String, { nullable: true })
  lsoaCode!: string | null;

  @Field(() => Int)
  count!: number;

  @Field(() => Float)
  share!: number;

  @Field(() => Float)
  cumulativeShare!: number;
}

@ObjectType('TopLocations')
export class TopLocationsObject {
  @Field(() => [TopLocationObject])
  locations!: TopLocationObject[];

  @Field(() => Int)
  total!: number;

  @Field(() => Int)
  locationCount!: number;

  @Field(() => Int, { description: 'Locations beyond the cut with the same count as the last one shown' })
  tiedBeyondCut!: number;
}

@ObjectType('TopLsoa')
export class TopLsoaObject {
  @Field(() => Int)
  rank!: number;

  @Field(() => String)
  lsoaCode!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => Float)
  share!: number;

  @Field(() => Float)
  cumulativeShare!: number;
}

@ObjectType('TopLsoas')
export class TopLsoasObject {
  @Field(() => [TopLsoaObject])
  locations!: TopLsoaObject[];

  @Field(() => Int)
  total!: number;

  @Field(() => Int)
  locationCount!: number;

  @Field(() => Int)
  tiedBeyondCut!: number;
}

@ObjectType('OutsideStudyArea')
export class OutsideObject {
  @Field(() => Int)
  cells!: number;

  @Field(() => Int)
  count!: number;
}

@ObjectType('HotspotGrid')
export class HotspotGridObject {
  @Field(() => String)
  system!: string;

  @Field(() => Int)
  cellSizeM!: number;

  @Field(() => String, { description: 'boundary, or lsoa-extent when a district has no boundary loaded' })
  studyArea!: string;

  @Field(() => Int)
  cells!: number;

  @Field(() => Float)
  mean!: number;

  @Field(() => Float)
  s!: number;

  @Field(() => Int)
  located!: number;

  @Field(() => OutsideObject)
  outside!: OutsideObject;
}

@ObjectType('HotCell')
export class HotCellObject {
  @Field(() => String, { description: 'BNG cell column:row' })
  id!: string;

  @Field(() => Float)
  longitude!: number;

  @Field(() => Float)
  latitude!: number;

  @Field(() => Int)
  count!: number;

  @Field(() => Float)
  z!: number;

  @Field(() => Float)
  pValue!: number;

  @Field(() => Float)
  qValue!: number;

  @Field(() => String, { description: 'hot-99, hot-95, cold-95 or cold-99 (after FDR)' })
  class!: string;
}

@ObjectType('CellStatus')
export class CellStatusObject {
  @Field(() => String)
  id!: string;

  @Field(() => Float)
  longitude!: number;

  @Field(() => Float)
  latitude!: number;

  @Field(() => String, { description: 'emerging, persistent, intermittent or former' })
  status!: string;

  @Field(() => Int)
  periods!: number;

  @Field(() => Int)
  hotPeriods!: number;

  @Field(() => Int)
  currentRun!: number;

  @Field(() => Int, { nullable: true })
  periodsSinceHot!: number | null;
}

@ObjectType('HotspotResult')
export class HotspotResultObject {
  @Field(() => String)
  partnership!: string;

  @Field(() => [String])
  districts!: string[];

  @Field(() => PeriodObject)
  period!: PeriodObject;

  @Field(() => TopLocationsObject, { description: 'Street-level location text + LSOA' })
  topLocations!: TopLocationsObject;

  @Field(() => TopLsoasObject)
  topLsoas!: TopLsoasObject;

  @Field(() => HotspotGridObject)
  grid!: HotspotGridObject;

  @Field(() => [HotCellObject], { description: 'Cells of the period hot or cold at 95% or 99% (Gi*, FDR), hottest first' })
  cells!: HotCellObject[];

  @Field(() => [PeriodObject])
  statusPeriods!: PeriodObject[];

  @Field(() => [CellStatusObject])
  status!: CellStatusObject[];

  @Field(() => Boolean)
  controlled!: boolean;

  @Field(() => [ID])
  controlledAgencies!: number[];
}

@ObjectType('RepeatLocation')
export class RepeatLocationObject {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  locationText!: string;

  @Field(() => String, { nullable: true })
  lsoaCode!: string | null;

  @Field(() => Int)
  count!: number;

  @Field(() => String)
  first!: string;

  @Field(() => String)
  last!: string;

  @Field(() => [Float])
  gapsDays!: number[];

  @Field(() => Float)
  medianGapDays!: number;

  @Field(() => Float)
  minGapDays!: number;
}

@ObjectType('RepeatLocations')
export class RepeatLocationsObject {
  @Field(() => [RepeatLocationObject])
  repeats!: RepeatLocationObject[];

  @Field(() => Int)
  repeatKeys!: number;

  @Field(() => Int)
  events!: number;

  @Field(() => Int)
  keys!: number;

  @Field(() => Int)
  repeatEvents!: number;

  @Field(() => Float, { nullable: true })
  repeatShare!: number | null;
}

@ObjectType('RepeatVictim')
export class RepeatVictimObject {
  @Field(() => String)
  key!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => String)
  first!: string;

  @Field(() => String)
  last!: string;

  @Field(() => Float)
  medianGapDays!: number;

  @Field(() => Float)
  minGapDays!: number;
}

@ObjectType('RepeatVictims')
export class RepeatVictimsObject {
  @Field(() => [RepeatVictimObject])
  repeats!: RepeatVictimObject[];

  @Field(() => Int)
  repeatKeys!: number;

  @Field(() => Int)
  events!: number;

  @Field(() => Int)
  keys!: number;

  @Field(() => Int)
  repeatEvents!: number;

  @Field(() => Float, { nullable: true })
  repeatShare!: number | null;
}

@ObjectType('RepeatResult')
export class RepeatResultObject {
  @Field(() => String)
  partnership!: string;

  @Field(() => [String])
  districts!: string[];

  @Field(() => PeriodObject)
  period!: PeriodObject;

  @Field(() => Int)
  windowDays!: number;

  @Field(() => String, { description: 'day, or month when some events carry only a month (data.police.uk)' })
  resolution!: string;

  @Field(() => RepeatLocationsObject)
  locations!: RepeatLocationsObject;

  @Field(() => RepeatVictimsObject, { nullable: true, description: 'Only when asked for; personal tier only (FORBIDDEN otherwise)' })
  victims!: RepeatVictimsObject | null;

  @Field(() => Boolean)
  controlled!: boolean;

  @Field(() => [ID])
  controlledAgencies!: number[];
}
