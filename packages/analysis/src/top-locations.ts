import { HubError } from '@csp-hub/taxonomy';
import { checkCount, checkInteger, checkKey, compareKeys } from './inputs';

/**
 * Top-N locations: the places with the most incidents, with each one's share
 * of all located incidents and the running (cumulative) share — "the top 10
 * streets hold 23% of criminal damage".
 */

export interface LocationCount {
  /** Stable location key, e.g. street-level location text + LSOA code, or an LSOA code. */
  key: string;
  count: number;
}

export interface RankedLocation {
  key: string;
  count: number;
  /** Competition rank ("1224"): tied counts share a rank. */
  rank: number;
  /** count / total over every location passed in (not only the top N). */
  share: number;
  /** Sum of shares down to and including this row. */
  cumulativeShare: number;
}

export interface TopLocations {
  locations: RankedLocation[];
  /** Incidents over every location passed in. */
  total: number;
  /** Locations with at least one incident. */
  locationCount: number;
  /** Locations left out by the cut at N that have the same count as the last one kept. */
  tiedBeyondCut: number;
}

/**
 * Locations by count descending, ties broken by key ascending; zero counts
 * are not places with incidents and are left out. A key given twice is an
 * error (the caller's GROUP BY went wrong), not something to add up silently.
 */
export function topLocations(counts: readonly LocationCount[], n: number): TopLocations {
  checkInteger('n', n, 1);
  const seen = new Set<string>();
  let total = 0;
  for (const [i, c] of counts.entries()) {
    checkKey(`counts[${i}].key`, c.key);
    checkCount(`count of ${c.key}`, c.count);
    if (seen.has(c.key)) throw HubError.invalidInput('DUPLICATE_KEY', `location ${c.key} is given more than once`);
    seen.add(c.key);
    total += c.count;
  }
  const sorted = counts.filter((c) => c.count > 0).sort((a, b) => b.count - a.count || compareKeys(a.key, b.key));
  const kept = sorted.slice(0, n);
  let cumulative = 0;
  let rank = 0;
  const locations = kept.map((c, i) => {
    if (i === 0 || c.count !== kept[i - 1]!.count) rank = i + 1;
    cumulative += c.count;
    return { key: c.key, count: c.count, rank, share: c.count / total, cumulativeShare: cumulative / total };
  });
  const last = kept.at(-1);
  return {
    locations,
    total,
    locationCount: sorted.length,
    tiedBeyondCut: last === undefined ? 0 : sorted.slice(n).filter((c) => c.count === last.count).length,
  };
}
