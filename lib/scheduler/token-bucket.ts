/**
 * Calls-per-second limit of one replica, on the process's monotonic clock.
 * The rate drops while a provider pushes back (`slowDown`) and climbs back
 * slowly to the configured one (`recover`).
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private rate: number;

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
    this.rate = perSecond;
  }

  /** Calls per second allowed now. */
  get currentRate(): number {
    return this.rate;
  }

  available(): number {
    const now = performance.now();
    this.tokens = Math.min(
      this.rate,
      this.tokens + ((now - this.last) / 1000) * this.rate,
    );
    this.last = now;
    return Math.floor(this.tokens);
  }

  take(count: number): void {
    this.tokens -= count;
  }

  /** A provider refused a call for its limits: halve the rate (at least 1/s). */
  slowDown(): void {
    this.rate = Math.max(1, this.rate / 2);
    this.tokens = Math.min(this.tokens, this.rate);
  }

  /** A call was placed: win back 5% of the configured rate. */
  recover(): void {
    this.rate = Math.min(this.perSecond, this.rate + this.perSecond * 0.05);
  }
}
