import type { CampaignClock } from '../../lib';

/**
 * A clock that runs `factor` times faster than the process clock from
 * `origin` (epoch ms) on: `origin + (Date.now() - origin) * factor`.
 *
 * Every process of one test uses the same origin and factor, so replicas on
 * one host agree on due times and lease expiry, and recall delays of a few
 * (fake) minutes pass in a fraction of a real second. Durations configured in
 * the module (`leaseMs`) are in fake milliseconds: use {@link fakeMs}.
 */
export class ScaledClock implements CampaignClock {
  constructor(
    readonly origin: number,
    readonly factor: number,
  ) {
    if (!Number.isInteger(factor) || factor < 1) {
      throw new Error(`ScaledClock: factor must be an integer >= 1`);
    }
  }

  now(): Promise<Date> {
    return Promise.resolve(this.at(Date.now()));
  }

  /** The fake instant at real epoch ms `real`. */
  at(real: number): Date {
    return new Date(this.origin + (real - this.origin) * this.factor);
  }

  /** A real duration in fake milliseconds. */
  fakeMs(realMs: number): number {
    return realMs * this.factor;
  }
}

/**
 * A fixed-offset zone (`Etc/GMT±N`) whose local time at `at` is `hour`:xx.
 * Used as the module's `defaultTimezone` so a calling window of
 * 00:00–23:59 (end exclusive) stays open for the whole test however fast the
 * clock runs and whatever the real time of day.
 */
export function zoneAtLocalHour(at: Date, hour: number): string {
  let offset = hour - at.getUTCHours();
  if (offset < -12) offset += 24;
  if (offset > 14) offset -= 24;
  if (offset === 0) return 'Etc/UTC';
  // Etc/GMT signs are inverted: Etc/GMT-3 is UTC+03:00.
  return `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
