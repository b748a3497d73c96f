import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { CAMPAIGN_SCHEDULER_REGISTRY } from '../scheduler/campaign-scheduler-registry.provider';
import {
  CampaignRetentionService,
  type RetentionPurgeResult,
} from './campaign-retention.service';

/**
 * The opt-in retention job (`retention` option): a purge every `everyMs`,
 * in replicas with `scheduler.enabled`, on the interval registry the dialing
 * loop uses. A run never overlaps the previous one; a failure is logged and
 * the next run tries again. Shutdown clears the interval and stops a running
 * purge between two of its transactions.
 */
@Injectable()
export class CampaignRetentionJob
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('CampaignRetention');
  private readonly stopping = new AbortController();
  private running: Promise<RetentionPurgeResult | null> | null = null;

  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
    private readonly retention: CampaignRetentionService,
    @Inject(CAMPAIGN_SCHEDULER_REGISTRY)
    private readonly registry: SchedulerRegistry,
  ) {}

  get intervalName(): string {
    return `nestjs-call-campaigns:retention:${this.options.scheduler.replicaId}`;
  }

  onApplicationBootstrap(): void {
    const settings = this.options.retention;
    if (!settings || !this.options.scheduler.enabled) return;
    const timer = setInterval(() => void this.run(), settings.everyMs);
    this.registry.addInterval(this.intervalName, timer);
    this.logger.log(
      `retention on: campaigns finished more than ${settings.olderThanDays} days ago are deleted every ${settings.everyMs} ms`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    if (this.registry.doesExist('interval', this.intervalName)) {
      this.registry.deleteInterval(this.intervalName);
    }
    await this.running;
  }

  /**
   * One purge with the configured settings; a purge still running is joined,
   * not overlapped. Never rejects: null when it failed (logged) or retention
   * is off.
   */
  run(): Promise<RetentionPurgeResult | null> {
    const settings = this.options.retention;
    if (this.running) return this.running;
    if (!settings || this.stopping.signal.aborted) {
      return Promise.resolve(null);
    }
    this.running = this.retention
      .purge({
        olderThanDays: settings.olderThanDays,
        batchSize: settings.batchSize,
        signal: this.stopping.signal,
      })
      .then(
        (result) => {
          if (result.batches || result.idempotencyKeys) {
            this.logger.log(
              `deleted ${result.campaigns} campaigns, ${result.calls} calls, ${result.attempts} attempts, ${result.events} events, ${result.idempotencyKeys} expired idempotency keys`,
            );
          }
          return result;
        },
        (error: unknown) => {
          this.logger.error(
            `retention purge failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          return null;
        },
      )
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }
}
