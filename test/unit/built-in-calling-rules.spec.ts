import Holidays from 'date-holidays';
import { BUILT_IN_CALLING_RULES } from '../../lib/compliance/built-in-calling-rules';
import { assertValidCallingWindow } from '../../lib/scheduler/calling-window';

const byId = new Map(BUILT_IN_CALLING_RULES.map((rule) => [rule.id, rule]));

function rule(id: string) {
  const found = byId.get(id);
  if (found === undefined) throw new Error(`no built-in rule ${id}`);
  return found;
}

function publicHolidayDates(country: string, year: number): string[] {
  return new Holidays(country)
    .getHolidays(year)
    .filter((holiday) => holiday.type === 'public')
    .map((holiday) => holiday.date.slice(0, 10));
}

describe('BUILT_IN_CALLING_RULES (data)', () => {
  it('has the expected rules, each id once', () => {
    const ids = BUILT_IN_CALLING_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(
      ['es', 'us-federal', 'us-fl', 'us-md', 'us-ok', 'us-tx', 'us-wa'].sort(),
    );
  });

  it.each(BUILT_IN_CALLING_RULES.map((r) => [r.id, r] as const))(
    '%s: names a source with a URL and has valid windows',
    (_id, r) => {
      expect(r.name.trim()).not.toBe('');
      expect(r.source).toMatch(/https?:\/\/\S+/);
      expect(r.windows.length).toBeGreaterThan(0);
      for (const window of r.windows) {
        expect(() => assertValidCallingWindow(window)).not.toThrow();
      }
      expect(r.jurisdiction.country).toMatch(/^[A-Z]{2}$/);
      if (r.jurisdiction.region !== undefined) {
        expect(r.jurisdiction.region).toMatch(/^[A-Z]{2}$/);
      }
      if (r.cap !== undefined) {
        expect(Number.isInteger(r.cap.calls) && r.cap.calls > 0).toBe(true);
        expect(r.cap.hours).toBeGreaterThan(0);
      }
    },
  );

  it('only Spain forbids public holidays', () => {
    const withHolidays = BUILT_IN_CALLING_RULES.filter(
      (r) => r.noCallsOnPublicHolidays === true,
    ).map((r) => r.id);
    expect(withHolidays).toEqual(['es']);
    expect(rule('es').jurisdiction).toEqual({ country: 'ES' });
  });

  it.each(['us-fl', 'us-ok', 'us-md'])(
    '%s caps at 3 calls in 24 hours',
    (id) => {
      expect(rule(id).cap).toEqual({ calls: 3, hours: 24 });
    },
  );

  it('uses the hours and days of each source', () => {
    const everyDay = [1, 2, 3, 4, 5, 6, 7];
    expect(rule('us-federal').windows).toEqual([
      { start: '08:00', end: '21:00', days: everyDay },
    ]);
    for (const id of ['us-fl', 'us-ok', 'us-md', 'us-wa']) {
      expect(rule(id).windows).toEqual([
        { start: '08:00', end: '20:00', days: everyDay },
      ]);
    }
    expect(rule('us-tx').windows).toEqual([
      { start: '09:00', end: '21:00', days: [1, 2, 3, 4, 5, 6] },
      { start: '12:00', end: '21:00', days: [7] },
    ]);
    expect(rule('es').windows).toEqual([
      { start: '09:00', end: '21:00', days: [1, 2, 3, 4, 5] },
    ]);
  });

  it('scopes US state rules to their state', () => {
    expect(rule('us-federal').jurisdiction).toEqual({ country: 'US' });
    for (const [id, region] of [
      ['us-fl', 'FL'],
      ['us-ok', 'OK'],
      ['us-md', 'MD'],
      ['us-wa', 'WA'],
      ['us-tx', 'TX'],
    ]) {
      expect(rule(id).jurisdiction).toEqual({ country: 'US', region });
    }
  });
});

describe('date-holidays, as the Spain rule relies on it', () => {
  const es2026 = publicHolidayDates('ES', 2026);

  it('lists national public holidays for ES without a region', () => {
    expect(es2026).toContain('2026-01-06'); // Día de los Reyes Magos
    expect(es2026).toContain('2026-12-08'); // La Inmaculada Concepción
    expect(es2026).toContain('2026-10-12'); // Fiesta Nacional de España
  });

  it('keeps regional-only holidays out without a region', () => {
    // San José (19 March) is an observance nationally, public only in some
    // regions (e.g. Comunitat Valenciana); Jueves Santo (2 April 2026) and
    // Lunes de Pascua (6 April 2026) are regional only.
    expect(es2026).not.toContain('2026-03-19');
    expect(es2026).not.toContain('2026-04-02');
    expect(es2026).not.toContain('2026-04-06');
    const valencia = new Holidays('ES', 'VC')
      .getHolidays(2026)
      .filter((holiday) => holiday.type === 'public')
      .map((holiday) => holiday.date.slice(0, 10));
    expect(valencia).toContain('2026-03-19');
  });
});
