import type { CampaignClock } from '../../lib';

/** A clock the test moves by hand. */
export class FakeClock implements CampaignClock {
  constructor(private current: Date) {}

  now(): Promise<Date> {
    return Promise.resolve(new Date(this.current));
  }

  set(at: Date): void {
    this.current = new Date(at);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }

  get time(): Date {
    return new Date(this.current);
  }
}
