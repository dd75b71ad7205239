export { AGENCY_TYPES, ROLES, isAgencyType, isRole } from './agencies';
export type { AgencyType, Role } from './agencies';
export { classify, mappedCategories, POLICE_API_CATEGORIES } from './categories';
export { HUB_ERROR_KINDS, HubError, isHubError } from './errors';
export type { HubErrorKind } from './errors';
export { FEEDS, FEED_IDS, feedsOf, findFeedId, isFeedId, isLocatedFeed } from './feeds';
export type { FeedId } from './feeds';
export type {
  AdapterItem,
  AttributeValue,
  FeedDescription,
  IncidentUpdate,
  NormalisedIncident,
  RowReject,
  SubmissionHeader,
} from './incident';
export { silentLogger } from './logger';
export type { HubLogger } from './logger';
export { PRIORITIES, PRIORITY_LABELS, isPriority } from './priorities';
export type { Priority } from './priorities';
export { DATA_TIERS, isDataTier, tierCovers, tierRank } from './tiers';
export type { DataTier } from './tiers';
