import type { FeedAdapter } from '@csp-hub/adapter-kit';
import { COUNCIL_ADAPTERS } from '@csp-hub/adapter-council';
import { FIRE_ADAPTERS } from '@csp-hub/adapter-fire';
import { HEALTH_ADAPTERS } from '@csp-hub/adapter-health';
import { POLICE_ADAPTERS } from '@csp-hub/adapter-police';
import { HubError, FEEDS, FEED_IDS, type FeedId } from '@csp-hub/taxonomy';

const ADAPTERS = new Map<FeedId, FeedAdapter>([...POLICE_ADAPTERS, ...FIRE_ADAPTERS, ...HEALTH_ADAPTERS, ...COUNCIL_ADAPTERS].map((a) => [a.description.feed, a]));

/** The adapter for a feed id; HubError invalid_input naming the feeds that exist. */
export function getAdapter(feed: string): FeedAdapter {
  const adapter = ADAPTERS.get(feed as FeedId);
  if (!adapter) {
    throw HubError.invalidInput('UNKNOWN_FEED', `There is no feed "${feed}". Feeds: ${[...ADAPTERS.keys()].join(', ')}`);
  }
  return adapter;
}

/** Feeds that have an adapter, with what they are. */
export function listFeeds(): { feed: FeedId; agencyType: string; label: string; formats: readonly string[]; columns: readonly string[] }[] {
  return FEED_IDS.filter((id) => ADAPTERS.has(id)).map((id) => {
    const adapter = ADAPTERS.get(id)!;
    return { feed: id, agencyType: FEEDS[id].agencyType, label: FEEDS[id].label, formats: adapter.description.formats, columns: adapter.description.requiredColumns };
  });
}
