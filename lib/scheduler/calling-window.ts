import { DateTime } from 'luxon';
import {
  canonicalTimeZone,
  isIanaTimeZone,
} from '../validation/time-zone.validator';
import type { CallingWindow } from './calling-window.interface';

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 24 * 60;
/** An `end` of `24:00` closes the window at the next midnight. */
const END_OF_DAY = '24:00';

/**
 * Throws a clear Error unless `window` is usable: `start` and `end` are
 * `HH:mm` (00:00–23:59), `start` is before `end`, and `days` is a non-empty
 * list of ISO weekdays (integers 1 = Monday … 7 = Sunday).
 */
export function assertValidCallingWindow(window: CallingWindow): void {
  parseCallingWindow(window);
}

/**
 * The contact's zone if it is a valid IANA zone, else `defaultZone` (which is
 * returned as is: validate it once, when the module is configured). Chain it
 * for "contact, else campaign, else module default":
 * `resolveZone(contactZone, resolveZone(campaignZone, moduleZone))`.
 */
export function resolveZone(
  contactZone: string | null | undefined,
  defaultZone: string,
): string {
  return isIanaTimeZone(contactZone) ? contactZone : defaultZone;
}

/**
 * When a call due at `due` may be placed: `due` itself if that instant is
 * inside the calling window in `zone`, else the earliest later instant when
 * the window opens.
 *
 * On each allowed day (ISO weekday of the local date) the window is one
 * interval of instants, from the first instant the local clock reads `start`
 * (or later) to the first instant it reads `end` (or later), end exclusive.
 * Across DST changes this means:
 * - a `start` or `end` skipped by a spring-forward gap is the first valid
 *   local time after the gap (`02:30` on a day when 02:00 jumps to 03:00 is
 *   03:00, the instant of the change);
 * - a `start` or `end` in a repeated fall-back hour is its first occurrence,
 *   so the window never reopens when the clock goes back: with `end` 01:30 on
 *   a day when 02:00 falls back to 01:00, the window closes at the first
 *   01:30 and stays closed during the repeated 01:00–01:30;
 * - the window is never open while the clock reads outside it: with `start`
 *   01:30 and `end` 02:00 on that day, it opens at the first 01:30, is closed
 *   while the clock reads 01:00–01:30 again, and opens again at the second
 *   01:30 until 02:00.
 *
 * Throws if the window is invalid, `due` is an invalid Date or `zone` is not
 * a valid IANA zone (see `resolveZone`). `zone` may be spelled in any case or
 * be an alias: the computation uses its canonical name.
 */
export function nextCallingTime(
  due: Date,
  zoneName: string,
  window: CallingWindow,
): Date {
  const { startMinutes, endMinutes, days } = parseCallingWindow(window);
  if (Number.isNaN(due.getTime())) {
    throw new Error('nextCallingTime: `due` is an invalid Date');
  }
  // luxon keeps a zone and an Intl formatter per distinct name for good:
  // only canonical names (a bounded set) reach it, not every spelling.
  const zone = canonicalTimeZone(zoneName);
  if (zone === undefined) {
    throw new Error(
      `nextCallingTime: ${JSON.stringify(String(zoneName).slice(0, 64))} is not a valid IANA time zone`,
    );
  }
  const local = DateTime.fromJSDate(due, { zone });
  const firstDate = DateTime.utc(local.year, local.month, local.day);
  const dueMs = due.getTime();

  // Every allowed weekday comes back within 7 days; the extra days only
  // matter if DST made a day's window empty.
  for (let offset = 0; offset <= 14; offset++) {
    const date = firstDate.plus({ days: offset });
    if (!days.has(date.weekday)) continue;
    const opens = firstInstantAtLocalTime(date, startMinutes, zone);
    const closes = firstInstantAtLocalTime(date, endMinutes, zone);
    if (closes <= opens) continue;
    if (dueMs < opens) return new Date(opens);
    if (dueMs >= closes) continue;
    if (readsWithin(dueMs, zone, startMinutes, endMinutes)) return due;
    // The clock went back to before `start` (a fall-back hour inside the
    // window): it opens again when the clock reads `start` the second time.
    const again = instantsAtLocalTime(date, startMinutes, zone).find(
      (t) => t > dueMs,
    );
    if (again !== undefined && again < closes) return new Date(again);
  }
  throw new Error('nextCallingTime: no calling window found within 15 days');
}

interface ParsedCallingWindow {
  startMinutes: number;
  endMinutes: number;
  days: Set<number>;
}

/** A rule of a calling window that a value breaks: the part and why. */
export interface CallingWindowProblem {
  /** `start`, `end`, `days` or `days.<index>`. */
  field: string;
  message: string;
}

/**
 * The rules of {@link assertValidCallingWindow}, without throwing: every part
 * of `window` that breaks one, in order (empty: the window is valid). With
 * `distinctDays`, a day given twice is a problem too (a client's request;
 * the module options accept repeats).
 */
export function callingWindowProblems(
  window: Readonly<Record<'start' | 'end' | 'days', unknown>>,
  options: { distinctDays?: boolean } = {},
): CallingWindowProblem[] {
  return inspectCallingWindow(window, options.distinctDays ?? false).problems;
}

function parseCallingWindow(window: CallingWindow): ParsedCallingWindow {
  if (typeof window !== 'object' || window === null) {
    throw new Error('Invalid calling window: expected { start, end, days }');
  }
  const { parsed, problems } = inspectCallingWindow(window, false);
  if (!parsed) {
    const [{ field, message }] = problems;
    const subject = field.startsWith('days.') ? 'day' : field;
    throw new Error(`Invalid calling window: ${subject} ${message}`);
  }
  return parsed;
}

function inspectCallingWindow(
  window: Readonly<Record<'start' | 'end' | 'days', unknown>>,
  distinctDays: boolean,
): { parsed?: ParsedCallingWindow; problems: CallingWindowProblem[] } {
  const problems: CallingWindowProblem[] = [];
  const startMinutes = parseHhMm('start', window.start, problems);
  const endMinutes =
    window.end === END_OF_DAY
      ? MINUTES_PER_DAY
      : parseHhMm('end', window.end, problems);
  if (
    startMinutes !== undefined &&
    endMinutes !== undefined &&
    startMinutes >= endMinutes
  ) {
    problems.push({
      field: 'start',
      message: `${shown(window.start)} must be before end ${shown(window.end)}`,
    });
  }
  const days = window.days;
  if (!Array.isArray(days) || days.length === 0) {
    problems.push({
      field: 'days',
      message:
        days === undefined
          ? 'is required'
          : 'must be a non-empty array of ISO weekdays (1 = Monday … 7 = Sunday)',
    });
    return { problems };
  }
  if (distinctDays && days.length > 7) {
    // Checked first: a long list must not make a problem per entry.
    problems.push({
      field: 'days',
      message: 'must have at most 7 days, each ISO weekday once',
    });
    return { problems };
  }
  const seen = new Set<number>();
  for (let index = 0; index < days.length; index++) {
    const day: unknown = days[index];
    if (
      typeof day !== 'number' ||
      !Number.isInteger(day) ||
      day < 1 ||
      day > 7
    ) {
      problems.push({
        field: `days.${index}`,
        message: `${shown(day)} is not an ISO weekday (an integer 1 = Monday … 7 = Sunday)`,
      });
    } else if (!seen.has(day)) {
      seen.add(day);
    } else if (distinctDays) {
      problems.push({
        field: `days.${index}`,
        message: `${day} is given more than once`,
      });
    }
  }
  if (problems.length) return { problems };
  return {
    parsed: {
      startMinutes: startMinutes as number,
      endMinutes: endMinutes as number,
      days: seen,
    },
    problems,
  };
}

/** Minutes after midnight of an `HH:mm` time, or undefined (and a problem). */
function parseHhMm(
  field: 'start' | 'end',
  value: unknown,
  problems: CallingWindowProblem[],
): number | undefined {
  const match = typeof value === 'string' ? HH_MM.exec(value) : null;
  if (!match) {
    const range =
      field === 'end'
        ? 'between 00:00 and 23:59, or "24:00"'
        : 'between 00:00 and 23:59';
    problems.push({
      field,
      message:
        value === undefined
          ? 'is required'
          : `${shown(value)} must be a time "HH:mm" ${range}`,
    });
    return undefined;
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

/** A value as a message shows it: JSON, at most 40 characters. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** Whether the local clock in `zone` reads from `start` (inclusive) to `end` (exclusive) at `ms`. */
function readsWithin(
  ms: number,
  zone: string,
  startMinutes: number,
  endMinutes: number,
): boolean {
  const local = DateTime.fromMillis(ms, { zone });
  const minutes = local.hour * 60 + local.minute;
  return minutes >= startMinutes && minutes < endMinutes;
}

/** The instants (one, or two in a fall-back overlap) at which the local clock reads `minutesOfDay` on `date`, in order. */
function instantsAtLocalTime(
  date: DateTime,
  minutesOfDay: number,
  zone: string,
): number[] {
  return DateTime.fromObject(
    {
      year: date.year,
      month: date.month,
      day: date.day,
      hour: Math.floor(minutesOfDay / 60),
      minute: minutesOfDay % 60,
    },
    { zone },
  )
    .getPossibleOffsets()
    .map((dt) => dt.toMillis())
    .sort((a, b) => a - b);
}

/**
 * Epoch milliseconds of the first instant at which the local clock in `zone`
 * reads `minutesOfDay` (or later) on the calendar date `date`.
 */
function firstInstantAtLocalTime(
  date: DateTime,
  minutesOfDay: number,
  zone: string,
): number {
  if (minutesOfDay === MINUTES_PER_DAY) {
    return firstInstantAtLocalTime(date.plus({ days: 1 }), 0, zone);
  }
  const hour = Math.floor(minutesOfDay / 60);
  const minute = minutesOfDay % 60;
  const targetWallMs = Date.UTC(
    date.year,
    date.month - 1,
    date.day,
    hour,
    minute,
  );
  const guess = DateTime.fromObject(
    { year: date.year, month: date.month, day: date.day, hour, minute },
    { zone },
  );
  const wallMs = (t: number): number => t + guess.zone.offset(t) * MINUTE_MS;

  if (wallMs(guess.toMillis()) === targetWallMs) {
    // A real local time; in a fall-back overlap it occurs twice: take the first.
    return Math.min(...guess.getPossibleOffsets().map((dt) => dt.toMillis()));
  }

  // Skipped by a spring-forward gap: luxon moved it forward by the gap's
  // length. The answer is the instant of the change, the first one whose
  // local time is at or after the target: binary search between the target
  // read with the later offset (still before the change) and luxon's guess.
  let before = guess.toMillis() - (wallMs(guess.toMillis()) - targetWallMs);
  let after = guess.toMillis();
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (wallMs(middle) >= targetWallMs) after = middle;
    else before = middle;
  }
  return after;
}
