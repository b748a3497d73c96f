import { CONTACT_TEXT_FIELDS } from '../../contacts/contact-fields';
import type { VapiClient, Vapi } from '@vapi-ai/server-sdk';
import type {
  AttemptLookup,
  DialRequest,
  DialResult,
} from '../../dialer/campaign-dialer.interface';
import { CallerNumberPool } from '../caller-number-pool';
import type { ProviderDialer } from '../provider.interface';
import { vapiCustomerSpoke, vapiOutcome } from './vapi-outcomes';
import {
  VapiWebhook,
  vapiCallMetadata,
  type VapiServerAuth,
} from './vapi.webhook';

type VapiSdk = typeof import('@vapi-ai/server-sdk');

export interface VapiDialerOptions {
  /** Vapi private API key, sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** How Vapi signs its server messages (the credential on your server URL). */
  serverAuth: VapiServerAuth;
  /** Per-request limit in ms (POST /call, GET /call). Default 10 000. */
  timeoutMs?: number;
  /**
   * New calls per rolling minute from one Vapi phone number. Default 10 (a
   * module default, not a Vapi limit: carriers flag numbers that call fast).
   */
  callsPerMinutePerNumber?: number;
  /** Default `https://api.vapi.ai` (the SDK's `VapiEnvironment.Default`). */
  baseUrl?: string;
  /** For `VapiWebhook`'s HMAC timestamp check, in seconds. Default 300. */
  webhookToleranceSeconds?: number;
  /** The webhook's public URL (`VapiWebhookOptions.publicUrl`). */
  webhookPublicUrl?: string;
  /** Called for an `endedReason` the outcome table does not know. */
  onUnknownReason?: (endedReason: string) => void;
}

const DEFAULT_BASE_URL = 'https://api.vapi.ai';
/** Vapi's `customer.name` maxLength (CreateCustomerDTO in Vapi's OpenAPI). */
const CUSTOMER_NAME_MAX = 40;
/** GET /call `limit` maximum (Vapi's OpenAPI: 0..1000). */
const LIST_LIMIT = 1000;
/** Clock difference allowed between this host and Vapi's `createdAt`. */
const LIST_SKEW_MS = 120_000;

/** The contact's text fields, as the module defines them. */
const CONTACT_FIELDS = CONTACT_TEXT_FIELDS;

/**
 * Places calls with Vapi's official server SDK (`@vapi-ai/server-sdk` v2,
 * CommonJS build: usable from this package; an optional peer, loaded on first
 * use). The SDK's own retries are off (`maxRetries: 0`): a retried POST /call
 * could dial a person twice, and the recall policy decides about retries.
 *
 * `dial()` (https://docs.vapi.ai/api-reference/calls/create,
 * https://docs.vapi.ai/calls/outbound-calling): POST /call with
 * `assistantId` = the playbook's `assistantId`; `phoneNumberId` = one of the
 * playbook's `callerNumbers`, which for Vapi are **Vapi phone-number ids**
 * (uuid, from the dashboard or GET /phone-number), not E.164 numbers, at most
 * `callsPerMinutePerNumber` each; `customer: { number, name }`; and
 * `assistantOverrides`:
 * - `variableValues`: the contact's custom fields, then its non-null fields
 *   (`first_name`, `company`, ...; these win on a name clash) and `phone`,
 *   for `{{first_name}}`-style templates in the assistant;
 * - `metadata: { callId, attempt, campaignId }`: Vapi's POST /call has no
 *   top-level `metadata` (not in its OpenAPI `CreateCallDTO` nor the SDK's
 *   `CreateCallDto`), so the module's ids ride on the assistant overrides and
 *   come back on `call.assistantOverrides.metadata` (webhooks, GET /call).
 *
 * The result has `providerCallId` (Vapi's call id) and no outcome: it comes
 * from the webhook (`VapiWebhook`) or `lookup()`. Errors (never thrown):
 * - 429, or a 400 whose message names the concurrency limit (Vapi answered
 *   `400 {"error": "Over Concurrency Limit"}` per its former
 *   advanced/concurrency-limits page): `notPlaced` with `Retry-After`;
 * - no caller number under its per-minute limit: `notPlaced`, no request;
 * - 400 naming `customer.number` (Vapi's E.164 validation message):
 *   `invalid_number`;
 * - any other 4xx, 5xx, a timeout or a network error: `failed`.
 *
 * Vapi documents no idempotency key for POST /call: a timed-out request may
 * still have created the call; `lookup()` finds it by its metadata.
 */
export class VapiDialer implements ProviderDialer {
  readonly webhook: VapiWebhook;
  readonly #apiKey: string;
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #pool: CallerNumberPool;
  readonly #onUnknownReason?: (endedReason: string) => void;
  #sdk?: Promise<{ sdk: VapiSdk; client: VapiClient }>;

  constructor(options: VapiDialerOptions) {
    if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
      throw new Error('VapiDialer: apiKey must be a non-empty string');
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new Error('VapiDialer: timeoutMs must be a positive integer');
    }
    const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new Error(
        `VapiDialer: baseUrl ${JSON.stringify(baseUrl)} is not a URL`,
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new Error('VapiDialer: baseUrl must be http: or https:');
    }
    this.#apiKey = options.apiKey;
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = timeoutMs;
    this.#pool = new CallerNumberPool(options.callsPerMinutePerNumber ?? 10);
    this.#onUnknownReason = options.onUnknownReason;
    this.webhook = new VapiWebhook({
      auth: options.serverAuth,
      toleranceSeconds: options.webhookToleranceSeconds,
      publicUrl: options.webhookPublicUrl,
      onUnknownReason: options.onUnknownReason,
    });
  }

  async dial(request: DialRequest): Promise<DialResult> {
    const playbook = request.playbook;
    if (!playbook || playbook.provider !== 'vapi') {
      return failed('not_a_vapi_playbook', {
        provider: playbook?.provider ?? null,
      });
    }
    const numbers = playbook.callerNumbers;
    const phoneNumberId = this.#pool.take(numbers);
    if (phoneNumberId === null) {
      return {
        notPlaced: {
          reason: 'caller_numbers_at_rate_limit',
          retryAfterMs: Math.max(1, this.#pool.waitMs(numbers)),
        },
      };
    }

    let loaded: { sdk: VapiSdk; client: VapiClient };
    try {
      loaded = await this.#load();
    } catch (error) {
      return failed('sdk_unavailable', { error: describe(error) });
    }
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const data = await loaded.client.calls.create(
        createCallBody(request, playbook.assistantId, phoneNumberId),
        { ...this.#requestOptions(), abortSignal: signal },
      );
      return accepted(data, phoneNumberId);
    } catch (error) {
      return dialError(
        loaded.sdk,
        error,
        signal.aborted,
        this.#timeoutMs,
        phoneNumberId,
      );
    }
  }

  /**
   * By Vapi call id: GET /call/{id} (404 → null). Without one (the dial never
   * returned): GET /call filtered by the playbook's `assistantId` and
   * `createdAt` around `startedAt`, matched on `assistantOverrides.metadata`
   * `callId` + `attempt` (Vapi cannot filter on metadata); none → null.
   * An ended call gives its outcome, an open one a result without outcome.
   * Throws when Vapi cannot answer (network, 5xx, 401, a full page), so
   * that an unknown state is never taken for "no trace".
   */
  async lookup(attempt: AttemptLookup): Promise<DialResult | null> {
    const { sdk, client } = await this.#load();
    const options = {
      ...this.#requestOptions(),
      abortSignal: AbortSignal.timeout(this.#timeoutMs),
    };
    if (attempt.providerCallId) {
      try {
        const call = await client.calls.get(
          { id: attempt.providerCallId },
          options,
        );
        return this.#fromCall(call);
      } catch (error) {
        if (error instanceof sdk.VapiError && error.statusCode === 404)
          return null;
        throw error;
      }
    }
    const assistantId = attempt.playbook?.assistantId;
    if (!assistantId) {
      throw new Error(
        'VapiDialer.lookup: without a Vapi call id the playbook (assistantId) is needed',
      );
    }
    const from = attempt.startedAt.getTime() - LIST_SKEW_MS;
    const to = attempt.startedAt.getTime() + this.#timeoutMs + LIST_SKEW_MS;
    const calls = await client.calls.list(
      {
        assistantId,
        createdAtGe: new Date(from).toISOString(),
        createdAtLe: new Date(to).toISOString(),
        limit: LIST_LIMIT,
      },
      options,
    );
    const match = calls.find((call) => {
      const meta = vapiCallMetadata(call);
      return meta.callId === attempt.callId && meta.attempt === attempt.attempt;
    });
    if (match) return this.#fromCall(match);
    if (calls.length >= LIST_LIMIT) {
      throw new Error(
        `VapiDialer.lookup: ${calls.length} calls in the window, the attempt may be beyond the page`,
      );
    }
    return null;
  }

  #fromCall(call: Vapi.Call): DialResult {
    const details: Record<string, unknown> = { status: call.status ?? null };
    if (call.status !== 'ended') return { providerCallId: call.id, details };
    if (!call.endedReason) {
      return {
        providerCallId: call.id,
        outcome: 'failed',
        details: { ...details, reason: 'ended_without_reason' },
      };
    }
    details.endedReason = call.endedReason;
    const outcome = vapiOutcome(call.endedReason, {
      customerSpoke: vapiCustomerSpoke(call.messages, call.artifact?.messages),
      onUnknownReason: this.#onUnknownReason,
    });
    return { providerCallId: call.id, outcome, details };
  }

  /**
   * The SDK's own timeout is set 1 s later than ours: our abort signal also
   * covers reading the response body (the SDK's stops at the headers) and
   * tells a timeout from other errors.
   */
  #requestOptions() {
    return { maxRetries: 0, timeoutInSeconds: this.#timeoutMs / 1000 + 1 };
  }

  #load(): Promise<{ sdk: VapiSdk; client: VapiClient }> {
    this.#sdk ??= import('@vapi-ai/server-sdk').then(
      (sdk) => ({
        sdk,
        client: new sdk.VapiClient({
          token: this.#apiKey,
          baseUrl: this.#baseUrl,
          maxRetries: 0,
          timeoutInSeconds: this.#timeoutMs / 1000 + 1,
        }),
      }),
      (error: unknown) => {
        this.#sdk = undefined;
        throw new Error(
          `VapiDialer needs the optional peer dependency @vapi-ai/server-sdk (npm i @vapi-ai/server-sdk): ${describe(error)}`,
        );
      },
    );
    return this.#sdk;
  }
}

function createCallBody(
  request: DialRequest,
  assistantId: string,
  phoneNumberId: string,
): Vapi.CreateCallDto {
  const { contact } = request;
  const variableValues: Record<string, unknown> = {
    ...(contact.custom_fields ?? {}),
  };
  for (const key of CONTACT_FIELDS) {
    const value = contact[key];
    if (value !== null) variableValues[key] = value;
  }
  variableValues.phone = request.phone;
  const name = [contact.first_name, contact.last_name]
    .filter(
      (part): part is string => typeof part === 'string' && part.trim() !== '',
    )
    .join(' ')
    .slice(0, CUSTOMER_NAME_MAX)
    .trim();
  return {
    assistantId,
    phoneNumberId,
    customer: { number: request.phone, ...(name ? { name } : {}) },
    assistantOverrides: {
      variableValues,
      metadata: {
        callId: request.callId,
        attempt: request.attempt,
        campaignId: request.campaignId,
      },
    },
  };
}

function accepted(
  data: Vapi.CreateCallsResponse,
  phoneNumberId: string,
): DialResult {
  const details: Record<string, unknown> = { phoneNumberId };
  // https://docs.vapi.ai/calls/call-concurrency: the POST /call response has
  // `subscriptionLimits` (not in the SDK's Call type); `concurrencyBlocked`
  // means the call exists and waits for a free slot: placed, not refused.
  const body = data as unknown as Record<string, unknown>;
  const limits = body.subscriptionLimits as Record<string, unknown> | undefined;
  if (limits?.concurrencyBlocked === true) details.concurrencyBlocked = true;
  if (typeof body.id === 'string' && body.id !== '') {
    return { providerCallId: body.id, details };
  }
  return {
    details: { ...details, warning: 'POST /call answered without a call id' },
  };
}

function dialError(
  sdk: VapiSdk,
  error: unknown,
  timedOut: boolean,
  timeoutMs: number,
  phoneNumberId: string,
): DialResult {
  if (timedOut || error instanceof sdk.VapiTimeoutError) {
    return failed('timeout', { timeoutMs, phoneNumberId });
  }
  if (!(error instanceof sdk.VapiError) || error.statusCode === undefined) {
    return failed('network_error', { error: describe(error), phoneNumberId });
  }
  const status = error.statusCode;
  const message = errorMessage(error.body);
  const retryAfterMs = parseRetryAfter(
    error.rawResponse?.headers.get('retry-after'),
  );
  if (status === 429 || (status === 400 && /concurrency/i.test(message))) {
    return {
      notPlaced: {
        reason: status === 429 ? 'rate_limited' : 'concurrency_limit',
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
      details: { status, message, phoneNumberId },
    };
  }
  if (status === 400 && /customer\.number/i.test(message)) {
    return {
      outcome: 'invalid_number',
      details: { reason: 'invalid_number', status, message, phoneNumberId },
    };
  }
  return failed('http_status', { status, message, phoneNumberId });
}

/** Vapi's errors are NestJS-shaped: `{ message: string | string[], error, statusCode }`. */
function errorMessage(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 500);
  if (typeof body !== 'object' || body === null) return '';
  const { message, error } = body as Record<string, unknown>;
  const parts = [
    ...(Array.isArray(message) ? (message as unknown[]) : [message]),
    error,
  ].filter((p): p is string => typeof p === 'string');
  return parts.join('; ').slice(0, 500);
}

/** `Retry-After` in seconds or as an HTTP date (RFC 9110 §10.2.3), in ms. */
function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function failed(reason: string, extra: Record<string, unknown>): DialResult {
  return { outcome: 'failed', details: { reason, ...extra } };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
