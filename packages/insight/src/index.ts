/**
 * @csp-hub/insight: the analysis engine. Counts are read only through the
 * authorized relation of @csp-hub/authz (with its disclosure control) and
 * handed to the pure methods of @csp-hub/analysis.
 */
export { checkTargetInput, createTarget, getTarget, listTargets, retireTarget, updateTarget } from './targets';
export type { TargetInput, TargetView } from './targets';
export { countWindow, measureTarget, placesAtBaseline } from './targets-progress';
export type { MeasureOptions, TargetMeasure, TargetMeasurement, WindowCount } from './targets-progress';
export { seedDemoTargets } from './targets-demo';
export type { DemoTargetsResult } from './targets-demo';
