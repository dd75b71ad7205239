import { describe, expect, it } from 'vitest';
import { bngToWgs84, parseGridPair, parseGridValue } from './grid';

/** Great-circle distance in metres (haversine, mean Earth radius): independent of proj4. */
function metresBetween(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

/**
 * Published Ordnance Survey reference points: OSGB36 National Grid coordinates
 * with their ETRS89 latitude/longitude (ETRS89 is within a metre of WGS84 in
 * Great Britain). The OS values come from OSTN15/OSTN02 (sub-metre); the
 * adapter uses the 7-parameter Helmert shift, good to a few metres.
 */
const OS_REFERENCE_POINTS = [
  {
    // Worked example in the OS "Transformations and OSGM15 user guide", Annexe A
    // (Caister water tower, Norfolk): ETRS89 -> OSGB36 with OSTN15.
    name: 'Caister water tower',
    easting: 651409.804,
    northing: 313177.45,
    latitude: 52.658007833,
    longitude: 1.716073973,
  },
  {
    // OS OSTN02 test point BRIS (Bristol), from the OS transformation test data.
    name: 'OS test point BRIS (Bristol)',
    easting: 362269.979,
    northing: 169978.688,
    latitude: 51.42754743361111,
    longitude: -2.544076186111111,
  },
] as const;

describe('British National Grid to WGS84', () => {
  it.each(OS_REFERENCE_POINTS)('$name: within 5 m of the Ordnance Survey coordinates', (p) => {
    const converted = bngToWgs84(p.easting, p.northing);
    expect(metresBetween(converted, p)).toBeLessThan(5);
  });

  it('reads masked AFRS values as the centre of the square they stand for', () => {
    expect(parseGridValue('376***')).toEqual({ ok: true, value: { metres: 376500, squareM: 1000 } });
    expect(parseGridValue('1165**')).toEqual({ ok: true, value: { metres: 116550, squareM: 100 } });
    expect(parseGridValue(' 528652.0 ')).toEqual({ ok: true, value: { metres: 528652, squareM: 1 } });
    expect(parseGridValue('')).toEqual({ ok: true, value: null });
    expect(parseGridValue('37*6**').ok).toBe(false);
    expect(parseGridValue('-2.5').ok).toBe(false);
  });

  it('places a masked pair at the centre of its 1 km square (inside the square, 500 m from its corner)', () => {
    const pair = parseGridPair('376***', '165***');
    expect(pair.ok).toBe(true);
    if (!pair.ok || !pair.value) return;
    expect(pair.value).toMatchObject({ easting: 376500, northing: 165500, squareM: 1000 });
    const corner = bngToWgs84(376000, 165000);
    const farCorner = bngToWgs84(377000, 166000);
    expect(pair.value.latitude).toBeGreaterThan(corner.latitude);
    expect(pair.value.latitude).toBeLessThan(farCorner.latitude);
    expect(pair.value.longitude).toBeGreaterThan(corner.longitude);
    expect(pair.value.longitude).toBeLessThan(farCorner.longitude);
    expect(metresBetween(pair.value, corner)).toBeCloseTo(Math.SQRT2 * 500, -1);
  });

  it.each([
    ['only one value', '376500', '', 'only one of easting and northing'],
    ['not a number', 'ST7565', '165000', 'is not a grid coordinate'],
    ['beyond the grid', '900000', '165000', 'outside the British National Grid'],
    ['in the grid but in France', '690000', '40000', 'outside the UK'],
    ['latitude/longitude typed as easting/northing', '51.45', '-2.58', 'is not a grid coordinate'],
  ])('refuses %s', (_name, easting, northing, message) => {
    const pair = parseGridPair(easting, northing);
    expect(pair.ok).toBe(false);
    if (!pair.ok) expect(pair.message).toContain(message);
  });

  it('leaves a row with neither value unlocated', () => {
    expect(parseGridPair(' ', '')).toEqual({ ok: true, value: null });
  });
});
