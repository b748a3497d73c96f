import { createHmac, randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Retell API, as Retell documents it, so that the real `retell-sdk`
 * runs against it:
 * - auth: `Authorization: Bearer <api key>`, else 401 (components
 *   `Unauthorized` of https://docs.retellai.com/api-references/get-call.md);
 *   errors are `{ status: "error", message }` with the documented examples,
 * - `POST /v2/create-phone-call` (https://docs.retellai.com/api-references/create-phone-call):
 *   `from_number` and `to_number` required, E.164 (else 400); an unknown
 *   `override_agent_id` is 422 "Cannot find requested asset under given api
 *   key."; answers 201 with the call object in `registered` status, without
 *   `metadata` / `retell_llm_dynamic_variables` when none were sent,
 * - `GET /v2/get-call/{call_id}`: the call, or 422 for an unknown id,
 * - `POST /v3/list-calls` (https://docs.retellai.com/api-references/list-calls):
 *   `filter_criteria.metadata` string / number `eq` filters, `{ items,
 *   has_more }` (other filters: 400, the fake does not implement them),
 * - webhooks (https://docs.retellai.com/features/webhook-overview):
 *   `{ event, call }` POSTed to the agent's webhook URL, `call_started` only
 *   for a call that connected, then `call_ended` (no `call_analysis`) and
 *   `call_analyzed`; retried up to 3 times without a 2xx; signed in
 *   `x-retell-signature: v=<ms>,d=<hex HMAC-SHA256(api key, body + ms)>`
 *   (https://docs.retellai.com/features/secure-webhook, "Verify Without
 *   SDK"), computed here with node:crypto, independently of retell-sdk.
 *
 * Each `to_number` can be scripted: how its call ends, 429s before it is
 * accepted, a 400, a 500, or no answer at all.
 */
export interface RetellFakeScript {
  /** The call's `disconnection_reason` when it ends. Default `user_hangup`. */
  disconnectionReason?: string;
  /** Answer create-phone-call with 429 this many times first. */
  rateLimited?: number;
  /** `Retry-After` (seconds) on those 429s; Retell does not document one, so none by default. */
  retryAfterSeconds?: number;
  /** Answer create-phone-call with 400 (Retell's BadRequest). */
  badRequest?: boolean;
  /** Answer create-phone-call with 500. */
  serverError?: boolean;
  /** Never answer create-phone-call (a timeout). */
  hang?: boolean;
  /** Create the call (it goes on at Retell), but never answer the request. */
  createThenHang?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface WebhookDelivery {
  event: string;
  rawBody: string;
  signature: string;
  /** HTTP status of each attempt (0: no answer). */
  statuses: number[];
}

type CallObject = Record<string, unknown> & { call_id: string };

/** The call status Retell gives each disconnection reason (debug-call-disconnect). */
const NOT_CONNECTED = new Set([
  'dial_busy',
  'dial_failed',
  'dial_no_answer',
  'invalid_destination',
  'telephony_provider_permission_denied',
  'telephony_provider_unavailable',
  'sip_routing_error',
  'marked_as_spam',
  'user_declined',
]);
const ERRORS = new Set([
  'concurrency_limit_reached',
  'no_valid_payment',
  'scam_detected',
]);
const E164 = /^\+[1-9]\d{1,14}$/;

function statusFor(reason: string): 'ended' | 'not_connected' | 'error' {
  if (NOT_CONNECTED.has(reason)) return 'not_connected';
  if (ERRORS.has(reason) || reason.startsWith('error_')) return 'error';
  return 'ended';
}

export class RetellFakeServer {
  readonly requests: RecordedRequest[] = [];
  readonly deliveries: WebhookDelivery[] = [];
  readonly calls = new Map<string, CallObject>();
  #scripts = new Map<string, RetellFakeScript>();
  #rateLimitedSoFar = new Map<string, number>();
  #hanging: ServerResponse[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly apiKey: string,
    private readonly agents: readonly string[],
    private readonly webhookUrl: string | undefined,
  ) {}

  static async start(options: {
    apiKey: string;
    /** Agent ids that exist in the account. */
    agents: string[];
    /** The agent's webhook URL. */
    webhookUrl?: string;
  }): Promise<RetellFakeServer> {
    const server = createServer();
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    const { port } = server.address() as AddressInfo;
    const fake = new RetellFakeServer(
      server,
      `http://127.0.0.1:${port}`,
      options.apiKey,
      options.agents,
      options.webhookUrl,
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void fake.handle(req, res);
    });
    return fake;
  }

  script(toNumber: string, script: RetellFakeScript): void {
    this.#scripts.set(toNumber, script);
  }

  /** The call connects: `ongoing`, and `call_started` is delivered. */
  async connect(callId: string): Promise<void> {
    const call = this.#call(callId);
    call.call_status = 'ongoing';
    call.start_timestamp = Date.now();
    await this.deliver('call_started', callId);
  }

  /** The call ends with its scripted reason: `call_ended`, then `call_analyzed`. */
  async end(callId: string): Promise<void> {
    const call = this.#call(callId);
    const reason = this.#reason(call);
    call.call_status = statusFor(reason);
    call.disconnection_reason = reason;
    call.end_timestamp = Date.now();
    if (typeof call.start_timestamp === 'number') {
      call.duration_ms = Number(call.end_timestamp) - call.start_timestamp;
      call.transcript = 'Agent: Hello José.\nUser: Sí, dígame.\n';
    }
    await this.deliver('call_ended', callId);
    call.call_analysis = {
      call_summary: 'The agent greeted the user.',
      in_voicemail: reason === 'voicemail_reached',
      user_sentiment: 'Neutral',
      call_successful: call.call_status === 'ended',
    };
    await this.deliver('call_analyzed', callId);
  }

  /**
   * The whole life of the call as scripted: `call_started` only when it
   * connects (not for not_connected reasons, nor for errors before the call
   * such as concurrency_limit_reached), then its end.
   */
  async run(callId: string): Promise<void> {
    const reason = this.#reason(this.#call(callId));
    if (!NOT_CONNECTED.has(reason) && !ERRORS.has(reason)) {
      await this.connect(callId);
    }
    await this.end(callId);
  }

  /** POSTs `{ event, call }` to the webhook URL, signed; up to 4 attempts without a 2xx. */
  async deliver(event: string, callId: string): Promise<WebhookDelivery> {
    if (this.webhookUrl === undefined) {
      throw new Error('RetellFakeServer: no webhookUrl to deliver to');
    }
    const call = { ...this.#call(callId) };
    if (event === 'call_ended') delete call.call_analysis;
    const rawBody = JSON.stringify({ event, call });
    const signature = signRetellWebhook(rawBody, this.apiKey);
    const delivery: WebhookDelivery = {
      event,
      rawBody,
      signature,
      statuses: [],
    };
    this.deliveries.push(delivery);
    for (let attempt = 0; attempt < 4; attempt++) {
      const status = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'x-retell-signature': signature,
        },
        body: rawBody,
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        () => 0,
      );
      delivery.statuses.push(status);
      if (status >= 200 && status < 300) break;
    }
    return delivery;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #reason(call: CallObject): string {
    return (
      this.#scripts.get(String(call.to_number))?.disconnectionReason ??
      'user_hangup'
    );
  }

  #call(callId: string): CallObject {
    const call = this.calls.get(callId);
    if (!call) throw new Error(`RetellFakeServer: no call ${callId}`);
    return call;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return error(
          res,
          400,
          'Invalid request format, please check API reference.',
        );
      }
    }
    const path = (req.url ?? '').split('?')[0];
    this.requests.push({
      method: req.method ?? '',
      path,
      headers: req.headers,
      body,
    });
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return error(res, 401, 'API key is missing or invalid.');
    }
    if (req.method === 'POST' && path === '/v2/create-phone-call') {
      return this.#createPhoneCall(body, res);
    }
    const get = /^\/v2\/get-call\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && get) {
      const call = this.calls.get(decodeURIComponent(get[1]));
      if (!call)
        return error(
          res,
          422,
          'Cannot find requested asset under given api key.',
        );
      return json(res, 200, call);
    }
    if (req.method === 'POST' && path === '/v3/list-calls') {
      return this.#listCalls(body, res);
    }
    return error(res, 404, `No route ${req.method} ${path}`);
  }

  #createPhoneCall(body: unknown, res: ServerResponse): void {
    if (!isRecord(body)) {
      return error(
        res,
        400,
        'Invalid request format, please check API reference.',
      );
    }
    const { from_number, to_number, override_agent_id, metadata } = body;
    const variables = body.retell_llm_dynamic_variables;
    if (
      typeof from_number !== 'string' ||
      !E164.test(from_number) ||
      typeof to_number !== 'string' ||
      !E164.test(to_number)
    ) {
      return error(
        res,
        400,
        'Invalid request format, please check API reference.',
      );
    }
    if (
      variables !== undefined &&
      (!isRecord(variables) ||
        Object.values(variables).some((v) => typeof v !== 'string'))
    ) {
      return error(
        res,
        400,
        'Invalid request format, please check API reference.',
      );
    }
    const agentId = override_agent_id ?? this.agents[0];
    if (typeof agentId !== 'string' || !this.agents.includes(agentId)) {
      return error(
        res,
        422,
        'Cannot find requested asset under given api key.',
      );
    }
    const script = this.#scripts.get(to_number) ?? {};
    if (script.hang) {
      this.#hanging.push(res);
      return;
    }
    const limited = this.#rateLimitedSoFar.get(to_number) ?? 0;
    if (limited < (script.rateLimited ?? 0)) {
      this.#rateLimitedSoFar.set(to_number, limited + 1);
      const headers: Record<string, string> =
        script.retryAfterSeconds !== undefined
          ? { 'Retry-After': String(script.retryAfterSeconds) }
          : {};
      return error(
        res,
        429,
        'Account rate limited, please throttle your requests.',
        headers,
      );
    }
    if (script.badRequest) {
      return error(
        res,
        400,
        'Invalid request format, please check API reference.',
      );
    }
    if (script.serverError) {
      return error(res, 500, 'An unexpected server error occurred.');
    }
    const call: CallObject = {
      call_type: 'phone_call',
      call_id: randomBytes(16).toString('hex'),
      agent_id: agentId,
      agent_version: 1,
      call_status: 'registered',
      direction: 'outbound',
      from_number,
      to_number,
    };
    if (metadata !== undefined) call.metadata = metadata;
    if (variables !== undefined) call.retell_llm_dynamic_variables = variables;
    this.calls.set(call.call_id, call);
    if (script.createThenHang) {
      this.#hanging.push(res);
      return;
    }
    json(res, 201, call);
  }

  /** Every call ends at Retell as scripted for its number, and no webhook is sent. */
  endAllSilently(): void {
    for (const call of this.calls.values()) {
      const reason = this.#reason(call);
      call.call_status = statusFor(reason);
      call.disconnection_reason = reason;
      call.end_timestamp = Date.now();
    }
  }

  #listCalls(body: unknown, res: ServerResponse): void {
    const criteria = isRecord(body) ? body.filter_criteria : undefined;
    const filters: unknown[] = [];
    if (criteria !== undefined) {
      if (!isRecord(criteria))
        return error(
          res,
          400,
          'Invalid request format, please check API reference.',
        );
      for (const [key, value] of Object.entries(criteria)) {
        if (key !== 'metadata' || !Array.isArray(value)) {
          return error(
            res,
            400,
            `The fake implements only metadata filters, not ${key}`,
          );
        }
        filters.push(...value);
      }
    }
    let items = [...this.calls.values()];
    for (const filter of filters) {
      if (
        !isRecord(filter) ||
        filter.op !== 'eq' ||
        typeof filter.key !== 'string' ||
        !['string', 'number'].includes(String(filter.type))
      ) {
        return error(
          res,
          400,
          'The fake implements only string / number eq filters',
        );
      }
      const { key, value } = filter;
      items = items.filter(
        (call) => isRecord(call.metadata) && call.metadata[key] === value,
      );
    }
    // v3 list-calls leaves out transcripts and recordings.
    items = items.map((call) => {
      const copy = { ...call };
      delete copy.transcript;
      return copy;
    });
    const limit =
      isRecord(body) && typeof body.limit === 'number' ? body.limit : 50;
    json(res, 200, {
      items: items.slice(0, limit),
      has_more: items.length > limit,
    });
  }
}

/** `v=<ms>,d=<hex HMAC-SHA256 of body + ms, keyed with the API key>`, as Retell signs. */
export function signRetellWebhook(
  rawBody: string,
  apiKey: string,
  timestampMs = Date.now(),
): string {
  const digest = createHmac('sha256', apiKey)
    .update(rawBody + String(timestampMs))
    .digest('hex');
  return `v=${timestampMs},d=${digest}`;
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { 'Content-Type': 'application/json', ...headers })
    .end(JSON.stringify(body));
}

function error(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  json(res, status, { status: 'error', message }, headers);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
