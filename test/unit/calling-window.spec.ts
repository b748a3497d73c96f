import { Settings } from 'luxon';
import {
  assertValidCallingWindow,
  nextCallingTime,
  resolveZone,
} from '../../lib/scheduler/calling-window';
import {
  DEFAULT_CALLING_WINDOW,
  type CallingWindow,
} from '../../lib/scheduler/calling-window.interface';

const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];

function next(
  due: string,
  zone: string,
  window: CallingWindow = DEFAULT_CALLING_WINDOW,
): string {
  return nextCallingTime(new Date(due), zone, window).toISOString();
}

describe('nextCallingTime, default window (09:00–20:00, Monday–Saturday)', () => {
  // 2025-06-02 is a Monday.
  it.each([
    ['Wednesday noon', '2025-06-04T12:00:00.000Z'],
    ['09:00 sharp (start is inclusive)', '2025-06-04T09:00:00.000Z'],
    ['just before 20:00', '2025-06-04T19:59:59.999Z'],
    ['Saturday afternoon', '2025-06-07T15:00:00.000Z'],
  ])('returns due when inside the window: %s', (_label, due) => {
    expect(next(due, 'UTC')).toBe(due);
  });

  it('returns the very same Date when inside the window', () => {
    const due = new Date('2025-06-04T12:00:00.000Z');
    expect(nextCallingTime(due, 'UTC', DEFAULT_CALLING_WINDOW)).toBe(due);
  });

  it.each([
    [
      'before 09:00 → 09:00 the same day',
      '2025-06-04T08:59:59.999Z',
      '2025-06-04T09:00:00.000Z',
    ],
    [
      '20:00 sharp (end is exclusive) → next day 09:00',
      '2025-06-04T20:00:00.000Z',
      '2025-06-05T09:00:00.000Z',
    ],
    [
      'after 20:00 → next day 09:00',
      '2025-06-03T20:15:00.000Z',
      '2025-06-04T09:00:00.000Z',
    ],
    [
      'Sunday noon → Monday 09:00',
      '2025-06-01T12:00:00.000Z',
      '2025-06-02T09:00:00.000Z',
    ],
    [
      'Sunday 00:00 → Monday 09:00',
      '2025-06-01T00:00:00.000Z',
      '2025-06-02T09:00:00.000Z',
    ],
    [
      'Saturday 20:30 → Monday 09:00',
      '2025-06-07T20:30:00.000Z',
      '2025-06-09T09:00:00.000Z',
    ],
    [
      'Monday 03:00 → Monday 09:00',
      '2025-06-02T03:00:00.000Z',
      '2025-06-02T09:00:00.000Z',
    ],
  ])('%s', (_label, due, expected) => {
    expect(next(due, 'UTC')).toBe(expected);
  });

  it('reads the window in the given zone', () => {
    // Monday 2025-06-02 06:30Z: 08:30 in Madrid (CEST), 02:30 in New York (EDT).
    const due = '2025-06-02T06:30:00.000Z';
    expect(next(due, 'Europe/Madrid')).toBe('2025-06-02T07:00:00.000Z');
    expect(next(due, 'America/New_York')).toBe('2025-06-02T13:00:00.000Z');
    // 13:30Z: 15:30 in Madrid (inside), 09:30 in New York (inside).
    expect(next('2025-06-02T13:30:00.000Z', 'Europe/Madrid')).toBe(
      '2025-06-02T13:30:00.000Z',
    );
    // Saturday 2025-06-07 19:30Z: 21:30 in Madrid → Monday 09:00 CEST.
    expect(next('2025-06-07T19:30:00.000Z', 'Europe/Madrid')).toBe(
      '2025-06-09T07:00:00.000Z',
    );
    // Saturday 19:30Z is 15:30 in New York: inside.
    expect(next('2025-06-07T19:30:00.000Z', 'America/New_York')).toBe(
      '2025-06-07T19:30:00.000Z',
    );
  });

  it('uses the local weekday, not the UTC one', () => {
    // Sunday 2025-06-08 02:00Z is still Saturday 22:00 in New York → Monday 09:00 EDT.
    expect(next('2025-06-08T02:00:00.000Z', 'America/New_York')).toBe(
      '2025-06-09T13:00:00.000Z',
    );
    // Sunday 2025-06-08 23:30Z is already Monday 08:30 in Tokyo → 09:00 JST.
    expect(next('2025-06-08T23:30:00.000Z', 'Asia/Tokyo')).toBe(
      '2025-06-09T00:00:00.000Z',
    );
  });

  it('honours a custom window', () => {
    const weekdays: CallingWindow = {
      start: '10:30',
      end: '12:00',
      days: [1, 2, 3, 4, 5],
    };
    // Friday 12:00 → Monday 10:30.
    expect(next('2025-06-06T12:00:00.000Z', 'UTC', weekdays)).toBe(
      '2025-06-09T10:30:00.000Z',
    );
    // Only Sundays: Monday → the next Sunday.
    const sundays: CallingWindow = { start: '09:00', end: '20:00', days: [7] };
    expect(next('2025-06-02T10:00:00.000Z', 'UTC', sundays)).toBe(
      '2025-06-08T09:00:00.000Z',
    );
    // Only Mondays, Monday after the window: a week later.
    const mondays: CallingWindow = { start: '09:00', end: '20:00', days: [1] };
    expect(next('2025-06-02T21:00:00.000Z', 'UTC', mondays)).toBe(
      '2025-06-09T09:00:00.000Z',
    );
  });
});

describe('nextCallingTime across DST changes, default window', () => {
  describe('America/New_York (2025-03-09 02:00 EST → 03:00 EDT; 2025-11-02 02:00 EDT → 01:00 EST)', () => {
    const zone = 'America/New_York';

    it.each([
      // Friday 2025-03-07 20:00 EST → Saturday 09:00 EST (UTC-5).
      ['2025-03-08T01:00:00.000Z', '2025-03-08T14:00:00.000Z'],
      // Saturday 2025-03-08 20:30 EST → Monday 09:00 EDT (UTC-4), over the change.
      ['2025-03-09T01:30:00.000Z', '2025-03-10T13:00:00.000Z'],
      // Sunday 2025-03-09 12:00 EDT → Monday 09:00 EDT.
      ['2025-03-09T16:00:00.000Z', '2025-03-10T13:00:00.000Z'],
      // Monday 2025-03-10 08:59 EDT → 09:00 EDT.
      ['2025-03-10T12:59:00.000Z', '2025-03-10T13:00:00.000Z'],
      // Monday 2025-03-10 19:59 EDT is inside.
      ['2025-03-10T23:59:00.000Z', '2025-03-10T23:59:00.000Z'],
      // Monday 2025-03-10 20:00 EDT → Tuesday 09:00 EDT.
      ['2025-03-11T00:00:00.000Z', '2025-03-11T13:00:00.000Z'],
    ])('spring-forward week: %s → %s', (due, expected) => {
      expect(next(due, zone)).toBe(expected);
    });

    it.each([
      // Saturday 2025-11-01 21:00 EDT → Monday 09:00 EST (UTC-5), over the change.
      ['2025-11-02T01:00:00.000Z', '2025-11-03T14:00:00.000Z'],
      // Saturday 2025-11-01 08:00 EDT → 09:00 EDT.
      ['2025-11-01T12:00:00.000Z', '2025-11-01T13:00:00.000Z'],
      // Sunday 2025-11-02 01:30 EST (the repeated hour) → Monday 09:00 EST.
      ['2025-11-02T06:30:00.000Z', '2025-11-03T14:00:00.000Z'],
      // Monday 2025-11-03 19:59 EST is inside; 20:00 EST is not.
      ['2025-11-04T00:59:00.000Z', '2025-11-04T00:59:00.000Z'],
      ['2025-11-04T01:00:00.000Z', '2025-11-04T14:00:00.000Z'],
    ])('fall-back week: %s → %s', (due, expected) => {
      expect(next(due, zone)).toBe(expected);
    });
  });

  describe('Europe/Madrid (2025-03-30 02:00 CET → 03:00 CEST; 2025-10-26 03:00 CEST → 02:00 CET)', () => {
    const zone = 'Europe/Madrid';

    it.each([
      // Friday 2025-03-28 09:00 CET (UTC+1) is inside.
      ['2025-03-28T08:00:00.000Z', '2025-03-28T08:00:00.000Z'],
      // Saturday 2025-03-29 20:30 CET → Monday 09:00 CEST (UTC+2), over the change.
      ['2025-03-29T19:30:00.000Z', '2025-03-31T07:00:00.000Z'],
      // Sunday 2025-03-30 04:00 CEST → Monday 09:00 CEST.
      ['2025-03-30T02:00:00.000Z', '2025-03-31T07:00:00.000Z'],
      // Monday 2025-03-31 08:59 CEST → 09:00 CEST.
      ['2025-03-31T06:59:00.000Z', '2025-03-31T07:00:00.000Z'],
      // Monday 2025-03-31 20:00 CEST → Tuesday 09:00 CEST.
      ['2025-03-31T18:00:00.000Z', '2025-04-01T07:00:00.000Z'],
    ])('spring-forward week: %s → %s', (due, expected) => {
      expect(next(due, zone)).toBe(expected);
    });

    it.each([
      // Saturday 2025-10-25 20:30 CEST → Monday 09:00 CET (UTC+1), over the change.
      ['2025-10-25T18:30:00.000Z', '2025-10-27T08:00:00.000Z'],
      // Sunday 2025-10-26 02:30 CET (second occurrence) → Monday 09:00 CET.
      ['2025-10-26T01:30:00.000Z', '2025-10-27T08:00:00.000Z'],
      // Monday 2025-10-27 08:30 CET → 09:00 CET.
      ['2025-10-27T07:30:00.000Z', '2025-10-27T08:00:00.000Z'],
      // Monday 2025-10-27 19:59 CET is inside; 20:00 CET is not.
      ['2025-10-27T18:59:00.000Z', '2025-10-27T18:59:00.000Z'],
      ['2025-10-27T19:00:00.000Z', '2025-10-28T08:00:00.000Z'],
    ])('fall-back week: %s → %s', (due, expected) => {
      expect(next(due, zone)).toBe(expected);
    });
  });
});

describe('nextCallingTime with a start or end in a DST gap or overlap', () => {
  it('a start skipped by spring-forward opens at the first valid local time (New York)', () => {
    const window = { start: '02:30', end: '20:00', days: ALL_DAYS };
    // Sunday 2025-03-09 00:00 EST: 02:30 does not exist; 03:00 EDT = 07:00Z.
    expect(next('2025-03-09T05:00:00.000Z', 'America/New_York', window)).toBe(
      '2025-03-09T07:00:00.000Z',
    );
    // 01:59 EST, one minute before the change.
    expect(next('2025-03-09T06:59:00.000Z', 'America/New_York', window)).toBe(
      '2025-03-09T07:00:00.000Z',
    );
    // At the change (03:00 EDT) the window is open.
    expect(next('2025-03-09T07:00:00.000Z', 'America/New_York', window)).toBe(
      '2025-03-09T07:00:00.000Z',
    );
    // The next day 02:30 exists again: 02:30 EDT = 06:30Z.
    expect(next('2025-03-10T01:00:00.000Z', 'America/New_York', window)).toBe(
      '2025-03-10T06:30:00.000Z',
    );
  });

  it('a start skipped by spring-forward opens at the first valid local time (Madrid)', () => {
    const window = { start: '02:30', end: '20:00', days: ALL_DAYS };
    // Sunday 2025-03-30 00:00 CET: 02:30 does not exist; 03:00 CEST = 01:00Z.
    expect(next('2025-03-29T23:00:00.000Z', 'Europe/Madrid', window)).toBe(
      '2025-03-30T01:00:00.000Z',
    );
    // The day before: 02:30 CET = 01:30Z.
    expect(next('2025-03-28T23:00:00.000Z', 'Europe/Madrid', window)).toBe(
      '2025-03-29T01:30:00.000Z',
    );
  });

  it('handles a half-hour DST gap (Australia/Lord_Howe, 02:00 → 02:30)', () => {
    const window = { start: '02:10', end: '20:00', days: ALL_DAYS };
    // Sunday 2025-10-05 02:00 LHST (UTC+10:30) jumps to 02:30 (UTC+11) = 2025-10-04T15:30Z.
    expect(
      next('2025-10-04T14:00:00.000Z', 'Australia/Lord_Howe', window),
    ).toBe('2025-10-04T15:30:00.000Z');
  });

  it('a window entirely inside the gap is closed that day', () => {
    const window = { start: '02:10', end: '02:50', days: ALL_DAYS };
    // Sunday 2025-03-09 in New York: no 02:xx; Monday 02:10 EDT = 06:10Z.
    expect(next('2025-03-09T05:00:00.000Z', 'America/New_York', window)).toBe(
      '2025-03-10T06:10:00.000Z',
    );
  });

  it('a start in the repeated fall-back hour opens at its first occurrence', () => {
    const window = { start: '01:30', end: '20:00', days: ALL_DAYS };
    // Sunday 2025-11-02 00:00 EDT → 01:30 EDT (first occurrence) = 05:30Z, not 06:30Z.
    expect(next('2025-11-02T04:00:00.000Z', 'America/New_York', window)).toBe(
      '2025-11-02T05:30:00.000Z',
    );
    // The clock then reads 01:00–01:30 again (EST), before the start: closed
    // until the second 01:30 (06:30Z), then open.
    expect(next('2025-11-02T06:15:00.000Z', 'America/New_York', window)).toBe(
      '2025-11-02T06:30:00.000Z',
    );
    expect(next('2025-11-02T06:45:00.000Z', 'America/New_York', window)).toBe(
      '2025-11-02T06:45:00.000Z',
    );
    // Madrid, Sunday 2025-10-26 00:00 CEST → 02:30 CEST = 00:30Z, not 01:30Z.
    expect(
      next('2025-10-25T22:00:00.000Z', 'Europe/Madrid', {
        start: '02:30',
        end: '20:00',
        days: ALL_DAYS,
      }),
    ).toBe('2025-10-26T00:30:00.000Z');
  });

  it('a window inside the repeated fall-back hour is closed while the clock reads before its start again', () => {
    // Sunday 2026-11-01, New York falls back at 02:00 EDT (06:00Z) to 01:00 EST.
    const window = { start: '01:30', end: '02:00', days: [7] };
    const zone = 'America/New_York';
    expect(next('2026-11-01T05:40:00.000Z', zone, window)).toBe(
      '2026-11-01T05:40:00.000Z',
    );
    // 01:00 EST: the clock reads outside 01:30–02:00 → the second 01:30.
    expect(next('2026-11-01T06:00:00.000Z', zone, window)).toBe(
      '2026-11-01T06:30:00.000Z',
    );
    expect(next('2026-11-01T06:40:00.000Z', zone, window)).toBe(
      '2026-11-01T06:40:00.000Z',
    );
    // 02:00 EST: closed until next Sunday 01:30 EST.
    expect(next('2026-11-01T07:00:00.000Z', zone, window)).toBe(
      '2026-11-08T06:30:00.000Z',
    );
  });

  it('an end in the repeated fall-back hour closes at its first occurrence, for good', () => {
    const window = { start: '00:00', end: '01:30', days: ALL_DAYS };
    const zone = 'America/New_York';
    // 01:15 EDT (first occurrence): inside.
    expect(next('2025-11-02T05:15:00.000Z', zone, window)).toBe(
      '2025-11-02T05:15:00.000Z',
    );
    // 01:45 EDT: closed → Monday 00:00 EST = 05:00Z.
    expect(next('2025-11-02T05:45:00.000Z', zone, window)).toBe(
      '2025-11-03T05:00:00.000Z',
    );
    // 01:15 EST (second occurrence): the clock reads before 01:30 again, but
    // the window closed at the first 01:30 and does not reopen.
    expect(next('2025-11-02T06:15:00.000Z', zone, window)).toBe(
      '2025-11-03T05:00:00.000Z',
    );
    // Madrid, end 02:30: 02:15 CET (second occurrence) is closed → Monday 00:00 CET.
    expect(
      next('2025-10-26T01:15:00.000Z', 'Europe/Madrid', {
        start: '00:00',
        end: '02:30',
        days: ALL_DAYS,
      }),
    ).toBe('2025-10-26T23:00:00.000Z');
  });
});

describe('nextCallingTime does not depend on the current date', () => {
  const realNow = Settings.now;
  afterEach(() => {
    Settings.now = realNow;
  });

  // luxon guesses ambiguous local times with the offset in force "now".
  it.each(['2025-01-15T12:00:00Z', '2025-07-15T12:00:00Z'])(
    'same answers when now is %s',
    (now) => {
      Settings.now = () => Date.parse(now);
      const window = { start: '01:30', end: '20:00', days: ALL_DAYS };
      expect(next('2025-11-02T04:00:00.000Z', 'America/New_York', window)).toBe(
        '2025-11-02T05:30:00.000Z',
      );
      expect(
        next('2025-03-09T05:00:00.000Z', 'America/New_York', {
          start: '02:30',
          end: '20:00',
          days: ALL_DAYS,
        }),
      ).toBe('2025-03-09T07:00:00.000Z');
      expect(
        next('2025-11-02T06:15:00.000Z', 'America/New_York', {
          start: '00:00',
          end: '01:30',
          days: ALL_DAYS,
        }),
      ).toBe('2025-11-03T05:00:00.000Z');
    },
  );
});

describe('nextCallingTime errors', () => {
  it('rejects an invalid zone, date or window', () => {
    expect(() =>
      nextCallingTime(new Date(), 'Mars/Olympus', DEFAULT_CALLING_WINDOW),
    ).toThrow(/not a valid IANA time zone/);
    expect(() =>
      nextCallingTime(new Date('nope'), 'UTC', DEFAULT_CALLING_WINDOW),
    ).toThrow(/invalid Date/);
    expect(() =>
      nextCallingTime(new Date(), 'UTC', {
        start: '9:00',
        end: '20:00',
        days: [1],
      }),
    ).toThrow(/start "9:00" must be a time "HH:mm"/);
  });
});

describe('assertValidCallingWindow', () => {
  it('accepts the default and other sane windows', () => {
    expect(() =>
      assertValidCallingWindow(DEFAULT_CALLING_WINDOW),
    ).not.toThrow();
    expect(() =>
      assertValidCallingWindow({ start: '00:00', end: '23:59', days: [7] }),
    ).not.toThrow();
  });

  it.each<[string, CallingWindow, RegExp]>([
    [
      'start not HH:mm',
      { start: '9:00', end: '20:00', days: [1] },
      /start "9:00"/,
    ],
    ['end not HH:mm', { start: '09:00', end: '20h', days: [1] }, /end "20h"/],
    [
      'hour 24 as a start',
      { start: '24:00', end: '24:00', days: [1] },
      /start "24:00"/,
    ],
    [
      'hour 24 past midnight',
      { start: '09:00', end: '24:30', days: [1] },
      /end "24:30"/,
    ],
    ['minute 60', { start: '09:60', end: '20:00', days: [1] }, /start "09:60"/],
    [
      'start = end',
      { start: '09:00', end: '09:00', days: [1] },
      /must be before end/,
    ],
    [
      'start > end',
      { start: '21:00', end: '09:00', days: [1] },
      /must be before end/,
    ],
    ['no days', { start: '09:00', end: '20:00', days: [] }, /non-empty/],
    [
      'day 0',
      { start: '09:00', end: '20:00', days: [0, 1] },
      /day 0 is not an ISO weekday/,
    ],
    ['day 8', { start: '09:00', end: '20:00', days: [8] }, /day 8/],
    ['day 1.5', { start: '09:00', end: '20:00', days: [1.5] }, /day 1.5/],
  ])('rejects %s', (_label, window, message) => {
    expect(() => assertValidCallingWindow(window)).toThrow(message);
  });

  it('rejects a non-array days value', () => {
    expect(() =>
      assertValidCallingWindow({
        start: '09:00',
        end: '20:00',
        days: '1-6' as unknown as number[],
      }),
    ).toThrow(/days must be a non-empty array/);
  });
});

describe('resolveZone', () => {
  it('uses the contact zone when it is a valid IANA zone', () => {
    expect(resolveZone('Europe/Madrid', 'America/New_York')).toBe(
      'Europe/Madrid',
    );
    expect(resolveZone('UTC', 'Europe/Madrid')).toBe('UTC');
  });

  it.each([null, undefined, '', 'Not/AZone', 'GMT+25'])(
    'falls back to the default for %p',
    (contactZone) => {
      expect(resolveZone(contactZone, 'Europe/Madrid')).toBe('Europe/Madrid');
    },
  );

  it('contact zone vs default zone changes when the call is placed', () => {
    // Monday 2025-06-02 18:30Z: 20:30 in Madrid (closed), 14:30 in New York (open).
    const due = new Date('2025-06-02T18:30:00.000Z');
    const at = (contactZone: string | null) =>
      nextCallingTime(
        due,
        resolveZone(contactZone, 'Europe/Madrid'),
        DEFAULT_CALLING_WINDOW,
      ).toISOString();
    expect(at(null)).toBe('2025-06-03T07:00:00.000Z');
    expect(at('America/New_York')).toBe('2025-06-02T18:30:00.000Z');
    expect(at('Invalid/Zone')).toBe('2025-06-03T07:00:00.000Z');
  });
});

describe('a window ending at 24:00', () => {
  const allDay = { start: '00:00', end: '24:00', days: [1, 2, 3, 4, 5, 6, 7] };

  it('includes the last minute of the day', () => {
    const due = new Date('2026-03-10T23:59:30Z');
    expect(nextCallingTime(due, 'UTC', allDay)).toBe(due);
  });

  it('closes at midnight on a day that is not allowed the next day', () => {
    const weekdays = { start: '09:00', end: '24:00', days: [1, 2, 3, 4, 5] };
    // Friday 23:59:30 is inside; Saturday 00:00 waits for Monday 09:00.
    const friday = new Date('2026-03-13T23:59:30Z');
    expect(nextCallingTime(friday, 'UTC', weekdays)).toBe(friday);
    expect(
      nextCallingTime(new Date('2026-03-14T00:00:00Z'), 'UTC', weekdays),
    ).toEqual(new Date('2026-03-16T09:00:00Z'));
  });
});
