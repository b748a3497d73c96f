import { DateTime } from 'luxon';
import { parsed, rejected, type ParseResult } from './parse-result';

const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?$/i;

export const LAUNCH_AT_MAX_PAST_MS = 5 * 60 * 1000;

/**
 * Reads `launch_at`. With an offset or `Z` it is that instant; without one it
 * is a wall-clock time in `timezone`. Null means "launch now".
 */
export function parseLaunchAt(
  input: unknown,
  timezone: string,
  now: Date,
): ParseResult<Date | null> {
  if (input === undefined || input === null) return parsed(null);
  if (typeof input !== 'string' || !ISO_DATE_TIME.test(input)) {
    return rejected(
      'must be an ISO 8601 date-time such as 2025-03-01T10:00:00 or 2025-03-01T10:00:00Z',
    );
  }
  const at = DateTime.fromISO(input, { zone: timezone });
  if (!at.isValid) return rejected(`"${input}" is not a real date-time`);
  const instant = at.toJSDate();
  if (instant.getTime() < now.getTime() - LAUNCH_AT_MAX_PAST_MS) {
    return rejected('must not be more than 5 minutes in the past');
  }
  const latest = DateTime.fromJSDate(now).plus({ years: 1 });
  if (instant.getTime() > latest.toMillis()) {
    return rejected('must not be more than 1 year ahead');
  }
  return parsed(instant);
}
