import { loopHealth, type LoopObservation } from '../../lib/health/loop-health';

const startedAt = new Date('2026-03-02T10:00:00.000Z');
const at = (ms: number) => new Date(startedAt.getTime() + ms);

const seen = (overrides: Partial<LoopObservation>): LoopObservation => ({
  offReason: null,
  running: true,
  lastTickEndedAt: null,
  startedAt,
  now: at(1_000),
  maxTickAgeMs: 8_000,
  ...overrides,
});

describe('loopHealth', () => {
  it('is up and off when the replica does not run the loop, whatever its ticks', () => {
    expect(
      loopHealth(
        seen({
          offReason: 'no dialer configured',
          running: false,
          now: at(60_000),
        }),
      ),
    ).toEqual({
      status: 'up',
      state: 'off',
      reason: 'no dialer configured',
      lastTickEndedAt: null,
      lastTickAgeMs: null,
      maxTickAgeMs: 8_000,
    });
  });

  it('is down and stopped when the loop should run here but is not scheduled', () => {
    expect(
      loopHealth(seen({ running: false, lastTickEndedAt: at(500) })),
    ).toEqual({
      status: 'down',
      state: 'stopped',
      lastTickEndedAt: at(500).toISOString(),
      lastTickAgeMs: 500,
      maxTickAgeMs: 8_000,
      message: 'the dialing loop is not scheduled in this replica',
    });
  });

  it('is starting before the first tick ends, stalled once that takes longer than the threshold', () => {
    expect(loopHealth(seen({ now: at(8_000) }))).toMatchObject({
      status: 'up',
      state: 'starting',
      lastTickEndedAt: null,
      lastTickAgeMs: null,
    });
    expect(loopHealth(seen({ now: at(8_001) }))).toEqual({
      status: 'down',
      state: 'stalled',
      lastTickEndedAt: null,
      lastTickAgeMs: null,
      maxTickAgeMs: 8_000,
      message:
        'no tick has ended in the 8001 ms since the loop started (max 8000 ms)',
    });
  });

  it('is ticking while the last tick is recent, stalled past the threshold', () => {
    const lastTickEndedAt = at(10_000);
    expect(
      loopHealth(seen({ lastTickEndedAt, now: at(18_000) })),
    ).toMatchObject({ status: 'up', state: 'ticking', lastTickAgeMs: 8_000 });
    expect(loopHealth(seen({ lastTickEndedAt, now: at(18_500) }))).toEqual({
      status: 'down',
      state: 'stalled',
      lastTickEndedAt: lastTickEndedAt.toISOString(),
      lastTickAgeMs: 8_500,
      maxTickAgeMs: 8_000,
      message: 'the last tick ended 8500 ms ago (max 8000 ms)',
    });
  });
});
