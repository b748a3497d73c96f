import {
  backoffCeiling,
  nextRetry,
  retryDelay,
  WEBHOOK_OPTION_DEFAULTS,
  type RetrySchedule,
} from '../../lib';

const schedule: RetrySchedule = {
  baseDelayMs: WEBHOOK_OPTION_DEFAULTS.retryBaseDelayMs,
  maxDelayMs: WEBHOOK_OPTION_DEFAULTS.retryMaxDelayMs,
  retryForMs: WEBHOOK_OPTION_DEFAULTS.retryForMs,
};
const HOUR = 60 * 60_000;

describe('webhook retry schedule', () => {
  it('doubles from the base up to the cap, never shrinking', () => {
    const ceilings = Array.from({ length: 30 }, (_, i) =>
      backoffCeiling(schedule, i + 1),
    );
    expect(ceilings[0]).toBe(5_000);
    expect(ceilings[1]).toBe(10_000);
    expect(ceilings[2]).toBe(20_000);
    for (let i = 1; i < ceilings.length; i++) {
      expect(ceilings[i]).toBeGreaterThanOrEqual(ceilings[i - 1]);
    }
    expect(Math.max(...ceilings)).toBe(6 * HOUR);
  });

  it('jitters between half and all of the ceiling', () => {
    for (const retry of [1, 2, 5, 10, 20]) {
      const ceiling = backoffCeiling(schedule, retry);
      expect(retryDelay(schedule, retry, () => 0)).toBe(ceiling / 2);
      expect(retryDelay(schedule, retry, () => 0.999999)).toBeLessThanOrEqual(
        ceiling,
      );
      for (let i = 0; i < 50; i++) {
        const delay = retryDelay(schedule, retry);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('before the cap, jittered delays never shrink (equal jitter)', () => {
    let previous = 0;
    for (
      let retry = 1;
      backoffCeiling(schedule, retry) < schedule.maxDelayMs;
      retry++
    ) {
      const delay = retryDelay(schedule, retry);
      expect(delay).toBeGreaterThanOrEqual(previous);
      previous = delay;
    }
  });

  it.each([
    ['the shortest jitter', () => 0],
    ['the longest jitter', () => 0.999999],
    ['random jitter', Math.random],
  ])(
    'keeps retrying for at least 24 h, and gives up after the span (%s)',
    (_, random) => {
      const first = new Date('2026-01-01T00:00:00Z');
      let at = first;
      let tries = 1;
      for (;;) {
        const next = nextRetry(schedule, first, at, tries, null, random);
        if (!next.retry) break;
        expect(next.at.getTime()).toBeGreaterThan(at.getTime());
        at = next.at;
        tries++;
        expect(tries).toBeLessThan(200);
      }
      const span = at.getTime() - first.getTime();
      expect(span).toBeGreaterThanOrEqual(24 * HOUR);
      expect(span).toBeGreaterThanOrEqual(schedule.retryForMs);
      expect(span).toBeLessThan(schedule.retryForMs + schedule.maxDelayMs + 1);
      expect(tries).toBeGreaterThan(10);
    },
  );

  it('honours Retry-After up to the cap', () => {
    const t = new Date('2026-01-01T00:00:00Z');
    const later = nextRetry(schedule, t, t, 1, 120_000, () => 0);
    expect(later).toEqual({ retry: true, at: new Date(t.getTime() + 120_000) });
    const capped = nextRetry(schedule, t, t, 1, 100 * HOUR, () => 0);
    expect(capped).toEqual({
      retry: true,
      at: new Date(t.getTime() + 6 * HOUR),
    });
  });
});
