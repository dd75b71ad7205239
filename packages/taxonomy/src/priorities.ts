/**
 * Partnership priorities: the shared taxonomy every source category maps to.
 * Counts by priority are what a tasking group reads; the source category is
 * always kept beside it so nothing is lost in translation.
 */
export const PRIORITIES = [
  'anti_social_behaviour',
  'acquisitive_crime',
  'violence',
  'criminal_damage_arson',
  'drugs_alcohol',
  'road_safety',
  'environmental',
  'other',
] as const;
export type Priority = (typeof PRIORITIES)[number];

export const PRIORITY_LABELS: Readonly<Record<Priority, string>> = {
  anti_social_behaviour: 'Anti-social behaviour',
  acquisitive_crime: 'Acquisitive crime',
  violence: 'Violence',
  criminal_damage_arson: 'Criminal damage & arson',
  drugs_alcohol: 'Drugs & alcohol',
  road_safety: 'Road safety',
  environmental: 'Environmental',
  other: 'Other',
};

export function isPriority(value: string): value is Priority {
  return (PRIORITIES as readonly string[]).includes(value);
}
