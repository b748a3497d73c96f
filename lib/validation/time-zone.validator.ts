import { IANAZone } from 'luxon';
import { registerDecorator, type ValidationOptions } from 'class-validator';

const known = new Map<string, boolean>();
const MAX_REMEMBERED = 2_000;

/**
 * True for an IANA zone name. Remembered per name: building the Intl
 * formatter that checks a zone costs tens of microseconds, and a contact list
 * repeats a handful of zones thousands of times.
 */
export function isIanaTimeZone(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  let valid = known.get(value);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(value);
    if (known.size < MAX_REMEMBERED) known.set(value, valid);
  }
  return valid;
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
