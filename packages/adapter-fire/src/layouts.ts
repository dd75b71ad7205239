import { HubError } from '@csp-hub/taxonomy';

/**
 * The three CSV layouts the fire feed accepts, told apart by the header row.
 * Required columns must all be present (exact names, any order); optional
 * columns are used when present. Columns not listed are ignored (in particular
 * full postcodes, UPRN/USRN and addresses are never read).
 */
export type FireLayoutId = 'afrs' | 'lfb' | 'generic';

export interface FireLayout {
  id: FireLayoutId;
  label: string;
  required: readonly string[];
  optional: readonly string[];
  /** Further alternatives: at least one group must be present in full. */
  oneOf?: readonly (readonly string[])[];
}

/** Avon Fire & Rescue Service monthly "attended incidents" open-data file (36 columns). */
export const AFRS_LAYOUT = {
  id: 'afrs',
  label: 'AFRS monthly attended incidents',
  required: [
    'Day',
    'Month',
    'Year',
    'Time of Call',
    'Incident Number',
    'X Coordinate',
    'Y Coordinate',
    'Unitary Authority',
    'Ward',
    'Incident Category',
    'Property Category',
    'Property Type',
    'Is Primary Fire',
    'Cause of Fire',
    'Is Fire Confined to Chimney?',
    'Special Service Type',
    'Road Traffic Collision',
    'False Alarm Reason',
  ],
  optional: [
    'Origin of Call',
    'Is Property Derelict?',
    'Main Cause of Fire',
    'Ignition Source',
    'Item First Damaged',
    'No. of fatalities',
    'No. of fire fatalities',
    'No. of injuries',
    'No. of rescues',
  ],
} as const satisfies FireLayout;

/** London Fire Brigade "Incident Records" (London Datastore, 39 columns). */
export const LFB_LAYOUT = {
  id: 'lfb',
  label: 'London Fire Brigade incident records',
  required: [
    'IncidentNumber',
    'DateOfCall',
    'TimeOfCall',
    'IncidentGroup',
    'StopCodeDescription',
    'SpecialServiceType',
    'PropertyCategory',
    'PropertyType',
    'Easting_rounded',
    'Northing_rounded',
  ],
  optional: [
    'Easting_m',
    'Northing_m',
    'Latitude',
    'Longitude',
    'Postcode_district',
    'AddressQualifier',
    'IncGeo_BoroughCode',
    'IncGeo_BoroughName',
    'IncGeo_WardCode',
    'IncGeo_WardName',
    'IncGeo_WardNameNew',
    'IncidentStationGround',
    'FirstPumpArriving_AttendanceTime',
    'NumPumpsAttending',
    'NumCalls',
  ],
} as const satisfies FireLayout;

/**
 * The documented generic incident-level extract (see README.md): what any fire
 * and rescue service can export from its incident recording system.
 */
export const GENERIC_LAYOUT = {
  id: 'generic',
  label: 'generic fire incident-level extract',
  required: ['IncidentNumber', 'CallDateTime', 'IncidentGroup', 'StopCode', 'PropertyType'],
  optional: [
    'Easting',
    'Northing',
    'PostcodeDistrict',
    'Latitude',
    'Longitude',
    'PropertyCategory',
    'SpecialServiceType',
    'FalseAlarmReason',
    'CauseOfFire',
    'LocalAuthority',
    'WardName',
    'WardCode',
    'LsoaCode',
    'Fatalities',
    'Injuries',
    'Rescues',
  ],
  oneOf: [['Easting', 'Northing'], ['PostcodeDistrict']],
} as const satisfies FireLayout;

export const FIRE_LAYOUTS: readonly FireLayout[] = [AFRS_LAYOUT, LFB_LAYOUT, GENERIC_LAYOUT];

/** Every column any layout reads (opening a file with these as optional picks out what it has). */
export const ALL_FIRE_COLUMNS: readonly string[] = [...new Set(FIRE_LAYOUTS.flatMap((l) => [...l.required, ...l.optional]))];

const FEED_LABEL = 'fire and rescue incidents';

function missingFrom(layout: FireLayout, present: ReadonlySet<string>): string[] {
  const missing = layout.required.filter((c) => !present.has(c));
  if (layout.oneOf && !layout.oneOf.some((group) => group.every((c) => present.has(c)))) {
    missing.push(layout.oneOf.map((group) => group.join(' + ')).join(' or '));
  }
  return missing;
}

function needs(layout: FireLayout): string {
  const alternatives = layout.oneOf ? `, and ${layout.oneOf.map((group) => group.join(' + ')).join(' or ')}` : '';
  return `${layout.label}: ${layout.required.join(', ')}${alternatives}`;
}

/**
 * The layout a header belongs to (the first whose columns are all present).
 * Otherwise HubError invalid_input WRONG_HEADER naming what each layout needs
 * and what the closest one lacks.
 */
export function detectLayout(header: readonly string[]): FireLayout {
  const present = new Set(header);
  const scored = FIRE_LAYOUTS.map((layout) => ({ layout, missing: missingFrom(layout, present) }));
  const match = scored.find((s) => s.missing.length === 0);
  if (match) return match.layout;
  const closest = scored
    .map((s) => ({ ...s, share: s.missing.length / (s.layout.required.length + (s.layout.oneOf ? 1 : 0)) }))
    .sort((a, b) => a.share - b.share)[0]!;
  const near = closest.missing
    .map((m) => {
      const match = header.find((h) => h.toLowerCase() === m.toLowerCase());
      return match ? ` ("${match}" differs only in case from "${m}")` : '';
    })
    .join('');
  throw HubError.invalidInput(
    'WRONG_HEADER',
    `This is not a ${FEED_LABEL} file: the header matches none of the accepted layouts. ` +
      `Accepted layouts and the columns each needs — ${FIRE_LAYOUTS.map(needs).join('; ')}. ` +
      `Closest is the ${closest.layout.label}, missing ${closest.missing.join(', ')}${near}. ` +
      `Found: ${header.slice(0, 40).join(', ') || '(nothing)'}.`,
    {
      missing: closest.missing,
      closestLayout: closest.layout.id,
      layouts: Object.fromEntries(FIRE_LAYOUTS.map((l) => [l.id, [...l.required]])),
      found: header,
    },
  );
}
