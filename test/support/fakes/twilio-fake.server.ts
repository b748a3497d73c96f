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
 * A local stand-in for Twilio's Programmable Voice REST API, as documented
 * (https://www.twilio.com/docs/voice/api/call-resource and Twilio's OpenAPI
 * spec, twilio/twilio-oai spec/json/twilio_api_v2010.json):
 *
 * - HTTP Basic auth with AccountSid:AuthToken; otherwise 401 with Twilio's
 *   error body `{ code: 20003, message, more_info, status }`
 *   (https://www.twilio.com/docs/api/errors/20003).
 * - `POST /2010-04-01/Accounts/{AccountSid}/Calls.json`, form-encoded: `To`
 *   (21201), `From` (21213) and one of `Url`, `Twiml`, `ApplicationSid`
 *   (21200, "the request did not include url, twiml, or applicationSid",
 *   https://www.twilio.com/docs/api/errors/21200) are required; a `Url` that
 *   is not absolute http(s) is 21205
 *   (https://www.twilio.com/docs/api/errors/21205); an unknown
 *   `StatusCallbackEvent` is 21626. Answers 201 with the Call resource,
 *   `sid` `CA` + 32 hex, `status` `queued`.
 * - `GET …/Calls/{CallSid}.json` (404 / 20404 when unknown) and
 *   `GET …/Calls.json` filtered by `To`, `From`, `Status`, `StartTime>`.
 * - After a create, the call moves through its scripted states and the
 *   `StatusCallbackEvent`s asked for (default `completed` only) are POSTed,
 *   form-encoded, to `StatusCallback` (ignored with `ApplicationSid`, as
 *   Twilio documents), signed in `X-Twilio-Signature` by the documented
 *   algorithm, implemented here independently of the SDK: base64
 *   HMAC-SHA1, keyed with the Auth Token, of the URL followed by every
 *   parameter name and value sorted by name
 *   (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
 *
 * Behaviour per `To` number is scripted with {@link TwilioFake.script}.
 */
export interface TwilioFakeScript {
  /** How the call ends. Default `completed`. */
  finalStatus?: 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';
  /** Sent with `answered` and `completed` when `MachineDetection` was asked for. */
  answeredBy?: string;
  /** Sent with the final callback. */
  sipResponseCode?: number;
  /** Talk time of a completed call. Default 42. */
  durationSeconds?: number;
  /** The call stays in this state (no later callback). */
  stopAt?: 'queued' | 'ringing' | 'in-progress';
  /** Answer this many creates with 429 / 20429 first. */
  rateLimited?: number;
  /** `Retry-After` seconds on those 429s (none if absent). */
  retryAfterSeconds?: number;
  /** Answer creates with this Twilio error. */
  reject?: { status: number; code: number; message: string };
  /** Answer creates with a 500 whose body is not JSON. */
  serverError?: boolean;
  /** Never answer creates. */
  hang?: boolean;
  /** Create the call (it runs as scripted at Twilio) but never answer the request. */
  createThenHang?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  form: URLSearchParams;
}

export interface DeliveredCallback {
  url: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

export interface FakeCall {
  sid: string;
  to: string;
  from: string;
  status: string;
  answeredBy: string | null;
  dateCreated: Date;
  startTime: Date | null;
  endTime: Date | null;
  duration: number | null;
}

interface CallState extends FakeCall {
  form: URLSearchParams;
  settled: Promise<void>;
}

const CALLS = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\.json$/;
const CALL = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\.json$/;
const EVENTS = ['initiated', 'ringing', 'answered', 'completed'];

export class TwilioFake {
  readonly requests: RecordedRequest[] = [];
  readonly callbacks: DeliveredCallback[] = [];
  readonly #calls = new Map<string, CallState>();
  readonly #scripts = new Map<string, TwilioFakeScript>();
  readonly #rateLimited = new Map<string, number>();
  #server: Server | undefined;
  #baseUrl = '';

  private constructor(
    readonly accountSid: string,
    readonly authToken: string,
  ) {}

  static async start(
    accountSid: string,
    authToken: string,
  ): Promise<TwilioFake> {
    const fake = new TwilioFake(accountSid, authToken);
    const server = createServer((req, res) => {
      void fake.#handle(req, res);
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    fake.#server = server;
    fake.#baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  get baseUrl(): string {
    return this.#baseUrl;
  }

  script(to: string, script: TwilioFakeScript): void {
    this.#scripts.set(to, script);
    this.#rateLimited.set(to, script.rateLimited ?? 0);
  }

  call(sid: string): FakeCall | undefined {
    return this.#calls.get(sid);
  }

  /** A call Twilio already has (not placed through this fake's API). */
  insert(call: Omit<FakeCall, 'sid'>): FakeCall {
    const state: CallState = {
      ...call,
      sid: callSid(),
      form: new URLSearchParams(),
      settled: Promise.resolve(),
    };
    this.#calls.set(state.sid, state);
    return state;
  }

  /** Resolves once every call reached its last scripted state (no webhook needs to have arrived). */
  async endAllSilently(): Promise<void> {
    await Promise.all([...this.#calls.values()].map((c) => c.settled));
  }

  /** Resolves once the call reached its last scripted state and its callbacks were answered. */
  settled(sid: string): Promise<void> {
    return this.#calls.get(sid)?.settled ?? Promise.resolve();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#calls.values()].map((c) => c.settled));
    await new Promise<void>((resolve) => {
      this.#server?.closeAllConnections();
      this.#server?.close(() => resolve());
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.#baseUrl);
    const isForm = (req.headers['content-type'] ?? '').startsWith(
      'application/x-www-form-urlencoded',
    );
    const form = new URLSearchParams(
      isForm ? Buffer.concat(chunks).toString('utf8') : '',
    );
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      form,
    });
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return twilioError(res, 401, 20003, 'Authenticate');
    }
    const calls = CALLS.exec(url.pathname);
    const one = CALL.exec(url.pathname);
    const account = calls?.[1] ?? one?.[1];
    if (account !== this.accountSid) {
      return notFound(res, url.pathname);
    }
    if (calls && req.method === 'POST') return this.#create(form, res);
    if (calls && req.method === 'GET') return this.#list(url, res);
    if (one && req.method === 'GET') {
      const call = this.#calls.get(one[2]);
      return call
        ? json(res, 200, this.#resource(call))
        : notFound(res, url.pathname);
    }
    return twilioError(res, 405, 20004, 'Method not allowed');
  }

  #create(form: URLSearchParams, res: ServerResponse): void {
    const to = form.get('To');
    const from = form.get('From');
    if (!to) return twilioError(res, 400, 21201, "No 'To' number is specified");
    if (!from) {
      return twilioError(res, 400, 21213, "No 'From' number is specified");
    }
    const url = form.get('Url');
    if (!url && !form.get('Twiml') && !form.get('ApplicationSid')) {
      return twilioError(
        res,
        400,
        21200,
        'A Url, Twiml or ApplicationSid parameter is required',
      );
    }
    if (url && !/^https?:\/\/[^/\s]+/.test(url)) {
      return twilioError(res, 400, 21205, `Url is not a valid URL: ${url}`);
    }
    const events = form.getAll('StatusCallbackEvent');
    if (events.some((e) => !EVENTS.includes(e))) {
      return twilioError(res, 400, 21626, "Invalid 'StatusCallbackEvent'");
    }
    const script = this.#scripts.get(to) ?? {};
    if (script.hang) return; // never answers
    if (script.serverError) {
      res.writeHead(500, { 'Content-Type': 'text/html' }).end('<h1>oops</h1>');
      return;
    }
    const limited = this.#rateLimited.get(to) ?? 0;
    if (limited > 0) {
      this.#rateLimited.set(to, limited - 1);
      const headers: Record<string, string> = {};
      if (script.retryAfterSeconds !== undefined) {
        headers['Retry-After'] = String(script.retryAfterSeconds);
      }
      return twilioError(res, 429, 20429, 'Too Many Requests', headers);
    }
    if (script.reject) {
      const { status, code, message } = script.reject;
      return twilioError(res, status, code, message);
    }
    const now = new Date();
    const call: CallState = {
      sid: callSid(),
      to,
      from,
      status: 'queued',
      answeredBy: null,
      dateCreated: now,
      startTime: null,
      endTime: null,
      duration: null,
      form,
      settled: Promise.resolve(),
    };
    this.#calls.set(call.sid, call);
    if (!script.createThenHang) json(res, 201, this.#resource(call));
    call.settled = this.#progress(call, script);
  }

  /** The call's scripted life, one state per tick, with its callbacks. */
  async #progress(call: CallState, script: TwilioFakeScript): Promise<void> {
    const final = script.finalStatus ?? 'completed';
    const amd = call.form.has('MachineDetection');
    if (script.stopAt === 'queued') return; // waits for capacity: no callback
    // The initiated event's CallStatus is `initiated` here; the Call
    // resource, whose status enum has no such value, shows `queued` then.
    const steps: [event: string, status: string][] = [
      ['initiated', 'initiated'],
    ];
    if (final !== 'failed') steps.push(['ringing', 'ringing']);
    if (final === 'completed') steps.push(['answered', 'in-progress']);
    steps.push(['completed', final]);
    let sequence = 0;
    for (const [event, status] of steps) {
      await new Promise((resolve) => setImmediate(resolve));
      const extra: Record<string, string> = {};
      if (status === 'initiated') {
        call.startTime = new Date();
      } else {
        call.status = status;
      }
      // AnsweredBy rides on the answered and completed callbacks of a call
      // with detection; the Call resource keeps it as answered_by ("AMD
      // results will still be available in the /Calls resource",
      // https://www.twilio.com/docs/api/errors/21262).
      const answered =
        event === 'answered' ||
        (event === 'completed' && final === 'completed');
      if (amd && script.answeredBy && answered) {
        call.answeredBy = script.answeredBy;
        extra.AnsweredBy = script.answeredBy;
      }
      if (event === 'completed') {
        call.endTime = new Date();
        call.duration =
          final === 'completed' ? (script.durationSeconds ?? 42) : 0;
        extra.CallDuration = String(call.duration);
        extra.Duration = String(Math.ceil(call.duration / 60));
        if (script.sipResponseCode !== undefined) {
          extra.SipResponseCode = String(script.sipResponseCode);
        }
      }
      await this.#callback(call, event, status, sequence, extra);
      sequence += 1;
      if (script.stopAt && call.status === script.stopAt) return;
    }
  }

  async #callback(
    call: CallState,
    event: string,
    status: string,
    sequence: number,
    extra: Record<string, string>,
  ): Promise<void> {
    const url = call.form.get('StatusCallback');
    const asked = call.form.getAll('StatusCallbackEvent');
    if (!url || call.form.has('ApplicationSid')) return;
    if (!(asked.length ? asked : ['completed']).includes(event)) return;
    const params: [string, string][] = Object.entries({
      AccountSid: this.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: call.sid,
      CallStatus: status,
      Called: call.to,
      Caller: call.from,
      CallbackSource: 'call-progress-events',
      Direction: 'outbound-api',
      From: call.from,
      SequenceNumber: String(sequence),
      Timestamp: rfc2822(new Date()),
      To: call.to,
      ...extra,
    });
    const body = new URLSearchParams(params).toString();
    const headers = {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': twilioSignature(this.authToken, url, params),
    };
    let answer: number;
    try {
      const response = await fetch(url, { method: 'POST', headers, body });
      await response.arrayBuffer();
      answer = response.status;
    } catch {
      answer = 0; // the receiver could not be reached
    }
    this.callbacks.push({ url, headers, body, status: answer });
  }

  #list(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const after = q.get('StartTime>');
    const afterDay = after ? utcDay(new Date(after)) : undefined;
    const pageSize = Number(q.get('PageSize') ?? 50);
    const calls = [...this.#calls.values()]
      .filter((c) => !q.get('To') || c.to === q.get('To'))
      .filter((c) => !q.get('From') || c.from === q.get('From'))
      .filter((c) => !q.get('Status') || c.status === q.get('Status'))
      .filter(
        (c) =>
          afterDay === undefined ||
          (c.startTime !== null && c.startTime.getTime() >= afterDay),
      )
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime())
      .slice(0, pageSize);
    const uri = `${url.pathname}${url.search}`;
    json(res, 200, {
      calls: calls.map((c) => this.#resource(c)),
      end: Math.max(calls.length - 1, 0),
      first_page_uri: uri,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri,
    });
  }

  /** The Call resource as Twilio's JSON shows it. */
  #resource(call: FakeCall): Record<string, unknown> {
    const uri = `/2010-04-01/Accounts/${this.accountSid}/Calls/${call.sid}`;
    return {
      account_sid: this.accountSid,
      annotation: null,
      answered_by: call.answeredBy,
      api_version: '2010-04-01',
      caller_name: null,
      date_created: rfc2822(call.dateCreated),
      date_updated: rfc2822(new Date()),
      direction: 'outbound-api',
      duration: call.duration === null ? null : String(call.duration),
      end_time: call.endTime && rfc2822(call.endTime),
      forwarded_from: null,
      from: call.from,
      from_formatted: call.from,
      group_sid: null,
      parent_call_sid: null,
      phone_number_sid: null,
      price: null,
      price_unit: 'USD',
      queue_time: '0',
      sid: call.sid,
      start_time: call.startTime && rfc2822(call.startTime),
      status: call.status === 'initiated' ? 'queued' : call.status,
      subresource_uris: {
        notifications: `${uri}/Notifications.json`,
        recordings: `${uri}/Recordings.json`,
        events: `${uri}/Events.json`,
      },
      to: call.to,
      to_formatted: call.to,
      trunk_sid: null,
      uri: `${uri}.json`,
    };
  }
}

/** Twilio's signature, from the documented algorithm (not the SDK's code). */
export function twilioSignature(
  authToken: string,
  url: string,
  params: readonly [string, string][],
): string {
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const data = sorted.reduce((acc, [key, value]) => acc + key + value, url);
  return createHmac('sha1', authToken)
    .update(Buffer.from(data, 'utf8'))
    .digest('base64');
}

function callSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

/** `Tue, 31 Aug 2010 20:36:28 +0000`, as Twilio writes dates. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

function utcDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'Content-Type': 'application/json' })
    .end(JSON.stringify(body));
}

function twilioError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(
    JSON.stringify({
      code,
      message,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    }),
  );
}

function notFound(res: ServerResponse, path: string): void {
  twilioError(res, 404, 20404, `The requested resource ${path} was not found`);
}
