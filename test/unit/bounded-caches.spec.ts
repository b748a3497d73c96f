import { plainToInstance } from 'class-transformer';
import { IsOptional, IsString, MaxLength, validate } from 'class-validator';
import { IANAZone } from 'luxon';
import { BoundedCache } from '../../lib/common/bounded-cache';
import { nextCallingTime } from '../../lib/scheduler/calling-window';
import { DEFAULT_CALLING_WINDOW } from '../../lib/scheduler/calling-window.interface';
import {
  canonicalTimeZone,
  IsIanaTimeZone,
  isIanaTimeZone,
  MAX_REMEMBERED_TIME_ZONES,
  MAX_TIME_ZONE_LENGTH,
  timeZoneCacheStats,
} from '../../lib/validation/time-zone.validator';

const MB = 1 << 20;

/** Every spelling of `name` in upper or lower case, up to `limit`. */
function caseVariants(name: string, limit: number): string[] {
  const letters = [...name].flatMap((c, i) =>
    c.toLowerCase() !== c.toUpperCase() ? [i] : [],
  );
  const variants: string[] = [];
  for (
    let mask = 0;
    mask < 2 ** letters.length && variants.length < limit;
    mask++
  ) {
    const chars = [...name.toLowerCase()];
    letters.forEach((at, bit) => {
      if (mask & (1 << bit)) chars[at] = chars[at].toUpperCase();
    });
    variants.push(chars.join(''));
  }
  return variants;
}

/** How many Intl.DateTimeFormat were built for a zone matching `test`. */
function countFormatters(test: (zone: string) => boolean) {
  const spy = jest.spyOn(Intl, 'DateTimeFormat');
  return {
    count: () =>
      spy.mock.calls.filter(([, options]) => {
        const zone = options?.timeZone;
        return typeof zone === 'string' && test(zone);
      }).length,
    restore: () => spy.mockRestore(),
  };
}

describe('BoundedCache', () => {
  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = new BoundedCache<number>({ maxEntries: 3, maxKeyLength: 8 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('d', 4);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([1, 3, 4]);
    for (let i = 0; i < 10_000; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(3);
  });

  it('never stores, nor looks up, a key longer than maxKeyLength', () => {
    const cache = new BoundedCache<string>({
      maxEntries: 10,
      maxKeyLength: 8,
    });
    const compute = jest.fn((key: string) => key.toUpperCase());
    expect(cache.getOrCompute('12345678', compute)).toBe('12345678');
    expect(cache.getOrCompute('123456789', compute)).toBe('123456789');
    expect(cache.getOrCompute('123456789', compute)).toBe('123456789');
    expect(compute).toHaveBeenCalledTimes(3);
    expect(cache.size).toBe(1);
    expect(cache.longestKey).toBe(8);
    cache.set('x'.repeat(MB), 'big');
    expect(cache.get('x'.repeat(MB))).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('refuses limits that bound nothing', () => {
    expect(
      () => new BoundedCache({ maxEntries: Infinity, maxKeyLength: 8 }),
    ).toThrow(/maxEntries/);
    expect(() => new BoundedCache({ maxEntries: 8, maxKeyLength: 0 })).toThrow(
      /maxKeyLength/,
    );
  });
});

describe('time-zone cache', () => {
  it('refuses 1 000 distinct 1 MB strings without an Intl call or a cache entry', () => {
    expect(isIanaTimeZone('Europe/Madrid')).toBe(true);
    const before = timeZoneCacheStats();
    const formatters = countFormatters(
      (zone) => zone.length > MAX_TIME_ZONE_LENGTH,
    );
    const heapBefore = process.memoryUsage().heapUsed;
    const base = 'Europe/Madrid'.padEnd(MB, 'x');
    for (let i = 0; i < 1_000; i++) {
      // Distinct: a fresh 1 MB string each time.
      const value = `${i}${base}`.slice(0, MB + 4);
      expect(isIanaTimeZone(value)).toBe(false);
      expect(canonicalTimeZone(value)).toBeUndefined();
    }
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(formatters.count()).toBe(0);
    formatters.restore();
    expect(timeZoneCacheStats()).toEqual(before);
    // Whatever the collector did meanwhile, 1 GB of strings was not kept.
    expect(heapGrowth).toBeLessThan(200 * MB);
  });

  it('refuses a name one character over the bound before any lookup', () => {
    const formatters = countFormatters(() => true);
    const long = `America/${'A'.repeat(MAX_TIME_ZONE_LENGTH - 8 + 1)}`;
    expect(long).toHaveLength(MAX_TIME_ZONE_LENGTH + 1);
    expect(isIanaTimeZone(long)).toBe(false);
    expect(formatters.count()).toBe(0);
    // The longest real zone name is well within it.
    expect(isIanaTimeZone('America/Argentina/ComodRivadavia')).toBe(true);
    expect(isIanaTimeZone('America/North_Dakota/New_Salem')).toBe(true);
    formatters.restore();
    for (const zone of Intl.supportedValuesOf('timeZone')) {
      expect(zone.length).toBeLessThanOrEqual(MAX_TIME_ZONE_LENGTH);
      expect(isIanaTimeZone(zone)).toBe(true);
    }
  });

  it('stays bounded in entries under a flood of distinct names, and keeps a hot zone', () => {
    expect(isIanaTimeZone('Asia/Tokyo')).toBe(true);
    const tokyo = countFormatters((zone) => zone === 'Asia/Tokyo');
    for (let i = 0; i < 3 * MAX_REMEMBERED_TIME_ZONES; i++) {
      expect(isIanaTimeZone(`Nowhere/Zone_${i}`)).toBe(false);
      if (i % 100 === 0) expect(isIanaTimeZone('Asia/Tokyo')).toBe(true);
    }
    // 2 000 × case variants of real zones too (valid, each a distinct key).
    for (const name of caseVariants('America/Los_Angeles', 3_000)) {
      expect(isIanaTimeZone(name)).toBe(true);
    }
    const stats = timeZoneCacheStats();
    expect(stats.size).toBeLessThanOrEqual(MAX_REMEMBERED_TIME_ZONES);
    expect(stats.longestKey).toBeLessThanOrEqual(MAX_TIME_ZONE_LENGTH);
    tokyo.restore();
    expect(tokyo.count()).toBe(0);
  });

  it('gives the canonical name of any spelling or alias', () => {
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('EUROPE/MADRID')).toBe('Europe/Madrid');
    expect(canonicalTimeZone('Etc/UTC')).toBe('UTC');
    expect(canonicalTimeZone('Mars/Olympus')).toBeUndefined();
    expect(canonicalTimeZone('')).toBeUndefined();
    expect(canonicalTimeZone(42)).toBeUndefined();
  });

  it('a 15 MB timezone in a DTO fails MaxLength and IsIanaTimeZone, and is not remembered', async () => {
    class Contact {
      @IsOptional()
      @IsString()
      @MaxLength(64)
      @IsIanaTimeZone({ message: 'must be a valid IANA time zone' })
      timezone?: string;
    }
    const before = timeZoneCacheStats();
    for (let i = 0; i < 20; i++) {
      const timezone = `${i}`.padEnd(15 * MB, 'z');
      const errors = await validate(plainToInstance(Contact, { timezone }), {
        validationError: { target: false, value: false },
      });
      expect(Object.keys(errors[0]?.constraints ?? {}).sort()).toEqual([
        'isIanaTimeZone',
        'maxLength',
      ]);
    }
    expect(timeZoneCacheStats()).toEqual(before);
  });
});

describe('luxon zone caches behind nextCallingTime', () => {
  it('only ever see canonical names, whatever the spelling', () => {
    const create = jest.spyOn(IANAZone, 'create');
    const due = new Date('2025-06-04T16:00:00.000Z'); // 12:00 in New York
    const variants = caseVariants('America/New_York', 500);
    expect(variants).toHaveLength(500);
    for (const zone of variants) {
      expect(nextCallingTime(due, zone, DEFAULT_CALLING_WINDOW)).toBe(due);
    }
    const names = new Set(create.mock.calls.map(([name]) => name));
    create.mockRestore();
    expect([...names]).toEqual(['America/New_York']);
  });

  it('refuses a 15 MB zone with a short message', () => {
    const zone = 'x'.repeat(15 * MB);
    let message = '';
    try {
      nextCallingTime(new Date(), zone, DEFAULT_CALLING_WINDOW);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/is not a valid IANA time zone/);
    expect(message.length).toBeLessThan(200);
  });
});
