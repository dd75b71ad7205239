import type { FeedAdapter } from '@csp-hub/adapter-kit';
import { fireIncidentsAdapter } from './incidents';

export { fireIncidentsAdapter, LFB_ROUNDED_SQUARE_M } from './incidents';
export { AFRS_LAYOUT, detectLayout, FIRE_LAYOUTS, GENERIC_LAYOUT, LFB_LAYOUT } from './layouts';
export type { FireLayout, FireLayoutId } from './layouts';
export { BNG_PROJ, bngToWgs84, parseGridPair, parseGridValue } from './grid';
export type { GridLocation, GridValue, LatLon } from './grid';
export { ACCEPTED_STOP_CODES, FIRE_STOP_CODE_LABELS, FIRE_STOP_CODES, INCIDENT_GROUPS } from './stop-codes';
export type { FireStopCode, IncidentGroup } from './stop-codes';

/** Every fire feed, by feed id. */
export const FIRE_ADAPTERS: readonly FeedAdapter[] = [fireIncidentsAdapter];
