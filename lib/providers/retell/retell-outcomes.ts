import type { CallOutcome } from '../../dialer/campaign-dialer.interface';

/**
 * How Retell's end of a call maps to the module's outcomes.
 *
 * Sources (checked):
 * - disconnection reasons and the call status each comes with:
 *   https://docs.retellai.com/reliability/debug-call-disconnect
 * - unconnected calls moved from `error` to `not_connected` and got their own
 *   reasons: https://docs.retellai.com/deprecation-notice/6-30
 * - the current enum (`PhoneCallResponse.disconnection_reason` and
 *   `call_status`) in retell-sdk 5.66 `resources/call.ts`, generated from
 *   Retell's OpenAPI spec: https://docs.retellai.com/api-references/get-call
 */

/** What a Retell call object says about the attempt. */
export type RetellCallVerdict =
  /** `registered` / `ongoing`: no outcome yet. */
  | { kind: 'pending' }
  | { kind: 'outcome'; outcome: CallOutcome }
  /** Retell did not place the call (its concurrency limit): not an attempt. */
  | { kind: 'not_placed'; reason: string };

export interface RetellOutcomeRow {
  /** A Retell `disconnection_reason`, or a `call_status` without one. */
  retell: string;
  /**
   * The module's outcome; `not_placed`: the attempt is released, not used
   * up; `pending`: no outcome yet.
   */
  outcome: CallOutcome | 'not_placed' | 'pending';
  note: string;
}

/** The call statuses of a call that has not ended (no outcome yet). */
export const RETELL_PENDING_STATUSES: readonly string[] = [
  'registered',
  'ongoing',
];

/**
 * Every documented disconnection reason, for the README and for
 * {@link retellCallVerdict}. Anything not listed maps to `failed`.
 */
export const RETELL_OUTCOME_TABLE: readonly RetellOutcomeRow[] = [
  // Connected calls (call_status `ended`).
  {
    retell: 'user_hangup',
    outcome: 'completed',
    note: 'The callee hung up a connected call (Retell reports it with call_status ended; calls that never connect end with a dial_* or other not_connected reason instead), so the conversation took place and ended normally.',
  },
  {
    retell: 'agent_hangup',
    outcome: 'completed',
    note: "The agent ended a connected call (its end-call step): the conversation's normal end.",
  },
  {
    retell: 'call_transfer',
    outcome: 'completed',
    note: 'The agent transferred the callee: the conversation reached its hand-off.',
  },
  {
    retell: 'transfer_bridged',
    outcome: 'completed',
    note: 'A transfer connected the callee to its destination.',
  },
  {
    retell: 'transfer_cancelled',
    outcome: 'answered',
    note: 'The callee was reached; only the transfer did not connect.',
  },
  {
    retell: 'call_take_over',
    outcome: 'answered',
    note: 'A person took over the live call: the callee was reached.',
  },
  {
    retell: 'inactivity',
    outcome: 'answered',
    note: 'Connected, then ended by the agent\'s "end_call_after_silence_ms" after a long silence.',
  },
  {
    retell: 'max_duration_reached',
    outcome: 'answered',
    note: "Connected, then cut at the agent's maximum call duration.",
  },
  {
    retell: 'voicemail_reached',
    outcome: 'voicemail',
    note: "The agent's voicemail setting detected voicemail (retried only with retryVoicemail).",
  },
  {
    retell: 'machine_detected',
    outcome: 'voicemail',
    note: 'Older reason: "drop_call_if_machine_detected" found a voicemail or similar machine.',
  },
  {
    retell: 'ivr_reached',
    outcome: 'no_answer',
    note: 'An IVR system answered and the agent hung up: no person was reached, retried like no answer.',
  },
  {
    retell: 'manual_stopped',
    outcome: 'interrupted',
    note: "Stopped from outside (Retell's stop-call API or dashboard), connected or not: retried like an interrupted attempt.",
  },
  // Calls that did not connect (call_status `not_connected`).
  {
    retell: 'dial_busy',
    outcome: 'busy',
    note: 'The number dialed is busy.',
  },
  {
    retell: 'dial_no_answer',
    outcome: 'no_answer',
    note: 'The number dialed did not answer.',
  },
  {
    retell: 'user_declined',
    outcome: 'busy',
    note: 'The callee declined the call: retried like busy.',
  },
  {
    retell: 'invalid_destination',
    outcome: 'invalid_number',
    note: 'The number dialed is invalid (final: the number is not called again).',
  },
  {
    retell: 'dial_failed',
    outcome: 'failed',
    note: 'Dialing failed with no or an unknown SIP code (Retell notes a caller number flagged as spam shows up as this).',
  },
  {
    retell: 'marked_as_spam',
    outcome: 'failed',
    note: 'The call was marked as spam: check the caller numbers and their call rate (callsPerMinutePerNumber).',
  },
  {
    retell: 'telephony_provider_permission_denied',
    outcome: 'failed',
    note: 'The SIP trunk credentials were refused (configuration).',
  },
  {
    retell: 'telephony_provider_unavailable',
    outcome: 'failed',
    note: 'The telephony provider is unavailable.',
  },
  {
    retell: 'sip_routing_error',
    outcome: 'failed',
    note: 'SIP routing looped or took too many hops (configuration).',
  },
  // Errors (call_status `error`).
  {
    retell: 'concurrency_limit_reached',
    outcome: 'not_placed',
    note: "Retell's concurrency limit was reached before the call was placed (Retell: retry with backoff): the attempt is released, not used up.",
  },
  {
    retell: 'no_concurrency_fallback',
    outcome: 'failed',
    note: "In retell-sdk's enum but not described in Retell's disconnection guide: treated as an unknown error.",
  },
  {
    retell: 'no_valid_payment',
    outcome: 'failed',
    note: 'No valid payment on the Retell account (every call fails until fixed).',
  },
  {
    retell: 'scam_detected',
    outcome: 'failed',
    note: 'Retell detected a scam for the agent.',
  },
  {
    retell: 'registered_call_timeout',
    outcome: 'failed',
    note: 'The call was registered but never started.',
  },
  {
    retell: 'error_*',
    outcome: 'failed',
    note: 'Every error_ reason (error_llm_websocket_open, error_llm_websocket_lost_connection, error_llm_websocket_runtime, error_llm_websocket_corrupt_payload, error_no_audio_received, error_asr, error_retell, error_unknown, error_user_not_joined, error_inbound_webhook): a failure on the agent or Retell side, retried by the recall policy.',
  },
  // A call without a disconnection reason.
  {
    retell: 'registered / ongoing (no reason yet)',
    outcome: 'pending',
    note: 'Not an outcome: the call is in progress (a webhook or lookup reports no outcome).',
  },
  {
    retell: 'ended (no reason)',
    outcome: 'completed',
    note: 'Retell defines ended as "either user or agent hung up, or call transferred".',
  },
  {
    retell: 'not_connected / error (no reason), any other value',
    outcome: 'failed',
    note: 'Unknown: a failure, retried by the recall policy.',
  },
];

const BY_REASON: ReadonlyMap<string, RetellOutcomeRow['outcome']> = new Map(
  RETELL_OUTCOME_TABLE.filter((row) => /^[a-z_]+$/.test(row.retell)).map(
    (row) => [row.retell, row.outcome] as const,
  ),
);

/**
 * The verdict on a Retell call object (from get-call or a webhook):
 * `pending` while `registered` / `ongoing`, else the table's outcome for its
 * `disconnection_reason` (`error_*` and unknown values: `failed`).
 */
export function retellCallVerdict(call: {
  call_status?: string | null;
  disconnection_reason?: string | null;
}): RetellCallVerdict {
  const status = call.call_status ?? null;
  const reason = call.disconnection_reason ?? null;
  if (status !== null && RETELL_PENDING_STATUSES.includes(status)) {
    return { kind: 'pending' };
  }
  if (reason === null || reason === '') {
    return {
      kind: 'outcome',
      outcome: status === 'ended' ? 'completed' : 'failed',
    };
  }
  const mapped = BY_REASON.get(reason);
  if (mapped === 'not_placed') return { kind: 'not_placed', reason };
  if (mapped === undefined || mapped === 'pending') {
    return { kind: 'outcome', outcome: 'failed' };
  }
  return { kind: 'outcome', outcome: mapped };
}
