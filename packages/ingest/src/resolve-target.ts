import type pg from 'pg';
import { AGENCY_TYPES, FEEDS, HubError, findFeedId, isFeedId, type FeedId, type HubLogger } from '@csp-hub/taxonomy';
import { importGeography } from './geography';

export interface ResolvedTarget {
  agencyId: number;
  agencyCode: string;
  feed: FeedId;
}

/**
 * `--agency` is an agency code (leicestershire-police) or, when unambiguous, an
 * agency type (police); with a user, the type means that user's agency.
 * `--feed` is a feed id (police.street) or its short name (street).
 */
export async function resolveFeedTarget(pool: pg.Pool, agency: string, feed: string, asUserAgencyId?: number): Promise<ResolvedTarget> {
  const rows = (await pool.query<{ id: number; code: string; type: string }>('select id, code, type from agency order by code')).rows;
  let match = rows.find((r) => r.code === agency);
  if (!match && (AGENCY_TYPES as readonly string[]).includes(agency)) {
    const ofType = rows.filter((r) => r.type === agency);
    match = asUserAgencyId !== undefined ? ofType.find((r) => r.id === asUserAgencyId) : ofType.length === 1 ? ofType[0] : undefined;
    if (!match) {
      throw HubError.invalidInput(
        'AMBIGUOUS_AGENCY',
        ofType.length === 0
          ? `No ${agency} agency is registered.`
          : `"${agency}" could be ${ofType.map((r) => r.code).join(', ')}: pass --agency <code> (or --as <user e-mail>).`,
      );
    }
  }
  if (!match) throw HubError.invalidInput('UNKNOWN_AGENCY', `No agency "${agency}". Agencies: ${rows.map((r) => r.code).join(', ')}`);
  const feedId = isFeedId(feed) ? feed : findFeedId(match.type, feed);
  if (!feedId) {
    const options = Object.keys(FEEDS).filter((id) => id.startsWith(`${match!.type}.`));
    throw HubError.invalidInput('UNKNOWN_FEED', `No ${match.type} feed "${feed}". Feeds for ${match.code}: ${options.join(', ') || 'none'}`);
  }
  return { agencyId: match.id, agencyCode: match.code, feed: feedId };
}

/** Reference data for loaders: agency ids by code. */
export async function agencyIdsByCode(pool: pg.Pool): Promise<Map<string, number>> {
  return new Map((await pool.query<{ id: number; code: string }>('select id, code from agency')).rows.map((r) => [r.code, r.id]));
}

/** Imports the ONS geography from the reference folder unless LSOAs are already loaded; whether it imported. */
export async function importGeographyIfMissing(pool: pg.Pool, referenceDir: string, logger?: HubLogger): Promise<boolean> {
  const areas = await pool.query<{ n: number }>(`select count(*)::int as n from area where kind = 'lsoa'`);
  if (areas.rows[0]!.n > 0) return false;
  await importGeography(pool, referenceDir, logger);
  return true;
}
