import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CallOutcome } from '../../dialer/campaign-dialer.interface';
import {
  InvalidWebhookPayloadError,
  type ProviderCallEvent,
  type ProviderWebhook,
  type ProviderWebhookRequest,
} from '../provider.interface';
import { vapiCustomerSpoke, vapiOutcome } from './vapi-outcomes';

/**
 * How Vapi authenticates the messages it sends to your server URL: a Custom
 * Credential referenced by `server.credentialId`
 * (https://docs.vapi.ai/server-url/server-authentication). The fields mirror
 * Vapi's own plans (`@vapi-ai/server-sdk` `HmacAuthenticationPlan`,
 * `BearerAuthenticationPlan`); their defaults are Vapi's documented defaults.
 *
 * - `hmac` (recommended: it proves the body was not altered): the signature of
 *   `payloadFormat` (default `{timestamp}.{body}`) with `secretKey`.
 * - `bearer`: a static token in a header. Vapi's legacy `X-Vapi-Secret`
 *   (the old inline `server.secret`) is `{ type: 'bearer', token,
 *   headerName: 'X-Vapi-Secret', bearerPrefixEnabled: false }`.
 */
export type VapiServerAuth = VapiHmacServerAuth | VapiBearerServerAuth;

export interface VapiHmacServerAuth {
  type: 'hmac';
  secretKey: string;
  /** Default `sha256`. */
  algorithm?: 'sha256' | 'sha512' | 'sha1';
  /** Default `x-signature`. */
  signatureHeader?: string;
  /** Default `x-timestamp`. */
  timestampHeader?: string;
  /** E.g. `sha256=`; none by default. */
  signaturePrefix?: string;
  /** Default true. */
  includeTimestamp?: boolean;
  /**
   * Placeholders `{body}`, `{timestamp}`, `{method}`, `{url}`, `{svix-id}`.
   * Default `{timestamp}.{body}` (`{body}` when `includeTimestamp` is false).
   */
  payloadFormat?: string;
  /** The header of `{svix-id}`, when the format uses it. */
  messageIdHeader?: string;
  /** Default `hex`. */
  signatureEncoding?: 'hex' | 'base64';
  /** Default false. */
  secretIsBase64?: boolean;
}

export interface VapiBearerServerAuth {
  type: 'bearer';
  token: string;
  /** Default `Authorization`. */
  headerName?: string;
  /** Default true (`Bearer <token>`). */
  bearerPrefixEnabled?: boolean;
}

export interface VapiWebhookOptions {
  auth: VapiServerAuth;
  /**
   * HMAC with a timestamp only: the largest accepted clock difference, in
   * seconds (replay protection). Default 300. Vapi does not document the
   * timestamp's unit: values above 10^11 are read as epoch milliseconds,
   * others as epoch seconds.
   */
  toleranceSeconds?: number;
  /**
   * The webhook's public URL as set on Vapi's server URL: the `{url}` of a
   * custom `payloadFormat` (else the route rebuilds it from the Host header).
   */
  publicUrl?: string;
  /** Called for an `endedReason` the outcome table does not know. */
  onUnknownReason?: (endedReason: string) => void;
  now?: () => number;
}

/**
 * Vapi's server messages (https://docs.vapi.ai/server-url/events): every
 * message is a POST of `{ "message": { "type", "call", ... } }`.
 *
 * - `end-of-call-report` (`endedReason`, `artifact`): the final outcome.
 * - `status-update` (`status`, `endedReason` once ended): `outcome: null`
 *   while the call is open; the outcome once `status` is `ended` with an
 *   `endedReason` (Vapi also sends the end-of-call-report: both give the same
 *   outcome).
 * - any other type (transcript, speech-update, ...): no event.
 *
 * The module's call id and attempt come from
 * `call.assistantOverrides.metadata` (where `VapiDialer` puts them: Vapi's
 * POST /call has no top-level `metadata`).
 */
export class VapiWebhook implements ProviderWebhook {
  readonly provider = 'vapi' as const;
  readonly publicUrl?: string;
  readonly #auth: VapiServerAuth;
  readonly #toleranceSeconds: number;
  readonly #onUnknownReason?: (endedReason: string) => void;
  readonly #now: () => number;

  constructor(options: VapiWebhookOptions) {
    this.#auth = checkAuth(options.auth);
    const tolerance = options.toleranceSeconds ?? 300;
    if (!Number.isFinite(tolerance) || tolerance <= 0) {
      throw new Error('VapiWebhook: toleranceSeconds must be positive');
    }
    this.#toleranceSeconds = tolerance;
    this.#onUnknownReason = options.onUnknownReason;
    this.#now = options.now ?? Date.now;
    if (options.publicUrl !== undefined) this.publicUrl = options.publicUrl;
  }

  verify(request: ProviderWebhookRequest): boolean {
    const auth = this.#auth;
    return auth.type === 'bearer'
      ? verifyBearer(auth, request.headers)
      : this.#verifyHmac(auth, request);
  }

  parse(request: ProviderWebhookRequest): ProviderCallEvent[] {
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new InvalidWebhookPayloadError('Vapi message: body is not JSON');
    }
    const message = field(body, 'message');
    const type = field(message, 'type');
    if (!isObject(message) || typeof type !== 'string') {
      throw new InvalidWebhookPayloadError(
        'Vapi message: expected { message: { type, ... } }',
      );
    }
    if (type !== 'status-update' && type !== 'end-of-call-report') return [];

    const call = field(message, 'call');
    const providerCallId = field(call, 'id');
    if (typeof providerCallId !== 'string' || providerCallId === '') {
      throw new InvalidWebhookPayloadError(`Vapi ${type}: call.id is missing`);
    }
    const endedReason =
      field(message, 'endedReason') ?? field(call, 'endedReason');
    if (endedReason !== undefined && typeof endedReason !== 'string') {
      throw new InvalidWebhookPayloadError(
        `Vapi ${type}: endedReason must be a string`,
      );
    }
    const status =
      type === 'status-update' ? field(message, 'status') : 'ended';
    if (typeof status !== 'string') {
      throw new InvalidWebhookPayloadError(
        'Vapi status-update: status is missing',
      );
    }
    if (type === 'end-of-call-report' && !endedReason) {
      throw new InvalidWebhookPayloadError(
        'Vapi end-of-call-report: endedReason is missing',
      );
    }

    let outcome: CallOutcome | null = null;
    if (status === 'ended' && endedReason) {
      outcome = vapiOutcome(endedReason, {
        customerSpoke: vapiCustomerSpoke(
          field(field(message, 'artifact'), 'messages'),
          field(message, 'messages'),
          field(call, 'messages'),
        ),
        onUnknownReason: this.#onUnknownReason,
      });
    }
    const details: Record<string, unknown> = { type, status };
    if (endedReason) details.endedReason = endedReason;
    const endedMessage = field(call, 'endedMessage');
    if (typeof endedMessage === 'string') details.endedMessage = endedMessage;

    return [
      {
        providerCallId,
        outcome,
        ...vapiCallMetadata(call),
        details,
      },
    ];
  }

  #verifyHmac(
    auth: VapiHmacServerAuth,
    request: ProviderWebhookRequest,
  ): boolean {
    const signature = header(
      request.headers,
      auth.signatureHeader ?? 'x-signature',
    );
    if (signature === undefined) return false;
    const includeTimestamp = auth.includeTimestamp ?? true;
    const format =
      auth.payloadFormat ??
      (includeTimestamp ? '{timestamp}.{body}' : '{body}');
    const timestamp = header(
      request.headers,
      auth.timestampHeader ?? 'x-timestamp',
    );
    if (includeTimestamp || format.includes('{timestamp}')) {
      if (timestamp === undefined || !this.#fresh(timestamp)) return false;
    }
    const messageId = auth.messageIdHeader
      ? header(request.headers, auth.messageIdHeader)
      : undefined;
    if (format.includes('{svix-id}') && messageId === undefined) return false;

    const prefix = auth.signaturePrefix ?? '';
    if (!signature.startsWith(prefix)) return false;
    const encoding = auth.signatureEncoding ?? 'hex';
    const expected = vapiHmacSignature(auth, {
      body: request.rawBody,
      timestamp: timestamp ?? '',
      method: 'POST',
      url: request.url,
      messageId: messageId ?? '',
    });
    const given = signature.slice(prefix.length).trim();
    return sameText(
      encoding === 'hex' ? given.toLowerCase() : given,
      expected.slice(prefix.length),
    );
  }

  #fresh(timestamp: string): boolean {
    if (!/^\d{1,16}$/.test(timestamp)) return false;
    const value = Number(timestamp);
    const ms = value > 1e11 ? value : value * 1000;
    return Math.abs(this.#now() - ms) <= this.#toleranceSeconds * 1000;
  }
}

/** The fields a signature covers, for `vapiHmacSignature`. */
export interface VapiSignedParts {
  body: Buffer | string;
  timestamp: string;
  method: string;
  url: string;
  messageId: string;
}

/**
 * The signature header value Vapi sends under `auth` (prefix included):
 * the `algorithm` HMAC, keyed with `secretKey` (base64-decoded when
 * `secretIsBase64`), of `payloadFormat` with its placeholders filled in,
 * encoded as `signatureEncoding`.
 */
export function vapiHmacSignature(
  auth: VapiHmacServerAuth,
  parts: VapiSignedParts,
): string {
  const includeTimestamp = auth.includeTimestamp ?? true;
  const format =
    auth.payloadFormat ?? (includeTimestamp ? '{timestamp}.{body}' : '{body}');
  const body =
    typeof parts.body === 'string'
      ? Buffer.from(parts.body, 'utf8')
      : parts.body;
  const key = auth.secretIsBase64
    ? Buffer.from(auth.secretKey, 'base64')
    : Buffer.from(auth.secretKey, 'utf8');
  const hmac = createHmac(auth.algorithm ?? 'sha256', key);
  // The body is hashed as received (bytes), the rest as UTF-8 text.
  for (const piece of format.split(
    /(\{body\}|\{timestamp\}|\{method\}|\{url\}|\{svix-id\})/,
  )) {
    if (piece === '{body}') hmac.update(body);
    else if (piece === '{timestamp}') hmac.update(parts.timestamp, 'utf8');
    else if (piece === '{method}') hmac.update(parts.method, 'utf8');
    else if (piece === '{url}') hmac.update(parts.url, 'utf8');
    else if (piece === '{svix-id}') hmac.update(parts.messageId, 'utf8');
    else if (piece !== '') hmac.update(piece, 'utf8');
  }
  return (
    (auth.signaturePrefix ?? '') + hmac.digest(auth.signatureEncoding ?? 'hex')
  );
}

/** The module's call id and attempt from a Vapi Call's `assistantOverrides.metadata`. */
export function vapiCallMetadata(call: unknown): {
  callId?: string;
  attempt?: number;
} {
  const metadata = field(field(call, 'assistantOverrides'), 'metadata');
  const callId = field(metadata, 'callId');
  const attempt = field(metadata, 'attempt');
  const result: { callId?: string; attempt?: number } = {};
  if (typeof callId === 'string' && callId !== '') result.callId = callId;
  if (
    typeof attempt === 'number' &&
    Number.isInteger(attempt) &&
    attempt >= 1
  ) {
    result.attempt = attempt;
  }
  return result;
}

function verifyBearer(
  auth: VapiBearerServerAuth,
  headers: IncomingHttpHeaders,
): boolean {
  const value = header(headers, auth.headerName ?? 'authorization');
  if (value === undefined) return false;
  const expected =
    (auth.bearerPrefixEnabled ?? true) ? `Bearer ${auth.token}` : auth.token;
  return sameText(value, expected);
}

/** Constant-time string equality (both hashed, so lengths do not leak). */
function sameText(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function checkAuth(auth: VapiServerAuth): VapiServerAuth {
  if (!isObject(auth)) {
    throw new Error(
      'VapiWebhook: auth must be { type: "hmac" | "bearer", ... }',
    );
  }
  if (auth.type === 'hmac') {
    if (typeof auth.secretKey !== 'string' || auth.secretKey === '') {
      throw new Error('VapiWebhook: auth.secretKey must be a non-empty string');
    }
    if (
      auth.algorithm &&
      !['sha256', 'sha512', 'sha1'].includes(auth.algorithm)
    ) {
      throw new Error(
        'VapiWebhook: auth.algorithm must be sha256, sha512 or sha1',
      );
    }
    if (
      auth.signatureEncoding &&
      !['hex', 'base64'].includes(auth.signatureEncoding)
    ) {
      throw new Error(
        'VapiWebhook: auth.signatureEncoding must be hex or base64',
      );
    }
    return { ...auth };
  }
  if (auth.type === 'bearer') {
    if (typeof auth.token !== 'string' || auth.token === '') {
      throw new Error('VapiWebhook: auth.token must be a non-empty string');
    }
    return { ...auth };
  }
  throw new Error('VapiWebhook: auth.type must be "hmac" or "bearer"');
}

/** One header's value (Node lower-cases names; a repeated header is refused). */
function header(
  headers: IncomingHttpHeaders,
  name: string,
): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}
