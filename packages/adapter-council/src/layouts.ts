import type { FeedAdapter } from '@csp-hub/adapter-kit';
import { candidatesAdapter, fileCandidate, layoutsDescription, loadShippedLayout, transformRegistry, type CompiledLayout, type ShippedLayout } from '@csp-hub/layouts';
import { COUNCIL_TRANSFORMS } from './transforms';

/**
 * The council feeds' built-in layouts are files (packages/adapter-council/layouts/*.yaml)
 * run by the one layout engine in @csp-hub/layouts.
 */
const transforms = transformRegistry(COUNCIL_TRANSFORMS);
const load = (name: string): ShippedLayout => loadShippedLayout(new URL(`../layouts/${name}.yaml`, import.meta.url), transforms);

export const ASB_LAYOUT_FILE = load('council-asb');
export const FLY_TIPPING_LAYOUT_FILE = load('council-fly-tipping');
export const GRAFFITI_LAYOUT_FILE = load('council-graffiti');
export const NOISE_LAYOUT_FILE = load('council-noise');
export const ABANDONED_VEHICLES_LAYOUT_FILE = load('council-abandoned-vehicles');
export const SERVICE_REQUESTS_LAYOUT_FILE = load('banes-service-requests');
export const STREET_REPORTS_LAYOUT_FILE = load('fixmystreet');

/** The layout files this package ships. */
export const COUNCIL_LAYOUT_FILES: readonly ShippedLayout[] = [
  ASB_LAYOUT_FILE,
  FLY_TIPPING_LAYOUT_FILE,
  GRAFFITI_LAYOUT_FILE,
  NOISE_LAYOUT_FILE,
  ABANDONED_VEHICLES_LAYOUT_FILE,
  SERVICE_REQUESTS_LAYOUT_FILE,
  STREET_REPORTS_LAYOUT_FILE,
];

function allowed(layout: CompiledLayout, attribute: string): readonly string[] {
  return layout.definition.columns.attributes?.[attribute]?.values ?? [];
}

/** Flycapture fly-tipping size categories (Defra), in increasing size, as council-fly-tipping.yaml lists them. */
export const FLYCAPTURE_SIZES: readonly string[] = allowed(FLY_TIPPING_LAYOUT_FILE.layout, 'size');
/** Home Office ASB categories, as council-asb.yaml lists them. */
export const ASB_CATEGORIES: readonly string[] = allowed(ASB_LAYOUT_FILE.layout, 'asbCategory');

/** A feed adapter reading one layout file. */
function singleLayoutAdapter({ layout }: ShippedLayout): FeedAdapter {
  return candidatesAdapter([fileCandidate(layout)], { description: layoutsDescription(layout.feed, layout, [layout]) });
}

export const asbAdapter = singleLayoutAdapter(ASB_LAYOUT_FILE);
export const flyTippingAdapter = singleLayoutAdapter(FLY_TIPPING_LAYOUT_FILE);
export const graffitiAdapter = singleLayoutAdapter(GRAFFITI_LAYOUT_FILE);
export const noiseAdapter = singleLayoutAdapter(NOISE_LAYOUT_FILE);
export const abandonedVehiclesAdapter = singleLayoutAdapter(ABANDONED_VEHICLES_LAYOUT_FILE);
export const serviceRequestsAdapter = singleLayoutAdapter(SERVICE_REQUESTS_LAYOUT_FILE);
export const streetReportsAdapter = singleLayoutAdapter(STREET_REPORTS_LAYOUT_FILE);
