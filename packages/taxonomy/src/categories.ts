import type { AgencyType } from './agencies';
import type { Priority } from './priorities';
import { COUNCIL_CATEGORIES } from './categories/council';
import { FIRE_CATEGORIES } from './categories/fire';
import { HEALTH_CATEGORIES } from './categories/health';
import { POLICE_CATEGORIES } from './categories/police';

/**
 * Source category -> partnership priority, per agency type. Keys are matched
 * case-insensitively with runs of white space folded. A source category that is
 * not listed maps to `other`, and adapters keep the source label beside it.
 */
const MAPPINGS: Partial<Record<AgencyType, Record<string, Priority>>> = {
  police: POLICE_CATEGORIES,
  fire: FIRE_CATEGORIES,
  health: HEALTH_CATEGORIES,
  council: COUNCIL_CATEGORIES,
};

function fold(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The partnership priority for a source category of an agency type. */
export function classify(agencyType: AgencyType, sourceCategory: string): Priority {
  return MAPPINGS[agencyType]?.[fold(sourceCategory)] ?? 'other';
}

/** The source categories an agency type maps explicitly (for documentation and tests). */
export function mappedCategories(agencyType: AgencyType): ReadonlyArray<readonly [string, Priority]> {
  return Object.entries(MAPPINGS[agencyType] ?? {});
}

/** data.police.uk API category slugs and the CSV labels they stand for. */
export const POLICE_API_CATEGORIES: Readonly<Record<string, string>> = {
  'anti-social-behaviour': 'Anti-social behaviour',
  'bicycle-theft': 'Bicycle theft',
  burglary: 'Burglary',
  'criminal-damage-arson': 'Criminal damage and arson',
  drugs: 'Drugs',
  'other-theft': 'Other theft',
  'possession-of-weapons': 'Possession of weapons',
  'public-order': 'Public order',
  robbery: 'Robbery',
  shoplifting: 'Shoplifting',
  'theft-from-the-person': 'Theft from the person',
  'vehicle-crime': 'Vehicle crime',
  'violent-crime': 'Violence and sexual offences',
  'other-crime': 'Other crime',
};
