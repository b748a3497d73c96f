import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/max';
import { parsed, rejected, type ParseResult } from './parse-result';

// Digits with the usual separators; letters, extensions and other text are refused.
const PHONE_CHARACTERS = /^\+?[0-9\s().\-/]+$/;

/** An ISO 3166 alpha-2 code libphonenumber knows, or undefined. */
export function toCountryCode(country: unknown): CountryCode | undefined {
  if (typeof country !== 'string' || country.length !== 2) return undefined;
  const code = country.toUpperCase();
  return isSupportedCountry(code) ? code : undefined;
}

/**
 * Turns a client phone number into E.164. A number without `+` is read in
 * `country` (the contact's), else in `defaultCountry`.
 */
export function normalizePhoneNumber(
  raw: string,
  country: CountryCode | undefined,
  defaultCountry: CountryCode | undefined,
): ParseResult<string> {
  if (!PHONE_CHARACTERS.test(raw)) {
    return rejected(`"${raw}" is not a valid phone number`);
  }
  const region = country ?? defaultCountry;
  const international = raw.startsWith('+');
  if (!international && !region) {
    return rejected(
      `"${raw}" has no country code: use E.164 (+34612345678) or give the contact an ISO 3166 alpha-2 country`,
    );
  }
  const phone = parsePhoneNumberFromString(raw, region);
  if (!phone || !phone.isValid()) {
    return rejected(`"${raw}" is not a valid phone number`);
  }
  return parsed(phone.number);
}
