import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import {
  CALL_OUTCOMES,
  type CallOutcome,
} from '../dialer/campaign-dialer.interface';
import { CallDispatchRepository } from './call-dispatch.repository';
import { CAMPAIGN_CLOCK } from './campaign-clock.provider';
import type { CampaignClock } from './campaign-clock';
import { InvalidOutcomeReportError } from './invalid-outcome-report.error';

/** Attempt numbers are stored as 32-bit integers. */
const MAX_ATTEMPT = 2_147_483_647;
/** Length of the `provider_call_id` column. */
const MAX_PROVIDER_CALL_ID_LENGTH = 255;
const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** No NUL and no unpaired UTF-16 surrogate: PostgreSQL refuses both in text and jsonb. */
function isStorableText(value: string): boolean {
  return !value.includes('\0') && !LONE_SURROGATE.test(value);
}

export interface OutcomeReportDetails {
  providerCallId?: string;
  [key: string]: unknown;
}

/**
 * Outcomes that arrive after the dial (telephony webhooks). Idempotent: a
 * report for an attempt that already ended, or for an older attempt, is
 * ignored. A report that can never be recorded (malformed id, attempt,
 * outcome or details) throws {@link InvalidOutcomeReportError}, never a
 * database error: map it to a 400.
 */
@Injectable()
export class CallOutcomeService {
  constructor(
    private readonly calls: CallDispatchRepository,
    @Inject(CAMPAIGN_CLOCK) private readonly clock: CampaignClock,
  ) {}

  /**
   * Records the outcome; false when the report was stale or a duplicate, or
   * names no attempt of a call (a well-formed but unknown call id). Throws
   * {@link InvalidOutcomeReportError}, before touching the database, unless
   * `callId` is a UUID, `attempt` a positive integer, `outcome` one of
   * `CALL_OUTCOMES` and `details` a plain JSON object (`providerCallId`, if
   * given, a string of at most 255 characters).
   */
  async report(
    callId: string,
    attempt: number,
    outcome: CallOutcome,
    details: OutcomeReportDetails = {},
  ): Promise<boolean> {
    checkReport(callId, attempt, outcome, details);
    const open = await this.calls.findOpenAttempt(
      callId.toLowerCase(),
      attempt,
    );
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
    return recorded.recorded.length === 1;
  }

  /**
   * An outcome a provider reports by its own call id (webhooks): found
   * through the attempt that stored that id, else through the module's call
   * id and attempt the provider echoed in its metadata. False when nothing
   * matches or the attempt already ended (a redelivered event).
   */
  async reportByProviderCallId(
    providerCallId: string,
    outcome: CallOutcome,
    details: Record<string, unknown> = {},
    echoed?: { callId?: string; attempt?: number },
  ): Promise<boolean> {
    if (
      typeof providerCallId !== 'string' ||
      !providerCallId ||
      providerCallId.length > MAX_PROVIDER_CALL_ID_LENGTH ||
      !isStorableText(providerCallId)
    ) {
      throw new InvalidOutcomeReportError(
        'details',
        `providerCallId must be a string of 1 to ${MAX_PROVIDER_CALL_ID_LENGTH} characters`,
      );
    }
    const found =
      (await this.calls.findAttemptByProviderCallId(providerCallId)) ??
      (echoed?.callId !== undefined &&
      echoed.attempt !== undefined &&
      isUUID(echoed.callId)
        ? { callId: echoed.callId, attempt: echoed.attempt }
        : null);
    if (!found) return false;
    return this.report(found.callId, found.attempt, outcome, {
      ...details,
      providerCallId,
    });
  }
}

/** Throws {@link InvalidOutcomeReportError} for the first malformed argument. */
function checkReport(
  callId: unknown,
  attempt: unknown,
  outcome: unknown,
  details: unknown,
): void {
  if (typeof callId !== 'string' || !isUUID(callId)) {
    throw new InvalidOutcomeReportError('callId', 'must be a UUID');
  }
  if (
    typeof attempt !== 'number' ||
    !Number.isInteger(attempt) ||
    attempt < 1 ||
    attempt > MAX_ATTEMPT
  ) {
    throw new InvalidOutcomeReportError(
      'attempt',
      `must be an integer from 1 to ${MAX_ATTEMPT}`,
    );
  }
  if (
    typeof outcome !== 'string' ||
    !(CALL_OUTCOMES as readonly string[]).includes(outcome)
  ) {
    throw new InvalidOutcomeReportError(
      'outcome',
      `must be one of: ${CALL_OUTCOMES.join(', ')}`,
    );
  }
  checkDetails(details);
}

function checkDetails(details: unknown): void {
  const proto: unknown =
    typeof details === 'object' && details !== null
      ? Object.getPrototypeOf(details)
      : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new InvalidOutcomeReportError('details', 'must be a plain object');
  }
  const { providerCallId, ...rest } = details as OutcomeReportDetails;
  if (
    providerCallId !== undefined &&
    providerCallId !== null &&
    (typeof providerCallId !== 'string' ||
      providerCallId.length > MAX_PROVIDER_CALL_ID_LENGTH ||
      !isStorableText(providerCallId))
  ) {
    throw new InvalidOutcomeReportError(
      'details',
      `providerCallId must be a string of at most ${MAX_PROVIDER_CALL_ID_LENGTH} characters`,
    );
  }
  let storable = true;
  try {
    JSON.stringify(rest, (key: string, value: unknown) => {
      if (
        !isStorableText(key) ||
        (typeof value === 'string' && !isStorableText(value))
      ) {
        storable = false;
      }
      return value;
    });
  } catch {
    storable = false; // A cycle, a BigInt or a throwing toJSON.
  }
  if (!storable) {
    throw new InvalidOutcomeReportError(
      'details',
      'must be JSON-serializable, without NUL characters or unpaired surrogates',
    );
  }
}
