import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { DataSource } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import { runStatement, runTransaction } from '../database/run-transaction';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { CAMPAIGN_CLOCK } from '../scheduler/campaign-clock.provider';
import type { CampaignClock } from '../scheduler/campaign-clock';
import { CAMPAIGN_SCHEDULER_REGISTRY } from '../scheduler/campaign-scheduler-registry.provider';
import {
  CAMPAIGN_EVENT_FANOUT,
  type CampaignEventFanout,
} from './campaign-event-fanout.interface';
import { CampaignEventOutbox } from './campaign-event-outbox';
import { CampaignEventStore } from './campaign-event.store';
import { CampaignEventsService } from './campaign-events.service';

/** What a look at the outbox found, for health checks. */
export interface OutboxBacklog {
  /** Events not delivered yet. */
  pending: number;
  /** When the oldest of them was written; null when none is pending. */
  oldestAt: Date | null;
}

/**
 * Delivers the outbox's events after their commit, at least once, in every
 * replica (API-only ones too): a replica leases a batch (no other replica
 * delivers those while the lease runs), gives each new event its
 * per-campaign sequence and hands it to the fan-out (webhooks) in that same
 * transaction, then hands the batch to this process's subscribers and marks
 * it delivered. A crash in between leaves the events leased; when the lease
 * expires another replica delivers them again, with the same id and
 * sequence.
 */
@Injectable()
export class CampaignEventRelayService
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('CampaignEventRelayService');
  private readonly dialect: SqlDialect;
  private running: Promise<number> | null = null;
  private again = false;
  private stopping = false;
  private stopWaking: () => void = () => undefined;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
    @Inject(CAMPAIGN_CLOCK) private readonly clock: CampaignClock,
    @Inject(CAMPAIGN_SCHEDULER_REGISTRY)
    private readonly registry: SchedulerRegistry,
    private readonly outbox: CampaignEventOutbox,
    private readonly store: CampaignEventStore,
    private readonly events: CampaignEventsService,
    @Optional()
    @Inject(CAMPAIGN_EVENT_FANOUT)
    private readonly fanout: CampaignEventFanout | null = null,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  get intervalName(): string {
    return `nestjs-call-campaigns:event-relay:${this.options.scheduler.replicaId}`;
  }

  onApplicationBootstrap(): void {
    if (!this.options.events.relay) return;
    const timer = setInterval(
      () => void this.drain(),
      this.options.events.pollIntervalMs,
    );
    this.registry.addInterval(this.intervalName, timer);
    // The first look is a poll away, not now: subscribers a host adds in
    // its own bootstrap hooks (which run after this one) get the backlog.
    this.stopWaking = this.outbox.onCommitted(() => void this.drain());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.stopWaking();
    if (this.registry.doesExist('interval', this.intervalName)) {
      this.registry.deleteInterval(this.intervalName);
    }
    await this.running;
  }

  /**
   * Delivers what is pending, batch after batch; joins a drain already
   * running (and makes it look again). Resolves with the events delivered;
   * never rejects (a failure is logged and the next poll retries).
   */
  drain(): Promise<number> {
    if (!this.options.events.relay) return Promise.resolve(0);
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drainBatches()
      .catch((error: unknown) => {
        this.logger.error(
          `could not deliver events: ${error instanceof Error ? error.message : String(error)}`,
        );
        return 0;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Events written and not delivered yet (the health check's "outbox draining"). */
  backlog(): Promise<OutboxBacklog> {
    return this.store.backlog();
  }

  private async drainBatches(): Promise<number> {
    let delivered = 0;
    do {
      this.again = false;
      for (;;) {
        if (this.stopping) return delivered;
        const batch = await this.relayBatch();
        delivered += batch.delivered;
        if (!batch.full) break;
      }
    } while (this.again && !this.stopping);
    return delivered;
  }

  private async relayBatch(): Promise<{ delivered: number; full: boolean }> {
    const { batchSize, leaseMs, subscriberTimeoutMs } = this.options.events;
    const owner = this.options.scheduler.replicaId;
    const now = await this.clock.now();
    const leasedAt = performance.now();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    // No listener to wait for: marked delivered as leased, handed over after.
    const deliveredAt = this.events.waitsForDelivery ? undefined : now;
    const leased = await runTransaction(this.dataSource, async (m) => {
      const locked = await this.dialect.tryTransactionLock(
        m,
        'nestjs-call-campaigns:event-relay',
      );
      if (!locked) return null;
      const taken = await this.store.lease(m, {
        owner,
        now,
        leaseUntil,
        limit: batchSize,
        deliveredAt,
      });
      if (this.fanout && taken.fresh.length) {
        await this.fanout.enqueue(m, taken.fresh, now);
      }
      return taken;
    });
    // Another replica is leasing (it takes ours too); the next poll looks again.
    if (!leased) return { delivered: 0, full: false };
    const full = leased.events.length === batchSize;
    if (deliveredAt) {
      for (const event of leased.events) {
        await this.events.deliver(event, subscriberTimeoutMs);
      }
      return { delivered: leased.events.length, full };
    }
    const done: string[] = [];
    for (const event of leased.events) {
      // Past its lease another replica may take an event: stop before.
      const elapsed = performance.now() - leasedAt;
      if (elapsed + subscriberTimeoutMs >= leaseMs) break;
      await this.events.deliver(event, subscriberTimeoutMs);
      done.push(event.id);
    }
    if (done.length) {
      const at = await this.clock.now();
      await runStatement(this.dataSource, (m) =>
        this.store.markDelivered(m, done, owner, at),
      );
    }
    return { delivered: done.length, full };
  }
}
