import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { setTimeout as sleep } from 'node:timers/promises';
import { CAMPAIGN_OPTIONS } from '../campaign.constants';
import {
  CALL_OUTCOMES,
  type CampaignDialer,
  type DialResult,
} from '../dialer/campaign-dialer.interface';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { CampaignEventsService } from '../events/campaign-events.service';
import { DueCallsNotifier } from './due-calls.notifier';
import { CampaignMetricsService } from '../metrics/campaign-metrics.service';
import { CallDispatchRepository } from './call-dispatch.repository';
import { DialResultBuffer } from './dial-result.buffer';
import { CAMPAIGN_CLOCK } from './campaign-clock.provider';
import { CAMPAIGN_SCHEDULER_REGISTRY } from './campaign-scheduler-registry.provider';
import type { CampaignClock } from './campaign-clock';
import type {
  AttemptResult,
  StartedAttempt,
  TickReport,
} from './dispatch.interfaces';
import { TokenBucket } from './token-bucket';

/** Backoff for a provider refusal without `Retry-After`. */
const NOT_PLACED_BACKOFF_MS = 30_000;
/** Bound on asking the provider what became of an expired attempt. */
const LOOKUP_TIMEOUT_MS = 10_000;
/** Campaigns started since the last statistics refresh that call for one. */
const ANALYZE_AFTER_ACTIVATIONS = 100;
/** At most one statistics refresh of campaigns this often, per replica. */
const ANALYZE_INTERVAL_MS = 10_000;

const emptyReport = (): TickReport => ({
  activated: 0,
  interrupted: 0,
  started: 0,
  deferred: 0,
  optedOut: 0,
  blocked: 0,
});

const isOutcome = (value: unknown): value is AttemptResult['outcome'] =>
  (CALL_OUTCOMES as readonly unknown[]).includes(value);

/**
 * The cron-driven dialing loop. Each tick: activate due scheduled campaigns,
 * end expired attempts as interrupted, claim due calls (recording each
 * attempt before dialing), dial, record outcomes, complete campaigns.
 */
@Injectable()
export class DialingLoopService
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('CampaignDialingLoop');
  private readonly settings: ResolvedCampaignOptions['scheduler'];
  private readonly rate: TokenBucket;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly buffer: DialResultBuffer;
  private ticking: Promise<TickReport> | null = null;
  /** Claims run one at a time (a tick's, and refills between ticks). */
  private claims: Promise<unknown> = Promise.resolve();
  private refillQueued = false;
  private activatedSinceAnalyze = 0;
  private analyzedAt = Number.NEGATIVE_INFINITY;
  private stopping = false;
  private tickMissed = false;
  private stopWaking: () => void = () => undefined;

  constructor(
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
    @Inject(CAMPAIGN_CLOCK) private readonly clock: CampaignClock,
    private readonly calls: CallDispatchRepository,
    @Inject(CAMPAIGN_SCHEDULER_REGISTRY)
    private readonly registry: SchedulerRegistry,
    private readonly events: CampaignEventsService,
    private readonly metrics: CampaignMetricsService,
    private readonly dueCalls: DueCallsNotifier,
  ) {
    this.settings = options.scheduler;
    this.rate = new TokenBucket(this.settings.callsPerSecond);
    this.buffer = new DialResultBuffer(
      calls,
      clock,
      metrics,
      this.settings,
      () => this.refill(),
    );
    metrics.trackDialsInFlight(() => this.inFlight.size);
  }

  get intervalName(): string {
    return `nestjs-call-campaigns:${this.settings.replicaId}`;
  }

  onApplicationBootstrap(): void {
    if (!this.settings.enabled) return;
    if (!this.options.dialer) {
      this.logger.warn('no dialer configured: the dialing loop is off');
      return;
    }
    const timer = setInterval(
      () => void this.safeTick(),
      this.settings.tickIntervalMs,
    );
    this.registry.addInterval(this.intervalName, timer);
    // Calls due now (a new immediate campaign) are claimed at once.
    this.stopWaking = this.dueCalls.onDue(() => void this.safeTick());
    this.logger.log(
      `dialing loop on as ${this.settings.replicaId}, every ${this.settings.tickIntervalMs} ms`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.stopWaking();
    if (this.isScheduled()) this.registry.deleteInterval(this.intervalName);
    await this.ticking?.catch(() => undefined);
    await this.claims;
    const drained = await Promise.race([
      this.drain().then(() => true),
      sleep(this.settings.shutdownTimeoutMs, false, { ref: false }),
    ]);
    if (!drained) {
      this.logger.warn(
        `${this.inFlight.size} dials still in flight at shutdown: their attempts end as interrupted when the lease expires`,
      );
    }
  }

  /** One tick; a tick still running is joined, never overlapped. */
  tick(): Promise<TickReport> {
    if (this.ticking) {
      // A tick ran past its interval: run again right after it, not an
      // interval later.
      this.tickMissed = true;
      return this.ticking;
    }
    this.ticking = this.runTick().finally(() => {
      this.ticking = null;
      this.lastTickEndedAt = new Date();
      if (this.tickMissed && !this.stopping && this.isScheduled()) {
        this.tickMissed = false;
        setImmediate(() => void this.safeTick());
      }
    });
    return this.ticking;
  }

  /** When the last tick ended (null before the first): for health checks. */
  lastTickEndedAt: Date | null = null;

  /** Whether this replica runs the loop (enabled, with a dialer, not stopping). */
  get running(): boolean {
    return this.isScheduled() && !this.stopping;
  }

  /** Dials this replica has in flight now. */
  get dialsInFlight(): number {
    return this.inFlight.size;
  }

  private isScheduled(): boolean {
    return this.registry.doesExist('interval', this.intervalName);
  }

  /** Waits for every dial in flight and writes every result. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    await this.buffer.flush();
    if (this.buffer.unwritten) {
      throw new Error('dial results could not be written');
    }
  }

  private async safeTick(): Promise<void> {
    try {
      await this.tick();
    } catch (error) {
      this.logger.error(`tick failed: ${(error as Error).message}`);
    }
  }

  private async runTick(): Promise<TickReport> {
    const report = emptyReport();
    const dialer = this.options.dialer;
    if (!dialer) return report;
    const started = performance.now();
    const now = await this.clock.now();
    const activated = await this.calls.activateDueCampaigns(now);
    report.activated = activated.length;
    await this.afterActivations(activated.length);
    // Results this replica holds first: after an outage longer than the
    // lease, its own finished attempts must not be taken for interrupted.
    await this.buffer.flush();
    const expired = await this.calls.interruptExpired(
      now,
      this.settings.batchSize,
      dialer.lookup ? { dialer, timeoutMs: LOOKUP_TIMEOUT_MS } : undefined,
    );
    report.interrupted = expired.recorded.length;
    this.buffer.announce(expired);
    // Catches a campaign whose completion check was lost (a crash between
    // the commit that ended its last call and the check).
    this.buffer.announce({
      recorded: [],
      completedCampaigns: await this.calls.completeCampaigns('all', now),
    });
    await this.oneClaimAtATime(() => this.claimDue(dialer, report, started));
    if (
      report.started ||
      report.activated ||
      report.interrupted ||
      report.optedOut
    ) {
      this.logger.log(
        `tick: ${report.started} dialed, ${report.deferred} held back by the calling rules, ${report.optedOut} on the do-not-call list, ${report.blocked} never callable, ${report.interrupted} interrupted, ${report.activated} campaigns started`,
      );
    }
    return report;
  }

  /**
   * Campaigns planner statistics count as scheduled make the claim's plan
   * go bad once they run (a scan of every running campaign and a sort of
   * all their due calls, not the due-time index): after many starts,
   * campaigns is analyzed before the claim, at most every 10 s.
   */
  private async afterActivations(count: number): Promise<void> {
    this.activatedSinceAnalyze += count;
    if (this.activatedSinceAnalyze < ANALYZE_AFTER_ACTIVATIONS) return;
    if (performance.now() - this.analyzedAt < ANALYZE_INTERVAL_MS) return;
    this.analyzedAt = performance.now();
    this.activatedSinceAnalyze = 0;
    await this.calls
      .refreshStatistics(['campaigns'])
      .catch((error: Error) =>
        this.logger.warn(`could not analyze campaigns: ${error.message}`),
      );
  }

  /**
   * Dial slots came free (their results are written): claim again now
   * rather than at the next tick, so that a replica's share of the work
   * follows how fast it dials, not the tick.
   */
  private refill(): void {
    const dialer = this.options.dialer;
    if (!dialer || !this.running || this.refillQueued) return;
    this.refillQueued = true;
    void this.oneClaimAtATime(() => {
      this.refillQueued = false;
      if (!this.running) return Promise.resolve();
      return this.claimDue(dialer, emptyReport(), performance.now());
    }).catch((error: Error) =>
      this.logger.error(`claim failed: ${error.message}`),
    );
  }

  private oneClaimAtATime(work: () => Promise<void>): Promise<void> {
    const run = this.claims.then(work);
    this.claims = run.catch(() => undefined);
    return run;
  }

  /**
   * Claims due calls up to this replica's free dial slots (and its rate),
   * records their attempts and starts their dials.
   */
  private async claimDue(
    dialer: CampaignDialer,
    report: TickReport,
    startedAt: number,
  ): Promise<void> {
    while (!this.stopping) {
      const limit = Math.min(
        this.settings.batchSize,
        // Results not yet written count as in flight: no claiming ahead of
        // a database that cannot take them.
        this.settings.maxInFlight - this.inFlight.size - this.buffer.size,
        this.rate.available(),
      );
      if (limit <= 0) break;
      const now = await this.clock.now();
      const claimTimer = this.metrics.startTimer('claim');
      const claimed = await this.calls.claimAndStart({
        owner: this.settings.replicaId,
        now,
        limit,
        leaseUntil: new Date(now.getTime() + this.settings.leaseMs),
      });
      claimTimer();
      this.metrics.claimed(claimed, now);
      this.rate.take(claimed.started.length);
      for (const attempt of claimed.started) {
        this.events.emit({
          type: 'call.attempt.started',
          callId: attempt.request.callId,
          campaignId: attempt.request.campaignId,
          accountId: attempt.request.accountId,
          attempt: attempt.request.attempt,
          at: now,
        });
        this.dispatch(dialer, attempt);
      }
      this.buffer.announce({
        recorded: [],
        completedCampaigns: claimed.completedCampaigns,
      });
      report.started += claimed.started.length;
      report.deferred += claimed.deferred;
      report.optedOut += claimed.optedOut;
      report.blocked += claimed.blocked;
      const drainedQueue =
        claimed.started.length +
          claimed.deferred +
          claimed.optedOut +
          claimed.blocked <
        limit;
      const outOfTime =
        performance.now() - startedAt > this.settings.tickIntervalMs;
      if (drainedQueue || outOfTime) break;
    }
  }

  private dispatch(dialer: CampaignDialer, attempt: StartedAttempt): void {
    const dial = this.dialOnce(dialer, attempt).finally(() => {
      this.inFlight.delete(dial);
    });
    this.inFlight.add(dial);
  }

  /** One dial of one recorded attempt: never retried within the attempt. */
  private async dialOnce(
    dialer: CampaignDialer,
    { request, recall, firstAttemptAt }: StartedAttempt,
  ): Promise<void> {
    let result: DialResult;
    try {
      result = await dialer.dial(request);
    } catch (error) {
      result = {
        outcome: 'failed',
        details: { reason: (error as Error).message ?? String(error) },
      };
    }
    this.metrics.dialed(request, result);
    if (result.notPlaced) {
      // Not placed: the attempt is given back, and this replica calls slower
      // while the provider pushes back.
      this.rate.slowDown();
      const waitMs = result.notPlaced.retryAfterMs ?? NOT_PLACED_BACKOFF_MS;
      this.buffer.addNotPlaced({
        callId: request.callId,
        attempt: request.attempt,
        reason: result.notPlaced.reason,
        retryAt: new Date((await this.clock.now()).getTime() + waitMs),
      });
      this.logger.warn(
        `call ${request.callId} attempt ${request.attempt} not placed by the provider (${result.notPlaced.reason}); retried in ${waitMs} ms, ${this.rate.currentRate.toFixed(1)} calls/s now`,
      );
    } else if (isOutcome(result.outcome)) {
      this.rate.recover();
      this.buffer.addResult({
        callId: request.callId,
        attempt: request.attempt,
        outcome: result.outcome,
        providerCallId: result.providerCallId ?? null,
        details: result.details ?? null,
        recall,
        firstAttemptAt,
      });
    } else {
      this.rate.recover();
      this.buffer.addAccepted({
        callId: request.callId,
        attempt: request.attempt,
        providerCallId: result.providerCallId,
      });
    }
  }
}
