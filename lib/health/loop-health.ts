import type { LoopHealth } from './campaign-health.interface';

/** What the indicator knows of the dialing loop at one instant. */
export interface LoopObservation {
  /** Why this replica does not run the loop; null when it is configured to. */
  offReason: string | null;
  /** Whether the loop is scheduled in this replica now. */
  running: boolean;
  lastTickEndedAt: Date | null;
  /** Since when the loop has run here: the age of a first tick that never ended. */
  startedAt: Date;
  now: Date;
  maxTickAgeMs: number;
}

/** The loop check: down when it should tick here and no tick ended recently. */
export function loopHealth(seen: LoopObservation): LoopHealth {
  const lastTickEndedAt = seen.lastTickEndedAt?.toISOString() ?? null;
  const lastTickAgeMs = seen.lastTickEndedAt
    ? Math.max(0, seen.now.getTime() - seen.lastTickEndedAt.getTime())
    : null;
  const measured = {
    lastTickEndedAt,
    lastTickAgeMs,
    maxTickAgeMs: seen.maxTickAgeMs,
  };
  if (seen.offReason !== null) {
    return { status: 'up', state: 'off', reason: seen.offReason, ...measured };
  }
  if (!seen.running) {
    return {
      status: 'down',
      state: 'stopped',
      ...measured,
      message: 'the dialing loop is not scheduled in this replica',
    };
  }
  if (lastTickAgeMs === null) {
    const waitedMs = Math.max(0, seen.now.getTime() - seen.startedAt.getTime());
    return waitedMs > seen.maxTickAgeMs
      ? {
          status: 'down',
          state: 'stalled',
          ...measured,
          message: `no tick has ended in the ${waitedMs} ms since the loop started (max ${seen.maxTickAgeMs} ms)`,
        }
      : { status: 'up', state: 'starting', ...measured };
  }
  return lastTickAgeMs > seen.maxTickAgeMs
    ? {
        status: 'down',
        state: 'stalled',
        ...measured,
        message: `the last tick ended ${lastTickAgeMs} ms ago (max ${seen.maxTickAgeMs} ms)`,
      }
    : { status: 'up', state: 'ticking', ...measured };
}
