import { isValidPhoneNumber } from 'libphonenumber-js/max';
import Retell, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'retell-sdk';
import type {
  AttemptLookup,
  DialRequest,
  DialResult,
} from '../../dialer/campaign-dialer.interface';
import { CallerNumberPool } from '../caller-number-pool';
import type { ProviderDialer } from '../provider.interface';
import { retellCallVerdict } from './retell-outcomes';
import { callDetails, RetellWebhook } from './retell.webhook';

export interface RetellDialerOptions {
  /** A Retell API key, sent as `Authorization: Bearer <key>` by retell-sdk. */
  apiKey: string;
  /**
   * The API key with the webhook badge, which Retell signs webhooks with.
   * Default: `apiKey` (set this when the two differ).
   */
  webhookApiKey?: string;
  /** Per-request limit (create, get, list), in ms. Default 10 000. */
  timeoutMs?: number;
  /**
   * At most this many new calls per caller number in any rolling minute
   * (`CallerNumberPool`); a module default of 10, not a Retell limit:
   * Retell only warns that numbers making many short calls in a short
   * period get marked as spam and fail as `dial_failed`.
   */
  callsPerMinutePerNumber?: number;
  /** Retell's API base URL. Default (retell-sdk's) `https://api.retellai.com`; tests aim it at a fake. */
  baseUrl?: string;
}

/** `playbook.settings` a Retell playbook may carry. */
export interface RetellPlaybookSettings {
  /** `override_agent_version` of create-phone-call. */
  agentVersion?: number | string;
}

/** Retell API reference pages this dialer was checked against. */
export const RETELL_DIALER_DOCS = {
  createPhoneCall: 'https://docs.retellai.com/api-references/create-phone-call',
  getCall: 'https://docs.retellai.com/api-references/get-call',
  listCalls: 'https://docs.retellai.com/api-references/list-calls',
} as const;

/**
 * Places calls through Retell's create-phone-call (`POST
 * /v2/create-phone-call`) with the official `retell-sdk`:
 * - `from_number`: the playbook's next caller number under its per-minute
 *   limit (none: `notPlaced` with the wait); it must be a number bought
 *   from or imported to Retell,
 * - `to_number`: the contact's E.164 phone,
 * - `override_agent_id`: `playbook.assistantId` (the Retell agent),
 * - `retell_llm_dynamic_variables`: the contact's non-null fields and
 *   custom fields, as strings (Retell takes string values only; a null is
 *   left out so the agent's default for that variable applies; a contact
 *   field wins over a custom field of the same name),
 * - `metadata`: `{ callId, attempt, campaignId }`, echoed in every webhook
 *   and get-call, and filterable in list-calls.
 *
 * The answer is the call in `registered` status: `dial` returns its
 * `call_id` without an outcome, which the webhook (or `lookup`) reports.
 *
 * Errors (Retell documents 400, 401, 402, 422, 429 and 500 for this
 * endpoint, with a body `{ status: "error", message }`):
 * - 429 ("Account rate limited"): `notPlaced` with `retryAfterMs` from
 *   `Retry-After` / `retry-after-ms` when the answer has one (Retell does not
 *   document the header),
 * - 400 / 422 for a destination that is not a valid phone number
 *   (libphonenumber-js): `invalid_number`; any other 400 / 422 is a request
 *   or configuration problem (a from_number not in the account, an unknown
 *   agent): `failed`. Retell reports an invalid destination it accepted as
 *   `disconnection_reason: invalid_destination` (see `retell-outcomes.ts`),
 * - other statuses, a timeout or a connection error: `failed` with
 *   `details.reason`.
 *
 * No retries: the SDK would retry 408/409/429/5xx and timeouts twice by
 * default, and Retell takes no idempotency key (none is documented, and
 * retell-sdk sets no idempotency header), so a retried create after a
 * timeout could ring the contact twice. `maxRetries: 0`; the module's
 * recall policy decides.
 */
export class RetellDialer implements ProviderDialer {
  readonly webhook: RetellWebhook;
  readonly #client: Retell;
  readonly #timeoutMs: number;
  readonly #pool: CallerNumberPool;

  constructor(options: RetellDialerOptions) {
    if (typeof options.apiKey !== 'string' || options.apiKey === '') {
      throw new Error('RetellDialer: apiKey must be a non-empty string');
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new Error('RetellDialer: timeoutMs must be a positive integer');
    }
    this.#timeoutMs = timeoutMs;
    this.#pool = new CallerNumberPool(options.callsPerMinutePerNumber ?? 10);
    this.#client = new Retell({
      apiKey: options.apiKey,
      ...(options.baseUrl !== undefined ? { baseURL: options.baseUrl } : {}),
      timeout: timeoutMs,
      maxRetries: 0,
    });
    this.webhook = new RetellWebhook({
      apiKey: options.webhookApiKey ?? options.apiKey,
    });
  }

  async dial(request: DialRequest): Promise<DialResult> {
    const playbook = request.playbook;
    if (!playbook || playbook.provider !== 'retell') {
      return failed('not_a_retell_playbook', {
        provider: playbook?.provider ?? null,
      });
    }
    let settings: RetellPlaybookSettings;
    try {
      settings = parseRetellPlaybookSettings(playbook.settings);
    } catch (error) {
      return failed('invalid_playbook_settings', { error: message(error) });
    }
    const fromNumber = this.#pool.take(playbook.callerNumbers);
    if (fromNumber === null) {
      return {
        notPlaced: {
          reason: 'caller_numbers_at_limit',
          retryAfterMs: this.#pool.waitMs(playbook.callerNumbers),
        },
      };
    }
    const body: Retell.CallCreatePhoneCallParams = {
      from_number: fromNumber,
      to_number: request.phone,
      override_agent_id: playbook.assistantId,
      retell_llm_dynamic_variables: dynamicVariables(request.contact),
      metadata: {
        callId: request.callId,
        attempt: request.attempt,
        campaignId: request.campaignId,
      },
    };
    if (settings.agentVersion !== undefined) {
      body.override_agent_version = settings.agentVersion;
    }
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const call = await this.#client.call.createPhoneCall(body, { signal });
      return {
        providerCallId: call.call_id,
        details: { fromNumber, callStatus: call.call_status },
      };
    } catch (error) {
      return this.#dialError(error, signal, request.phone, fromNumber);
    }
  }

  /**
   * The call's state at Retell: by `providerCallId` with get-call, else (the
   * dial never returned its id) the call whose metadata has this `callId`
   * and `attempt`, with list-calls' metadata filter. Null when Retell has no
   * such call (get-call answers 422 "Cannot find requested asset", or 404);
   * throws when Retell cannot be asked (timeout, 5xx, 401), so the caller
   * asks again later rather than ending the attempt.
   */
  async lookup(attempt: AttemptLookup): Promise<DialResult | null> {
    const call =
      attempt.providerCallId !== null
        ? await this.#getCall(attempt.providerCallId)
        : await this.#findByMetadata(attempt.callId, attempt.attempt);
    if (call === null) return null;
    const verdict = retellCallVerdict(call);
    const result: DialResult = {
      providerCallId: call.call_id,
      details: callDetails(call as unknown as Record<string, unknown>),
    };
    if (verdict.kind === 'outcome') result.outcome = verdict.outcome;
    if (verdict.kind === 'not_placed') {
      result.notPlaced = { reason: verdict.reason };
    }
    return result;
  }

  /** GET /v2/get-call/{call_id} (RETELL_DIALER_DOCS.getCall): 422 is its documented "not found". */
  async #getCall(callId: string): Promise<RetellCall | null> {
    try {
      return await this.#client.call.retrieve(callId, {
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      if (
        error instanceof APIError &&
        (error.status === 404 || error.status === 422)
      ) {
        return null;
      }
      throw new Error(
        `RetellDialer.lookup: get-call failed: ${message(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /** POST /v3/list-calls (RETELL_DIALER_DOCS.listCalls) with `filter_criteria.metadata`. */
  async #findByMetadata(
    callId: string,
    attempt: number,
  ): Promise<RetellCall | null> {
    let page: Retell.CallListResponse;
    try {
      page = await this.#client.call.list(
        {
          filter_criteria: {
            metadata: [
              { type: 'string', op: 'eq', key: 'callId', value: callId },
            ],
          },
          sort_order: 'descending',
          limit: 50,
        },
        { signal: AbortSignal.timeout(this.#timeoutMs) },
      );
    } catch (error) {
      throw new Error(
        `RetellDialer.lookup: list-calls failed: ${message(error)}`,
        {
          cause: error,
        },
      );
    }
    const match = page.items.find((item) => {
      const metadata = item.metadata;
      return (
        typeof metadata === 'object' &&
        metadata !== null &&
        (metadata as Record<string, unknown>).attempt === attempt
      );
    });
    return match ?? null;
  }

  #dialError(
    error: unknown,
    signal: AbortSignal,
    phone: string,
    fromNumber: string,
  ): DialResult {
    if (
      error instanceof APIConnectionTimeoutError ||
      (signal.aborted && !(error instanceof APIError && error.status))
    ) {
      // Ambiguous: Retell may have created the call; its webhook then
      // reports on an attempt that has ended (ignored as stale).
      return failed('timeout', { timeoutMs: this.#timeoutMs, fromNumber });
    }
    if (error instanceof APIError && typeof error.status === 'number') {
      const extra = {
        status: error.status,
        message: retellMessage(error),
        fromNumber,
      };
      if (error.status === 429) {
        const retryAfterMs = retryAfter(error.headers as Headers | undefined);
        return {
          notPlaced: {
            reason: 'rate_limited',
            ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          },
          details: extra,
        };
      }
      if (
        (error.status === 400 || error.status === 422) &&
        !isValidPhoneNumber(phone)
      ) {
        return {
          outcome: 'invalid_number',
          details: { reason: 'rejected_destination', ...extra },
        };
      }
      const reason =
        error.status >= 500
          ? 'server_error'
          : error.status === 401
            ? 'unauthorized'
            : error.status === 402
              ? 'payment_required'
              : 'rejected';
      return failed(reason, extra);
    }
    if (
      error instanceof APIConnectionError ||
      error instanceof APIUserAbortError
    ) {
      return failed('network_error', { error: message(error), fromNumber });
    }
    return failed('request_error', { error: message(error), fromNumber });
  }
}

type RetellCall =
  Retell.CallResponse | Retell.CallListResponse['items'][number];

/** Checks a Retell playbook's `settings` (see {@link RetellPlaybookSettings}). */
export function parseRetellPlaybookSettings(
  settings: Record<string, unknown> | undefined,
): RetellPlaybookSettings {
  if (settings === undefined) return {};
  const result: RetellPlaybookSettings = {};
  for (const [key, value] of Object.entries(settings)) {
    if (key !== 'agentVersion') {
      throw new Error(`Retell playbook settings: unknown setting ${key}`);
    }
    if (
      !(typeof value === 'number' && Number.isInteger(value) && value >= 0) &&
      !(typeof value === 'string' && value.trim() !== '')
    ) {
      throw new Error(
        'Retell playbook settings: agentVersion must be a version number or tag',
      );
    }
    result.agentVersion = value;
  }
  return result;
}

/** The contact's fields and custom fields as Retell dynamic variables (strings). */
export function dynamicVariables(
  contact: DialRequest['contact'],
): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(contact.custom_fields ?? {})) {
    if (value !== null) variables[key] = String(value);
  }
  for (const [key, value] of Object.entries(contact)) {
    if (key !== 'custom_fields' && typeof value === 'string') {
      variables[key] = value;
    }
  }
  return variables;
}

/** Milliseconds from `retry-after-ms`, or `Retry-After` (seconds or an HTTP date). */
function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0)
    return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The `message` of Retell's `{ status: "error", message }` error body. */
function retellMessage(error: { error?: unknown; message: string }): string {
  const body: unknown = error.error;
  if (typeof body === 'object' && body !== null) {
    const text = (body as Record<string, unknown>).message;
    if (typeof text === 'string') return text.slice(0, 500);
  }
  return error.message.slice(0, 500);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function failed(reason: string, extra: Record<string, unknown>): DialResult {
  return { outcome: 'failed', details: { reason, ...extra } };
}
