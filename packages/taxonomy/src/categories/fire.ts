import type { Priority } from '../priorities';

/**
 * Fire source categories -> partnership priorities. Keys are lower case with
 * white space folded (see classify). Kept beside the adapter-fire package's tests.
 *
 * The adapter-fire package derives one canonical stop-code label per incident
 * (its FIRE_STOP_CODES); every one of them is listed here, including those that
 * map to `other`, so mappedCategories('fire') documents the whole set. Fires
 * whose cause the source does not record ("Primary fire", "Secondary fire",
 * e.g. London Fire Brigade) are not counted as arson.
 */
export const FIRE_CATEGORIES: Record<string, Priority> = {
  // deliberate fires: arson
  'deliberate primary fire': 'criminal_damage_arson',
  'deliberate secondary fire': 'criminal_damage_arson',
  'deliberate fire': 'criminal_damage_arson',
  // accidental or cause not recorded
  'accidental primary fire': 'other',
  'accidental secondary fire': 'other',
  'accidental fire': 'other',
  'primary fire': 'other',
  'secondary fire': 'other',
  'chimney fire': 'other',
  'late call': 'other',
  'other fire': 'other',
  // special services
  'road traffic collision': 'road_safety',
  'other special service': 'other',
  // false alarms
  'hoax/malicious false alarm': 'anti_social_behaviour',
  'false alarm - malicious': 'anti_social_behaviour',
  'false alarm - good intent': 'other',
  'false alarm - apparatus': 'other',
  'other false alarm': 'other',
};
