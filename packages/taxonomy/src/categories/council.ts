import type { Priority } from '../priorities';

/**
 * Council source categories -> partnership priorities. Keys are lower case with
 * white space folded (see classify). Kept beside the adapter-council package's tests.
 * A category not listed maps to `other` (e.g. B&NES pests, drainage, odour,
 * light pollution; FixMyStreet potholes, street lighting, rubbish collection).
 */
export const COUNCIL_CATEGORIES: Record<string, Priority> = {
  // Standard single-type council feeds (the category each adapter gives its rows)
  'anti-social behaviour': 'anti_social_behaviour',
  'fly-tipping': 'environmental',
  graffiti: 'environmental',
  'noise complaint': 'anti_social_behaviour',
  'abandoned vehicle': 'environmental',
  // Common spellings of the same
  'anti social behaviour': 'anti_social_behaviour',
  'antisocial behaviour': 'anti_social_behaviour',
  asb: 'anti_social_behaviour',
  'fly tipping': 'environmental',
  flytipping: 'environmental',
  noise: 'anti_social_behaviour',
  'abandoned vehicles': 'environmental',
  // B&NES Environmental Protection service requests: Type, or Kind when Type is empty
  'noise request': 'anti_social_behaviour',
  'community trigger': 'anti_social_behaviour',
  'accumulations (including refuse & litter)': 'environmental',
  // published truncated, without the closing bracket
  'accumulations (including refuse & litter': 'environmental',
  'accumulations of refuse and litter': 'environmental',
  bonfires: 'environmental',
  bonfire: 'environmental',
  // FixMyStreet categories (B&NES)
  flyposting: 'environmental',
  'fly-posting': 'environmental',
  'dog fouling': 'environmental',
  'street cleaning': 'environmental',
};
