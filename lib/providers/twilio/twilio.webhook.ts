import type twilio from 'twilio';
import {
  InvalidWebhookPayloadError,
  type ProviderCallEvent,
  type ProviderWebhook,
  type ProviderWebhookRequest,
} from '../provider.interface';
import { twilioOutcome } from './twilio-outcomes';

export type TwilioSdk = typeof twilio;

let sdk: Promise<TwilioSdk> | undefined;

/**
 * The `twilio` SDK, an optional peer dependency, loaded the first time it
 * is needed: hosts that do not use Twilio need not install it.
 */
export function loadTwilioSdk(): Promise<TwilioSdk> {
  sdk ??= import('twilio').then(
    (module) => module.default,
    (error: unknown) => {
      sdk = undefined;
      throw new Error(
        `Twilio needs the optional peer dependency twilio (npm i twilio): ${error instanceof Error ? error.message : String(error)}`,
      );
    },
  );
  return sdk;
}

/** Twilio's webhook headers (https://www.twilio.com/docs/usage/webhooks/webhooks-security). */
const SIGNATURE_HEADER = 'x-twilio-signature';
const SIGNATURE_SETTINGS_HEADER = 'x-twilio-webhooks-signature-settings';

/** Query parameters the dialer adds to its StatusCallback URL. */
export const TWILIO_CALL_ID_PARAM = 'call_id';
export const TWILIO_ATTEMPT_PARAM = 'attempt';

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const UUID_OR_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface TwilioWebhookOptions {
  /** The account's Auth Token: Twilio signs webhooks with it (HMAC-SHA1). */
  authToken: string;
  /**
   * The SharedKey secret, only when a Twilio Webhooks Rule signs these
   * webhooks with a SharedKey instead of the Auth Token (the request then
   * carries `X-Twilio-Webhooks-Signature-Settings`, see
   * https://github.com/twilio/twilio-node/blob/main/examples/WebhookSignatureValidation.md).
   */
  sharedKeySecret?: string;
  /**
   * The webhook route's public URL as given to Twilio (the dialer's
   * `webhookBaseUrl`): Twilio signs the URL it calls, so the route checks
   * against this rather than one rebuilt from the Host header.
   */
  publicUrl?: string;
}

/**
 * Twilio's status callbacks
 * (https://www.twilio.com/docs/voice/api/call-resource#statuscallback):
 * `application/x-www-form-urlencoded` POSTs with `CallSid`, `CallStatus`,
 * `AnsweredBy` (with answering machine detection), `CallDuration`,
 * `SipResponseCode`, `SequenceNumber`, `Timestamp`...
 *
 * `verify` checks `X-Twilio-Signature` with the SDK's `validateRequest`:
 * base64 HMAC-SHA1, keyed with the Auth Token, of the full URL Twilio
 * called followed by each POST parameter name and value, sorted by name
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-security). The URL
 * must be the public one Twilio called, query string included.
 *
 * `parse` reads the module's call id and attempt from the URL's `call_id`
 * and `attempt` query parameters (the dialer puts them in the
 * StatusCallback; they are signed with it). Calls run by a TwiML App
 * (`ApplicationSid`) report to the App's own status callback URL, so they
 * carry neither: the event is then found by `providerCallId` alone.
 */
export class TwilioWebhook implements ProviderWebhook {
  readonly provider = 'twilio' as const;
  readonly publicUrl?: string;
  readonly #authToken: string;
  readonly #sharedKeySecret: string | undefined;

  constructor(options: TwilioWebhookOptions) {
    if (typeof options.authToken !== 'string' || options.authToken === '') {
      throw new Error('TwilioWebhook: authToken must be a non-empty string');
    }
    this.#authToken = options.authToken;
    this.#sharedKeySecret = options.sharedKeySecret;
    if (options.publicUrl !== undefined) this.publicUrl = options.publicUrl;
  }

  async verify(request: ProviderWebhookRequest): Promise<boolean> {
    const signature = header(request, SIGNATURE_HEADER);
    if (!signature) return false;
    const settings = header(request, SIGNATURE_SETTINGS_HEADER);
    const secret = settings ? this.#sharedKeySecret : this.#authToken;
    if (!secret) return false;
    let params: Record<string, string | string[]>;
    try {
      new URL(request.url);
      params = formParams(request.rawBody);
    } catch {
      return false;
    }
    const twilio = await loadTwilioSdk();
    return twilio.validateRequest(
      secret,
      signature,
      request.url,
      params,
      twilio.getSignatureAlgorithm(settings),
    );
  }

  parse(request: ProviderWebhookRequest): ProviderCallEvent[] {
    let body: URLSearchParams;
    let url: URL;
    try {
      body = new URLSearchParams(decodeUtf8(request.rawBody));
      url = new URL(request.url);
    } catch {
      throw new InvalidWebhookPayloadError(
        'Twilio webhook: the body is not form-urlencoded UTF-8',
      );
    }
    const callSid = body.get('CallSid');
    if (!callSid || !CALL_SID.test(callSid)) {
      throw new InvalidWebhookPayloadError(
        'Twilio webhook: CallSid is missing or not a Call SID',
      );
    }
    const callStatus = body.get('CallStatus');
    if (!callStatus) {
      throw new InvalidWebhookPayloadError(
        'Twilio webhook: CallStatus is missing',
      );
    }
    const answeredBy = body.get('AnsweredBy') || null;
    const sipResponseCode = optionalInt(body, 'SipResponseCode');
    const errorCode = optionalInt(body, 'ErrorCode');
    const event: ProviderCallEvent = {
      providerCallId: callSid,
      outcome: twilioOutcome({
        callStatus,
        answeredBy,
        sipResponseCode,
        errorCode,
      }),
      details: compact({
        callStatus,
        answeredBy,
        callDuration: optionalInt(body, 'CallDuration'),
        sipResponseCode,
        errorCode,
        sequenceNumber: optionalInt(body, 'SequenceNumber'),
        timestamp: body.get('Timestamp'),
      }),
    };
    const callId = url.searchParams.get(TWILIO_CALL_ID_PARAM);
    const attempt = url.searchParams.get(TWILIO_ATTEMPT_PARAM);
    if (callId !== null || attempt !== null) {
      if (
        callId === null ||
        !UUID_OR_ID.test(callId) ||
        attempt === null ||
        !/^[1-9]\d{0,8}$/.test(attempt)
      ) {
        throw new InvalidWebhookPayloadError(
          'Twilio webhook: call_id and attempt must come together (an id and a positive integer)',
        );
      }
      event.callId = callId;
      event.attempt = Number(attempt);
    }
    return [event];
  }
}

function header(request: ProviderWebhookRequest, name: string): string {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function decodeUtf8(raw: Buffer): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(raw);
}

/** The form parameters, a repeated name as a list (as the SDK signs it). */
function formParams(raw: Buffer): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(decodeUtf8(raw))) {
    const seen = params[key];
    params[key] =
      seen === undefined
        ? value
        : Array.isArray(seen)
          ? [...seen, value]
          : [seen, value];
  }
  return params;
}

function optionalInt(body: URLSearchParams, name: string): number | null {
  const value = body.get(name);
  if (value === null || value === '') return null;
  if (!/^-?\d{1,15}$/.test(value)) {
    throw new InvalidWebhookPayloadError(
      `Twilio webhook: ${name} is not an integer`,
    );
  }
  return Number(value);
}

function compact(
  values: Record<string, string | number | null>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== null),
  );
}
