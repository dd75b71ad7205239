import { candidatesAdapter, chooseCandidate, fileCandidate, layoutsDescription, loadShippedLayout, transformRegistry, type ShippedLayout } from '@csp-hub/layouts';
import type { FeedAdapter } from '@csp-hub/adapter-kit';
import { FIRE_TRANSFORMS } from './transforms';

/**
 * The fire feed's built-in layouts are files (packages/adapter-fire/layouts/*.yaml)
 * run by the one layout engine in @csp-hub/layouts; the stop-code rules they
 * cannot express are the named transforms in transforms.ts.
 */
const transforms = transformRegistry(FIRE_TRANSFORMS);

/** The layout files this package ships, in the order they are tried. */
export const FIRE_LAYOUT_FILES: readonly ShippedLayout[] = [
  loadShippedLayout(new URL('../layouts/afrs.yaml', import.meta.url), transforms),
  loadShippedLayout(new URL('../layouts/lfb.yaml', import.meta.url), transforms),
  loadShippedLayout(new URL('../layouts/fire-generic.yaml', import.meta.url), transforms),
];

/** A fire layout's header: required and optional columns, and the alternative groups of which one must be present. */
export interface FireLayout {
  id: string;
  label: string;
  required: readonly string[];
  optional: readonly string[];
  oneOf?: readonly (readonly string[])[];
}

function summary({ layout }: ShippedLayout): FireLayout {
  return { id: layout.id, label: layout.label, required: layout.required, optional: layout.optional, ...(layout.anyOf ? { oneOf: layout.anyOf.groups } : {}) };
}

export const AFRS_LAYOUT: FireLayout = summary(FIRE_LAYOUT_FILES[0]!);
export const LFB_LAYOUT: FireLayout = summary(FIRE_LAYOUT_FILES[1]!);
export const GENERIC_LAYOUT: FireLayout = summary(FIRE_LAYOUT_FILES[2]!);
export const FIRE_LAYOUTS: readonly FireLayout[] = [AFRS_LAYOUT, LFB_LAYOUT, GENERIC_LAYOUT];

/** Side of the square LFB's Easting_rounded/Northing_rounded stand for (precisionM in lfb.yaml). */
export const LFB_ROUNDED_SQUARE_M = 100;

const candidates = FIRE_LAYOUT_FILES.map((f) => fileCandidate(f.layout));

/**
 * The layout a header belongs to; otherwise HubError invalid_input WRONG_HEADER
 * naming what each layout needs and what the closest one lacks.
 */
export function detectLayout(header: readonly string[]): FireLayout {
  const chosen = chooseCandidate(candidates, header, 'fire.incidents');
  return FIRE_LAYOUTS.find((l) => l.id === chosen.id)!;
}

/**
 * fire.incidents: fire and rescue attended incidents, one row per incident, in
 * the AFRS monthly, LFB or generic extract layout (told apart by the header).
 * `requiredColumns` are the generic layout's; see FIRE_LAYOUTS for all three.
 */
export const fireIncidentsAdapter: FeedAdapter = candidatesAdapter(candidates, {
  description: layoutsDescription(
    'fire.incidents',
    FIRE_LAYOUT_FILES[2]!.layout,
    FIRE_LAYOUT_FILES.map((f) => f.layout),
  ),
});
