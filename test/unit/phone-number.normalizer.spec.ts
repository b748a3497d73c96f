import {
  normalizePhoneNumber,
  toCountryCode,
} from '../../lib/validation/phone-number.normalizer';

const ok = (value: string) => ({ ok: true, value });
const invalid = (raw: string) => ({
  ok: false,
  error: `"${raw}" is not a valid phone number`,
});
const noCountry = (raw: string) => ({
  ok: false,
  error: `"${raw}" has no country code: use E.164 (+34612345678) or give the contact an ISO 3166 alpha-2 country`,
});

describe('normalizePhoneNumber', () => {
  describe('E.164 input passes through', () => {
    it.each(['+34612345678', '+14155552671', '+447400123456', '+33612345678'])(
      '%s',
      (raw) => {
        expect(normalizePhoneNumber(raw, undefined, undefined)).toEqual(
          ok(raw),
        );
      },
    );

    it('ignores the contact country and the default country', () => {
      expect(normalizePhoneNumber('+14155552671', 'ES', 'FR')).toEqual(
        ok('+14155552671'),
      );
    });
  });

  describe('formatting characters are dropped', () => {
    it.each([
      ['+34 612 34 56 78', '+34612345678'],
      ['+34-612-345-678', '+34612345678'],
      ['+34 (612) 345-678', '+34612345678'],
      ['+34.612.345.678', '+34612345678'],
      ['+1 (415) 555-2671', '+14155552671'],
      ['+44 (0) 7400 123456', '+447400123456'],
    ])('%s', (raw, expected) => {
      expect(normalizePhoneNumber(raw, undefined, undefined)).toEqual(
        ok(expected),
      );
    });
  });

  describe('a national number is read in the contact country', () => {
    it.each([
      ['612345678', 'ES', '+34612345678'],
      ['612 34 56 78', 'ES', '+34612345678'],
      ['(415) 555-2671', 'US', '+14155552671'],
      ['415-555-2671', 'US', '+14155552671'],
      ['07400 123456', 'GB', '+447400123456'],
      ['06 12 34 56 78', 'FR', '+33612345678'],
    ] as const)('%s in %s', (raw, country, expected) => {
      expect(normalizePhoneNumber(raw, country, undefined)).toEqual(
        ok(expected),
      );
    });
  });

  describe('else in the default country', () => {
    it('uses defaultCountry when the contact has none', () => {
      expect(normalizePhoneNumber('612345678', undefined, 'ES')).toEqual(
        ok('+34612345678'),
      );
      expect(normalizePhoneNumber('(415) 555-2671', undefined, 'US')).toEqual(
        ok('+14155552671'),
      );
    });

    it('the contact country wins over defaultCountry', () => {
      expect(normalizePhoneNumber('612345678', 'ES', 'US')).toEqual(
        ok('+34612345678'),
      );
      expect(normalizePhoneNumber('4155552671', 'US', 'ES')).toEqual(
        ok('+14155552671'),
      );
    });

    it('a number valid only in the default country fails in the contact country', () => {
      expect(normalizePhoneNumber('612345678', 'US', 'ES')).toEqual(
        invalid('612345678'),
      );
    });
  });

  describe('rejects', () => {
    it('a national number without any country', () => {
      expect(normalizePhoneNumber('612345678', undefined, undefined)).toEqual(
        noCountry('612345678'),
      );
    });

    it('"12" without a country', () => {
      expect(normalizePhoneNumber('12', undefined, undefined)).toEqual(
        noCountry('12'),
      );
    });

    it.each([
      ['12', 'ES'],
      ['', 'ES'],
      ['+12', undefined],
      ['+34', undefined],
      ['+34012345678', undefined],
      ['+3461234567', undefined],
      ['+346123456789', undefined],
      ['+999612345678', undefined],
      ['+34612abc345678', undefined],
      ['+1-800-FLOWERS', undefined],
      ['abc', 'ES'],
      ['612345678', 'US'],
      ['4155552671', 'ES'],
    ] as const)('%j in %s', (raw, country) => {
      expect(normalizePhoneNumber(raw, country, undefined)).toEqual(
        invalid(raw),
      );
    });

    // libphonenumber extracts a number from surrounding text, so
    // trailing letters are dropped and the request is accepted. Fails until
    // the normalizer rejects anything but digits, "+" and formatting.
    it.each([
      '+34 612 345 678 abc',
      '+34612345678abc',
      '+34612345678 (mobile)',
      '+34612345678!',
    ])('trailing text: %j', (raw) => {
      expect(normalizePhoneNumber(raw, undefined, undefined)).toMatchObject({
        ok: false,
      });
    });
  });
});

describe('toCountryCode', () => {
  it.each([
    ['ES', 'ES'],
    ['es', 'ES'],
    ['Us', 'US'],
    ['GB', 'GB'],
  ])('%s -> %s', (input, expected) => {
    expect(toCountryCode(input)).toBe(expected);
  });

  it.each([undefined, '', 'E', 'ESP', 'Spain', 'XX', 'UK', '34'])(
    '%j -> undefined',
    (input) => {
      expect(toCountryCode(input)).toBeUndefined();
    },
  );

  // The pipe passes `dto.country` even when it failed IsString,
  // and any value with length 2 reaches `.toUpperCase()`: a TypeError (500).
  it.each([[['E', 'S']], [{ length: 2 }]])(
    'a non-string of length 2 (%j) -> undefined, no throw',
    (input) => {
      expect(() => toCountryCode(input as unknown as string)).not.toThrow();
      expect(toCountryCode(input as unknown as string)).toBeUndefined();
    },
  );
});
