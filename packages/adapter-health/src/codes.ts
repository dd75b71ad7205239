/**
 * Allowed values of ASSAULT METHOD and ASSAULT LOCATION TYPE. These lists are
 * our reading of the NHS Data Dictionary items for the ISTV minimum data set
 * (ISB/SCCI 1594); the published national code lists were not available here,
 * so check the codes and labels against them before relying on the codes.
 *
 * A value is accepted as its code (`3` or `03`), its label, or one of the listed
 * alternative spellings, matched case-insensitively with white space folded and
 * `/` read as "or" and `&` as "and". Incidents carry the label and the code.
 */
export interface CodedValue {
  code: string;
  label: string;
  /** What the value covers (documentation). */
  covers: string;
  /** Other spellings accepted for the label. */
  also: readonly string[];
}

export const ASSAULT_METHODS: readonly CodedValue[] = [
  { code: '01', label: 'Body part', covers: 'fist, feet, head (no weapon)', also: ['Body part (fist, feet, head)', 'Fist, feet or head'] },
  { code: '02', label: 'Blunt object', covers: 'bat, club, stick, other blunt instrument', also: ['Blunt instrument'] },
  { code: '03', label: 'Knife or sharp object', covers: 'knife, blade, other sharp or pointed object', also: ['Knife', 'Sharp object', 'Knife or other sharp object'] },
  { code: '04', label: 'Firearm', covers: 'gun, air weapon', also: ['Gun'] },
  { code: '05', label: 'Glass or bottle', covers: 'glass, bottle (broken or not)', also: ['Bottle or glass'] },
  { code: '98', label: 'Other', covers: 'anything else: describe it in ASSAULT METHOD OTHER DESCRIPTION', also: ['Other method'] },
  { code: '99', label: 'Not known', covers: 'method not recorded or not known', also: ['Unknown'] },
];

export const ASSAULT_LOCATION_TYPES: readonly CodedValue[] = [
  { code: '01', label: 'Public place', covers: 'street, road, park, other open public space', also: ['Street', 'Public place or street', 'Street or public place'] },
  { code: '02', label: 'Licensed premises', covers: 'pub, bar, club, other premises licensed to sell alcohol', also: ['Pub or club', 'Pub, bar or club'] },
  { code: '03', label: 'Home', covers: "the patient's or another private dwelling", also: ['Private dwelling', 'Residential'] },
  { code: '04', label: 'Workplace', covers: 'place of work (other than licensed premises)', also: ['Work', 'Place of work'] },
  { code: '05', label: 'Educational establishment', covers: 'school, college, university', also: ['School', 'School or college'] },
  { code: '06', label: 'Public transport', covers: 'bus, train, tram, station, stop', also: ['Transport'] },
  { code: '98', label: 'Other', covers: 'anything else (say where in ASSAULT LOCATION DESCRIPTION)', also: ['Other location'] },
  { code: '99', label: 'Not known', covers: 'location type not recorded or not known', also: ['Unknown'] },
];

function fold(value: string): string {
  return value
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\s*\/\s*/g, ' or ')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface CodeList {
  /** The coded value a source value stands for, or undefined when it is not allowed. */
  find(value: string): CodedValue | undefined;
  /** "01 Body part, 02 Blunt object, ..." for messages. */
  readonly summary: string;
}

export function codeList(values: readonly CodedValue[]): CodeList {
  const byKey = new Map<string, CodedValue>();
  for (const v of values) {
    byKey.set(v.code, v);
    for (const spelling of [v.label, ...v.also]) byKey.set(fold(spelling), v);
  }
  return {
    find(value) {
      const key = fold(value);
      return byKey.get(/^\d{1,2}$/.test(key) ? key.padStart(2, '0') : key);
    },
    summary: values.map((v) => `${v.code} ${v.label}`).join(', '),
  };
}

export const METHOD_CODES = codeList(ASSAULT_METHODS);
export const LOCATION_TYPE_CODES = codeList(ASSAULT_LOCATION_TYPES);
