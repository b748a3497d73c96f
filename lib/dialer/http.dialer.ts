import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  CALL_OUTCOMES,
  type CallOutcome,
  type CampaignDialer,
  type DialRequest,
  type DialResult,
} from './campaign-dialer.interface';

export const HTTP_DIALER_TIMESTAMP_HEADER = 'X-Campaign-Timestamp';
export const HTTP_DIALER_SIGNATURE_HEADER = 'X-Campaign-Signature';

export interface HttpDialerOptions {
  /** Where each dial request is POSTed. */
  url: string;
  /** The shared HMAC secret; the receiver verifies with the same one. */
  secret: string;
  /** Per-attempt limit for the whole exchange, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Extra headers (e.g. an API key); they cannot replace the signed ones. */
  headers?: Record<string, string>;
}

/**
 * Dials by POSTing the `DialRequest` as JSON to a configured URL.
 *
 * Request headers:
 * - `Content-Type: application/json`
 * - `X-Campaign-Timestamp: <unix time in seconds>`
 * - `X-Campaign-Signature: sha256=<hex>`, where `<hex>` is the lowercase hex
 *   HMAC-SHA256, keyed with the shared secret, of the UTF-8 string
 *   `<timestamp>.<raw body>` (the timestamp header value, a dot, then the
 *   request body exactly as received, before any JSON parsing)
 * - `Idempotency-Key: <callId>:<attempt>`: the same for any redelivery of one
 *   attempt, so a receiver never places one attempt twice.
 *
 * A receiver checks it with `verifyHttpDialerSignature` (or the same HMAC,
 * compared in constant time, rejecting timestamps older than a few minutes).
 *
 * Response: any 2xx accepts the dial. An optional JSON body
 * `{ "provider_call_id"?: string, "outcome"?: CallOutcome }` gives the
 * provider's call id and, if already known, the outcome (an unknown outcome
 * is ignored, as if absent: the outcome is then expected later through
 * `CallOutcomeService.report`). A non-2xx status, a timeout or a connection
 * error ends the attempt as `failed` with `details.reason`; `dial()` never
 * throws and never retries within an attempt (the recall policy decides).
 */
export class HttpDialer implements CampaignDialer {
  readonly #url: string;
  readonly #secret: string;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;

  constructor(options: HttpDialerOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new Error(
        `HttpDialer: url ${JSON.stringify(options.url)} is not a valid URL`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error('HttpDialer: url must be http: or https:');
    }
    if (typeof options.secret !== 'string' || options.secret.length === 0) {
      throw new Error('HttpDialer: secret must be a non-empty string');
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new Error('HttpDialer: timeoutMs must be a positive integer');
    }
    this.#url = url.toString();
    this.#secret = options.secret;
    this.#timeoutMs = timeoutMs;
    this.#headers = { ...options.headers };
    new Headers(this.#headers); // throws now on an invalid header name or value
  }

  async dial(request: DialRequest): Promise<DialResult> {
    let body: string;
    let headers: Headers;
    try {
      body = JSON.stringify(request);
      const timestamp = String(Math.floor(Date.now() / 1000));
      headers = new Headers(this.#headers);
      headers.set('Content-Type', 'application/json');
      headers.set('Accept', 'application/json');
      headers.set(HTTP_DIALER_TIMESTAMP_HEADER, timestamp);
      headers.set(
        HTTP_DIALER_SIGNATURE_HEADER,
        signHttpDialerRequest(this.#secret, timestamp, body),
      );
      headers.set('Idempotency-Key', `${request.callId}:${request.attempt}`);
    } catch (error) {
      return failed('request_error', { error: describeError(error) });
    }

    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers,
        body,
        // Covers the response body too.
        signal: AbortSignal.timeout(this.#timeoutMs),
        // A redirected POST could be replayed elsewhere: treat it as a failure.
        redirect: 'manual',
      });
      const text = await response.text();
      if (response.status < 200 || response.status > 299) {
        return failed('http_status', {
          status: response.status,
          body: text.slice(0, 500),
        });
      }
      return parseAccepted(text);
    } catch (error) {
      if (errorField(error, 'name') === 'TimeoutError') {
        return failed('timeout', { timeoutMs: this.#timeoutMs });
      }
      return failed('network_error', { error: describeError(error) });
    }
  }
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<rawBody>">`, as sent by HttpDialer. */
export function signHttpDialerRequest(
  secret: string,
  timestamp: string | number,
  rawBody: string | Buffer,
): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(rawBody);
  return `sha256=${hmac.digest('hex')}`;
}

/**
 * For receivers: true if `signatureHeader` is the HttpDialer signature of
 * `rawBody` at `timestamp` (the `X-Campaign-Timestamp` header value) and the
 * timestamp is within `toleranceSeconds` of `now` (epoch ms). Constant-time.
 */
export function verifyHttpDialerSignature(
  secret: string,
  timestamp: string | number | null | undefined,
  rawBody: string | Buffer,
  signatureHeader: string | null | undefined,
  toleranceSeconds = 300,
  now = Date.now(),
): boolean {
  const ts = typeof timestamp === 'number' ? String(timestamp) : timestamp;
  if (typeof ts !== 'string' || !/^\d{1,12}$/.test(ts)) return false;
  if (Math.abs(now / 1000 - Number(ts)) > toleranceSeconds) return false;
  if (typeof signatureHeader !== 'string') return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signatureHeader.trim());
  if (!match) return false;
  const expected = Buffer.from(
    signHttpDialerRequest(secret, ts, rawBody).slice('sha256='.length),
    'hex',
  );
  return timingSafeEqual(Buffer.from(match[1], 'hex'), expected);
}

function parseAccepted(text: string): DialResult {
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { details: { warning: 'response body is not JSON' } };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {};
  }
  const { provider_call_id: providerCallId, outcome } = body as Record<
    string,
    unknown
  >;
  const result: DialResult = {};
  if (typeof providerCallId === 'string' && providerCallId !== '') {
    result.providerCallId = providerCallId;
  } else if (typeof providerCallId === 'number') {
    result.providerCallId = String(providerCallId);
  }
  if (isCallOutcome(outcome)) {
    result.outcome = outcome;
  } else if (outcome !== undefined && outcome !== null) {
    result.details = { ignoredOutcome: outcome };
  }
  return result;
}

function isCallOutcome(value: unknown): value is CallOutcome {
  return (
    typeof value === 'string' &&
    (CALL_OUTCOMES as readonly string[]).includes(value)
  );
}

function failed(reason: string, extra: Record<string, unknown>): DialResult {
  return { outcome: 'failed', details: { reason, ...extra } };
}

/**
 * `fetch` errors may come from another realm (e.g. under Jest), where
 * `instanceof Error` is false: read their fields instead.
 */
function errorField(error: unknown, field: string): unknown {
  return typeof error === 'object' && error !== null
    ? (error as Record<string, unknown>)[field]
    : undefined;
}

/** `fetch failed: ECONNREFUSED`, or the message. */
function describeError(error: unknown): string {
  const message = errorField(error, 'message');
  const text = typeof message === 'string' ? message : String(error);
  const cause = errorField(error, 'cause');
  const code = errorField(cause, 'code') ?? errorField(cause, 'message');
  return typeof code === 'string' ? `${text}: ${code}` : text;
}
