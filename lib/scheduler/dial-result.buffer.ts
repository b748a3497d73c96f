import { Logger } from '@nestjs/common';
import type { CampaignMetricsService } from '../metrics/campaign-metrics.service';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import type {
  CallDispatchRepository,
  RecordedResults,
} from './call-dispatch.repository';
import type { CampaignClock } from './campaign-clock';
import type { AttemptResult } from './dispatch.interfaces';

/** A dial the provider accepted without an outcome yet. */
export interface AcceptedDial {
  callId: string;
  attempt: number;
  providerCallId?: string;
}

/** A dial the provider did not place (its limits): released, tried again later. */
export interface NotPlacedDial {
  callId: string;
  attempt: number;
  reason: string;
  retryAt: Date;
}

/** Results per write: well inside both databases' bind-parameter limits. */
const RESULTS_PER_WRITE = 500;

/**
 * What this replica's dials gave, waiting to be written: outcomes,
 * accepted dials (their outcome comes later) and dials not placed. Many
 * dials' results go in one write; a failed write keeps them for the next.
 */
export class DialResultBuffer {
  private readonly logger = new Logger('CampaignDialingLoop');
  private results: AttemptResult[] = [];
  private accepted: AcceptedDial[] = [];
  private notPlaced: NotPlacedDial[] = [];
  private flushing: Promise<void> | null = null;
  private flushQueued = false;

  constructor(
    private readonly calls: CallDispatchRepository,
    private readonly clock: CampaignClock,
    private readonly metrics: CampaignMetricsService,
    private readonly settings: ResolvedCampaignOptions['scheduler'],
    /** After a write: the dial slots its results held are free again. */
    private readonly written: () => void = () => undefined,
  ) {}

  /** Results not written yet (they count as dials in flight). */
  get size(): number {
    return this.results.length + this.accepted.length + this.notPlaced.length;
  }

  /** Whether outcomes or accepted dials are still unwritten. */
  get unwritten(): boolean {
    return this.results.length > 0 || this.accepted.length > 0;
  }

  addResult(result: AttemptResult): void {
    this.results.push(result);
    this.queueFlush();
  }

  addAccepted(dial: AcceptedDial): void {
    this.accepted.push(dial);
    this.queueFlush();
  }

  addNotPlaced(dial: NotPlacedDial): void {
    this.notPlaced.push(dial);
    this.queueFlush();
  }

  /** Coalesces the results of many dials into one write. */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush().catch(() => undefined);
    });
  }

  /**
   * Writes the gathered results. On a database error they stay queued for the
   * next flush; if their lease expires first, the fence makes them no-ops.
   */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.flushing = this.writeResults();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  /** Writes the gathered results in bounded chunks, until none is left. */
  private async writeResults(): Promise<void> {
    let wrote = false;
    while (
      this.results.length ||
      this.accepted.length ||
      this.notPlaced.length
    ) {
      const results = this.results.splice(0, RESULTS_PER_WRITE);
      const accepted = this.accepted.splice(0, RESULTS_PER_WRITE);
      const notPlaced = this.notPlaced.splice(0, RESULTS_PER_WRITE);
      const recordTimer = this.metrics.startTimer('record');
      try {
        const now = await this.clock.now();
        const recorded = await this.calls.recordResults(
          results,
          { leaseOwner: this.settings.replicaId },
          now,
        );
        this.announce(recorded);
        await this.calls.awaitOutcomes(
          accepted,
          this.settings.replicaId,
          new Date(now.getTime() + this.settings.outcomeTimeoutMs),
          now,
        );
        await this.calls.releaseNotPlaced(
          notPlaced,
          this.settings.replicaId,
          now,
        );
      } catch (error) {
        // Kept for the next flush; if their lease expires first, the fence
        // makes them no-ops.
        this.results.unshift(...results);
        this.accepted.unshift(...accepted);
        this.notPlaced.unshift(...notPlaced);
        this.logger.error(
          `could not record ${results.length + accepted.length + notPlaced.length} dial results, will retry: ${(error as Error).message}`,
        );
        return;
      } finally {
        recordTimer();
      }
      wrote = true;
    }
    if (wrote) this.written();
  }

  /** Logs what a write of results changed (its events are in the outbox). */
  announce(recorded: RecordedResults): void {
    for (const r of recorded.recorded) {
      this.logger.verbose(
        `call ${r.callId} attempt ${r.attempt}: ${r.outcome}`,
      );
    }
    for (const c of recorded.completedCampaigns) {
      this.logger.log(`campaign ${c.campaignId} completed`);
    }
  }
}
