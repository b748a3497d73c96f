import { DateTime } from 'luxon';
import type { CallingWindow } from '../scheduler/calling-window.interface';
import { nextCallingTime } from '../scheduler/calling-window';
import type { CallingRule, Jurisdiction } from './calling-rule.interface';

/**
 * One thing that must be open for a call to be placed: a calling rule, the
 * host's business window or a campaign's window. Open when any of its
 * windows is open (and, with `holidays`, the local date is no public holiday).
 */
export interface CallingConstraint {
  id: string;
  windows: readonly CallingWindow[];
  holidays?: Jurisdiction;
}

/** Public holidays by jurisdiction and local ISO date (`2026-12-08`). */
export interface HolidayCalendar {
  isPublicHoliday(jurisdiction: Jurisdiction, isoDate: string): boolean;
}

/** Why a call cannot be placed at an instant. */
export type WaitReason = 'calling_hours' | 'holiday';

export interface BlockingConstraint {
  constraint: string;
  zone: string;
  reason: WaitReason;
}

export type Opening =
  | { at: Date; blockedBy: BlockingConstraint | null }
  | { never: true; reason: string };

/** Without holidays, every weekly window shows within 15 days (DST included). */
const WINDOW_HORIZON_DAYS = 15;
/** With holidays: a year and a bit. */
const HOLIDAY_HORIZON_DAYS = 400;
const DAY_MS = 86_400_000;

/** The rules whose jurisdiction covers a number's country and any of its regions. */
export function applicableRules(
  rules: readonly CallingRule[],
  country: string | null,
  regions: readonly string[],
): CallingRule[] {
  return rules.filter(
    (rule) =>
      rule.jurisdiction.country === country &&
      (rule.jurisdiction.region === undefined ||
        regions.includes(rule.jurisdiction.region)),
  );
}

/** A rule as a constraint of {@link earliestOpening}. */
export function ruleConstraint(rule: CallingRule): CallingConstraint {
  return {
    id: rule.id,
    windows: rule.windows,
    holidays: rule.noCallsOnPublicHolidays ? rule.jurisdiction : undefined,
  };
}

/**
 * The earliest instant at or after `from` when every constraint is open in
 * every zone, with the constraint and zone that kept `from` itself closed
 * (null when `from` is open). `never` when the zones share no open instant
 * (e.g. a toll-free number whose zones span UTC−10 to UTC+10): such a
 * number must not be dialed at all, not wait forever.
 *
 * Each step moves the instant to the earliest one at which one constraint
 * opens in one zone; no common open instant is skipped (each is at or after
 * every individual opening), so the first instant no step moves is the
 * earliest common one.
 */
export function earliestOpening(
  from: Date,
  zones: readonly string[],
  constraints: readonly CallingConstraint[],
  calendar: HolidayCalendar,
): Opening {
  if (zones.length === 0) {
    return { never: true, reason: 'no time zone for the number' };
  }
  const hoursOnly = search(from, zones, constraints, null, WINDOW_HORIZON_DAYS);
  if (!hoursOnly) {
    return {
      never: true,
      reason: `the calling hours never overlap in all of ${zones.length} zones the number may be in`,
    };
  }
  const withHolidays = search(
    from,
    zones,
    constraints,
    calendar,
    HOLIDAY_HORIZON_DAYS,
  );
  return (
    withHolidays ?? {
      never: true,
      reason: `no opening within ${HOLIDAY_HORIZON_DAYS} days`,
    }
  );
}

function search(
  from: Date,
  zones: readonly string[],
  constraints: readonly CallingConstraint[],
  calendar: HolidayCalendar | null,
  horizonDays: number,
): { at: Date; blockedBy: BlockingConstraint | null } | null {
  const limit = from.getTime() + horizonDays * DAY_MS;
  let at = from;
  let blockedBy: BlockingConstraint | null = null;
  for (;;) {
    let moved = false;
    for (const constraint of constraints) {
      for (const zone of zones) {
        const next = openingOf(constraint, zone, at, calendar);
        if (next.at.getTime() > at.getTime()) {
          blockedBy ??= {
            constraint: constraint.id,
            zone,
            reason: next.reason,
          };
          at = next.at;
          moved = true;
        }
        if (at.getTime() > limit) return null;
      }
    }
    if (!moved) return { at, blockedBy };
  }
}

/** When one constraint next opens in one zone, at or after `at`. */
function openingOf(
  constraint: CallingConstraint,
  zone: string,
  at: Date,
  calendar: HolidayCalendar | null,
): { at: Date; reason: WaitReason } {
  let candidate = at;
  let reason: WaitReason = 'calling_hours';
  for (let day = 0; day <= HOLIDAY_HORIZON_DAYS; day++) {
    const opens = new Date(
      Math.min(
        ...constraint.windows.map((w) =>
          nextCallingTime(candidate, zone, w).getTime(),
        ),
      ),
    );
    if (!calendar || !constraint.holidays) return { at: opens, reason };
    const local = DateTime.fromJSDate(opens, { zone });
    if (!calendar.isPublicHoliday(constraint.holidays, local.toISODate()!)) {
      return { at: opens, reason };
    }
    // A holiday: look again from the next local midnight.
    reason = 'holiday';
    candidate = local.plus({ days: 1 }).startOf('day').toJSDate();
  }
  return { at: new Date(at.getTime() + HOLIDAY_HORIZON_DAYS * DAY_MS), reason };
}
