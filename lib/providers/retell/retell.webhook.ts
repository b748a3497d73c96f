import { createHmac, timingSafeEqual } from 'node:crypto';
import { verify as retellSdkVerify } from 'retell-sdk';
import {
  InvalidWebhookPayloadError,
  type ProviderCallEvent,
  type ProviderWebhook,
  type ProviderWebhookRequest,
} from '../provider.interface';
import { retellCallVerdict } from './retell-outcomes';

/** The header Retell signs its webhooks in. */
export const RETELL_SIGNATURE_HEADER = 'x-retell-signature';

/**
 * The call events the module reads; Retell also sends `transcript_updated`,
 * `transfer_*` and chat events, which are ignored.
 * https://docs.retellai.com/features/webhook-overview
 */
export const RETELL_CALL_EVENTS = [
  'call_started',
  'call_ended',
  'call_analyzed',
] as const;
export type RetellCallEvent = (typeof RETELL_CALL_EVENTS)[number];

/** Retell's verifier accepts a signature at most 5 minutes from now. */
const DEFAULT_TOLERANCE_MS = 5 * 60 * 1000;

export interface RetellWebhookOptions {
  /**
   * The Retell API key that has the webhook badge in the dashboard: Retell
   * signs every webhook with it ("Only the api key that has a webhook badge
   * next to it can be used to verify the webhook").
   */
  apiKey: string;
  /** Largest accepted distance between the signature's timestamp and now, in ms. Default 300 000. */
  toleranceMs?: number;
  /** The clock, in epoch ms (tests). */
  now?: () => number;
}

/**
 * Retell's webhooks: `POST` of `{ "event", "call" }` (the call object as
 * get-call returns it), signed in `x-retell-signature`.
 *
 * What Retell signs (https://docs.retellai.com/features/secure-webhook,
 * "Verify Without SDK"): the header is `v=<unix ms>,d=<hex>`, where `<hex>`
 * is the HMAC-SHA256, keyed with the API key, of the raw request body
 * followed by the timestamp digits; the timestamp must be within 5 minutes.
 * The raw body, not `JSON.stringify(req.body)` (the page's current sample
 * says so; re-serialising breaks on non-ASCII text).
 *
 * `verify` is synchronous, as the `ProviderWebhook` port requires, so it
 * computes that HMAC with `node:crypto` (constant-time compare).
 * `retell-sdk` 5's own `Retell.verify(body, apiKey, signature)` returns a
 * Promise (Web Crypto): `verifyWithSdk` calls it, for a route that can
 * await; the tests check both agree. (A sync `if (!Retell.verify(...))` as
 * in older samples never rejects with SDK 5: a Promise is truthy.)
 *
 * Delivery: Retell retries up to 3 times when no 2xx comes within 10 s and
 * does not block later events on a failed one; `call_started` is not sent
 * for a call that never connected. `parse` is a pure function of the body,
 * so a redelivered event yields the same `ProviderCallEvent` (the module's
 * `CallOutcomeService.report` ignores the duplicate).
 */
export class RetellWebhook implements ProviderWebhook {
  readonly provider = 'retell' as const;
  readonly #apiKey: string;
  readonly #toleranceMs: number;
  readonly #now: () => number;

  constructor(options: RetellWebhookOptions) {
    if (typeof options.apiKey !== 'string' || options.apiKey === '') {
      throw new Error('RetellWebhook: apiKey must be a non-empty string');
    }
    const toleranceMs = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
    if (!Number.isInteger(toleranceMs) || toleranceMs < 0) {
      throw new Error('RetellWebhook: toleranceMs must be an integer >= 0');
    }
    this.#apiKey = options.apiKey;
    this.#toleranceMs = toleranceMs;
    this.#now = options.now ?? Date.now;
  }

  verify(request: ProviderWebhookRequest): boolean {
    const parsed = parseSignature(request.headers[RETELL_SIGNATURE_HEADER]);
    if (parsed === null) return false;
    if (Math.abs(this.#now() - parsed.timestamp) > this.#toleranceMs) {
      return false;
    }
    const expected = createHmac('sha256', this.#apiKey)
      .update(request.rawBody)
      .update(String(parsed.timestamp))
      .digest();
    return timingSafeEqual(parsed.digest, expected);
  }

  /** The same check through `retell-sdk`'s `Retell.verify` (5-minute window, its own clock). */
  async verifyWithSdk(request: ProviderWebhookRequest): Promise<boolean> {
    const signature = request.headers[RETELL_SIGNATURE_HEADER];
    if (typeof signature !== 'string') return false;
    return retellSdkVerify(
      request.rawBody.toString('utf8'),
      this.#apiKey,
      signature,
    );
  }

  parse(request: ProviderWebhookRequest): ProviderCallEvent[] {
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new InvalidWebhookPayloadError('Retell webhook: body is not JSON');
    }
    if (!isRecord(body) || typeof body.event !== 'string') {
      throw new InvalidWebhookPayloadError(
        'Retell webhook: body must be an object with an "event" string',
      );
    }
    const event = body.event;
    if (!(RETELL_CALL_EVENTS as readonly string[]).includes(event)) return [];
    const call = body.call;
    if (!isRecord(call) || typeof call.call_id !== 'string' || !call.call_id) {
      throw new InvalidWebhookPayloadError(
        `Retell webhook: ${event} without a "call" object with a call_id`,
      );
    }
    return [toEvent(event as RetellCallEvent, call, call.call_id)];
  }
}

function toEvent(
  event: RetellCallEvent,
  call: Record<string, unknown>,
  providerCallId: string,
): ProviderCallEvent {
  const callStatus = stringField(call, 'call_status');
  const disconnectionReason = stringField(call, 'disconnection_reason');
  const details: Record<string, unknown> = { event, ...callDetails(call) };
  let outcome: ProviderCallEvent['outcome'] = null;
  if (event !== 'call_started') {
    const verdict = retellCallVerdict({
      call_status: callStatus,
      disconnection_reason: disconnectionReason,
    });
    if (verdict.kind === 'outcome') outcome = verdict.outcome;
    if (verdict.kind === 'not_placed') {
      // The port has no "not placed" event: report `failed` (the attempt
      // ends and the recall policy retries) and say so, for a route that
      // releases the attempt instead.
      outcome = 'failed';
      details.notPlaced = { reason: verdict.reason };
    }
  }
  const result: ProviderCallEvent = { providerCallId, outcome, details };
  const metadata = call.metadata;
  if (isRecord(metadata)) {
    if (typeof metadata.callId === 'string' && metadata.callId !== '') {
      result.callId = metadata.callId;
    }
    const attempt = metadata.attempt;
    if (
      typeof attempt === 'number' &&
      Number.isInteger(attempt) &&
      attempt > 0
    ) {
      result.attempt = attempt;
    }
  }
  return result;
}

/** The call's status fields, without transcripts or recordings. */
export function callDetails(
  call: Record<string, unknown>,
): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  const copy: Array<[string, string]> = [
    ['call_status', 'callStatus'],
    ['disconnection_reason', 'disconnectionReason'],
    ['direction', 'direction'],
    ['from_number', 'fromNumber'],
    ['to_number', 'toNumber'],
    ['agent_id', 'agentId'],
    ['duration_ms', 'durationMs'],
    ['start_timestamp', 'startTimestamp'],
    ['end_timestamp', 'endTimestamp'],
  ];
  for (const [from, to] of copy) {
    const value = call[from];
    if (typeof value === 'string' || typeof value === 'number') {
      details[to] = value;
    }
  }
  const analysis = call.call_analysis;
  if (isRecord(analysis)) {
    const picked: Record<string, unknown> = {};
    for (const key of ['call_successful', 'in_voicemail', 'user_sentiment']) {
      const value = analysis[key];
      if (typeof value === 'string' || typeof value === 'boolean') {
        picked[key] = value;
      }
    }
    details.callAnalysis = picked;
  }
  return details;
}

function parseSignature(
  header: string | string[] | undefined,
): { timestamp: number; digest: Buffer } | null {
  if (typeof header !== 'string') return null;
  const match = /^v=(\d{1,16}),d=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return null;
  const timestamp = Number(match[1]);
  if (!Number.isSafeInteger(timestamp)) return null;
  return { timestamp, digest: Buffer.from(match[2], 'hex') };
}

function stringField(
  record: Record<string, unknown>,
  key: string,
): string | null {
  const value = record[key];
  return typeof value === 'string' ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
