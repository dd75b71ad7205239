import type { AgencyType } from './agencies';
import type { Priority } from './priorities';

/**
 * Source category -> partnership priority, per agency type. Keys are matched
 * case-insensitively with runs of white space folded. A source category that is
 * not listed maps to `other`, and adapters keep the source label beside it.
 */
const MAPPINGS: Record<string, Record<string, Priority>> = {
  police: {
    // data.police.uk street-level crime types (CSV labels)
    'anti-social behaviour': 'anti_social_behaviour',
    'bicycle theft': 'acquisitive_crime',
    burglary: 'acquisitive_crime',
    'criminal damage and arson': 'criminal_damage_arson',
    drugs: 'drugs_alcohol',
    'other crime': 'other',
    'other theft': 'acquisitive_crime',
    'possession of weapons': 'violence',
    'public order': 'anti_social_behaviour',
    robbery: 'acquisitive_crime',
    shoplifting: 'acquisitive_crime',
    'theft from the person': 'acquisitive_crime',
    'vehicle crime': 'acquisitive_crime',
    'violence and sexual offences': 'violence',
    // stop and search: object of search
    'controlled drugs': 'drugs_alcohol',
    'psychoactive substances': 'drugs_alcohol',
    'offensive weapons': 'violence',
    firearms: 'violence',
    crossbows: 'violence',
    'anything to threaten or harm anyone': 'violence',
    'stolen goods': 'acquisitive_crime',
    'articles for use in theft': 'acquisitive_crime',
    'article for use in theft': 'acquisitive_crime',
    'articles for use in criminal damage': 'criminal_damage_arson',
    fireworks: 'anti_social_behaviour',
    'evidence of wildlife offences': 'environmental',
  },
  fire: {
    'deliberate primary fire': 'criminal_damage_arson',
    'deliberate secondary fire': 'criminal_damage_arson',
    'deliberate fire': 'criminal_damage_arson',
    'road traffic collision': 'road_safety',
    'hoax/malicious false alarm': 'anti_social_behaviour',
    'false alarm - malicious': 'anti_social_behaviour',
  },
  health: {
    assault: 'violence',
  },
  council: {
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
  },
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
