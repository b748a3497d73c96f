export const CAMPAIGN_STATUSES = [
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * `queued`: waiting for its due time; `dialing`: claimed under a lease;
 * `retry_pending`: a retried outcome, waiting for the next recall delay;
 * the rest are final.
 */
export const CALL_STATUSES = [
  'queued',
  'dialing',
  'retry_pending',
  'answered',
  'completed',
  'failed',
  'invalid_number',
  'opted_out',
  'cancelled',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
