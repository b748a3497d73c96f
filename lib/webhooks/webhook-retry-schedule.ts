/**
 * When a failed delivery is tried again. Exponential backoff with "equal
 * jitter": the n-th retry waits between half and all of
 * `min(maxDelay, base · 2^(n-1))`, so replicas and endpoints spread out
 * (Standard Webhooks: "retry … spanning multiple days, with an exponential
 * backoff … add some level of random jitter"; its example schedule runs
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, about 3 days in
 * all, which is the default span here). With the defaults (5 s base, 6 h
 * cap, 3 days) a delivery that never succeeds is tried about 25 times.
 * Until the cap, jittered delays never shrink: the n-th lies in
 * [d/2, d] and the next in [d, 2d].
 */
export interface RetrySchedule {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Retries go on until at least this long after the first try. */
  retryForMs: number;
}

/** The delay before the n-th retry (n ≥ 1) without jitter. */
export function backoffCeiling(schedule: RetrySchedule, retry: number): number {
  const exponent = Math.min(Math.max(retry, 1) - 1, 52);
  return Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** exponent);
}

/** The delay before the n-th retry (n ≥ 1): in [ceiling/2, ceiling]. */
export function retryDelay(
  schedule: RetrySchedule,
  retry: number,
  random: () => number = Math.random,
): number {
  const ceiling = backoffCeiling(schedule, retry);
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}

/** What to do after a failed try. */
export type RetryDecision = { retry: true; at: Date } | { retry: false };

/**
 * After failed try number `triesInWindow` (1 = the first), made at
 * `attemptedAt`, of a delivery first tried at `firstTriedAt`: the next try's
 * time, or give up once the span is over. A `Retry-After` the receiver sent
 * (429, 503) is honoured up to the cap.
 */
export function nextRetry(
  schedule: RetrySchedule,
  firstTriedAt: Date,
  attemptedAt: Date,
  triesInWindow: number,
  retryAfterMs: number | null = null,
  random: () => number = Math.random,
): RetryDecision {
  if (attemptedAt.getTime() - firstTriedAt.getTime() >= schedule.retryForMs) {
    return { retry: false };
  }
  let delay = retryDelay(schedule, triesInWindow, random);
  if (retryAfterMs !== null && retryAfterMs > delay) {
    delay = Math.min(retryAfterMs, schedule.maxDelayMs);
  }
  return { retry: true, at: new Date(attemptedAt.getTime() + delay) };
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or null. */
export function parseRetryAfter(
  value: string | undefined,
  now: number,
): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1_000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
