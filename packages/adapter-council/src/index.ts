import type { FeedAdapter } from '@csp-hub/adapter-kit';
import { serviceRequestsAdapter } from './service-requests';
import { abandonedVehiclesAdapter, asbAdapter, flyTippingAdapter, graffitiAdapter, noiseAdapter } from './standard';
import { streetReportsAdapter } from './street-reports';

export { serviceRequestsAdapter, SERVICE_REQUEST_COLUMNS, SERVICE_REQUEST_OPTIONAL_COLUMNS } from './service-requests';
export {
  ABANDONED_VEHICLES_LAYOUT,
  abandonedVehiclesAdapter,
  ASB_CATEGORIES,
  ASB_LAYOUT,
  asbAdapter,
  COMMON_COLUMNS,
  FLY_TIPPING_LAYOUT,
  FLYCAPTURE_SIZES,
  flyTippingAdapter,
  GRAFFITI_LAYOUT,
  graffitiAdapter,
  layoutColumns,
  LOCATION_COLUMNS,
  NOISE_LAYOUT,
  noiseAdapter,
} from './standard';
export type { ColumnValue, LayoutColumn, StandardLayout } from './standard';
export { reportIdOf, STREET_REPORT_COLUMNS, STREET_REPORT_OPTIONAL_COLUMNS, streetReportsAdapter } from './street-reports';

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
