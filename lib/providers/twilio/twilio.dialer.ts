import { CONTACT_TEXT_FIELDS } from '../../contacts/contact-fields';
import { AsyncLocalStorage } from 'node:async_hooks';
import type twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import type {
  CallInstance,
  CallListInstanceCreateOptions,
  CallListInstanceOptions,
} from 'twilio/lib/rest/api/v2010/account/call';
import type {
  AttemptLookup,
  DialRequest,
  DialResult,
} from '../../dialer/campaign-dialer.interface';
import { CallerNumberPool } from '../caller-number-pool';
import type { ProviderDialer } from '../provider.interface';
import {
  TWILIO_INVALID_NUMBER_ERROR_CODES,
  twilioOutcomeRow,
} from './twilio-outcomes';
import {
  loadTwilioSdk,
  TWILIO_ATTEMPT_PARAM,
  TWILIO_CALL_ID_PARAM,
  TwilioWebhook,
  type TwilioSdk,
} from './twilio.webhook';

export type TwilioMachineDetection = 'Enable' | 'DetectMessageEnd' | 'off';

export interface TwilioDialerOptions {
  /** `AC` + 32 hex digits. */
  accountSid: string;
  /** Authenticates the REST calls (HTTP Basic) and verifies the webhooks. */
  authToken: string;
  /** Public URL of the module's Twilio webhook route, e.g. `https://host/campaign/webhooks/twilio`. */
  webhookBaseUrl: string;
  /**
   * Answering machine detection: `MachineDetection` on create. Default
   * `DetectMessageEnd`: a person is reported at once, a machine after its
   * greeting (the assistant can leave a message);
   * https://www.twilio.com/docs/voice/answering-machine-detection. `off`:
   * no detection, so no `voicemail` outcome.
   */
  machineDetection?: TwilioMachineDetection;
  /** `MachineDetectionTimeout` in seconds (Twilio's default: 30). */
  machineDetectionTimeoutSeconds?: number;
  /** `Timeout`: seconds to ring before `no-answer` (Twilio: default 60, max 600). */
  ringTimeoutSeconds?: number;
  /** Per REST request (create, fetch, list), in ms. Default 10 000. */
  timeoutMs?: number;
  /** New calls per caller number in any rolling minute (this replica). Default 30. */
  callsPerMinutePerNumber?: number;
  /**
   * What a TwiML `Url` playbook gets in its query string: `all` (default)
   * the contact's non-null fields and custom fields (`cf_<name>`) besides
   * the ids; `ids` only `call_id`, `attempt`, `campaign_id`, `playbook_id`.
   * Twilio logs request URLs: choose `ids` to keep contact data out of them.
   */
  contactInUrl?: 'all' | 'ids';
  /** See `TwilioWebhookOptions.sharedKeySecret`. */
  webhookSharedKeySecret?: string;
  /** Twilio edge / region (passed to the SDK client). */
  edge?: string;
  region?: string;
  /**
   * Origin the SDK sends REST requests to instead of `https://api.twilio.com`
   * (a local fake in tests). Only the origin changes: the SDK builds, signs
   * (Basic auth), sends (its own axios RequestClient) and parses every
   * request as it does for Twilio. Do not combine with `edge` / `region`.
   */
  apiBaseUrl?: string;
}

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const APPLICATION_SID = /^AP[0-9a-fA-F]{32}$/;
const E164 = /^\+[1-9]\d{1,14}$/;
/**
 * Twilio documents a 4000-character limit for callback URLs
 * (https://www.twilio.com/docs/api/errors/21609); the Calls resource states
 * none for `Url`, so the same bound is kept.
 */
const MAX_URL_LENGTH = 4000;
const STATUS_CALLBACK_EVENTS = [
  'initiated',
  'ringing',
  'answered',
  'completed',
];
/** Calls whose status ends them; see twilio-outcomes.ts. */
const FINAL_STATUSES = ['completed', 'busy', 'failed', 'no-answer', 'canceled'];
/** The contact's text fields, as the module defines them. */
const CONTACT_FIELDS = CONTACT_TEXT_FIELDS;

/** Response headers of the SDK request made in the current async context. */
const lastResponse = new AsyncLocalStorage<{ headers?: unknown }>();

/**
 * The SDK's own HTTP client, which also keeps the response headers for the
 * dial that made the request: the SDK's `RestException` drops them, and a
 * 429's `Retry-After` is needed. A custom `httpClient` is a documented SDK
 * option (https://github.com/twilio/twilio-node/blob/main/advanced-examples/custom-http-client.md);
 * every request still goes through `RequestClient.request` unchanged.
 */
function headerKeepingClient(sdk: TwilioSdk, timeout: number): RequestClient {
  class HeaderKeepingRequestClient extends sdk.RequestClient {
    override async request<TData>(
      opts: RequestClient.RequestOptions<TData>,
    ): Promise<Response<TData>> {
      const response = await super.request(opts);
      const store = lastResponse.getStore();
      if (store) store.headers = response.headers;
      return response;
    }
  }
  return new HeaderKeepingRequestClient({ timeout, keepAlive: true });
}

/**
 * Places calls with Twilio Programmable Voice through the official `twilio`
 * SDK: `POST /2010-04-01/Accounts/{AccountSid}/Calls.json`
 * (https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource).
 *
 * - `From`: one of the playbook's `callerNumbers` (spread by a
 *   {@link CallerNumberPool}); none under its limit: not placed.
 * - The call runs the playbook's `assistantId`: a TwiML App SID (`AP…`) as
 *   `ApplicationSid`, or an `https:` URL as `Url`, to which the contact is
 *   passed as query parameters (Twilio requests the URL as given, query
 *   string included: https://www.twilio.com/docs/voice/make-calls#specify-a-url-parameter).
 * - `StatusCallback`: `webhookBaseUrl?call_id=…&attempt=…` for the events
 *   initiated, ringing, answered, completed (POST). Twilio ignores
 *   `StatusCallback` when `ApplicationSid` is given: the App's own status
 *   callback URL must then point at `webhookBaseUrl` (events are matched by
 *   Call SID).
 *
 * `dial()` answers `{ providerCallId }` and no outcome: the status callbacks
 * report it. It never throws. Twilio's Calls API takes no idempotency key,
 * so a create whose answer is lost (timeout, 5xx) may have placed a call;
 * it is reported `failed` (the recall policy decides) with its reason.
 * Errors: HTTP 429 / 20429 ("never processed and always safe to retry",
 * https://www.twilio.com/docs/api/errors/20429) and 10004 (call concurrency
 * limit, https://www.twilio.com/docs/api/errors/10004): not placed, after
 * `Retry-After` when the response has one (Twilio's error page does not
 * promise it); an invalid-number code: `invalid_number`; any other 4xx, a
 * 5xx, a timeout or a network error: `failed` with `details.reason`.
 */
export class TwilioDialer implements ProviderDialer {
  readonly webhook: TwilioWebhook;
  readonly #options: TwilioDialerOptions;
  #client: Promise<twilio.Twilio> | undefined;
  readonly #pool: CallerNumberPool;
  readonly #webhookBaseUrl: string;
  readonly #timeoutMs: number;
  readonly #machineDetection: TwilioMachineDetection;
  readonly #machineDetectionTimeout: number | undefined;
  readonly #ringTimeout: number | undefined;
  readonly #contactInUrl: 'all' | 'ids';

  constructor(options: TwilioDialerOptions) {
    if (!ACCOUNT_SID.test(options.accountSid ?? '')) {
      throw new Error('TwilioDialer: accountSid must be AC + 32 hex digits');
    }
    if (typeof options.authToken !== 'string' || options.authToken === '') {
      throw new Error('TwilioDialer: authToken must be a non-empty string');
    }
    this.#webhookBaseUrl = httpUrl(options.webhookBaseUrl, 'webhookBaseUrl');
    this.#timeoutMs = positiveInt(options.timeoutMs ?? 10_000, 'timeoutMs');
    this.#machineDetection = options.machineDetection ?? 'DetectMessageEnd';
    if (
      !['Enable', 'DetectMessageEnd', 'off'].includes(this.#machineDetection)
    ) {
      throw new Error(
        'TwilioDialer: machineDetection must be Enable, DetectMessageEnd or off',
      );
    }
    this.#machineDetectionTimeout =
      options.machineDetectionTimeoutSeconds === undefined
        ? undefined
        : positiveInt(
            options.machineDetectionTimeoutSeconds,
            'machineDetectionTimeoutSeconds',
          );
    this.#ringTimeout =
      options.ringTimeoutSeconds === undefined
        ? undefined
        : positiveInt(options.ringTimeoutSeconds, 'ringTimeoutSeconds', 600);
    this.#contactInUrl = options.contactInUrl ?? 'all';
    this.#pool = new CallerNumberPool(options.callsPerMinutePerNumber ?? 30);
    if (options.apiBaseUrl !== undefined) {
      httpUrl(options.apiBaseUrl, 'apiBaseUrl');
    }
    this.#options = { ...options };
    this.webhook = new TwilioWebhook({
      authToken: options.authToken,
      sharedKeySecret: options.webhookSharedKeySecret,
      publicUrl: this.#webhookBaseUrl,
    });
  }

  /** The SDK client, made on first use (the SDK is an optional peer). */
  #load(): Promise<twilio.Twilio> {
    this.#client ??= loadTwilioSdk().then(
      (sdk) => {
        const { accountSid, authToken, edge, region, apiBaseUrl } =
          this.#options;
        const client = sdk(accountSid, authToken, {
          httpClient: headerKeepingClient(sdk, this.#timeoutMs),
          edge,
          region,
          autoRetry: false,
        });
        if (apiBaseUrl !== undefined) {
          // The SDK's Api domain joins its baseUrl with each resource path.
          client.api.baseUrl = new URL(apiBaseUrl).origin;
        }
        return client;
      },
      (error: unknown) => {
        this.#client = undefined;
        throw error;
      },
    );
    return this.#client;
  }

  async dial(request: DialRequest): Promise<DialResult> {
    const playbook = request.playbook;
    if (!playbook || playbook.provider !== 'twilio') {
      return failed('not_a_twilio_playbook', {});
    }
    const numbers = playbook.callerNumbers.filter((n) => E164.test(n));
    if (numbers.length === 0) {
      return failed('no_caller_numbers', {
        callerNumbers: playbook.callerNumbers,
      });
    }
    const runs = this.#instructions(playbook.assistantId, request);
    if (!runs) {
      return failed('invalid_assistant_id', {
        assistantId: playbook.assistantId,
        expected: 'a TwiML App SID (AP + 32 hex digits) or an https: URL',
      });
    }
    let client: twilio.Twilio;
    try {
      client = await this.#load();
    } catch (error) {
      return failed('sdk_unavailable', { error: describeError(error) });
    }
    const from = this.#pool.take(numbers);
    if (from === null) {
      return {
        notPlaced: {
          reason: 'caller_numbers_at_limit',
          retryAfterMs: this.#pool.waitMs(numbers),
        },
      };
    }
    const params: CallListInstanceCreateOptions = {
      to: request.phone,
      from,
      ...runs,
      statusCallback: withQuery(this.#webhookBaseUrl, {
        [TWILIO_CALL_ID_PARAM]: request.callId,
        [TWILIO_ATTEMPT_PARAM]: String(request.attempt),
      }),
      statusCallbackEvent: STATUS_CALLBACK_EVENTS,
      statusCallbackMethod: 'POST',
      ...(this.#machineDetection !== 'off' && {
        machineDetection: this.#machineDetection,
        machineDetectionTimeout: this.#machineDetectionTimeout,
      }),
      timeout: this.#ringTimeout,
    };
    const store: { headers?: unknown } = {};
    try {
      const call = await lastResponse.run(store, () =>
        withDeadline(client.calls.create(params), this.#timeoutMs),
      );
      return { providerCallId: call.sid, details: { from } };
    } catch (error) {
      return this.#dialError(error, store.headers);
    }
  }

  /**
   * By Call SID: the Call resource's status and `answered_by` through the
   * outcome table; 404: no trace. Without a SID (the replica died before
   * the create answered) the Calls list is the only way in: it filters by
   * `From`, `To`, `Status` and `StartTime` (a UTC date), and the attempt
   * carries no `To`. Calls from the playbook's numbers created around the
   * attempt's start are candidates: none, no trace (null); some still
   * going, not known yet (no outcome, asked again); all over, `failed`
   * (one may have been this attempt, its outcome was not seen).
   * Errors other than 404 reject (the attempt stays open).
   */
  async lookup(attempt: AttemptLookup): Promise<DialResult | null> {
    const client = await this.#load();
    if (attempt.providerCallId) {
      let call: CallInstance;
      try {
        call = await withDeadline(
          client.calls(attempt.providerCallId).fetch(),
          this.#timeoutMs,
        );
      } catch (error) {
        if (numberField(error, 'status') === 404) return null;
        throw error;
      }
      return callResult(call);
    }
    const earliest = attempt.startedAt.getTime() - 60_000;
    const latest = attempt.startedAt.getTime() + this.#timeoutMs + 60_000;
    const day = new Date(earliest);
    day.setUTCHours(0, 0, 0, 0);
    const froms = attempt.playbook?.callerNumbers.length
      ? attempt.playbook.callerNumbers
      : [undefined];
    const lists: Promise<CallInstance[]>[] = [];
    for (const from of froms) {
      // With the number dialed, only calls to it from the playbook's numbers.
      const base: CallListInstanceOptions = {
        ...(from ? { from } : {}),
        ...(attempt.phone ? { to: attempt.phone } : {}),
      };
      lists.push(this.#list(client, { ...base, startTimeAfter: day }));
      // A queued call has no start time yet.
      lists.push(this.#list(client, { ...base, status: 'queued' }));
    }
    const seen = new Map<string, CallInstance>();
    for (const call of (await Promise.all(lists)).flat()) {
      const created = call.dateCreated?.getTime();
      if (created !== undefined && created >= earliest && created <= latest) {
        seen.set(call.sid, call);
      }
    }
    const candidates = [...seen.values()];
    if (candidates.length === 0) return null;
    // One call to this number from this playbook around that time: it.
    if (attempt.phone && candidates.length === 1) {
      return callResult(candidates[0]);
    }
    const sids = candidates.map((c) => c.sid);
    if (candidates.some((c) => !FINAL_STATUSES.includes(c.status))) {
      return { details: { reason: 'unattributed_calls_in_progress', sids } };
    }
    return { outcome: 'failed', details: { reason: 'unattributed', sids } };
  }

  #list(
    client: twilio.Twilio,
    params: CallListInstanceOptions,
  ): Promise<CallInstance[]> {
    return withDeadline(
      client.calls.list({ ...params, pageSize: 1000, limit: 1000 }),
      this.#timeoutMs,
    );
  }

  #instructions(
    assistantId: string,
    request: DialRequest,
  ): { applicationSid: string } | { url: string } | null {
    if (APPLICATION_SID.test(assistantId)) {
      return { applicationSid: assistantId };
    }
    let url: URL;
    try {
      url = new URL(assistantId);
    } catch {
      return null;
    }
    if (url.protocol !== 'https:') return null;
    return { url: this.#contactUrl(url.toString(), request) };
  }

  /** The playbook's URL with the ids and, if they fit, the contact's fields. */
  #contactUrl(base: string, request: DialRequest): string {
    const ids: Record<string, string> = {
      call_id: request.callId,
      attempt: String(request.attempt),
      campaign_id: request.campaignId,
      playbook_id: request.playbookId,
    };
    if (this.#contactInUrl === 'ids') return withQuery(base, ids);
    const contact: Record<string, string> = {};
    for (const field of CONTACT_FIELDS) {
      const value = request.contact[field];
      if (value !== null) contact[field] = value;
    }
    const custom: Record<string, string> = {};
    for (const [name, value] of Object.entries(
      request.contact.custom_fields ?? {},
    )) {
      if (value !== null) custom[`cf_${name}`] = String(value);
    }
    const full = withQuery(base, { ...ids, ...contact, ...custom });
    if (full.length <= MAX_URL_LENGTH) return full;
    const withoutCustom = withQuery(base, {
      ...ids,
      ...contact,
      cf_omitted: '1',
    });
    if (withoutCustom.length <= MAX_URL_LENGTH) return withoutCustom;
    return withQuery(base, { ...ids, contact_omitted: '1' });
  }

  #dialError(error: unknown, headers: unknown): DialResult {
    if (isTimeout(error)) {
      return failed('timeout', { timeoutMs: this.#timeoutMs });
    }
    const status = numberField(error, 'status');
    if (status === undefined) {
      return failed('network_error', { error: describeError(error) });
    }
    const code = numberField(error, 'code');
    const twilioError = {
      status,
      code,
      message: stringField(error, 'message'),
      moreInfo: stringField(error, 'moreInfo'),
    };
    if (status === 429 || code === 20429 || code === 10004) {
      const retryAfterMs = retryAfter(headers);
      return {
        notPlaced: {
          reason: code === 10004 ? 'concurrency_limit' : 'rate_limited',
          ...(retryAfterMs !== undefined && { retryAfterMs }),
        },
      };
    }
    if (
      code !== undefined &&
      TWILIO_INVALID_NUMBER_ERROR_CODES.includes(code)
    ) {
      return {
        outcome: 'invalid_number',
        details: { reason: 'twilio_error', ...twilioError },
      };
    }
    return failed(status < 500 ? 'twilio_error' : 'http_status', twilioError);
  }
}

/** A fetched Call resource as a lookup result. */
function callResult(call: CallInstance): DialResult {
  const row = twilioOutcomeRow({
    callStatus: call.status,
    answeredBy: call.answeredBy,
  });
  const details = {
    callStatus: call.status,
    ...(call.answeredBy && { answeredBy: call.answeredBy }),
  };
  return row?.outcome
    ? { providerCallId: call.sid, outcome: row.outcome, details }
    : { providerCallId: call.sid, details };
}

/**
 * `Retry-After` in ms: delay-seconds or an HTTP-date (RFC 9110 §10.2.3);
 * undefined when absent or unreadable.
 */
function retryAfter(headers: unknown): number | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const raw = (headers as Record<string, unknown>)['retry-after'];
  const value: unknown = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  if (typeof value === 'number') return Math.max(0, value * 1000);
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

class DeadlineError extends Error {
  override readonly name = 'TimeoutError';
}

/** Rejects after `ms` (the SDK's own timeout is per socket activity). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`after ${ms} ms`)), ms);
  });
  promise.catch(() => undefined); // settled after the deadline: ignored
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Axios (inside the SDK) times out with ECONNABORTED or ETIMEDOUT. */
function isTimeout(error: unknown): boolean {
  const code = stringField(error, 'code');
  return (
    stringField(error, 'name') === 'TimeoutError' ||
    code === 'ECONNABORTED' ||
    code === 'ETIMEDOUT'
  );
}

function withQuery(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) {
    url.searchParams.set(key, value);
  }
  return url.toString();
}

function httpUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`TwilioDialer: ${name} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`TwilioDialer: ${name} must be an http(s) URL`);
  }
  return url.toString();
}

function positiveInt(value: number, name: string, max = Infinity): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(
      `TwilioDialer: ${name} must be a positive integer${max < Infinity ? ` up to ${max}` : ''}`,
    );
  }
  return value;
}

function failed(reason: string, extra: Record<string, unknown>): DialResult {
  return { outcome: 'failed', details: { reason, ...extra } };
}

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null
    ? (error as Record<string, unknown>)[name]
    : undefined;
}

function numberField(error: unknown, name: string): number | undefined {
  const value = field(error, name);
  return typeof value === 'number' ? value : undefined;
}

function stringField(error: unknown, name: string): string | undefined {
  const value = field(error, name);
  return typeof value === 'string' ? value : undefined;
}

function describeError(error: unknown): string {
  const message = stringField(error, 'message') ?? String(error);
  const code = stringField(error, 'code');
  return code ? `${message}: ${code}` : message;
}
