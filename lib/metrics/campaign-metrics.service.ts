import {
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import type { WaitReason } from '../compliance/claim-plan';
import {
  CALL_OUTCOMES,
  type DialRequest,
  type DialResult,
} from '../dialer/campaign-dialer.interface';
import { CampaignEventsService } from '../events/campaign-events.service';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { CAMPAIGN_CLOCK } from '../scheduler/campaign-clock.provider';
import type { CampaignClock } from '../scheduler/campaign-clock';
import type { StartedAttempt } from '../scheduler/dispatch.interfaces';
import { CallsDueReader } from './calls-due.reader';
import {
  createCampaignInstruments,
  type CampaignInstruments,
  type PromClientModule,
} from './campaign-instruments';

/** What one claim did, as the metrics count it. */
export interface ClaimCounts {
  started: readonly StartedAttempt[];
  deferredByReason: Partial<Record<WaitReason, number>>;
  optedOut: number;
  blocked: number;
}

const noop = (): void => undefined;

/** prom-client, loaded only when the host turns metrics on (an optional peer). */
async function loadPromClient(): Promise<PromClientModule> {
  try {
    return await import('prom-client');
  } catch (error) {
    throw new Error(
      `CampaignModule option "metrics" needs prom-client (npm install prom-client): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * The module's Prometheus metrics (see README, "Metrics"), on the host's
 * registry or prom-client's default one. Without the `metrics` option every
 * method does nothing and prom-client is never loaded.
 */
@Injectable()
export class CampaignMetricsService
  implements OnModuleInit, OnApplicationShutdown
{
  private instruments: CampaignInstruments | null = null;
  private dialsInFlight: () => number = () => 0;
  private unsubscribe: () => void = noop;

  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CAMPAIGN_CLOCK) private readonly clock: CampaignClock,
    private readonly events: CampaignEventsService,
  ) {}

  /** Whether the metrics are on (the `metrics` option was given). */
  get enabled(): boolean {
    return this.instruments !== null;
  }

  async onModuleInit(): Promise<void> {
    const settings = this.options.metrics;
    if (!settings) return;
    const callsDue = new CallsDueReader(this.dataSource, this.clock);
    const m = createCampaignInstruments(
      await loadPromClient(),
      settings.registry,
      settings.prefix,
      {
        dialsInFlight: () => this.dialsInFlight(),
        callsDue: () => callsDue.read(),
      },
    );
    this.instruments = m;
    this.unsubscribe = this.events.subscribe(
      (event) => {
        if (event.type === 'call.attempt.finished') {
          m.outcomes.inc({ outcome: event.outcome });
        } else if (event.type !== 'call.attempt.started') {
          m.lifecycle.inc({ event: event.type.slice('campaign.'.length) });
        }
      },
      { durable: false },
    );
  }

  /** After the dialing loop drained (its last dials are counted). */
  onApplicationShutdown(): void {
    this.unsubscribe();
    this.instruments?.unregister();
    this.instruments = null;
  }

  /** Where the `dials_in_flight` gauge reads its value (the dialing loop). */
  trackDialsInFlight(read: () => number): void {
    this.dialsInFlight = read;
  }

  /** Starts timing a claim or a write of results; call the answer when it is over. */
  startTimer(what: 'claim' | 'record'): () => void {
    const m = this.instruments;
    if (!m) return noop;
    const stop = (
      what === 'claim' ? m.claimDuration : m.recordDuration
    ).startTimer();
    return () => void stop();
  }

  /** Counts what a claim did: dial lags, deferrals by reason, calls skipped. */
  claimed(claim: ClaimCounts, at: Date): void {
    const m = this.instruments;
    if (!m) return;
    for (const { dueAt } of claim.started) {
      m.dialLag.observe(Math.max(0, at.getTime() - dueAt.getTime()) / 1000);
    }
    for (const [reason, n] of Object.entries(claim.deferredByReason)) {
      if (n) m.deferred.inc({ reason }, n);
    }
    if (claim.optedOut) m.skipped.inc({ reason: 'opted_out' }, claim.optedOut);
    if (claim.blocked) m.skipped.inc({ reason: 'blocked' }, claim.blocked);
  }

  /** Counts one dial by provider and by what the dialer answered. */
  dialed(request: DialRequest, result: DialResult): void {
    const m = this.instruments;
    if (!m) return;
    const outcome = result.notPlaced
      ? 'not_placed'
      : (CALL_OUTCOMES as readonly unknown[]).includes(result.outcome)
        ? String(result.outcome)
        : 'accepted';
    m.dials.inc({ provider: request.playbook?.provider ?? 'custom', outcome });
    if (result.notPlaced) m.deferred.inc({ reason: 'provider_limit' });
  }

  /** Times one campaign creation and counts it (and its contacts) when it created one. */
  async timeCreation<T extends { replayed: boolean }>(
    contacts: number,
    work: () => Promise<T>,
  ): Promise<T> {
    const m = this.instruments;
    if (!m) return work();
    const stop = m.createDuration.startTimer();
    try {
      const result = await work();
      stop({ result: result.replayed ? 'replayed' : 'created' });
      if (!result.replayed) {
        m.created.inc();
        m.contacts.inc(contacts);
      }
      return result;
    } catch (error) {
      stop({ result: 'failed' });
      throw error;
    }
  }

  /** Counts one webhook try by its result. */
  webhookTried(result: string): void {
    this.instruments?.webhookAttempts.inc({ result });
  }

  /** Counts one webhook delivery that ended (`delivered` or `failed`). */
  webhookDeliveryEnded(result: 'delivered' | 'failed'): void {
    this.instruments?.webhookDeliveries.inc({ result });
  }

  /** Counts one endpoint the delivery worker disabled. */
  webhookEndpointDisabled(reason: string): void {
    this.instruments?.webhookEndpointsDisabled.inc({ reason });
  }
}
