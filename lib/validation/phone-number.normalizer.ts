import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/max';
import { PHONE_RULES } from './create-campaign.rules';
import { parsed, rejected, type ParseResult } from './parse-result';

const { messages } = PHONE_RULES;

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
    return rejected(messages.invalid(raw));
  }
  const region = country ?? defaultCountry;
  const international = raw.startsWith('+');
  if (!international && !region) {
    return rejected(messages.noCountry(raw));
  }
  const phone = parsePhoneNumberFromString(raw, region);
  if (!phone || !phone.isValid()) {
    return rejected(messages.invalid(raw));
  }
  return parsed(phone.number);
}
