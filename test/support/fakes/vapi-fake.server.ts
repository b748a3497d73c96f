import { createHmac, randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Vapi's REST API and its server messages, written from
 * Vapi's documentation (not from the module's code), so the real
 * `@vapi-ai/server-sdk` requests and the module's verification run against
 * the documented contract:
 *
 * - Bearer auth with the private key on every endpoint; 401 otherwise, in
 *   Vapi's (NestJS) error shape `{"message":"Invalid Key. Hot tip, ...",
 *   "error":"Unauthorized","statusCode":401}` (as Vapi answers it:
 *   https://support.vapi.ai/t/28586614). Spec: Vapi's OpenAPI
 *   `securitySchemes.bearer` (https://docs.vapi.ai/api-reference/calls/create).
 * - POST /call: `assistantId` or `assistant`, `phoneNumberId` or
 *   `phoneNumber`, `customer.number` (or `customerId`) required
 *   (https://docs.vapi.ai/calls/outbound-calling); `customer.number` E.164
 *   unless `numberE164CheckEnabled: false`, `customer.name` at most 40
 *   (Vapi's OpenAPI `CreateCustomerDTO`); a 400 is
 *   `{"message":[...],"error":"Bad Request","statusCode":400}` with Vapi's
 *   E.164 message. 201 with the Call (`id` uuid, `orgId`, `createdAt`,
 *   `updatedAt`, `type: 'outboundPhoneCall'`, `status: 'queued'`, ...) and
 *   `subscriptionLimits` (https://docs.vapi.ai/calls/call-concurrency).
 * - GET /call/{id} (404 when unknown), GET /call with the documented filters
 *   (`id`, `assistantId`, `phoneNumberId`, `limit` default 100, `createdAt*`,
 *   `updatedAt*`).
 * - Server messages (https://docs.vapi.ai/server-url/events): POST
 *   `{ message: { type, call, ... } }` of `status-update` (`status`,
 *   `endedReason` once ended) and `end-of-call-report` (`endedReason`,
 *   `artifact`), authenticated with a Custom Credential as Vapi does
 *   (https://docs.vapi.ai/server-url/server-authentication): an HMAC plan
 *   (fields and defaults of Vapi's `HMACAuthenticationPlan`: `x-signature`,
 *   `x-timestamp`, `{timestamp}.{body}`, hex) or a Bearer plan
 *   (`BearerAuthenticationPlan`: `Authorization`, `Bearer ` prefix).
 *   Vapi does not document the HMAC timestamp's unit: `timestampUnit`
 *   chooses it (default milliseconds).
 *
 * Scripts per customer number: 429 (with `Retry-After`) or the concurrency
 * 400 a number of times, an invalid-number 400, a 500, a delay, and how the
 * call ends.
 */
export type VapiFakeCredential =
  | {
      type: 'hmac';
      secretKey: string;
      algorithm?: 'sha256' | 'sha512' | 'sha1';
      signatureHeader?: string;
      timestampHeader?: string;
      signaturePrefix?: string;
      includeTimestamp?: boolean;
      payloadFormat?: string;
      messageIdHeader?: string;
      signatureEncoding?: 'hex' | 'base64';
      secretIsBase64?: boolean;
      timestampUnit?: 'ms' | 's';
    }
  | {
      type: 'bearer';
      token: string;
      headerName?: string;
      bearerPrefixEnabled?: boolean;
    };

export interface VapiFakeScript {
  /** Answer 429 this many times first, with `Retry-After: <seconds>`. */
  rateLimited?: { times: number; retryAfterSeconds?: number };
  /** Answer Vapi's concurrency 400 this many times first. */
  overConcurrency?: { times: number };
  /** Answer a 400 about `customer.number` (as for an unreachable number). */
  invalidNumber?: boolean;
  /** Answer 500. */
  serverError?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Create the call but never answer the request. */
  createThenHang?: boolean;
  /** How `endAllSilently` ends the call. Default `customer-ended-call`. */
  endedReason?: string;
}

export interface VapiFakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface VapiFakeDelivery {
  type: string;
  status: number;
}

export type FakeVapiCall = Record<string, unknown> & {
  id: string;
  status: string;
  createdAt: string;
  updatedAt: string;
};

const E164 = /^\+[1-9]\d{1,14}$/;
const INVALID_NUMBER_MESSAGE =
  'customer.number must be a valid phone number in the E.164 format. Hot tip, you may be missing the country code (Eg. US: +1).';

export class VapiFakeServer {
  readonly requests: VapiFakeRequest[] = [];
  readonly deliveries: VapiFakeDelivery[] = [];
  readonly calls = new Map<string, FakeVapiCall>();
  readonly orgId = randomUUID();
  serverUrl?: string;
  credential?: VapiFakeCredential;
  readonly #scripts = new Map<string, VapiFakeScript>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #server: Server;
  readonly #apiKey: string;

  private constructor(apiKey: string) {
    this.#apiKey = apiKey;
    this.#server = createServer((req, res) => {
      void this.#handle(req, res);
    });
  }

  static async start(apiKey: string): Promise<VapiFakeServer> {
    const fake = new VapiFakeServer(apiKey);
    await new Promise<void>((resolve) =>
      fake.#server.listen(0, '127.0.0.1', resolve),
    );
    return fake;
  }

  get baseUrl(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  script(customerNumber: string, script: VapiFakeScript): void {
    this.#scripts.set(customerNumber, { ...script });
  }

  /** Moves a call to an open status and sends its `status-update`. */
  async progress(
    callId: string,
    status: 'ringing' | 'in-progress' | 'forwarding',
  ): Promise<VapiFakeDelivery[]> {
    const call = this.#call(callId);
    this.#update(call, { status });
    return [await this.#deliver({ type: 'status-update', status, call })];
  }

  /**
   * Ends a call as Vapi does: `status-update` (ended, with the reason), then
   * the `end-of-call-report` with the transcript (`customerSaid`: the
   * customer's words, none when omitted).
   */
  async end(
    callId: string,
    endedReason: string,
    customerSaid?: string,
  ): Promise<VapiFakeDelivery[]> {
    const call = this.#call(callId);
    const now = new Date();
    const messages = [
      {
        role: 'bot',
        message: 'Hello, this is the assistant.',
        time: now.getTime() - 2000,
        endTime: now.getTime() - 1000,
        secondsFromStart: 0,
      },
      ...(customerSaid
        ? [
            {
              role: 'user',
              message: customerSaid,
              time: now.getTime() - 900,
              endTime: now.getTime() - 100,
              secondsFromStart: 1.1,
            },
          ]
        : []),
    ];
    this.#update(call, {
      status: 'ended',
      endedReason,
      endedAt: now.toISOString(),
      messages,
    });
    const artifact = {
      messages,
      transcript: messages
        .map((m) => `${m.role === 'user' ? 'User' : 'AI'}: ${m.message}`)
        .join('\n'),
    };
    return [
      await this.#deliver({
        type: 'status-update',
        status: 'ended',
        endedReason,
        call,
      }),
      await this.#deliver({
        type: 'end-of-call-report',
        endedReason,
        call,
        artifact,
        analysis: {},
        startedAt: call.createdAt,
        endedAt: now.toISOString(),
      }),
    ];
  }

  /** Sends any message body, signed with the credential. */
  async deliverRaw(rawBody: string, type = 'raw'): Promise<VapiFakeDelivery> {
    const url = this.serverUrl;
    if (!url) throw new Error('VapiFakeServer: no serverUrl');
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...this.#authHeaders(rawBody, url),
      },
      body: rawBody,
    });
    await response.text();
    const delivery = { type, status: response.status };
    this.deliveries.push(delivery);
    return delivery;
  }

  /** Every call ends at Vapi as scripted for its number, and no message is sent. */
  endAllSilently(): void {
    for (const call of this.calls.values()) {
      const number = (call.customer as { number?: string } | undefined)?.number;
      const reason =
        this.#scripts.get(String(number))?.endedReason ?? 'customer-ended-call';
      Object.assign(call, {
        status: 'ended',
        endedReason: reason,
        endedAt: new Date().toISOString(),
      });
    }
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #deliver(message: Record<string, unknown>): Promise<VapiFakeDelivery> {
    const body = JSON.stringify({
      message: { timestamp: Date.now(), ...message },
    });
    return this.deliverRaw(body, String(message.type));
  }

  /** The headers Vapi adds for the credential on the server URL. */
  #authHeaders(rawBody: string, url: string): Record<string, string> {
    const credential = this.credential;
    if (!credential) return {};
    if (credential.type === 'bearer') {
      const prefix = (credential.bearerPrefixEnabled ?? true) ? 'Bearer ' : '';
      return {
        [credential.headerName ?? 'Authorization']: prefix + credential.token,
      };
    }
    const includeTimestamp = credential.includeTimestamp ?? true;
    const timestamp = String(
      credential.timestampUnit === 's'
        ? Math.floor(Date.now() / 1000)
        : Date.now(),
    );
    const messageId = randomUUID();
    const payload = (
      credential.payloadFormat ??
      (includeTimestamp ? '{timestamp}.{body}' : '{body}')
    )
      .replaceAll('{timestamp}', timestamp)
      .replaceAll('{method}', 'POST')
      .replaceAll('{url}', url)
      .replaceAll('{svix-id}', messageId)
      .replaceAll('{body}', rawBody);
    const key = credential.secretIsBase64
      ? Buffer.from(credential.secretKey, 'base64')
      : credential.secretKey;
    const signature = createHmac(credential.algorithm ?? 'sha256', key)
      .update(payload, 'utf8')
      .digest(credential.signatureEncoding ?? 'hex');
    const headers: Record<string, string> = {
      [credential.signatureHeader ?? 'x-signature']:
        (credential.signaturePrefix ?? '') + signature,
    };
    if (includeTimestamp) {
      headers[credential.timestampHeader ?? 'x-timestamp'] = timestamp;
    }
    if (credential.messageIdHeader) {
      headers[credential.messageIdHeader] = messageId;
    }
    return headers;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake.vapi');
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return send(res, 400, nestError(400, 'Bad Request', 'Invalid JSON'));
      }
    }
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    if (req.headers.authorization !== `Bearer ${this.#apiKey}`) {
      return send(
        res,
        401,
        nestError(
          401,
          'Unauthorized',
          'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.',
        ),
      );
    }
    if (req.method === 'POST' && url.pathname === '/call') {
      return this.#createCall(body, res);
    }
    const one = /^\/call\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const call = this.calls.get(decodeURIComponent(one[1]));
      // Vapi's 404 body is not documented: NestJS's default shape.
      return call
        ? send(res, 200, call)
        : send(res, 404, nestError(404, 'Not Found', 'Not Found'));
    }
    if (req.method === 'GET' && url.pathname === '/call') {
      return send(res, 200, this.#list(url.searchParams));
    }
    send(
      res,
      404,
      nestError(404, 'Not Found', `Cannot ${req.method} ${url.pathname}`),
    );
  }

  async #createCall(body: unknown, res: ServerResponse): Promise<void> {
    const dto = isObject(body) ? body : {};
    const customer = isObject(dto.customer) ? dto.customer : undefined;
    const problems: string[] = [];
    if (typeof dto.assistantId !== 'string' && !isObject(dto.assistant)) {
      problems.push('assistantId or assistant must be provided');
    }
    if (typeof dto.phoneNumberId !== 'string' && !isObject(dto.phoneNumber)) {
      problems.push('phoneNumberId or phoneNumber must be provided');
    }
    const number = customer?.number;
    if (typeof number !== 'string' && typeof dto.customerId !== 'string') {
      problems.push('customer.number or customerId must be provided');
    } else if (
      typeof number === 'string' &&
      customer?.numberE164CheckEnabled !== false &&
      !E164.test(number)
    ) {
      problems.push(INVALID_NUMBER_MESSAGE);
    }
    if (typeof customer?.name === 'string' && customer.name.length > 40) {
      problems.push(
        'customer.name must be shorter than or equal to 40 characters',
      );
    }
    if (problems.length) {
      return send(res, 400, nestError(400, 'Bad Request', problems));
    }

    const script = this.#scripts.get(String(number)) ?? {};
    if (script.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          resolve();
        }, script.delayMs);
        this.#timers.add(timer);
      });
      if (res.destroyed) return;
    }
    if (script.rateLimited && script.rateLimited.times > 0) {
      script.rateLimited.times--;
      res.setHeader(
        'Retry-After',
        String(script.rateLimited.retryAfterSeconds ?? 1),
      );
      return send(
        res,
        429,
        nestError(429, 'Too Many Requests', 'Rate limit exceeded'),
      );
    }
    if (script.overConcurrency && script.overConcurrency.times > 0) {
      script.overConcurrency.times--;
      // Vapi's former advanced/concurrency-limits page: 400 "Over Concurrency Limit".
      return send(res, 400, { error: 'Over Concurrency Limit' });
    }
    if (script.invalidNumber) {
      return send(
        res,
        400,
        nestError(400, 'Bad Request', [INVALID_NUMBER_MESSAGE]),
      );
    }
    if (script.serverError) {
      return send(
        res,
        500,
        nestError(500, 'Internal Server Error', 'Internal server error'),
      );
    }

    const now = new Date().toISOString();
    const call: FakeVapiCall = {
      id: randomUUID(),
      orgId: this.orgId,
      type: 'outboundPhoneCall',
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      phoneCallProvider: 'twilio',
      phoneCallTransport: 'pstn',
      ...pick(dto, [
        'assistantId',
        'assistant',
        'assistantOverrides',
        'phoneNumberId',
        'customer',
        'customerId',
        'name',
      ]),
    };
    this.calls.set(call.id, call);
    if (script.createThenHang) return; // closeAllConnections ends it
    const open = [...this.calls.values()].filter((c) => c.status !== 'ended');
    send(res, 201, {
      subscriptionLimits: {
        concurrencyBlocked: false,
        concurrencyLimit: 10,
        remainingConcurrentCalls: Math.max(0, 10 - open.length),
      },
      ...call,
    });
  }

  #list(query: URLSearchParams): FakeVapiCall[] {
    const limit = Math.min(Number(query.get('limit') ?? 100), 1000);
    const bounds: [
      string,
      'createdAt' | 'updatedAt',
      (a: number, b: number) => boolean,
    ][] = [
      ['createdAtGt', 'createdAt', (a, b) => a > b],
      ['createdAtLt', 'createdAt', (a, b) => a < b],
      ['createdAtGe', 'createdAt', (a, b) => a >= b],
      ['createdAtLe', 'createdAt', (a, b) => a <= b],
      ['updatedAtGt', 'updatedAt', (a, b) => a > b],
      ['updatedAtLt', 'updatedAt', (a, b) => a < b],
      ['updatedAtGe', 'updatedAt', (a, b) => a >= b],
      ['updatedAtLe', 'updatedAt', (a, b) => a <= b],
    ];
    return [...this.calls.values()]
      .filter((call) =>
        (['id', 'assistantId', 'phoneNumberId'] as const).every(
          (key) => !query.has(key) || call[key] === query.get(key),
        ),
      )
      .filter((call) =>
        bounds.every(
          ([param, key, ok]) =>
            !query.has(param) ||
            ok(Date.parse(call[key]), Date.parse(query.get(param)!)),
        ),
      )
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
      .slice(0, limit);
  }

  #call(callId: string): FakeVapiCall {
    const call = this.calls.get(callId);
    if (!call) throw new Error(`VapiFakeServer: no call ${callId}`);
    return call;
  }

  #update(call: FakeVapiCall, changes: Record<string, unknown>): void {
    Object.assign(call, changes, { updatedAt: new Date().toISOString() });
  }
}

function nestError(
  statusCode: number,
  error: string,
  message: string | string[],
) {
  return { message, error, statusCode };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pick(
  source: Record<string, unknown>,
  keys: string[],
): Record<string, unknown> {
  return Object.fromEntries(
    keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]),
  );
}
