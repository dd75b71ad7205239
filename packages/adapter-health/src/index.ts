import type { FeedAdapter } from '@csp-hub/adapter-kit';
import { istvAdapter } from './istv';

export { istvAdapter } from './istv';
export { ISTV_CSV_COLUMNS } from './csv';
export { XML_ASSAULT, XML_HEADER, XML_ROOT } from './xml';
export { ASSAULT_ITEMS, HEADER_ITEMS, MAX_ITEM_CHARS } from './assault';
export { ASSAULT_LOCATION_TYPES, ASSAULT_METHODS } from './codes';
export type { CodedValue } from './codes';

/** Every health feed, by feed id. */
export const HEALTH_ADAPTERS: readonly FeedAdapter[] = [istvAdapter];
