/**
 * Fire and rescue incident groups and the canonical stop-code labels the
 * adapter derives from each layout. The label is the incident's
 * `sourceCategory`; `classify('fire', label)` gives the partnership priority
 * (see packages/taxonomy/src/categories/fire.ts).
 */
export const INCIDENT_GROUPS = ['Fire', 'Special Service', 'False Alarm'] as const;
export type IncidentGroup = (typeof INCIDENT_GROUPS)[number];

/** Every canonical label and the incident group it belongs to. */
export const FIRE_STOP_CODES = {
  'Deliberate primary fire': 'Fire',
  'Deliberate secondary fire': 'Fire',
  /** Deliberate, but the source does not say primary or secondary. */
  'Deliberate fire': 'Fire',
  'Accidental primary fire': 'Fire',
  'Accidental secondary fire': 'Fire',
  'Accidental fire': 'Fire',
  /** Primary fire whose cause (deliberate or accidental) the source does not record (e.g. LFB). */
  'Primary fire': 'Fire',
  'Secondary fire': 'Fire',
  'Chimney fire': 'Fire',
  /** Fire reported after it was out (LFB "Late Call"). */
  'Late call': 'Fire',
  'Other fire': 'Fire',
  'Road traffic collision': 'Special Service',
  'Other special service': 'Special Service',
  'Hoax/malicious false alarm': 'False Alarm',
  'False alarm - good intent': 'False Alarm',
  'False alarm - apparatus': 'False Alarm',
  'Other false alarm': 'False Alarm',
} as const satisfies Record<string, IncidentGroup>;
export type FireStopCode = keyof typeof FIRE_STOP_CODES;
export const FIRE_STOP_CODE_LABELS = Object.keys(FIRE_STOP_CODES) as FireStopCode[];

/** Lower case, dashes unified, white space folded: how labels are compared. */
export function fold(text: string): string {
  return text
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/\s*-\s*/g, ' - ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

const GROUPS = new Map<string, IncidentGroup>(INCIDENT_GROUPS.map((g) => [fold(g), g]));

/** `Fire` / `Special Service` / `False Alarm` in any case and spacing; undefined otherwise. */
export function parseIncidentGroup(text: string): IncidentGroup | undefined {
  return GROUPS.get(fold(text)) ?? GROUPS.get(fold(text.replace(/([a-z])([A-Z])/g, '$1 $2')));
}

/** Stop-code wordings accepted by the LFB and generic layouts (folded) -> canonical label. */
const STOP_CODE_WORDS = new Map<string, FireStopCode>([
  ...FIRE_STOP_CODE_LABELS.map((label) => [fold(label), label] as const),
  // LFB StopCodeDescription values and common IRS wordings
  [fold('Special Service'), 'Other special service'],
  [fold('RTC'), 'Road traffic collision'],
  [fold('AFA'), 'False alarm - apparatus'],
  [fold('False alarm - AFA'), 'False alarm - apparatus'],
  [fold('False alarm due to apparatus'), 'False alarm - apparatus'],
  [fold('Fire alarm due to apparatus'), 'False alarm - apparatus'],
  [fold('False alarm - Good intent'), 'False alarm - good intent'],
  [fold('Good intent false alarm'), 'False alarm - good intent'],
  [fold('False alarm - Malicious'), 'Hoax/malicious false alarm'],
  [fold('Malicious false alarm'), 'Hoax/malicious false alarm'],
  [fold('Hoax false alarm'), 'Hoax/malicious false alarm'],
  [fold('Hoax'), 'Hoax/malicious false alarm'],
]);

/** The wordings a generic extract may use in StopCode (for messages and the README). */
export const ACCEPTED_STOP_CODES: readonly string[] = [
  ...FIRE_STOP_CODE_LABELS,
  'Special Service',
  'RTC',
  'AFA',
  'False alarm - Malicious',
  'Malicious false alarm',
  'Hoax',
  'Good intent false alarm',
];

export type Motive = 'deliberate' | 'accidental' | 'unknown';

/** "Deliberate – others property", "Arson" -> deliberate; "Accidental" -> accidental; anything else unknown. */
export function parseMotive(causeOfFire: string): Motive {
  const c = fold(causeOfFire);
  if (c.startsWith('deliberate') || c.startsWith('arson') || c.startsWith('malicious')) return 'deliberate';
  if (c.startsWith('accidental')) return 'accidental';
  return 'unknown';
}

/** yes/no style flags; undefined when empty or not a recognisable answer. */
export function parseYesNo(text: string): boolean | undefined {
  const t = fold(text);
  if (['yes', 'y', 'true', '1'].includes(t)) return true;
  if (['no', 'n', 'false', '0'].includes(t)) return false;
  return undefined;
}

function fireLabel(motive: Motive, primary: boolean | undefined): FireStopCode {
  const kind = primary === undefined ? 'fire' : primary ? 'primary fire' : 'secondary fire';
  if (motive === 'deliberate') return `Deliberate ${kind}` as FireStopCode;
  if (motive === 'accidental') return `Accidental ${kind}` as FireStopCode;
  return primary === undefined ? 'Other fire' : primary ? 'Primary fire' : 'Secondary fire';
}

function isRtcType(specialServiceType: string): boolean {
  const t = fold(specialServiceType);
  return t === 'rtc' || t.startsWith('rtc,') || t.startsWith('rtc ') || t.startsWith('road traffic collision');
}

/**
 * A stop code from an LFB or generic extract, read with its incident group:
 * "Special Service" with special service type RTC is a road traffic collision;
 * a fire stop code without a motive takes one from the cause of fire when the
 * source gives it. Undefined when the wording is not recognised.
 */
export function labelFromStopCode(stopCode: string, specialServiceType: string, causeOfFire: string): FireStopCode | undefined {
  const label = STOP_CODE_WORDS.get(fold(stopCode));
  if (label === undefined) return undefined;
  if (label === 'Other special service' && isRtcType(specialServiceType)) return 'Road traffic collision';
  if (label === 'Primary fire' || label === 'Secondary fire' || label === 'Other fire') {
    const motive = parseMotive(causeOfFire);
    if (motive !== 'unknown') return fireLabel(motive, label === 'Other fire' ? undefined : label === 'Primary fire');
  }
  return label;
}

/** The label for a stop code the source does not recognise: the group's "other". */
export function otherOf(group: IncidentGroup): FireStopCode {
  return group === 'Fire' ? 'Other fire' : group === 'Special Service' ? 'Other special service' : 'Other false alarm';
}

export interface AfrsCategoryFields {
  isPrimaryFire: string;
  causeOfFire: string;
  confinedToChimney: string;
  specialServiceType: string;
  roadTrafficCollision: string;
  falseAlarmReason: string;
}

/**
 * The AFRS monthly layout has no stop code: derive it from the incident
 * category and the IRS fields (primary fire flag, cause of fire, chimney flag,
 * special service type, RTC flag, false alarm reason).
 */
export function afrsLabel(group: IncidentGroup, f: AfrsCategoryFields): FireStopCode {
  if (group === 'Fire') {
    if (parseYesNo(f.confinedToChimney) === true) return 'Chimney fire';
    return fireLabel(parseMotive(f.causeOfFire), parseYesNo(f.isPrimaryFire));
  }
  if (group === 'Special Service') {
    return parseYesNo(f.roadTrafficCollision) === true || isRtcType(f.specialServiceType) ? 'Road traffic collision' : 'Other special service';
  }
  const reason = fold(f.falseAlarmReason);
  if (reason.startsWith('malicious') || reason.includes('hoax')) return 'Hoax/malicious false alarm';
  if (reason.startsWith('good intent')) return 'False alarm - good intent';
  if (reason.includes('apparatus')) return 'False alarm - apparatus';
  return 'Other false alarm';
}
