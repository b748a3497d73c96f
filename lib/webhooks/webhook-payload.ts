import type { DurableCampaignEvent } from '../events/campaign-event-fanout.interface';

const iso = (value: Date | string): string => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null): string | null =>
  value === null ? null : iso(value);

/** The event's own fields in snake_case, beside id, sequence, campaign and account. */
function eventData(event: DurableCampaignEvent): Record<string, unknown> {
  const base = {
    id: event.id,
    sequence: event.sequence,
    campaign_id: event.campaignId,
    account_id: event.accountId,
  };
  switch (event.type) {
    case 'call.attempt.finished':
      return {
        ...base,
        call_id: event.callId,
        attempt: event.attempt,
        outcome: event.outcome,
      };
    case 'call.finished':
      return {
        ...base,
        call_id: event.callId,
        status: event.status,
        outcome: event.outcome,
        attempts: event.attempts.map((a) => ({
          attempt: a.attempt,
          started_at: iso(a.startedAt),
          ended_at: isoOrNull(a.endedAt),
          outcome: a.outcome,
          provider_call_id: a.providerCallId,
        })),
      };
    default:
      return base;
  }
}

/**
 * The body of a webhook: the shape Standard Webhooks recommends, `type`,
 * `timestamp` (when the event happened) and `data`. Serialized once, when
 * the delivery is queued: every try sends, and signs, the same bytes.
 */
export function webhookBody(event: DurableCampaignEvent): string {
  return JSON.stringify({
    type: event.type,
    timestamp: iso(event.at),
    data: eventData(event),
  });
}
