import type { AgencyType } from './agencies';
import type { DataTier } from './tiers';

/**
 * Every dataset an agency can submit, as `<agency type>.<feed>`. ISP agreements
 * name these ids in the datasets they cover. `located: false` feeds carry no
 * place (ISTV records only a free-text description), so an agreement shares
 * them with the partnership whole rather than by its districts.
 */
export const FEEDS = {
  'police.street': { agencyType: 'police', tier: 'public', label: 'Street-level crime and ASB (data.police.uk)', located: true },
  'police.outcomes': { agencyType: 'police', tier: 'public', label: 'Crime outcomes (data.police.uk)', located: true },
  'police.stop_search': { agencyType: 'police', tier: 'public', label: 'Stop and search (data.police.uk)', located: true },
  'fire.incidents': { agencyType: 'fire', tier: 'pseudonymised', label: 'Fire and rescue attended incidents', located: true },
  'health.istv': { agencyType: 'health', tier: 'pseudonymised', label: 'ISTV assault attendances (ISB/SCCI 1594)', located: false },
  'council.asb': { agencyType: 'council', tier: 'personal', label: 'Anti-social behaviour reports', located: true },
  'council.fly_tipping': { agencyType: 'council', tier: 'pseudonymised', label: 'Fly-tipping incidents (Flycapture)', located: true },
  'council.graffiti': { agencyType: 'council', tier: 'pseudonymised', label: 'Graffiti reports', located: true },
  'council.noise': { agencyType: 'council', tier: 'personal', label: 'Noise complaints', located: true },
  'council.abandoned_vehicles': { agencyType: 'council', tier: 'pseudonymised', label: 'Abandoned vehicle reports', located: true },
  'council.service_requests': { agencyType: 'council', tier: 'personal', label: 'Environmental protection service requests (mixed types)', located: true },
  'council.street_reports': { agencyType: 'council', tier: 'pseudonymised', label: 'FixMyStreet-style street reports (mixed categories)', located: true },
} as const satisfies Record<string, { agencyType: AgencyType; tier: DataTier; label: string; located: boolean }>;

export type FeedId = keyof typeof FEEDS;
export const FEED_IDS = Object.keys(FEEDS) as FeedId[];

export function isFeedId(value: string): value is FeedId {
  return Object.hasOwn(FEEDS, value);
}

/** `police` + `street` -> `police.street`, or undefined when no such feed exists. */
export function findFeedId(agencyType: string, feed: string): FeedId | undefined {
  const id = `${agencyType}.${feed.replace(/-/g, '_')}`;
  return isFeedId(id) ? id : undefined;
}

export function feedsOf(agencyType: AgencyType): FeedId[] {
  return FEED_IDS.filter((id) => FEEDS[id].agencyType === agencyType);
}

/** Whether a feed's records carry a place (see FEEDS). */
export function isLocatedFeed(feed: string): boolean {
  return isFeedId(feed) ? FEEDS[feed].located : true;
}
