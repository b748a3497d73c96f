import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import { CampaignMetricsService } from '../metrics/campaign-metrics.service';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { CAMPAIGN_CLOCK } from '../scheduler/campaign-clock.provider';
import type { CampaignClock } from '../scheduler/campaign-clock';
import { CAMPAIGN_SCHEDULER_REGISTRY } from '../scheduler/campaign-scheduler-registry.provider';
import {
  WebhookDeliveryRepository,
  type LeasedDelivery,
} from './webhook-delivery.repository';
import { WebhookEndpointService } from './webhook-endpoint.service';
import { postWebhook } from './webhook-http.client';
import { nextRetry, parseRetryAfter } from './webhook-retry-schedule';
import { signWebhook } from './webhook-signer';
import { WebhookUrlPolicy } from './webhook-url.policy';

/** Slack on top of the request timeout before a lease counts as abandoned. */
const LEASE_MARGIN_MS = 60_000;

/**
 * Sends due webhook deliveries on its own timer (`webhooks.pollIntervalMs`),
 * in replicas with `scheduler.enabled` and `webhooks.deliver`: nothing it
 * does runs in, or waits for, the dialing loop. At most
 * `webhooks.maxConcurrency` requests in flight here, `webhooks.maxPerEndpoint`
 * per endpoint across replicas; every request is bounded (see
 * `postWebhook`). A poll never overlaps the previous one; a failure is
 * logged and the next poll tries again. Shutdown cuts the requests in
 * flight and gives their deliveries back untried.
 */
@Injectable()
export class WebhookDeliveryWorker
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('CampaignWebhooks');
  private readonly inFlight = new Set<Promise<void>>();
  private polling: Promise<number> | null = null;
  private readonly stopping = new AbortController();

  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
    @Inject(CAMPAIGN_CLOCK) private readonly clock: CampaignClock,
    @Inject(CAMPAIGN_SCHEDULER_REGISTRY)
    private readonly registry: SchedulerRegistry,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly endpoints: WebhookEndpointService,
    private readonly policy: WebhookUrlPolicy,
    private readonly metrics: CampaignMetricsService,
  ) {}

  get intervalName(): string {
    return `nestjs-call-campaigns:webhooks:${this.options.scheduler.replicaId}`;
  }

  /** Requests this replica has in flight. */
  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  onApplicationBootstrap(): void {
    if (!this.options.scheduler.enabled || !this.options.webhooks.deliver) {
      return;
    }
    const timer = setInterval(
      () => void this.poll(),
      this.options.webhooks.pollIntervalMs,
    );
    this.registry.addInterval(this.intervalName, timer);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    if (this.registry.doesExist('interval', this.intervalName)) {
      this.registry.deleteInterval(this.intervalName);
    }
    await this.polling;
    await this.drain();
  }

  /**
   * One poll: leases what is due (up to the free concurrency) and starts
   * the requests; resolves with how many it started, without waiting for
   * them (see {@link drain}). Joins a poll already running. Never rejects.
   */
  poll(): Promise<number> {
    if (this.polling) return this.polling;
    if (this.stopping.signal.aborted) return Promise.resolve(0);
    this.polling = this.leaseAndSend()
      .catch((error: unknown) => {
        this.logger.error(
          `webhook poll failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        return 0;
      })
      .finally(() => {
        this.polling = null;
      });
    return this.polling;
  }

  /** Waits for the requests in flight (each bounded by `webhooks.requestTimeoutMs`) and their writes. */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** One poll and the requests it started, until nothing due is left this instant. */
  async deliverDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const started = await this.poll();
      await this.drain();
      total += started;
      if (!started) return total;
    }
  }

  private async leaseAndSend(): Promise<number> {
    const settings = this.options.webhooks;
    const capacity = settings.maxConcurrency - this.inFlight.size;
    if (capacity <= 0) return 0;
    const now = await this.clock.now();
    if (!(await this.deliveries.anyDue(now))) return 0;
    const leased = await this.deliveries.lease({
      owner: this.options.scheduler.replicaId,
      now,
      leaseMs: settings.requestTimeoutMs + LEASE_MARGIN_MS,
      capacity,
      maxPerEndpoint: settings.maxPerEndpoint,
    });
    for (const delivery of leased) {
      const task = this.send(delivery).finally(() =>
        this.inFlight.delete(task),
      );
      this.inFlight.add(task);
    }
    return leased.length;
  }

  private async send(delivery: LeasedDelivery): Promise<void> {
    const settings = this.options.webhooks;
    try {
      // The attempt's real time: receivers check it against their clock.
      const headers = signWebhook(
        delivery.secrets,
        delivery.eventId,
        new Date(),
        delivery.payload,
      );
      const response = await postWebhook(
        this.policy,
        {
          url: delivery.url,
          headers: { ...headers },
          body: delivery.payload,
        },
        {
          timeoutMs: settings.requestTimeoutMs,
          maxResponseBytes: settings.maxResponseBytes,
          signal: this.stopping.signal,
        },
      );
      if (this.stopping.signal.aborted && response.error === 'aborted') {
        await this.deliveries.release(
          delivery,
          this.options.scheduler.replicaId,
        );
        return;
      }
      this.metrics.webhookTried(response.result);
      const finishedAt = await this.clock.now();
      const gone = response.statusCode === 410;
      const next =
        response.result === 'success'
          ? null
          : nextRetry(
              {
                baseDelayMs: settings.retryBaseDelayMs,
                maxDelayMs: settings.retryMaxDelayMs,
                retryForMs: settings.retryForMs,
              },
              delivery.firstTriedAt,
              finishedAt,
              delivery.windowTries,
              parseRetryAfter(response.retryAfter, Date.now()),
            );
      const { ended, disabled } = await this.deliveries.record({
        delivery,
        owner: this.options.scheduler.replicaId,
        response,
        finishedAt,
        nextAttemptAt: next?.retry ? next.at : null,
        disableNow: gone,
        disableFailingBefore: new Date(
          finishedAt.getTime() - settings.disableAfterMs,
        ),
      });
      if (ended) this.metrics.webhookDeliveryEnded(ended);
      if (disabled) {
        this.logger.warn(
          disabled.reason === 'gone'
            ? `webhook endpoint ${disabled.id} (${disabled.url}) answered 410 Gone: disabled`
            : `webhook endpoint ${disabled.id} (${disabled.url}) failed every try since ${disabled.failingSince?.toISOString()}: disabled; re-enable it with POST …/webhook-endpoints/${disabled.id}/enable`,
        );
        this.metrics.webhookEndpointDisabled(disabled.reason);
        this.endpoints.notifyDisabled({
          type: 'webhook.endpoint.disabled',
          endpointId: disabled.id,
          accountId: disabled.accountId,
          url: disabled.url,
          reason: disabled.reason,
          failingSince: disabled.failingSince,
          at: finishedAt,
        });
      }
    } catch (error) {
      // The lease expires and the delivery is tried again.
      this.logger.error(
        `webhook delivery ${delivery.id} could not be recorded: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
