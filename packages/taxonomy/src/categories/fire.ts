import type { Priority } from '../priorities';

/**
 * Fire source categories -> partnership priorities. Keys are lower case with
 * white space folded (see classify). Kept beside the adapter-fire package's tests.
 */
export const FIRE_CATEGORIES: Record<string, Priority> = {
  'deliberate primary fire': 'criminal_damage_arson',
  'deliberate secondary fire': 'criminal_damage_arson',
  'deliberate fire': 'criminal_damage_arson',
  'road traffic collision': 'road_safety',
  'hoax/malicious false alarm': 'anti_social_behaviour',
  'false alarm - malicious': 'anti_social_behaviour',
};
