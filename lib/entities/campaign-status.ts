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
 * the rest are final (`blocked`: never dialed, the calling rules allow no
 * instant for the number, or the host's `beforeDial` denied it).
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
  'blocked',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/** Calls waiting for their due time: the ones a claim may pick. */
export const WAITING_CALL_STATUSES = ['queued', 'retry_pending'] as const;
/** Calls with work left: a campaign with none of these is complete. */
export const OPEN_CALL_STATUSES = [
  ...WAITING_CALL_STATUSES,
  'dialing',
] as const;
/** Calls that are over: no transition leaves these. */
export const FINAL_CALL_STATUSES: readonly CallStatus[] = CALL_STATUSES.filter(
  (status) => !(OPEN_CALL_STATUSES as readonly string[]).includes(status),
);

/**
 * Every move a call's status can make, and who makes it: the claim (start,
 * hold back, end undialed: do-not-call, never callable, host denied), an
 * attempt's result (recall policy), a cancel. Final statuses have none.
 */
export const CALL_STATUS_TRANSITIONS: Readonly<
  Record<CallStatus, readonly CallStatus[]>
> = {
  queued: ['dialing', 'opted_out', 'blocked', 'cancelled'],
  retry_pending: ['dialing', 'opted_out', 'blocked', 'cancelled'],
  dialing: [
    'answered',
    'completed',
    'failed',
    'invalid_number',
    'opted_out',
    'retry_pending',
    'cancelled',
  ],
  answered: [],
  completed: [],
  failed: [],
  invalid_number: [],
  opted_out: [],
  cancelled: [],
  blocked: [],
};

/** `('a', 'b')`: a status set as an SQL list (the values are constants). */
export const sqlStatusList = (statuses: readonly CallStatus[]): string =>
  `(${statuses.map((s) => `'${s}'`).join(', ')})`;
