import type { Provider } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

/** Injection token of the registry that holds the dialing loop's interval. */
export const CAMPAIGN_SCHEDULER_REGISTRY = Symbol(
  'CAMPAIGN_SCHEDULER_REGISTRY',
);

/**
 * The host's `SchedulerRegistry` when it imports `ScheduleModule.forRoot()`
 * (the loop's interval then shows in it), else one of the module's own. The
 * module never calls `ScheduleModule.forRoot()` itself: a second explorer
 * would run every host `@Cron`/`@Interval` twice.
 */
export const campaignSchedulerRegistryProvider: Provider = {
  provide: CAMPAIGN_SCHEDULER_REGISTRY,
  useFactory: (host?: SchedulerRegistry): SchedulerRegistry =>
    host ?? new SchedulerRegistry(),
  inject: [{ token: SchedulerRegistry, optional: true }],
};
