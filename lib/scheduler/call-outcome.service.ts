import { Inject, Injectable } from '@nestjs/common';
import {
  CALL_OUTCOMES,
  type CallOutcome,
} from '../dialer/campaign-dialer.interface';
import { CampaignEventsService } from '../events/campaign-events.service';
import { CallDispatchRepository } from './call-dispatch.repository';
import { emitRecordedEvents } from './dispatch-events';
import { CAMPAIGN_CLOCK } from './campaign-clock.provider';
import type { CampaignClock } from './campaign-clock';

export interface OutcomeReportDetails {
  providerCallId?: string;
  [key: string]: unknown;
}

/**
 * Outcomes that arrive after the dial (telephony webhooks). Idempotent: a
 * report for an attempt that already ended, or for an older attempt, is
 * ignored.
 */
@Injectable()
export class CallOutcomeService {
  constructor(
    private readonly calls: CallDispatchRepository,
    @Inject(CAMPAIGN_CLOCK) private readonly clock: CampaignClock,
    private readonly events: CampaignEventsService,
  ) {}

  /** Records the outcome; false when the report was stale or a duplicate. */
  async report(
    callId: string,
    attempt: number,
    outcome: CallOutcome,
    details: OutcomeReportDetails = {},
  ): Promise<boolean> {
    if (!(CALL_OUTCOMES as readonly string[]).includes(outcome)) {
      throw new Error(`Unknown call outcome "${outcome}"`);
    }
    const open = await this.calls.findOpenAttempt(callId, attempt);
    if (!open) return false;
    const { providerCallId, ...rest } = details;
    const now = await this.clock.now();
    const recorded = await this.calls.recordResults(
      [
        {
          ...open,
          outcome,
          providerCallId: providerCallId ?? null,
          details: Object.keys(rest).length ? rest : null,
        },
      ],
      {},
      now,
    );
    emitRecordedEvents(this.events, recorded, now);
    return recorded.recorded.length === 1;
  }
}
