/** Calls-per-second limit of one replica, on the process's monotonic clock. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }

  available(): number {
    const now = performance.now();
    this.tokens = Math.min(
      this.perSecond,
      this.tokens + ((now - this.last) / 1000) * this.perSecond,
    );
    this.last = now;
    return Math.floor(this.tokens);
  }

  take(count: number): void {
    this.tokens -= count;
  }
}
