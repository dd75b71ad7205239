import type { LayoutTransform } from '@csp-hub/layouts';
import { ACCEPTED_STOP_CODES, afrsLabel, FIRE_STOP_CODES, INCIDENT_GROUPS, labelFromStopCode, otherOf, parseIncidentGroup } from './stop-codes';

const unknownGroup = (text: string) => ({
  ok: false as const,
  input: 'incidentGroup',
  reason: 'UNKNOWN_CATEGORY',
  message: `"${text}" is not an incident group (${INCIDENT_GROUPS.join(', ')})`,
});

/**
 * `fire-stop-code`: a stop code as LFB and IRS extracts write it ("Secondary
 * Fire", "AFA", "False alarm - Malicious"), read with its incident group, to the
 * canonical label: "Special Service" with special service type RTC is a road
 * traffic collision; a fire without a motive takes one from the cause of fire.
 */
export const FIRE_STOP_CODE: LayoutTransform = {
  name: 'fire-stop-code',
  description: 'stop code + incident group (+ special service type, cause of fire) -> canonical fire stop-code label',
  inputs: {
    stopCode: { required: true, description: 'the stop code as written' },
    incidentGroup: { required: true, description: 'Fire, Special Service or False Alarm' },
    specialServiceType: { required: false, description: 'e.g. RTC' },
    causeOfFire: { required: false, description: 'Deliberate / Accidental ...' },
  },
  options: {
    unrecognised: {
      values: ['reject', 'group-other'],
      default: 'reject',
      description: 'a stop code not in the list: reject the row, or use the group\'s "Other ..." label',
    },
  },
  apply(inputs, options) {
    const group = parseIncidentGroup(inputs.incidentGroup ?? '');
    if (!group) return unknownGroup(inputs.incidentGroup ?? '');
    const stopCode = inputs.stopCode ?? '';
    let label = labelFromStopCode(stopCode, inputs.specialServiceType ?? '', inputs.causeOfFire ?? '');
    if (label === undefined) {
      if (options.unrecognised !== 'group-other') {
        return { ok: false, input: 'stopCode', reason: 'UNKNOWN_CATEGORY', message: `"${stopCode}" is not a recognised stop code. Use one of: ${ACCEPTED_STOP_CODES.join('; ')}` };
      }
      label = otherOf(group);
    }
    if (FIRE_STOP_CODES[label] !== group) {
      return {
        ok: false,
        input: 'stopCode',
        reason: 'UNKNOWN_CATEGORY',
        message: `stop code "${stopCode}" (${label}) belongs to incident group ${FIRE_STOP_CODES[label]}, not ${group}`,
      };
    }
    return { ok: true, value: label };
  },
};

/**
 * `fire-irs-stop-code`: extracts without a stop code (the AFRS monthly file)
 * derive it from the Incident Recording System fields: incident group, primary
 * fire flag, cause of fire, chimney flag, special service type, RTC flag and
 * false alarm reason.
 */
export const FIRE_IRS_STOP_CODE: LayoutTransform = {
  name: 'fire-irs-stop-code',
  description: 'IRS fields (group, primary fire, cause, chimney, special service type, RTC, false alarm reason) -> canonical fire stop-code label',
  inputs: {
    incidentGroup: { required: true, description: 'Fire, Special Service or False Alarm' },
    isPrimaryFire: { required: true, description: 'yes/no' },
    causeOfFire: { required: true, description: 'Deliberate - ... / Accidental' },
    confinedToChimney: { required: true, description: 'yes/no' },
    specialServiceType: { required: true, description: 'e.g. RTC, ...' },
    roadTrafficCollision: { required: true, description: 'yes/no' },
    falseAlarmReason: { required: true, description: 'Malicious False Alarm > ..., Good Intent ..., ... Apparatus ...' },
  },
  apply(inputs) {
    const group = parseIncidentGroup(inputs.incidentGroup ?? '');
    if (!group) return unknownGroup(inputs.incidentGroup ?? '');
    return {
      ok: true,
      value: afrsLabel(group, {
        isPrimaryFire: inputs.isPrimaryFire ?? '',
        causeOfFire: inputs.causeOfFire ?? '',
        confinedToChimney: inputs.confinedToChimney ?? '',
        specialServiceType: inputs.specialServiceType ?? '',
        roadTrafficCollision: inputs.roadTrafficCollision ?? '',
        falseAlarmReason: inputs.falseAlarmReason ?? '',
      }),
    };
  },
};

/** The transforms fire layout files may name. */
export const FIRE_TRANSFORMS: readonly LayoutTransform[] = [FIRE_STOP_CODE, FIRE_IRS_STOP_CODE];
