import { Logger } from '@nestjs/common';
import type { CallOutcome } from '../../dialer/campaign-dialer.interface';

/**
 * How a Vapi call ended, as the module's `CallOutcome`.
 *
 * Sources (checked 2026-08 against the VapiAI/docs repository and
 * `@vapi-ai/server-sdk` 2.0.1's `CallEndedReason` / `CallStatus` types):
 * - https://docs.vapi.ai/calls/call-ended-reason (every `endedReason` and
 *   what it means, the `pipeline-error-*`, `call.start.error-*`,
 *   `call.in-progress.error-*` families)
 * - https://docs.vapi.ai/server-url/events (`status-update` statuses:
 *   scheduled, queued, ringing, in-progress, forwarding, ended)
 * - https://docs.vapi.ai/api-reference/calls/get (`Call.status`, `Call.endedReason`)
 *
 * Choice between `completed` and `answered`: both are final for the module
 * (never recalled). `completed` is kept for the assistant ending the call
 * itself (its script reached its end: end-call tool, end-call phrase, hangup
 * task); everything else where the person was reached but the conversation
 * did not end on the assistant's terms (the customer hung up, a transfer, the
 * maximum duration, the carrier ending a connected call) is `answered`: the
 * person was reached, without claiming the conversation was finished.
 */
export interface VapiOutcomeRow {
  /** A Vapi `endedReason`, or a family ending in `*` (a prefix). */
  vapi: string;
  outcome: CallOutcome;
  /** When the transcript has a customer (`role: 'user'`) message. */
  ifCustomerSpoke?: CallOutcome;
  note: string;
}

/** Exact reasons first; families (`*`) apply when no exact row matches (longest prefix wins). */
export const VAPI_OUTCOME_TABLE: readonly VapiOutcomeRow[] = [
  // Reached, ended by the assistant: the conversation ran to its end.
  {
    vapi: 'assistant-ended-call',
    outcome: 'completed',
    note: 'The assistant ended the call (end-call tool or function).',
  },
  {
    vapi: 'assistant-ended-call-after-message-spoken',
    outcome: 'completed',
    note: 'The assistant ended the call after its final message.',
  },
  {
    vapi: 'assistant-ended-call-with-hangup-task',
    outcome: 'completed',
    note: 'The assistant ended the call with a hangup task.',
  },
  {
    vapi: 'assistant-said-end-call-phrase',
    outcome: 'completed',
    note: 'The assistant said a configured end-call phrase.',
  },
  // Reached, ended otherwise.
  {
    vapi: 'customer-ended-call',
    outcome: 'answered',
    note: 'The customer hung up: reached, the conversation may not be finished.',
  },
  {
    vapi: 'customer-ended-call-before-warm-transfer',
    outcome: 'answered',
    note: 'The customer hung up before a warm transfer completed.',
  },
  {
    vapi: 'customer-ended-call-after-warm-transfer-attempt',
    outcome: 'answered',
    note: 'The customer hung up after a warm transfer attempt.',
  },
  {
    vapi: 'customer-ended-call-during-transfer',
    outcome: 'answered',
    note: 'The customer hung up during a transfer.',
  },
  {
    vapi: 'assistant-forwarded-call',
    outcome: 'answered',
    note: 'The assistant transferred the call (to a person or number).',
  },
  {
    vapi: 'call.forwarding.operator-busy',
    outcome: 'answered',
    note: 'Reached; the transfer target was busy.',
  },
  {
    vapi: 'call.forwarding.no-answer',
    outcome: 'answered',
    note: 'Reached; the transfer target did not answer.',
  },
  {
    vapi: 'exceeded-max-duration',
    outcome: 'answered',
    note: 'Reached; the call hit maxDurationSeconds.',
  },
  {
    vapi: 'call.ending.hook-executed-say',
    outcome: 'answered',
    note: 'Reached; an ending-phase say hook ran.',
  },
  {
    vapi: 'call.ending.hook-executed-transfer',
    outcome: 'answered',
    note: 'Reached; an ending-phase transfer hook ran.',
  },
  {
    vapi: 'call.in-progress.twilio-completed-call',
    outcome: 'answered',
    note: 'Twilio ended the connected call on its side.',
  },
  {
    vapi: 'call.in-progress.sip-completed-call',
    outcome: 'answered',
    note: 'The SIP provider ended the connected call.',
  },
  {
    vapi: 'vonage-completed',
    outcome: 'answered',
    note: 'Vonage ended the connected call on its side.',
  },
  {
    vapi: 'silence-timed-out',
    outcome: 'no_answer',
    ifCustomerSpoke: 'answered',
    note: 'Connected but no speech for the silence timeout: nobody spoke (dead air, undetected machine) → no_answer; answered when the transcript has a customer message.',
  },
  // Not reached.
  {
    vapi: 'customer-did-not-answer',
    outcome: 'no_answer',
    note: 'The customer did not answer.',
  },
  {
    vapi: 'call.in-progress.error-providerfault-outbound-sip-408-request-timeout',
    outcome: 'no_answer',
    note: 'SIP 408: listed by Vapi under "phone rang but no answer".',
  },
  {
    vapi: 'call.in-progress.error-providerfault-outbound-sip-480-temporarily-unavailable',
    outcome: 'no_answer',
    note: 'SIP 480: listed by Vapi under "phone rang but no answer".',
  },
  { vapi: 'customer-busy', outcome: 'busy', note: 'The line was busy.' },
  {
    vapi: 'voicemail',
    outcome: 'voicemail',
    note: 'Diverted to or detected as voicemail.',
  },
  {
    vapi: 'twilio-reported-customer-misdialed',
    outcome: 'invalid_number',
    note: 'Twilio reported an invalid number.',
  },
  // Failures (retried by the recall policy).
  {
    vapi: 'twilio-failed-to-connect-call',
    outcome: 'failed',
    note: 'Twilio failed to establish the call.',
  },
  {
    vapi: 'vonage-failed-to-connect-call',
    outcome: 'failed',
    note: 'Vonage failed to connect the call.',
  },
  {
    vapi: 'vonage-rejected',
    outcome: 'failed',
    note: 'Vonage rejected the call.',
  },
  {
    vapi: 'vonage-disconnected',
    outcome: 'failed',
    note: 'Vonage disconnected the call.',
  },
  {
    vapi: 'phone-call-provider-closed-websocket',
    outcome: 'failed',
    note: 'The telephony WebSocket closed: abrupt drop.',
  },
  {
    vapi: 'worker-shutdown',
    outcome: 'failed',
    note: 'A Vapi worker shut down (deployment).',
  },
  {
    vapi: 'manually-canceled',
    outcome: 'failed',
    note: 'Cancelled through the API or dashboard.',
  },
  { vapi: 'call-deleted', outcome: 'failed', note: 'The call was deleted.' },
  {
    vapi: 'scheduled-call-deleted',
    outcome: 'failed',
    note: 'A scheduled call was deleted before it ran.',
  },
  {
    vapi: 'assistant-join-timed-out',
    outcome: 'failed',
    note: 'The assistant did not join in time.',
  },
  {
    vapi: 'assistant-not-found',
    outcome: 'failed',
    note: 'Configuration: unknown assistant id.',
  },
  {
    vapi: 'assistant-not-valid',
    outcome: 'failed',
    note: 'Configuration: invalid assistant.',
  },
  {
    vapi: 'assistant-request-*',
    outcome: 'failed',
    note: 'Configuration: the assistant-request to your server failed.',
  },
  {
    vapi: 'call-start-error-*',
    outcome: 'failed',
    note: 'Configuration: neither assistant nor server set.',
  },
  {
    vapi: 'call.start.error-*',
    outcome: 'failed',
    note: 'The call never started (billing, concurrency, resources, number limits).',
  },
  {
    vapi: 'call.start.*',
    outcome: 'failed',
    note: 'Other call-start errors (e.g. assistant version validation).',
  },
  {
    vapi: 'call.in-progress.error-*',
    outcome: 'failed',
    note: 'Vapi (vapifault), provider (providerfault) or configuration (configfault) errors, transfers, SIP 403/407/503.',
  },
  {
    vapi: 'call.ringing.*',
    outcome: 'failed',
    note: 'Ringing-phase hooks and inbound SIP failures.',
  },
  {
    vapi: 'pipeline-error-*',
    outcome: 'failed',
    note: 'Legacy LLM / voice / transcriber errors (credentials, quota, outage).',
  },
  {
    vapi: 'pipeline-no-available-llm-model',
    outcome: 'failed',
    note: 'No LLM model available.',
  },
  {
    vapi: 'phone-call-provider-bypass-enabled-but-no-call-received',
    outcome: 'failed',
    note: 'Bypass enabled, no call arrived.',
  },
  {
    vapi: 'customer-did-not-give-microphone-permission',
    outcome: 'failed',
    note: 'Web calls only.',
  },
];

/**
 * Vapi call statuses (`Call.status`, `status-update.status`). Only `ended`
 * carries an outcome (from `endedReason`); the others mean "in progress".
 */
export const VAPI_OPEN_STATUSES = [
  'scheduled',
  'queued',
  'ringing',
  'in-progress',
  'forwarding',
] as const;

/** Any reason absent from the table: logged, then treated as a failure. */
export const VAPI_UNKNOWN_REASON_OUTCOME: CallOutcome = 'failed';

const exactRows = new Map(
  VAPI_OUTCOME_TABLE.filter((row) => !row.vapi.endsWith('*')).map((row) => [
    row.vapi,
    row,
  ]),
);
const familyRows = VAPI_OUTCOME_TABLE.filter((row) => row.vapi.endsWith('*'))
  .map((row) => ({ prefix: row.vapi.slice(0, -1), row }))
  .sort((a, b) => b.prefix.length - a.prefix.length);

const logger = new Logger('VapiOutcomes');

/** The table row for `endedReason`, or undefined when the table does not know it. */
export function vapiOutcomeRow(
  endedReason: string,
): VapiOutcomeRow | undefined {
  return (
    exactRows.get(endedReason) ??
    familyRows.find((f) => endedReason.startsWith(f.prefix))?.row
  );
}

export interface VapiOutcomeOptions {
  /** Whether the customer said anything (a `role: 'user'` transcript message). */
  customerSpoke?: boolean;
  /** Called for a reason the table does not know; default: a Nest `Logger` warning. */
  onUnknownReason?: (endedReason: string) => void;
}

/** The module's outcome for a Vapi `endedReason` (see `VAPI_OUTCOME_TABLE`). */
export function vapiOutcome(
  endedReason: string,
  options: VapiOutcomeOptions = {},
): CallOutcome {
  const row = vapiOutcomeRow(endedReason);
  if (!row) {
    (
      options.onUnknownReason ??
      ((reason: string) =>
        logger.warn(
          `Unknown Vapi endedReason ${JSON.stringify(reason)}: counted as '${VAPI_UNKNOWN_REASON_OUTCOME}'`,
        ))
    )(endedReason);
    return VAPI_UNKNOWN_REASON_OUTCOME;
  }
  return options.customerSpoke && row.ifCustomerSpoke
    ? row.ifCustomerSpoke
    : row.outcome;
}

/** True when a Vapi transcript (`artifact.messages`, `call.messages`) has a customer message. */
export function vapiCustomerSpoke(...messageLists: unknown[]): boolean {
  return messageLists.some(
    (list) =>
      Array.isArray(list) &&
      list.some(
        (m) =>
          typeof m === 'object' &&
          m !== null &&
          (m as Record<string, unknown>).role === 'user' &&
          typeof (m as Record<string, unknown>).message === 'string' &&
          ((m as Record<string, unknown>).message as string).trim() !== '',
      ),
  );
}

/** A Markdown table of `VAPI_OUTCOME_TABLE` for the README. */
export function vapiOutcomeTableMarkdown(): string {
  const lines = [
    '| Vapi `endedReason` | Outcome | Note |',
    '| --- | --- | --- |',
  ];
  for (const row of VAPI_OUTCOME_TABLE) {
    const outcome = row.ifCustomerSpoke
      ? `\`${row.outcome}\` (\`${row.ifCustomerSpoke}\` if the customer spoke)`
      : `\`${row.outcome}\``;
    lines.push(`| \`${row.vapi}\` | ${outcome} | ${row.note} |`);
  }
  lines.push(
    `| any other reason | \`${VAPI_UNKNOWN_REASON_OUTCOME}\` (logged) | Not in the table: a new Vapi reason. |`,
  );
  return lines.join('\n');
}
