import type { FeedAdapter } from '@csp-hub/adapter-kit';
import { fireIncidentsAdapter } from './layouts';

export { AFRS_LAYOUT, detectLayout, FIRE_LAYOUT_FILES, FIRE_LAYOUTS, fireIncidentsAdapter, GENERIC_LAYOUT, LFB_LAYOUT, LFB_ROUNDED_SQUARE_M } from './layouts';
export type { FireLayout } from './layouts';
export { FIRE_IRS_STOP_CODE, FIRE_STOP_CODE, FIRE_TRANSFORMS } from './transforms';
export { BNG_PROJ, bngToWgs84, parseGridPair, parseGridValue } from './grid';
export type { GridLocation, GridValue, LatLon } from './grid';
export { ACCEPTED_STOP_CODES, FIRE_STOP_CODE_LABELS, FIRE_STOP_CODES, INCIDENT_GROUPS } from './stop-codes';
export type { FireStopCode, IncidentGroup } from './stop-codes';

/** Every fire feed, by feed id. */
export const FIRE_ADAPTERS: readonly FeedAdapter[] = [fireIncidentsAdapter];
