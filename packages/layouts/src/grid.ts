import proj4 from 'proj4';
import { UK_BOUNDS, type Parsed } from '@csp-hub/adapter-kit';

/**
 * British National Grid (EPSG:27700): OSGB36 datum on the Airy 1830 ellipsoid,
 * transverse Mercator, with the standard 7-parameter Helmert shift to WGS84.
 * The Helmert shift is good to a few metres across Great Britain (OSTN15 would
 * be sub-metre); every source the hub reads is coarser than that anyway.
 */
export const BNG_PROJ =
  '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy ' +
  '+towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs';

const bngToWgs84Converter = proj4(BNG_PROJ, 'WGS84');

/** Extent of the National Grid (metres); anything outside is not a BNG coordinate. */
export const BNG_EXTENT = { maxEasting: 700_000, maxNorthing: 1_300_000 };

export interface LatLon {
  latitude: number;
  longitude: number;
}

/** A BNG easting/northing in metres -> WGS84 latitude/longitude (degrees). */
export function bngToWgs84(easting: number, northing: number): LatLon {
  const [longitude, latitude] = bngToWgs84Converter.forward([easting, northing]);
  return { latitude: latitude!, longitude: longitude! };
}

/** One grid value: the metres to use and the size of the square it stands for. */
export interface GridValue {
  metres: number;
  /** 1 for an exact value; 10^k for a value masked with k asterisks (centre of the square). */
  squareM: number;
}

/**
 * A BNG easting or northing: plain metres (`528652`, `528652.0`) or masked with
 * trailing asterisks (`376***` = somewhere in 376000-376999 -> 376500, a 1 km
 * square). Empty -> null.
 */
export function parseGridValue(text: string): Parsed<GridValue | null> {
  const t = text.trim();
  if (t === '') return { ok: true, value: null };
  if (/^\d+(\.\d+)?$/.test(t)) return { ok: true, value: { metres: Number(t), squareM: 1 } };
  const masked = /^(\d+)(\*+)$/.exec(t);
  if (masked) {
    const squareM = 10 ** masked[2]!.length;
    return { ok: true, value: { metres: Number(masked[1]) * squareM + squareM / 2, squareM } };
  }
  return { ok: false, message: `"${text}" is not a grid coordinate in metres (e.g. 528652, or 376*** when masked)` };
}

export interface GridLocation extends LatLon {
  easting: number;
  northing: number;
  /** Side of the grid square the source location stands for (1 = exact). */
  squareM: number;
}

/**
 * A BNG easting/northing pair -> WGS84. Both empty -> null (not located).
 * One empty, unreadable, outside the National Grid or (after conversion)
 * outside the UK -> error message.
 */
export function parseGridPair(eastingText: string, northingText: string): Parsed<GridLocation | null> {
  const e = parseGridValue(eastingText);
  if (!e.ok) return { ok: false, message: `easting ${e.message}` };
  const n = parseGridValue(northingText);
  if (!n.ok) return { ok: false, message: `northing ${n.message}` };
  if (e.value === null && n.value === null) return { ok: true, value: null };
  if (e.value === null || n.value === null) return { ok: false, message: 'only one of easting and northing is given' };
  const easting = e.value.metres;
  const northing = n.value.metres;
  if (easting > BNG_EXTENT.maxEasting || northing > BNG_EXTENT.maxNorthing) {
    return { ok: false, message: `${easting}, ${northing} is outside the British National Grid (easting 0-700000, northing 0-1300000 m)` };
  }
  const { latitude, longitude } = bngToWgs84(easting, northing);
  if (!insideUk(latitude, longitude)) {
    return { ok: false, message: `easting ${easting}, northing ${northing} (${latitude.toFixed(4)}, ${longitude.toFixed(4)}) is outside the UK` };
  }
  return { ok: true, value: { easting, northing, latitude, longitude, squareM: Math.max(e.value.squareM, n.value.squareM) } };
}

export function insideUk(latitude: number, longitude: number): boolean {
  return latitude >= UK_BOUNDS.minLat && latitude <= UK_BOUNDS.maxLat && longitude >= UK_BOUNDS.minLon && longitude <= UK_BOUNDS.maxLon;
}
