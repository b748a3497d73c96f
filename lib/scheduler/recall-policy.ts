import type { CallOutcome } from '../dialer/campaign-dialer.interface';
import type { CallStatus } from '../entities/campaign-status';

/** Outcomes that end a call whatever its recall policy. */
export const FINAL_OUTCOMES = [
  'answered',
  'completed',
  'invalid_number',
  'opted_out',
] as const satisfies readonly CallOutcome[];

/**
 * Outcomes that lead to the next attempt while the recall policy has one left.
 * `voicemail` is added when the module is configured with `retryVoicemail`.
 */
export const DEFAULT_RETRIED_OUTCOMES = [
  'no_answer',
  'busy',
  'failed',
  'interrupted',
] as const satisfies readonly CallOutcome[];

/** The call statuses (CALL_STATUSES) a call can end in after an attempt. */
export type FinalCallStatus = Extract<
  CallStatus,
  'answered' | 'completed' | 'failed' | 'invalid_number' | 'opted_out'
>;

export interface NextCallStateInput {
  /** How the attempt that just ended ended. */
  outcome: CallOutcome;
  /** The attempt that just ended, 1-based. */
  attemptNumber: number;
  /** The call's recall delays in minutes, counted from `firstAttemptAt`. */
  recall: readonly number[];
  /** When the call's first attempt started. */
  firstAttemptAt: Date;
  now: Date;
  /** Whether `voicemail` is retried (else it ends the call as `completed`). */
  retryVoicemail: boolean;
}

export type NextCallState =
  { status: 'retry_pending'; dueAt: Date } | { status: FinalCallStatus };

/** How many attempts a call with this recall policy gets: `1 + recall.length`. */
export function maxAttempts(recall: readonly number[]): number {
  return 1 + recall.length;
}

/** Whether `outcome` leads to another attempt (if one is left). */
export function isRetriedOutcome(
  outcome: CallOutcome,
  retryVoicemail: boolean,
): boolean {
  return (
    (DEFAULT_RETRIED_OUTCOMES as readonly CallOutcome[]).includes(outcome) ||
    (outcome === 'voicemail' && retryVoicemail)
  );
}

/**
 * What happens to a call after an attempt ends.
 *
 * - `answered`, `completed`, `invalid_number`, `opted_out`: the call ends with
 *   the status of the same name.
 * - `voicemail` without `retryVoicemail`: the call ends as `completed` (the
 *   line was reached; the attempt keeps the `voicemail` outcome).
 * - a retried outcome with an attempt left: `retry_pending`, attempt k + 1
 *   (k = `attemptNumber`) due at `firstAttemptAt + recall[k - 1]` minutes, or
 *   `now` if that time has already passed. The calling window is not applied
 *   here: pass `dueAt` through `nextCallingTime`.
 * - a retried outcome after the last attempt (`attemptNumber >= 1 +
 *   recall.length`): the call ends as `failed`.
 */
export function nextCallState(input: NextCallStateInput): NextCallState {
  const { outcome, attemptNumber, recall, firstAttemptAt, now } = input;
  if (!Number.isInteger(attemptNumber) || attemptNumber < 1) {
    throw new RangeError(
      `nextCallState: attemptNumber must be an integer >= 1, got ${attemptNumber}`,
    );
  }

  if (!isRetriedOutcome(outcome, input.retryVoicemail)) {
    return { status: finalStatus(outcome) };
  }
  if (attemptNumber >= maxAttempts(recall)) {
    return { status: 'failed' };
  }
  const dueAt = firstAttemptAt.getTime() + recall[attemptNumber - 1] * 60_000;
  return {
    status: 'retry_pending',
    dueAt: new Date(Math.max(dueAt, now.getTime())),
  };
}

/** The status a call ends in when `outcome` is not retried. */
function finalStatus(outcome: CallOutcome): FinalCallStatus {
  switch (outcome) {
    case 'answered':
    case 'completed':
    case 'invalid_number':
    case 'opted_out':
      return outcome;
    case 'voicemail':
      return 'completed';
    default:
      // no_answer, busy, failed, interrupted with no attempt left.
      return 'failed';
  }
}
