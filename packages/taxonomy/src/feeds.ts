import type { AgencyType } from './agencies';
import type { DataTier } from './tiers';

/**
 * Every dataset an agency can submit, as `<agency type>.<feed>`. ISP agreements
 * name these ids in the datasets they cover.
 */
export const FEEDS = {
  'police.street': { agencyType: 'police', tier: 'public', label: 'Street-level crime and ASB (data.police.uk)' },
  'police.outcomes': { agencyType: 'police', tier: 'public', label: 'Crime outcomes (data.police.uk)' },
  'police.stop_search': { agencyType: 'police', tier: 'public', label: 'Stop and search (data.police.uk)' },
  'fire.incidents': { agencyType: 'fire', tier: 'pseudonymised', label: 'Fire and rescue attended incidents' },
  'health.istv': { agencyType: 'health', tier: 'pseudonymised', label: 'ISTV assault attendances (ISB/SCCI 1594)' },
  'council.asb': { agencyType: 'council', tier: 'personal', label: 'Anti-social behaviour reports' },
  'council.fly_tipping': { agencyType: 'council', tier: 'pseudonymised', label: 'Fly-tipping incidents (Flycapture)' },
  'council.graffiti': { agencyType: 'council', tier: 'pseudonymised', label: 'Graffiti reports' },
  'council.noise': { agencyType: 'council', tier: 'personal', label: 'Noise complaints' },
  'council.abandoned_vehicles': { agencyType: 'council', tier: 'pseudonymised', label: 'Abandoned vehicle reports' },
  'council.service_requests': { agencyType: 'council', tier: 'personal', label: 'Environmental protection service requests (mixed types)' },
  'council.street_reports': { agencyType: 'council', tier: 'pseudonymised', label: 'FixMyStreet-style street reports (mixed categories)' },
} as const satisfies Record<string, { agencyType: AgencyType; tier: DataTier; label: string }>;

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
