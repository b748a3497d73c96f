import type { CallOutcome } from '../../dialer/campaign-dialer.interface';

/**
 * Twilio call statuses. The Call resource's `status` enum
 * (https://www.twilio.com/docs/voice/api/call-resource#call-status-values,
 * also in Twilio's OpenAPI spec, twilio/twilio-oai
 * spec/json/twilio_api_v2010.json, `call_enum_status`) lists the eight
 * after `initiated`. `initiated` is the state of the status callback's
 * `initiated` event ("Twilio has forwarded your call request",
 * https://support.twilio.com/hc/en-us/articles/223132267); it is accepted
 * here as a state that does not end the call.
 */
export const TWILIO_CALL_STATUSES = [
  'initiated',
  'queued',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
] as const;
export type TwilioCallStatus = (typeof TWILIO_CALL_STATUSES)[number];

/**
 * `AnsweredBy` values of answering machine detection: `Enable` gives
 * `human`, `machine_start`, `fax` or `unknown`; `DetectMessageEnd` gives
 * `human`, `machine_end_beep`, `machine_end_silence`, `machine_end_other`,
 * `fax` or `unknown`
 * (https://www.twilio.com/docs/voice/answering-machine-detection).
 */
export const TWILIO_ANSWERED_BY = [
  'human',
  'machine_start',
  'machine_end_beep',
  'machine_end_silence',
  'machine_end_other',
  'fax',
  'unknown',
] as const;
export type TwilioAnsweredBy = (typeof TWILIO_ANSWERED_BY)[number];

const MACHINE: readonly TwilioAnsweredBy[] = [
  'machine_start',
  'machine_end_beep',
  'machine_end_silence',
  'machine_end_other',
];

/**
 * Twilio error codes that say the number itself is wrong:
 * - 21211 Invalid 'To' Phone Number (https://www.twilio.com/docs/api/errors/21211)
 * - 21214 'To' phone number cannot be reached (https://www.twilio.com/docs/api/errors/21214)
 * - 21217 Phone number does not appear to be valid (https://www.twilio.com/docs/api/errors/21217)
 * - 13224 Twilio does not support calling this number or the number is
 *   invalid: non-existent country code, area code or exchange
 *   (https://www.twilio.com/docs/api/errors/13224)
 *
 * The first three answer a create request (HTTP 400); any of them may be a
 * failed call's `ErrorCode`.
 */
export const TWILIO_INVALID_NUMBER_ERROR_CODES: readonly number[] = [
  21211, 21214, 21217, 13224,
];

/**
 * SIP final responses that say the number does not exist (RFC 3261):
 * 404 Not Found (§21.4.5), 484 Address Incomplete (§21.4.22), 604 Does Not
 * Exist Anywhere (§21.6.3). Twilio reports the far end's answer of a failed
 * call in the status callback's `SipResponseCode`.
 */
export const INVALID_NUMBER_SIP_CODES: readonly number[] = [404, 484, 604];

/** One row of {@link TWILIO_OUTCOME_TABLE}. */
export interface TwilioOutcomeRow {
  /** How Twilio reports it (for the README). */
  twilio: string;
  callStatus: TwilioCallStatus;
  /** The `AnsweredBy` values this row covers; absent: any value, or none. */
  answeredBy?: readonly TwilioAnsweredBy[];
  /** Only failures that carry an invalid-number code (see the constants above). */
  invalidNumber?: true;
  /** Null: not final, the call goes on. */
  outcome: CallOutcome | null;
  note: string;
}

/**
 * From Twilio's (CallStatus, AnsweredBy) to the module's outcome. The
 * first row that matches wins.
 */
export const TWILIO_OUTCOME_TABLE: readonly TwilioOutcomeRow[] = [
  {
    twilio: 'initiated',
    callStatus: 'initiated',
    outcome: null,
    note: 'Twilio is dialing.',
  },
  {
    twilio: 'queued',
    callStatus: 'queued',
    outcome: null,
    note: 'Accepted; waits for the account calls-per-second capacity.',
  },
  {
    twilio: 'ringing',
    callStatus: 'ringing',
    outcome: null,
    note: 'The phone rings.',
  },
  {
    twilio: 'in-progress (any AnsweredBy)',
    callStatus: 'in-progress',
    outcome: null,
    note: 'Answered, the call runs; the outcome comes with `completed`.',
  },
  {
    twilio: 'completed + AnsweredBy=human',
    callStatus: 'completed',
    answeredBy: ['human'],
    outcome: 'answered',
    note: 'Answering machine detection heard a person; the call ran to its end.',
  },
  {
    twilio: 'completed + AnsweredBy=machine_start / machine_end_*',
    callStatus: 'completed',
    answeredBy: MACHINE,
    outcome: 'voicemail',
    note: 'An answering machine or voicemail took the call.',
  },
  {
    twilio: 'completed + AnsweredBy=fax',
    callStatus: 'completed',
    answeredBy: ['fax'],
    outcome: 'invalid_number',
    note: 'A fax line cannot take a voice call: not retried.',
  },
  {
    twilio: 'completed (AnsweredBy=unknown or absent)',
    callStatus: 'completed',
    outcome: 'completed',
    note: 'Connected and ended; detection was off or undecided.',
  },
  {
    twilio: 'busy',
    callStatus: 'busy',
    outcome: 'busy',
    note: 'Busy signal.',
  },
  {
    twilio: 'no-answer',
    callStatus: 'no-answer',
    outcome: 'no_answer',
    note: 'Rang until `Timeout` without an answer.',
  },
  {
    twilio:
      'failed + SipResponseCode 404/484/604 or ErrorCode 13224/21211/21214/21217',
    callStatus: 'failed',
    invalidNumber: true,
    outcome: 'invalid_number',
    note: 'The number does not exist or cannot be called.',
  },
  {
    twilio: 'failed',
    callStatus: 'failed',
    outcome: 'failed',
    note: 'Twilio could not place or connect the call; retried.',
  },
  {
    twilio: 'canceled',
    callStatus: 'canceled',
    outcome: 'failed',
    note: 'Ended while queued or ringing (the module never cancels): retried.',
  },
];

/** What Twilio says of a call, from a status callback or the Call resource. */
export interface TwilioCallReport {
  callStatus: string;
  answeredBy?: string | null;
  sipResponseCode?: number | null;
  errorCode?: number | null;
}

export function isTwilioCallStatus(value: unknown): value is TwilioCallStatus {
  return (
    typeof value === 'string' &&
    (TWILIO_CALL_STATUSES as readonly string[]).includes(value)
  );
}

/** The table row for a report; undefined for a status Twilio does not document. */
export function twilioOutcomeRow(
  report: TwilioCallReport,
): TwilioOutcomeRow | undefined {
  const invalidNumber =
    (report.sipResponseCode != null &&
      INVALID_NUMBER_SIP_CODES.includes(report.sipResponseCode)) ||
    (report.errorCode != null &&
      TWILIO_INVALID_NUMBER_ERROR_CODES.includes(report.errorCode));
  return TWILIO_OUTCOME_TABLE.find(
    (row) =>
      row.callStatus === report.callStatus &&
      (row.answeredBy === undefined ||
        (row.answeredBy as readonly string[]).includes(
          report.answeredBy ?? '',
        )) &&
      (!row.invalidNumber || invalidNumber),
  );
}

/**
 * The module's outcome for a Twilio report; null while the call is not
 * over, or for a status Twilio does not document (it does not end the
 * attempt: reconciliation asks again).
 */
export function twilioOutcome(report: TwilioCallReport): CallOutcome | null {
  return twilioOutcomeRow(report)?.outcome ?? null;
}
