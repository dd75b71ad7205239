import type { Priority } from '../priorities';

/**
 * Council source categories -> partnership priorities. Keys are lower case with
 * white space folded (see classify). Kept beside the adapter-council package's tests.
 */
export const COUNCIL_CATEGORIES: Record<string, Priority> = {
  'anti-social behaviour': 'anti_social_behaviour',
  'fly-tipping': 'environmental',
  flytipping: 'environmental',
  graffiti: 'environmental',
  flyposting: 'environmental',
  noise: 'anti_social_behaviour',
  'noise complaint': 'anti_social_behaviour',
  'abandoned vehicle': 'environmental',
  'abandoned vehicles': 'environmental',
  'dog fouling': 'environmental',
  'accumulations of refuse and litter': 'environmental',
  'community trigger': 'anti_social_behaviour',
};
