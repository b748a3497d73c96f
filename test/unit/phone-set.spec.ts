import { PhoneSet } from '../../lib/imports/phone-set';

describe('PhoneSet', () => {
  it('tells first occurrences from repeats, as a Set does, across growth', () => {
    const set = new PhoneSet();
    const reference = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      // Repeats every 7th number; spans short and 15-digit numbers.
      const phone = `+${(i >= 7 && i % 7 === 0 ? i - 7 : i) * 9_999_991 + 1}`;
      expect(set.add(phone)).toBe(!reference.has(phone));
      reference.add(phone);
    }
    expect(set.size).toBe(reference.size);
    expect(set.add('+999999999999999')).toBe(true);
    expect(set.add('+999999999999999')).toBe(false);
    set.clear();
    expect(set.size).toBe(0);
    expect(set.add('+34612345678')).toBe(true);
  });

  it('refuses what is not an E.164 number', () => {
    expect(() => new PhoneSet().add('34612345678x')).toThrow(/E\.164/);
  });
});
