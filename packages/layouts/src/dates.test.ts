import { describe, expect, it } from 'vitest';
import { compileDateFormats, monthNumber, whenOf, type DateFields, type PatternUse } from './dates';

function formats(list: string[], use: PatternUse = 'datetime') {
  const compiled = compileDateFormats(list, use);
  if (!compiled.ok) throw new Error(compiled.problems.map((p) => p.message).join('; '));
  return compiled.value;
}

/** The instant (or date, for a date-only value) a datetime format reads from a value. */
function read(format: string | string[], value: string): string {
  const parsed = formats(typeof format === 'string' ? [format] : format).parse(value);
  if (!parsed.ok) return `error: ${parsed.message}`;
  const when = whenOf(parsed.value as Required<DateFields>);
  return when.hasTime ? when.instant : `date ${when.date}`;
}

describe('date patterns -> instants (Europe/London wall-clock time unless an offset is given)', () => {
  it.each([
    // day-first, as UK exports write it; GMT in February, BST in July
    ['dd/MM/yyyy HH:mm', '03/02/2024 14:05', '2024-02-03T14:05:00.000Z'],
    ['dd/MM/yyyy HH:mm', '03/07/2024 14:05', '2024-07-03T13:05:00.000Z'],
    // one or two digits either way
    ['dd/MM/yyyy HH:mm', '3/7/2024 9:05', '2024-07-03T08:05:00.000Z'],
    ['d/M/yyyy H:mm:ss', '11/11/2019 09:36:00', '2019-11-11T09:36:00.000Z'],
    // 12-hour clocks: noon and midnight, any case, with or without a space
    ['dd/MM/yyyy hh:mm:ss a', '11/11/2019 09:36:00 AM', '2019-11-11T09:36:00.000Z'],
    ['dd/MM/yyyy hh:mm:ss a', '19/09/2016 12:43:00 PM', '2016-09-19T11:43:00.000Z'],
    ['dd/MM/yyyy hh:mm:ss a', '21/11/2019 12:00:00 AM', '2019-11-21T00:00:00.000Z'],
    ['dd/MM/yyyy hh:mm a', '26/10/2024 11:30pm', '2024-10-26T22:30:00.000Z'],
    // ISO with T, offsets, Z and a UTC suffix; fractions of a second ignored
    ["yyyy-MM-dd'T'HH:mm:ss", '2024-06-01T00:40:00', '2024-05-31T23:40:00.000Z'],
    ["yyyy-MM-dd'T'HH:mm:ssXXX", '2024-01-01T00:40:00+00:00', '2024-01-01T00:40:00.000Z'],
    ["yyyy-MM-dd'T'HH:mm:ssXXX", '2024-07-01T10:00:00+02:00', '2024-07-01T08:00:00.000Z'],
    ['yyyy-MM-dd HH:mm:ss z', '2010-07-04 19:00:35 UTC', '2010-07-04T19:00:35.000Z'],
    ['yyyy-MM-ddTHH:mm:ss.SSS', '2024-03-01T14:05:00.123', '2024-03-01T14:05:00.000Z'],
    // month names, weekday names, two-digit years
    ['d MMM yyyy HH:mm:ss', '01 Jan 2009 00:00:37', '2009-01-01T00:00:37.000Z'],
    ['d MMMM yyyy H:mm', '1 July 2014 01:54', '2014-07-01T00:54:00.000Z'],
    ['EEE d MMM yyyy HH:mm', 'Sat 3 Feb 2024 14:05', '2024-02-03T14:05:00.000Z'],
    ['d MMM yyyy', '1 Sept 2014', 'date 2014-09-01'],
    ['dd/MM/yy HH:mm', '03/02/24 14:05', '2024-02-03T14:05:00.000Z'],
    ['dd/MM/yy', '03/02/98', 'date 1998-02-03'],
    // no separators: fixed widths
    ['yyyyMMddHHmm', '202402031405', '2024-02-03T14:05:00.000Z'],
    // optional parts: a date with or without its time
    ['dd/MM/yyyy[ HH:mm]', '03/02/2024', 'date 2024-02-03'],
    ['dd/MM/yyyy[ HH:mm]', '03/02/2024 14:05', '2024-02-03T14:05:00.000Z'],
    // the named formats
    ['iso', '2024-03-31', 'date 2024-03-31'],
    ['iso', '2024-03-31 14:05', '2024-03-31T13:05:00.000Z'],
    ['iso', '2024-03-31T14:05:00Z', '2024-03-31T14:05:00.000Z'],
    ['uk', '31/03/2024 02:05:00 PM', '2024-03-31T13:05:00.000Z'],
    ['uk', '31/03/2024', 'date 2024-03-31'],
  ])('%s reads %s as %s', (format, value, expected) => {
    expect(read(format, value)).toBe(expected);
  });

  it('tries formats in turn: the first that reads the value wins', () => {
    expect(read(['dd/MM/yyyy HH:mm', 'yyyy-MM-dd'], '2024-02-03')).toBe('date 2024-02-03');
    expect(read(['dd/MM/yyyy HH:mm', 'yyyy-MM-dd'], '03/02/2024 14:05')).toBe('2024-02-03T14:05:00.000Z');
  });

  it.each([
    ['dd/MM/yyyy HH:mm', '31/02/2024 10:00', '"31/02/2024 10:00" is not a real date: 2024-02 has no day 31'],
    ['dd/MM/yyyy HH:mm', '07/13/2019 10:00', '"07/13/2019 10:00" has no month 13'],
    ['dd/MM/yyyy HH:mm', '03/02/2024 25:05', '"03/02/2024 25:05" is not a real time'],
    ['dd/MM/yyyy hh:mm a', '03/02/2024 13:05 PM', '"03/02/2024 13:05 PM" has hour 13 with PM'],
    ['dd/MM/yyyy HH:mm', '03/02/1889 10:00', '"03/02/1889 10:00" is outside the years 1990-2100'],
    ['dd/MM/yyyy HH:mm', 'yesterday', '"yesterday" is not a date in the expected format (dd/MM/yyyy HH:mm)'],
    ['dd/MM/yyyy HH:mm', '03/02/2024 14:05 extra', 'is not a date in the expected format'],
    ['d MMM yyyy', '1 Julember 2014', '"Julember" is not a month name'],
  ])('%s refuses %s', (format, value, message) => {
    expect(read(format, value)).toContain(message);
  });

  it('turns the clock change into the right instants (BST starts 31 March 2024, ends 27 October 2024)', () => {
    expect(read('dd/MM/yyyy HH:mm', '31/03/2024 00:30')).toBe('2024-03-31T00:30:00.000Z');
    expect(read('dd/MM/yyyy HH:mm', '31/03/2024 03:30')).toBe('2024-03-31T02:30:00.000Z');
    expect(read('dd/MM/yyyy HH:mm', '27/10/2024 00:30')).toBe('2024-10-26T23:30:00.000Z');
    expect(read('dd/MM/yyyy HH:mm', '27/10/2024 03:30')).toBe('2024-10-27T03:30:00.000Z');
  });

  it('gives the London month and day of an instant read with an offset', () => {
    const parsed = formats(['iso']).parse('2024-06-30T23:30:00Z');
    expect(parsed.ok && whenOf(parsed.value as Required<DateFields>)).toMatchObject({ month: '2024-07', date: '2024-07-01', hasTime: true });
  });

  it('reads the parts of a split date', () => {
    expect(formats(['d'], 'day').parse('31')).toEqual({ ok: true, value: { day: 31 } });
    expect(formats(['MMMM', 'M'], 'month').parse('Jul')).toEqual({ ok: true, value: { month: 7 } });
    expect(formats(['MMMM', 'M'], 'month').parse('7')).toEqual({ ok: true, value: { month: 7 } });
    expect(formats(['yyyy'], 'year').parse('2014')).toEqual({ ok: true, value: { year: 2014 } });
    expect(formats(['H:mm[:ss]'], 'time').parse('01:54:02')).toEqual({ ok: true, value: { hour: 1, minute: 54, second: 2 } });
    expect(formats(['H:mm[:ss]'], 'time').parse('1.54pm').ok).toBe(false);
    expect(formats(['yyyy-MM'], 'month-of-year').parse('2024-01')).toEqual({ ok: true, value: { year: 2024, month: 1 } });
    expect(monthNumber('sept')).toBe(9);
    expect(monthNumber('Ju')).toBeUndefined();
  });
});

describe('format checks name what is wrong', () => {
  const problems = (list: string[], use: PatternUse = 'datetime') => {
    const compiled = compileDateFormats(list, use);
    return compiled.ok ? [] : compiled.problems;
  };

  it('explains the classic mistakes in "dd/mm/yy hh"', () => {
    const [p] = problems(['dd/mm/yy hh']);
    expect(p).toEqual({
      index: 0,
      message:
        'unknown date format "dd/mm/yy hh": no month ("mm" is minutes; the month is "MM"); "hh" is a 12-hour clock hour and needs "a" for AM/PM (use "HH" for a 24-hour clock)',
    });
  });

  it.each([
    ['yyyy-MM-dd QQ', '"QQ" is text, not date letters'],
    ['yyy-MM-dd', '"yyy" is not a year'],
    ['dd/MM/yyyy HH:mm a', '"a" (AM/PM) needs a 12-hour hour "hh"'],
    ['dd/MM HH:mm', 'no year'],
    ["dd/MM/yyyy 'at HH:mm", 'is not closed'],
    ['dd/MM/yyyy [HH:mm', 'a "[" is not closed'],
    ['', 'the format is empty'],
  ])('%s: %s', (format, message) => {
    expect(problems([format])[0]?.message).toContain(message);
  });

  it('checks a format against its use', () => {
    expect(problems(['HH:mm'], 'date')[0]?.message).toContain('no year');
    expect(problems(['dd/MM/yyyy'], 'time')[0]?.message).toContain('does not belong in a time format');
    expect(problems(['dd/MM/yyyy', 'iso', 'nonsense'])).toEqual([{ index: 2, message: expect.stringContaining('"nonsense" is text, not date letters') }]);
  });
});
