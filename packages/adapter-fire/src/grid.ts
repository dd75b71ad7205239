/** British National Grid conversion now lives in @csp-hub/layouts (one engine reads every layout); re-exported for this package's API. */
export { BNG_EXTENT, BNG_PROJ, bngToWgs84, insideUk, parseGridPair, parseGridValue } from '@csp-hub/layouts';
export type { GridLocation, GridValue, LatLon } from '@csp-hub/layouts';
