import { validate } from 'class-validator';
import {
  CUSTOM_FIELDS_LIMITS,
  customFieldsProblem,
  FORBIDDEN_KEYS,
  IsCustomFields,
} from '../../lib/validation/custom-fields.validator';

const SHAPE = 'must be an object of string, number, boolean or null values';

/** An object of `keys` string values whose JSON is exactly `bytes` bytes. */
function ofJsonSize(bytes: number, keys = 11): Record<string, string> {
  const value: Record<string, string> = {};
  for (let i = 0; i < keys; i++) value[`k${i}`] = '';
  const empty = Buffer.byteLength(JSON.stringify(value));
  let left = bytes - empty;
  for (let i = 0; i < keys && left > 0; i++) {
    const n = Math.min(left, CUSTOM_FIELDS_LIMITS.maxStringLength);
    value[`k${i}`] = 'x'.repeat(n);
    left -= n;
  }
  if (left > 0) throw new Error('not enough keys for that size');
  return value;
}

describe('customFieldsProblem', () => {
  it('has the documented limits', () => {
    expect(CUSTOM_FIELDS_LIMITS).toEqual({
      maxKeys: 50,
      maxKeyLength: 64,
      maxStringLength: 1_000,
      maxJsonBytes: 10_000,
    });
    expect([...FORBIDDEN_KEYS].sort()).toEqual([
      '__proto__',
      'constructor',
      'prototype',
    ]);
  });

  describe('accepts', () => {
    it.each([
      ['an empty object', {}],
      [
        'string, number, boolean and null values',
        { plan: 'pro', seats: 12, vip: true, note: null },
      ],
      ['an empty string value', { note: '' }],
      ['negative and fractional numbers', { score: -1.5, zero: 0 }],
      [
        '50 keys',
        Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i])),
      ],
      ['a 64-character key', { ['k'.repeat(64)]: 1 }],
      ['a 1 000-character string', { note: 'n'.repeat(1000) }],
      ['exactly 10 000 bytes of JSON', ofJsonSize(10_000)],
      [
        'keys named like Object.prototype members',
        { toString: 'x', hasOwnProperty: 1 },
      ],
      ['unicode keys and values', { café: 'ñandú' }],
    ])('%s', (_, value) => {
      expect(customFieldsProblem(value)).toBeNull();
    });
  });

  describe('rejects a value that is not a flat object', () => {
    it.each([
      ['null', null],
      ['undefined', undefined],
      ['an array', [1, 2]],
      ['an empty array', []],
      ['a string', '{"plan":"pro"}'],
      ['a number', 5],
      ['a boolean', true],
    ])('%s', (_, value) => {
      expect(customFieldsProblem(value)).toBe(SHAPE);
    });
  });

  describe('rejects bad values', () => {
    it.each([
      [
        'a nested object',
        { address: { city: 'Madrid' } },
        '"address" must be a string, number, boolean or null',
      ],
      [
        'an array',
        { tags: ['a'] },
        '"tags" must be a string, number, boolean or null',
      ],
      [
        'undefined',
        { gone: undefined },
        '"gone" must be a string, number, boolean or null',
      ],
      [
        'a function',
        { fn: () => 1 },
        '"fn" must be a string, number, boolean or null',
      ],
      ['NaN', { n: Number.NaN }, '"n" must be a finite number'],
      [
        'Infinity',
        { n: Number.POSITIVE_INFINITY },
        '"n" must be a finite number',
      ],
      [
        'a 1 001-character string',
        { note: 'n'.repeat(1001) },
        '"note" must be at most 1000 characters',
      ],
    ])('%s', (_, value, problem) => {
      expect(customFieldsProblem(value)).toBe(problem);
    });
  });

  describe('rejects bad keys', () => {
    it('51 keys', () => {
      const value = Object.fromEntries(
        Array.from({ length: 51 }, (_, i) => [`k${i}`, i]),
      );
      expect(customFieldsProblem(value)).toBe('must have at most 50 keys');
    });

    it.each([
      ['a 65-character key', 'k'.repeat(65)],
      ['an empty key', ''],
      ['a blank key', '   '],
    ])('%s', (_, key) => {
      expect(customFieldsProblem({ [key]: 1 })).toBe(
        'keys must be 1 to 64 characters',
      );
    });

    it.each(['__proto__', 'constructor', 'prototype'])(
      '%s (as JSON.parse makes it: an own key)',
      (key) => {
        const value: unknown = JSON.parse(`{"ok":1,"${key}":{"admin":true}}`);
        expect(Object.keys(value as object)).toContain(key);
        expect(customFieldsProblem(value)).toBe(`key "${key}" is not allowed`);
      },
    );
  });

  describe('limits the JSON size in bytes', () => {
    it('10 001 bytes', () => {
      expect(customFieldsProblem(ofJsonSize(10_001))).toBe(
        'must be at most 10000 bytes as JSON',
      );
    });

    it('counts bytes, not characters', () => {
      // 6 values of 1 000 two-byte characters: within each string limit,
      // but about 12 000 bytes.
      const value = Object.fromEntries(
        Array.from({ length: 6 }, (_, i) => [`k${i}`, 'é'.repeat(1000)]),
      );
      expect(JSON.stringify(value).length).toBeLessThan(10_000);
      expect(customFieldsProblem(value)).toBe(
        'must be at most 10000 bytes as JSON',
      );
    });
  });
});

describe('@IsCustomFields()', () => {
  class Holder {
    @IsCustomFields()
    custom_fields?: unknown;
  }

  const check = async (value: unknown) => {
    const holder = new Holder();
    holder.custom_fields = value;
    return validate(holder);
  };

  it('passes a valid object', async () => {
    expect(await check({ plan: 'pro', seats: 12 })).toEqual([]);
  });

  it('fails with the problem as its message', async () => {
    const [error] = await check({ tags: ['a'] });
    expect(error.property).toBe('custom_fields');
    expect(error.constraints).toEqual({
      isCustomFields: '"tags" must be a string, number, boolean or null',
    });
  });

  it('fails a non-object with the shape message', async () => {
    const [error] = await check('x');
    expect(error.constraints).toEqual({ isCustomFields: SHAPE });
  });
});
