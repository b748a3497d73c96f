/**
 * Spreads calls over a playbook's caller numbers, each at most
 * `callsPerMinute` new calls in any rolling minute (providers and carriers
 * flag numbers that call too fast). In one replica; the module's per-account
 * limits still apply across replicas.
 */
export class CallerNumberPool {
  private readonly recent = new Map<string, number[]>();
  private next = 0;

  constructor(private readonly callsPerMinute: number) {
    if (!Number.isInteger(callsPerMinute) || callsPerMinute < 1) {
      throw new Error(
        'CallerNumberPool: callsPerMinute must be a positive integer',
      );
    }
  }

  /**
   * The number to call from now, round robin over those under their limit;
   * null when every number is at its limit (the call is then not placed).
   */
  take(numbers: readonly string[], now = Date.now()): string | null {
    for (let i = 0; i < numbers.length; i++) {
      const number = numbers[(this.next + i) % numbers.length];
      const starts = (this.recent.get(number) ?? []).filter(
        (t) => t > now - 60_000,
      );
      if (starts.length < this.callsPerMinute) {
        starts.push(now);
        this.recent.set(number, starts);
        this.next = (this.next + i + 1) % numbers.length;
        return number;
      }
      this.recent.set(number, starts);
    }
    return null;
  }

  /** Milliseconds until one of `numbers` may call again (0: one may now). */
  waitMs(numbers: readonly string[], now = Date.now()): number {
    let soonest = Number.POSITIVE_INFINITY;
    for (const number of numbers) {
      const starts = (this.recent.get(number) ?? []).filter(
        (t) => t > now - 60_000,
      );
      if (starts.length < this.callsPerMinute) return 0;
      soonest = Math.min(soonest, starts[0] + 60_000 - now);
    }
    return Number.isFinite(soonest) ? soonest : 0;
  }
}
