import type { Priority } from '../priorities';

/**
 * Police source categories -> partnership priorities. Keys are lower case with
 * white space folded (see classify). Kept beside the adapter-police package's tests.
 */
export const POLICE_CATEGORIES: Record<string, Priority> = {
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
};
