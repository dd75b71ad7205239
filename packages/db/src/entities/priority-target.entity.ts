import { ArrayType, Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Partnership } from './partnership.entity';

/** What a target measures: incidents; incidents at places fixed at the baseline; incidents at repeat locations. */
export const TARGET_KIND_VALUES = ['count', 'place-subset', 'repeats'] as const;
export type PriorityTargetKind = (typeof TARGET_KIND_VALUES)[number];
/** 'down': a reduction is good (crime); 'up': an increase is good (reporting). */
export const TARGET_DIRECTION_VALUES = ['down', 'up'] as const;
/** How a place of a place-subset (or repeats) target is named: an LSOA, or street-level location text + LSOA. */
export const PLACE_UNITS = ['lsoa', 'location'] as const;
export type PlaceUnit = (typeof PLACE_UNITS)[number];
export const TARGET_STATUSES = ['active', 'retired'] as const;
export type PriorityTargetStatus = (typeof TARGET_STATUSES)[number];

/**
 * Where a target came from: the community safety plan's own words and figures, and, when the
 * baseline used is not the plan's (a demo rebased onto the data the hub holds), how it was rebased.
 */
export interface TargetProvenance {
  /** The plan's wording, e.g. "Reduce criminal damage to other property against a baseline of 549 crimes (2006/07)". */
  planWording: string;
  /** The plan document, e.g. "Charnwood Community Safety Partnership Plan 2008-11". */
  source: string | null;
  /** The plan's baseline, when it gave one. */
  planBaseline: { value: number; period: string } | null;
  /** How the stored baseline was obtained when it is not the plan's; null when it is. */
  rebased: string | null;
}

/**
 * A partnership's priority target (issue #13): a baseline measured over a window of months, a change
 * sought by a date, and what is counted. Progress is measured per reader through the authorized
 * relation (packages/insight targets-progress.ts); the maths is @csp-hub/analysis targetProgress.
 */
@Entity({ tableName: 'priority_target', comment: 'Partnership priority targets (community safety plan): baseline, change sought, what is counted' })
@Index({ name: 'priority_target_partnership_idx', properties: ['partnership', 'status'] })
@Check({ name: 'priority_target_dates', expression: 'target_date > start_date' })
@Check({ name: 'priority_target_baseline_months', expression: 'baseline_to >= baseline_from' })
export class PriorityTarget {
  [OptionalProps]?: 'version' | 'createdAt' | 'updatedAt' | 'status' | 'retiredAt' | 'retiredReason' | 'provenance' | 'places' | 'placeUnit' | 'sourceCategories' | 'feeds' | 'milestones';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne({ entity: () => Partnership, deleteRule: 'restrict' })
  partnership!: Partnership;

  @Property({ type: 'string', columnType: 'text' })
  title!: string;

  /** Partnership priorities counted (taxonomy PRIORITIES), at least one. */
  @Property({ type: ArrayType, columnType: 'text[]' })
  priorities: string[] = [];

  /** Narrows to these source categories (case-insensitive, e.g. "Bicycle theft"); empty: the whole priorities. */
  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  sourceCategories: string[] = [];

  /** Narrows to these feeds (e.g. police.street); empty: every feed the reader may count. */
  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  feeds: string[] = [];

  @Enum({ items: [...TARGET_KIND_VALUES], type: 'string', columnType: 'text' })
  kind!: PriorityTargetKind;

  @Enum({ items: [...TARGET_DIRECTION_VALUES], type: 'string', columnType: 'text' })
  direction!: 'down' | 'up';

  /** The baseline value used (the plan's, or rebased: see provenance). */
  @Property({ type: 'double', columnType: 'double precision' })
  baselineValue!: number;

  /** Label of the baseline period, e.g. "2023/24". */
  @Property({ type: 'string', columnType: 'text' })
  baselinePeriod!: string;

  /** First and last month (YYYY-MM) of the baseline window: progress is measured over windows of the same length. */
  @Property({ type: 'string', columnType: 'text' })
  baselineFrom!: string;

  @Property({ type: 'string', columnType: 'text' })
  baselineTo!: string;

  /** Size of the change sought, % of the baseline. */
  @Property({ type: 'double', columnType: 'double precision' })
  changePct!: number;

  /** The trajectory leaves the baseline on this date. */
  @Property({ type: 'date' })
  startDate!: string;

  @Property({ type: 'date' })
  targetDate!: string;

  @Property({ type: 'string', columnType: 'text', default: 'year' })
  milestones: 'year' | 'quarter' = 'year';

  /** place-subset and repeats: how places are named. */
  @Property({ type: 'string', columnType: 'text', nullable: true })
  placeUnit: PlaceUnit | null = null;

  /** place-subset: the place keys fixed at the baseline. */
  @Property({ type: ArrayType, columnType: 'text[]', nullable: true })
  places: string[] | null = null;

  @Property({ type: 'json', nullable: true })
  provenance: TargetProvenance | null = null;

  @Enum({ items: [...TARGET_STATUSES], type: 'string', columnType: 'text', default: 'active' })
  status: PriorityTargetStatus = 'active';

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  retiredAt: Date | null = null;

  @Property({ type: 'string', columnType: 'text', nullable: true })
  retiredReason: string | null = null;

  @Property({ type: 'integer', version: true })
  version: number = 1;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
