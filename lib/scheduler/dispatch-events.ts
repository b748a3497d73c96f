import type { CampaignEventsService } from '../events/campaign-events.service';
import type { ChangedRow, RecordedResults } from './call-dispatch.repository';

export function emitCampaignEvents(
  events: CampaignEventsService,
  type: 'campaign.started' | 'campaign.completed',
  campaigns: readonly ChangedRow[],
  at: Date,
): void {
  for (const c of campaigns) {
    events.emit({ type, campaignId: c.campaignId, accountId: c.accountId, at });
  }
}

/** `call.attempt.finished` for each recorded result, then `campaign.completed`. */
export function emitRecordedEvents(
  events: CampaignEventsService,
  recorded: RecordedResults,
  at: Date,
): void {
  for (const r of recorded.recorded) {
    events.emit({
      type: 'call.attempt.finished',
      callId: r.callId,
      campaignId: r.campaignId,
      accountId: r.accountId,
      attempt: r.attempt,
      outcome: r.outcome,
      at,
    });
  }
  emitCampaignEvents(
    events,
    'campaign.completed',
    recorded.completedCampaigns,
    at,
  );
}
