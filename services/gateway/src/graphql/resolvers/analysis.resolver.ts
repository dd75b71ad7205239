import { Arg, Ctx, Float, Int, Query, Resolver } from 'type-graphql';
import { hotspots, repeats, trends, type AnalysisScope, type ComparisonBase, type TrendAreaLevel } from '@csp-hub/insight';
import type { GraphQLContext } from '../context';
import {
  AreaLevelEnum,
  ComparisonBaseEnum,
  HotspotResultObject,
  PeriodInput,
  RepeatResultObject,
  TrendResultObject,
} from '../types/analysis.type';
import { PriorityEnum } from '../types/incident.type';

function scopeOf(districts: string[] | null, categories: string[] | null, feeds: string[] | null): AnalysisScope {
  return { districts, categories, feeds };
}

/**
 * The analysis engine (issue #13) for the reader's partnership: every count
 * comes from @csp-hub/insight over the authorized relation, so a user's
 * analysis sees only what that user may see, with disclosure control.
 */
@Resolver()
export class AnalysisResolver {
  @Query(() => TrendResultObject, { description: 'What changed: each category per area against the previous period, last year and the 3-year seasonal average, ranked by significance' })
  async analysisTrends(
    @Arg('period', () => PeriodInput) period: PeriodInput,
    @Arg('districts', () => [String], { nullable: true }) districts: string[] | null,
    @Arg('categories', () => [PriorityEnum], { nullable: true }) categories: string[] | null,
    @Arg('feeds', () => [String], { nullable: true }) feeds: string[] | null,
    @Arg('by', () => AreaLevelEnum, { defaultValue: 'district' }) by: TrendAreaLevel,
    @Arg('against', () => ComparisonBaseEnum, { defaultValue: 'seasonal' }) against: ComparisonBase,
    @Arg('alpha', () => Float, { defaultValue: 0.05 }) alpha: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TrendResultObject> {
    return trends(ctx.access, { period: { from: period.from, to: period.to }, ...scopeOf(districts, categories, feeds), by, against, alpha });
  }

  @Query(() => HotspotResultObject, { description: 'Where: top locations and LSOAs, Gi* hot and cold cells on a BNG grid, and hotspot status across periods' })
  async analysisHotspots(
    @Arg('period', () => PeriodInput) period: PeriodInput,
    @Arg('districts', () => [String], { nullable: true }) districts: string[] | null,
    @Arg('categories', () => [PriorityEnum], { nullable: true }) categories: string[] | null,
    @Arg('feeds', () => [String], { nullable: true }) feeds: string[] | null,
    @Arg('top', () => Int, { defaultValue: 10 }) top: number,
    @Arg('cellSizeM', () => Int, { defaultValue: 500 }) cellSizeM: number,
    @Arg('statusPeriods', () => Int, { defaultValue: 6 }) statusPeriods: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<HotspotResultObject> {
    return hotspots(
      ctx.access,
      { period: { from: period.from, to: period.to }, ...scopeOf(districts, categories, feeds), top, cellSizeM, statusPeriods },
      ctx.boundaries ? { boundaries: ctx.boundaries } : {},
    );
  }

  @Query(() => RepeatResultObject, { description: 'Repeat locations in the period (and repeat victims, personal tier only)' })
  async analysisRepeats(
    @Arg('period', () => PeriodInput) period: PeriodInput,
    @Arg('districts', () => [String], { nullable: true }) districts: string[] | null,
    @Arg('categories', () => [PriorityEnum], { nullable: true }) categories: string[] | null,
    @Arg('feeds', () => [String], { nullable: true }) feeds: string[] | null,
    @Arg('top', () => Int, { defaultValue: 20 }) top: number,
    @Arg('victims', () => Boolean, { defaultValue: false }) victims: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RepeatResultObject> {
    return repeats(ctx.access, { period: { from: period.from, to: period.to }, ...scopeOf(districts, categories, feeds), top, victims });
  }
}
