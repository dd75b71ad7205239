import { describe, expect, it } from 'vitest';
import { parseIsoDateTime, parseLatLon, parseMonth, parseUkDateTime } from './values';

describe('value parsers', () => {
  it('months', () => {
    expect(parseMonth('2024-01')).toEqual({ ok: true, value: '2024-01' });
    expect(parseMonth('2024-13').ok).toBe(false);
    expect(parseMonth('Jan 2024').ok).toBe(false);
  });

  it('UK day-first dates in London time, including BST and 12-hour clocks', () => {
    expect(parseUkDateTime('11/11/2019 09:36:00 AM')).toEqual({ ok: true, value: '2019-11-11T09:36:00.000Z' });
    expect(parseUkDateTime('01/07/2014 12:30:00 PM')).toEqual({ ok: true, value: '2014-07-01T11:30:00.000Z' });
    expect(parseUkDateTime('01/07/2014 12:10:00 AM')).toEqual({ ok: true, value: '2014-06-30T23:10:00.000Z' });
    expect(parseUkDateTime('31/02/2020').ok).toBe(false);
    expect(parseUkDateTime('2020-02-01').ok).toBe(false);
  });

  it('ISO date-times with offsets, Z, or London local', () => {
    expect(parseIsoDateTime('2024-01-01T00:40:00+00:00')).toEqual({ ok: true, value: '2024-01-01T00:40:00.000Z' });
    expect(parseIsoDateTime('2018-06-08T13:40:00+01:00')).toEqual({ ok: true, value: '2018-06-08T12:40:00.000Z' });
    expect(parseIsoDateTime('2010-07-04 19:00:35 UTC')).toEqual({ ok: true, value: '2010-07-04T19:00:35.000Z' });
    expect(parseIsoDateTime('2024-06-01 10:00')).toEqual({ ok: true, value: '2024-06-01T09:00:00.000Z' });
    expect(parseIsoDateTime('2024-02-30T00:00:00Z').ok).toBe(false);
  });

  it('coordinates: empty pair is unlocated; half pairs, junk, out of range and outside the UK are errors', () => {
    expect(parseLatLon('', '')).toEqual({ ok: true, value: null });
    expect(parseLatLon('52.63', '-1.13')).toEqual({ ok: true, value: { latitude: 52.63, longitude: -1.13 } });
    expect(parseLatLon('52.63', '')).toMatchObject({ ok: false, message: 'only one of latitude and longitude is given' });
    expect(parseLatLon('91', '0')).toMatchObject({ ok: false, message: 'latitude 91 is out of range (-90 to 90)' });
    expect(parseLatLon('52', '-200')).toMatchObject({ ok: false, message: 'longitude -200 is out of range (-180 to 180)' });
    expect(parseLatLon('40.7', '-74.0')).toMatchObject({ ok: false, message: '40.7, -74 is outside the UK' });
    expect(parseLatLon('5e1', '1')).toMatchObject({ ok: false });
    expect(parseLatLon('=1+1', '1')).toMatchObject({ ok: false });
  });
});
