import type { FeedAdapter } from '@csp-hub/adapter-kit';
import { outcomesAdapter } from './outcomes';
import { stopSearchAdapter } from './stop-search';
import { streetAdapter } from './street';

export { outcomesAdapter, OUTCOME_COLUMNS } from './outcomes';
export { stopSearchAdapter, STOP_SEARCH_COLUMNS } from './stop-search';
export { streetAdapter, STREET_COLUMNS } from './street';

/** Every police feed, by feed id. */
export const POLICE_ADAPTERS: readonly FeedAdapter[] = [streetAdapter, outcomesAdapter, stopSearchAdapter];
