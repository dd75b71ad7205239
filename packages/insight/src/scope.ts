import type { AccessContext, IncidentFilter } from '@csp-hub/authz';
import { HubError, isFeedId, isPriority } from '@csp-hub/taxonomy';
import { monthOf, monthIndex, type MonthPeriod } from './period';

/** What every analysis is about: the reader's partnership, optionally some of its districts and categories. */
export interface AnalysisScope {
  /** The partnership's code (CSP code, e.g. E22000165); default the reader's. Another partnership is refused. */
  partnership?: string | null;
  /** Districts (LAD codes) of the partnership; default all of them. */
  districts?: string[] | null;
  /** Priority categories; default all. */
  categories?: string[] | null;
  /**
   * Feeds (e.g. police.street); default every feed the reader may count. A
   * reader who may only count some feed's records gets perturbed counts for
   * the whole analysis; naming the feeds they may list keeps them exact.
   */
  feeds?: string[] | null;
}

export interface ResolvedScope {
  partnership: string;
  districts: string[];
  categories: string[] | null;
  feeds: string[] | null;
}

/**
 * The reader's partnership and the districts asked for. An analysis never
 * reaches past the reader's partnership: another partnership's code, or a
 * district it does not cover, is refused (the reader could see nothing there anyway).
 */
export function resolveScope(ctx: AccessContext, scope: AnalysisScope): ResolvedScope {
  const own = ctx.principal.partnershipCode;
  if (scope.partnership && scope.partnership !== own) {
    throw HubError.forbidden('OTHER_PARTNERSHIP', `you analyse for your own partnership (${own}), not ${scope.partnership}`);
  }
  const covered = ctx.principal.ladCodes;
  let districts = covered;
  if (scope.districts && scope.districts.length > 0) {
    const outside = scope.districts.filter((d) => !covered.includes(d));
    if (outside.length > 0) {
      throw HubError.invalidInput('AREA_OUTSIDE_PARTNERSHIP', `district ${outside.join(', ')} is not covered by partnership ${own} (it covers ${covered.join(', ')})`);
    }
    districts = [...new Set(scope.districts)];
  }
  let categories: string[] | null = null;
  if (scope.categories && scope.categories.length > 0) {
    const bad = scope.categories.filter((c) => !isPriority(c));
    if (bad.length > 0) throw HubError.invalidInput('INVALID_CATEGORY', `unknown category ${bad.join(', ')}`);
    categories = [...new Set(scope.categories)];
  }
  let feeds: string[] | null = null;
  if (scope.feeds && scope.feeds.length > 0) {
    const bad = scope.feeds.filter((f) => !isFeedId(f));
    if (bad.length > 0) throw HubError.invalidInput('INVALID_FEED', `unknown feed ${bad.join(', ')}`);
    feeds = [...new Set(scope.feeds)];
  }
  return { partnership: own, districts, categories, feeds };
}

/** The authz filter for a scope over a span of months, optionally only some months of it (an index range per month). */
export function scopeFilter(scope: ResolvedScope, from: string, to: string, months?: string[]): IncidentFilter {
  return {
    ladCodes: scope.districts,
    monthFrom: from,
    monthTo: to,
    ...(months ? { months } : {}),
    ...(scope.categories ? { categories: scope.categories } : {}),
    ...(scope.feeds ? { feeds: scope.feeds } : {}),
  };
}

/** Months from..to as a list. */
export function monthsOf(p: MonthPeriod): string[] {
  const out: string[] = [];
  for (let i = monthIndex(p.from); i <= monthIndex(p.to); i++) out.push(monthOf(i));
  return out;
}
