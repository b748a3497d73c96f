import { parseRecall } from '../../lib/validation/recall.parser';

const LIMITS = { maxEntries: 10, maxMinutes: 43_200 };
const SHAPE =
  'must be an array of minutes such as [30,120], or that array as a JSON string';
const entry = (i: number, max = 43_200) =>
  `entry ${i} must be a whole number of minutes from 1 to ${max}`;

describe('parseRecall', () => {
  describe('accepts', () => {
    it.each([
      ['absent', undefined, []],
      ['null', null, []],
      ['an empty array (no retries)', [], []],
      ['an empty array as a string', '[]', []],
      ['an array', [30, 120], [30, 120]],
      ['that array as a JSON string', '[30,120]', [30, 120]],
      ['a JSON string with spaces', ' [ 30 , 120 ] ', [30, 120]],
      ['one entry', [45], [45]],
      ['the smallest delay', [1], [1]],
      ['the largest delay', [43_200], [43_200]],
      [
        'exactly 10 entries',
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      ],
      ['an integral float', [30.0, 60], [30, 60]],
    ])('%s', (_, input, expected) => {
      expect(parseRecall(input, LIMITS)).toEqual({ ok: true, value: expected });
    });
  });

  describe('rejects', () => {
    it.each([
      ['a malformed JSON string', '[30,', SHAPE],
      ['an empty string', '', SHAPE],
      ['a word', 'thirty', SHAPE],
      ['a JSON string of a number', '30', SHAPE],
      ['a JSON string of an object', '{"a":30}', SHAPE],
      ['a JSON string of null', 'null', SHAPE],
      ['a number', 30, SHAPE],
      ['a boolean', true, SHAPE],
      ['an object', { 0: 30, length: 1 }, SHAPE],
      ['a non-integer', [30, 90.5], entry(1)],
      ['a numeric string entry', [30, '120'], entry(1)],
      ['a null entry', [null], entry(0)],
      ['a nested array', [[30]], entry(0)],
      ['zero', [0, 30], entry(0)],
      ['a negative delay', '[-5]', entry(0)],
      ['over 43 200', [30, 43_201], entry(1)],
      ['NaN', [Number.NaN], entry(0)],
      ['Infinity', [Number.POSITIVE_INFINITY], entry(0)],
      ['decreasing delays', [120, 30], 'delays must be strictly increasing'],
      ['duplicates', '[30,30]', 'delays must be strictly increasing'],
      ['a later decrease', [10, 20, 15], 'delays must be strictly increasing'],
      [
        '11 entries',
        Array.from({ length: 11 }, (_, i) => i + 1),
        'must have at most 10 entries',
      ],
    ])('%s', (_, input, error) => {
      expect(parseRecall(input, LIMITS)).toEqual({ ok: false, error });
    });
  });

  it('reports the first bad entry by index', () => {
    expect(parseRecall([10, 20, 0, -1], LIMITS)).toEqual({
      ok: false,
      error: entry(2),
    });
  });

  it('checks the entry count before the entries', () => {
    expect(parseRecall(Array(11).fill(0), LIMITS)).toEqual({
      ok: false,
      error: 'must have at most 10 entries',
    });
  });

  describe('uses the module limits', () => {
    const small = { maxEntries: 2, maxMinutes: 60 };

    it('accepts within them', () => {
      expect(parseRecall([30, 60], small)).toEqual({
        ok: true,
        value: [30, 60],
      });
    });

    it('rejects more entries than maxEntries', () => {
      expect(parseRecall([10, 20, 30], small)).toEqual({
        ok: false,
        error: 'must have at most 2 entries',
      });
    });

    it('rejects a delay over maxMinutes', () => {
      expect(parseRecall([61], small)).toEqual({
        ok: false,
        error: entry(0, 60),
      });
    });
  });
});
