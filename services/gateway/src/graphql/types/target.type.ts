import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { TargetMeasurement, TargetView } from '@csp-hub/insight';

@ObjectType('TargetProvenance', { description: "Where a target came from: the plan's words and baseline, and how the baseline used was obtained when it is not the plan's" })
export class TargetProvenanceObject {
  @Field(() => String)
  planWording!: string;

  @Field(() => String, { nullable: true })
  source!: string | null;

  @Field(() => Float, { nullable: true })
  planBaselineValue!: number | null;

  @Field(() => String, { nullable: true })
  planBaselinePeriod!: string | null;

  @Field(() => String, { nullable: true, description: 'How the stored baseline was rebased (e.g. onto the demo data); null when it is the plan\'s' })
  rebased!: string | null;
}

@ObjectType('TargetMilestone')
export class TargetMilestoneObject {
  @Field(() => String)
  date!: string;

  @Field(() => Float, { description: 'The trajectory value due on this date' })
  expected!: number;

  @Field(() => Float, { nullable: true, description: 'Latest actual since the previous milestone; null if none yet' })
  actual!: number | null;
}

@ObjectType('TargetActual', { description: 'One measurement: the count over a window as long as the baseline window, dated by its last day' })
export class TargetActualObject {
  @Field(() => String, { description: 'First month counted (YYYY-MM)' })
  from!: string;

  @Field(() => String, { description: 'Last month counted (YYYY-MM)' })
  to!: string;

  @Field(() => String)
  date!: string;

  @Field(() => Float)
  value!: number;
}

@ObjectType('TargetProgress', {
  description:
    'Progress as YOU see it: actuals are counted through your access (perturbed when you may only count some records: `controlled`), so two readers may see different actuals and RAG',
})
export class TargetProgressObject {
  @Field(() => String)
  asOf!: string;

  @Field(() => Float)
  targetValue!: number;

  @Field(() => Float, { description: 'targetValue - baselineValue (negative for a reduction)' })
  requiredChange!: number;

  @Field(() => Float, { description: 'The trajectory at asOf' })
  expectedAtAsOf!: number;

  @Field(() => Float, { nullable: true, description: 'Latest actual on or before asOf' })
  actual!: number | null;

  @Field(() => String, { nullable: true })
  actualDate!: string | null;

  @Field(() => Float, { nullable: true, description: "The trajectory at the actual's date" })
  expected!: number | null;

  @Field(() => Float, { nullable: true })
  gap!: number | null;

  @Field(() => Float, { nullable: true, description: 'Half-width of the amber band' })
  tolerance!: number | null;

  @Field(() => String, { nullable: true, description: 'green, amber or red; null without data' })
  rag!: string | null;

  @Field(() => String, { description: 'on target, near, not on target, no data' })
  status!: string;

  @Field(() => Float, { nullable: true, description: 'Share of the required change achieved: 1 met, above 1 beaten, below 0 the wrong way' })
  shareAchieved!: number | null;

  @Field(() => [TargetMilestoneObject])
  milestones!: TargetMilestoneObject[];

  @Field(() => [TargetActualObject])
  series!: TargetActualObject[];

  @Field(() => Float, { nullable: true, description: 'The baseline window counted the same way for you' })
  baselineAsSeen!: number | null;

  @Field(() => Boolean, { description: 'Some count here is perturbed (disclosure control): you may only count some of the records' })
  controlled!: boolean;

  static from(m: TargetMeasurement): TargetProgressObject {
    const p = m.progress;
    return Object.assign(new TargetProgressObject(), {
      asOf: p.asOf,
      targetValue: p.targetValue,
      requiredChange: p.requiredChange,
      expectedAtAsOf: p.expectedAtAsOf,
      actual: p.actual?.value ?? null,
      actualDate: p.actual?.date ?? null,
      expected: p.expected,
      gap: p.gap,
      tolerance: p.tolerance,
      rag: p.rag,
      status: p.status,
      shareAchieved: p.shareAchieved,
      milestones: p.milestones.map((x) => Object.assign(new TargetMilestoneObject(), x)),
      series: m.series.map((x) => Object.assign(new TargetActualObject(), x)),
      baselineAsSeen: m.baselineAsSeen,
      controlled: m.controlled,
    });
  }
}

@ObjectType('PriorityTarget', { description: "A partnership priority target (set by its chairs and partnership administrators)" })
export class PriorityTargetObject {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'ONS CSP code of the partnership' })
  partnershipCode!: string;

  @Field(() => String)
  title!: string;

  @Field(() => [String])
  priorities!: string[];

  @Field(() => [String], { description: 'Source categories counted (empty: the whole priorities)' })
  sourceCategories!: string[];

  @Field(() => [String], { description: 'Feeds counted (empty: every feed you may count)' })
  feeds!: string[];

  @Field(() => String, { description: 'count, place-subset or repeats' })
  kind!: string;

  @Field(() => String, { description: 'down (a reduction is good) or up (an increase is good)' })
  direction!: string;

  @Field(() => Float)
  baselineValue!: number;

  @Field(() => String)
  baselinePeriod!: string;

  @Field(() => String, { description: 'First month of the baseline window (YYYY-MM)' })
  baselineFrom!: string;

  @Field(() => String)
  baselineTo!: string;

  @Field(() => Float, { description: 'Change sought, % of the baseline' })
  changePct!: number;

  @Field(() => String)
  startDate!: string;

  @Field(() => String)
  targetDate!: string;

  @Field(() => String, { description: 'year or quarter' })
  milestones!: string;

  @Field(() => String, { nullable: true, description: 'lsoa, or location (street-level location text + LSOA)' })
  placeUnit!: string | null;

  @Field(() => [String], { nullable: true, description: 'place-subset: the places fixed at the baseline' })
  places!: string[] | null;

  @Field(() => TargetProvenanceObject, { nullable: true })
  provenance!: TargetProvenanceObject | null;

  @Field(() => String, { description: 'active or retired' })
  status!: string;

  @Field(() => String, { nullable: true })
  retiredReason!: string | null;

  @Field(() => Int)
  version!: number;

  @Field(() => TargetProgressObject, { nullable: true, description: 'Progress as you see it (active targets of target queries)' })
  progress!: TargetProgressObject | null;

  static from(t: TargetView, measurement: TargetMeasurement | null = null): PriorityTargetObject {
    const { provenance, id, ...rest } = t;
    return Object.assign(new PriorityTargetObject(), {
      ...rest,
      id: String(id),
      provenance: provenance
        ? Object.assign(new TargetProvenanceObject(), {
            planWording: provenance.planWording,
            source: provenance.source,
            planBaselineValue: provenance.planBaseline?.value ?? null,
            planBaselinePeriod: provenance.planBaseline?.period ?? null,
            rebased: provenance.rebased,
          })
        : null,
      progress: measurement ? TargetProgressObject.from(measurement) : null,
    });
  }
}

@InputType('TargetProvenanceInput')
export class TargetProvenanceInput {
  @Field(() => String)
  planWording!: string;

  @Field(() => String, { nullable: true })
  source?: string | null;

  @Field(() => Float, { nullable: true })
  planBaselineValue?: number | null;

  @Field(() => String, { nullable: true })
  planBaselinePeriod?: string | null;

  @Field(() => String, { nullable: true })
  rebased?: string | null;
}

@InputType('TargetChangeInput', { description: 'The fields to change; the whole target is checked again' })
export class TargetChangeInput {
  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => [String], { nullable: true })
  priorities?: string[] | null;

  @Field(() => [String], { nullable: true })
  sourceCategories?: string[] | null;

  @Field(() => [String], { nullable: true })
  feeds?: string[] | null;

  @Field(() => String, { nullable: true, description: 'count, place-subset or repeats' })
  kind?: string | null;

  @Field(() => String, { nullable: true, description: 'down or up' })
  direction?: string | null;

  @Field(() => Float, { nullable: true })
  baselineValue?: number | null;

  @Field(() => String, { nullable: true })
  baselinePeriod?: string | null;

  @Field(() => String, { nullable: true })
  baselineFrom?: string | null;

  @Field(() => String, { nullable: true })
  baselineTo?: string | null;

  @Field(() => Float, { nullable: true })
  changePct?: number | null;

  @Field(() => String, { nullable: true, description: 'Default: the day after the baseline window' })
  startDate?: string | null;

  @Field(() => String, { nullable: true })
  targetDate?: string | null;

  @Field(() => String, { nullable: true, description: 'year or quarter' })
  milestones?: string | null;

  @Field(() => String, { nullable: true, description: 'lsoa or location' })
  placeUnit?: string | null;

  @Field(() => [String], { nullable: true })
  places?: string[] | null;

  @Field(() => TargetProvenanceInput, { nullable: true })
  provenance?: TargetProvenanceInput | null;
}

/** What a target counts and its baseline window: shared by a target and the ranking of its places. */
@InputType()
export abstract class TargetMeasureInput {
  @Field(() => [String], { description: 'Partnership priorities counted' })
  priorities!: string[];

  @Field(() => [String], { nullable: true })
  sourceCategories?: string[] | null;

  @Field(() => [String], { nullable: true })
  feeds?: string[] | null;

  @Field(() => String, { nullable: true, description: 'lsoa, or location (default: street-level location text + LSOA)' })
  placeUnit?: string | null;

  @Field(() => String, { description: 'YYYY-MM' })
  baselineFrom!: string;

  @Field(() => String, { description: 'YYYY-MM' })
  baselineTo!: string;
}

@InputType('TargetInput')
export class TargetInputType extends TargetMeasureInput {
  @Field(() => String)
  title!: string;

  @Field(() => String, { description: 'count, place-subset or repeats' })
  kind!: string;

  @Field(() => String, { description: 'down or up' })
  direction!: string;

  @Field(() => Float)
  baselineValue!: number;

  @Field(() => String)
  baselinePeriod!: string;

  @Field(() => Float)
  changePct!: number;

  @Field(() => String, { nullable: true })
  startDate?: string | null;

  @Field(() => String)
  targetDate!: string;

  @Field(() => String, { nullable: true })
  milestones?: string | null;

  @Field(() => [String], { nullable: true })
  places?: string[] | null;

  @Field(() => TargetProvenanceInput, { nullable: true })
  provenance?: TargetProvenanceInput | null;
}

@InputType('TargetPlacesInput', { description: "A place-subset target's measure and baseline window, to rank its places before creating it" })
export class TargetPlacesInput extends TargetMeasureInput {
  @Field(() => Int, { nullable: true, description: 'How many places (1 to 100, default 5)' })
  top?: number | null;
}

@ObjectType('TargetPlaces', { description: 'The top places of a baseline window as you count them in your partnership: give them to createTarget as places and baselineValue' })
export class TargetPlacesObject {
  @Field(() => [String], { description: 'Place keys, most incidents first (ties by key)' })
  places!: string[];

  @Field(() => Float, { description: 'Incidents at those places in the baseline window' })
  baselineValue!: number;

  @Field(() => Boolean, { description: 'The counts are perturbed (disclosure control): you may only count some of the records' })
  controlled!: boolean;
}
