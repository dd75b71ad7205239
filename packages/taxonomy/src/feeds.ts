import type { AgencyType } from './agencies';
import type { DataTier } from './tiers';

/**
 * Every dataset an agency can submit, as `<agency type>.<feed>`. ISP agreements
 * name these ids in the datasets they cover. `located: false` feeds carry no
 * place (ISTV records only a free-text description), so an agreement shares
 * them with the partnership whole rather than by its districts.
 *
 * `revision` says what a later file means. `snapshot`: a file is the whole
 * truth for the months it holds (data.police.uk republishes each month in
 * full), so rows it no longer has are retired. `incremental`: a file adds and
 * updates records and never removes any (extracts of live case systems).
 */
export const FEEDS = {
  'police.street': { agencyType: 'police', tier: 'public', label: 'Street-level crime and ASB (data.police.uk)', located: true, revision: 'snapshot' },
  'police.outcomes': { agencyType: 'police', tier: 'public', label: 'Crime outcomes (data.police.uk)', located: true, revision: 'incremental' },
  'police.stop_search': { agencyType: 'police', tier: 'public', label: 'Stop and search (data.police.uk)', located: true, revision: 'snapshot' },
  'fire.incidents': { agencyType: 'fire', tier: 'pseudonymised', label: 'Fire and rescue attended incidents', located: true, revision: 'incremental' },
  'health.istv': { agencyType: 'health', tier: 'pseudonymised', label: 'ISTV assault attendances (ISB/SCCI 1594)', located: false, revision: 'incremental' },
  'council.asb': { agencyType: 'council', tier: 'personal', label: 'Anti-social behaviour reports', located: true, revision: 'incremental' },
  'council.fly_tipping': { agencyType: 'council', tier: 'pseudonymised', label: 'Fly-tipping incidents (Flycapture)', located: true, revision: 'incremental' },
  'council.graffiti': { agencyType: 'council', tier: 'pseudonymised', label: 'Graffiti reports', located: true, revision: 'incremental' },
  'council.noise': { agencyType: 'council', tier: 'personal', label: 'Noise complaints', located: true, revision: 'incremental' },
  'council.abandoned_vehicles': { agencyType: 'council', tier: 'pseudonymised', label: 'Abandoned vehicle reports', located: true, revision: 'incremental' },
  'council.service_requests': { agencyType: 'council', tier: 'personal', label: 'Environmental protection service requests (mixed types)', located: true, revision: 'incremental' },
  'council.street_reports': { agencyType: 'council', tier: 'pseudonymised', label: 'FixMyStreet-style street reports (mixed categories)', located: true, revision: 'incremental' },
} as const satisfies Record<string, { agencyType: AgencyType; tier: DataTier; label: string; located: boolean; revision: 'snapshot' | 'incremental' }>;

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
