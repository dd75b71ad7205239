/**
 * @csp-hub/insight: the analysis engine. Counts are read only through the
 * authorized relation of @csp-hub/authz (with its disclosure control) and
 * handed to the pure methods of @csp-hub/analysis.
 */
export { checkPeriod, MAX_PERIOD_MONTHS, parsePeriod, periodLength, shiftPeriod } from './period';
export type { MonthPeriod } from './period';
export { resolveScope } from './scope';
export type { AnalysisScope, ResolvedScope } from './scope';
export { trends } from './trends';
export type { TrendAreaLevel, TrendRequest, TrendResult, TrendRow } from './trends';
export { hotspots } from './hotspots';
export type { CellStatus, HotCell, HotspotOptions, HotspotRequest, HotspotResult, TopAreaRow, TopLocationRow } from './hotspots';
export { holdsPersonalTier, repeats } from './repeats';
export type { RepeatRequest, RepeatResult, RepeatRow, RepeatSummaryView, RepeatVictimRow } from './repeats';
export { BOUNDARIES_FILE, findDistrictBoundaries, loadDistrictBoundaries, studyArea } from './study-area';
export type { DistrictBoundaries, StudyArea } from './study-area';
export type { ComparisonBase } from '@csp-hub/analysis';
export { checkTargetInput, createTarget, getTarget, listTargets, retireTarget, updateTarget } from './targets';
export type { TargetInput, TargetView } from './targets';
export { baselinePlaces, countWindow, measureTarget, placesAtBaseline } from './targets-progress';
export type { BaselinePlacesRequest, MeasureOptions, TargetMeasure, TargetMeasurement, WindowCount } from './targets-progress';
export { seedDemoTargets } from './targets-demo';
export type { DemoTargetsResult } from './targets-demo';
