import type { FeedAdapter } from '@csp-hub/adapter-kit';
import {
  abandonedVehiclesAdapter,
  asbAdapter,
  flyTippingAdapter,
  graffitiAdapter,
  noiseAdapter,
  serviceRequestsAdapter,
  streetReportsAdapter,
} from './layouts';

export {
  ABANDONED_VEHICLES_LAYOUT_FILE,
  abandonedVehiclesAdapter,
  ASB_CATEGORIES,
  ASB_LAYOUT_FILE,
  asbAdapter,
  COUNCIL_LAYOUT_FILES,
  FLY_TIPPING_LAYOUT_FILE,
  FLYCAPTURE_SIZES,
  flyTippingAdapter,
  GRAFFITI_LAYOUT_FILE,
  graffitiAdapter,
  NOISE_LAYOUT_FILE,
  noiseAdapter,
  SERVICE_REQUESTS_LAYOUT_FILE,
  serviceRequestsAdapter,
  STREET_REPORTS_LAYOUT_FILE,
  streetReportsAdapter,
} from './layouts';
export { COUNCIL_TRANSFORMS, FIXMYSTREET_REPORT_ID, reportIdOf } from './transforms';

/** Every council feed, one adapter per feed id. */
export const COUNCIL_ADAPTERS: readonly FeedAdapter[] = [
  asbAdapter,
  flyTippingAdapter,
  graffitiAdapter,
  noiseAdapter,
  abandonedVehiclesAdapter,
  serviceRequestsAdapter,
  streetReportsAdapter,
];
