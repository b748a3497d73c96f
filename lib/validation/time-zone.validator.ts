import { registerDecorator, type ValidationOptions } from 'class-validator';
import { BoundedCache } from '../common/bounded-cache';

/**
 * Longer than any IANA zone name Intl knows (the longest,
 * `America/Argentina/ComodRivadavia`, has 32 characters): a longer string is
 * refused before any lookup, and never remembered.
 */
export const MAX_TIME_ZONE_LENGTH = 40;

/** Zone names remembered (valid or not), least recently used dropped first. */
export const MAX_REMEMBERED_TIME_ZONES = 2_000;

/**
 * Zone name as given → its canonical name (null: not a zone). Building the
 * Intl formatter that checks a zone costs tens of microseconds, and a contact
 * list repeats a handful of zones thousands of times. Bounded in entries and
 * key length: at most 2 000 × 40 characters of keys whatever clients send.
 */
const zones = new BoundedCache<string | null>({
  maxEntries: MAX_REMEMBERED_TIME_ZONES,
  maxKeyLength: MAX_TIME_ZONE_LENGTH,
});

/**
 * The canonical name of an IANA zone as Intl (ICU) resolves it, whatever its
 * case or alias (`america/new_york` → `America/New_York`, `Etc/UTC` → `UTC`),
 * or undefined when `value` is not a zone. Give luxon the canonical name:
 * luxon keeps a zone object and an Intl formatter per distinct name for the
 * life of the process, and a name has thousands of spellings in other cases.
 */
export function canonicalTimeZone(value: unknown): string | undefined {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_TIME_ZONE_LENGTH
  ) {
    return undefined;
  }
  return zones.getOrCompute(value, resolveTimeZone) ?? undefined;
}

/** True for an IANA zone name (at most {@link MAX_TIME_ZONE_LENGTH} characters). */
export function isIanaTimeZone(value: unknown): value is string {
  return canonicalTimeZone(value) !== undefined;
}

/** Entries and longest key of the zone cache, for tests. */
export function timeZoneCacheStats(): { size: number; longestKey: number } {
  return { size: zones.size, longestKey: zones.longestKey };
}

function resolveTimeZone(name: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone: name,
    }).resolvedOptions().timeZone;
  } catch {
    return null; // RangeError: not a zone.
  }
}

export function IsIanaTimeZone(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIanaTimeZone',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: { validate: isIanaTimeZone },
    });
}
