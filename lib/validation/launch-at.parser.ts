import { DateTime } from 'luxon';
import { LAUNCH_AT_RULES } from './create-campaign.rules';
import { parsed, rejected, type ParseResult } from './parse-result';

const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?$/i;

export const LAUNCH_AT_MAX_PAST_MS = LAUNCH_AT_RULES.maxPastMs;

const { messages } = LAUNCH_AT_RULES;

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
    return rejected(messages.format);
  }
  const at = DateTime.fromISO(input, { zone: timezone });
  if (!at.isValid) return rejected(messages.notReal(input));
  const instant = at.toJSDate();
  if (instant.getTime() < now.getTime() - LAUNCH_AT_RULES.maxPastMs) {
    return rejected(messages.tooEarly);
  }
  const latest = DateTime.fromJSDate(now).plus({
    years: LAUNCH_AT_RULES.maxAheadYears,
  });
  if (instant.getTime() > latest.toMillis()) return rejected(messages.tooLate);
  return parsed(instant);
}
