import { startWebhookReceiver } from '../../support/webhook-receiver';
import { sampleContact } from '../../support/sample-contact';
import { randomUUID } from 'node:crypto';
import { Vapi } from '@vapi-ai/server-sdk';
import type { DialRequest } from '../../../lib/dialer/campaign-dialer.interface';
import {
  InvalidWebhookPayloadError,
  type PlaybookProviderConfig,
} from '../../../lib/providers/provider.interface';
import {
  VAPI_OUTCOME_TABLE,
  vapiOutcome,
  vapiOutcomeRow,
  vapiOutcomeTableMarkdown,
} from '../../../lib/providers/vapi/vapi-outcomes';
import { VapiDialer } from '../../../lib/providers/vapi/vapi.dialer';
import {
  VapiWebhook,
  type VapiServerAuth,
} from '../../../lib/providers/vapi/vapi.webhook';
import {
  VapiFakeServer,
  type VapiFakeCredential,
} from '../../support/fakes/vapi-fake.server';

const API_KEY = 'vapi-private-key-for-tests';
const SECRET = 'hmac-secret-for-tests';
const NUMBER_A = randomUUID();
const NUMBER_B = randomUUID();
const ASSISTANT = randomUUID();

const PLAYBOOK: PlaybookProviderConfig = {
  provider: 'vapi',
  assistantId: ASSISTANT,
  callerNumbers: [NUMBER_A, NUMBER_B],
};

function request(overrides: Partial<DialRequest> = {}): DialRequest {
  return {
    callId: randomUUID(),
    attempt: 2,
    campaignId: randomUUID(),
    accountId: 'acme',
    playbookId: randomUUID(),
    playbook: PLAYBOOK,
    phone: '+12125550123',
    contact: sampleContact({
      first_name: 'José',
      last_name: 'Ñúñez',
      company: 'Acme',
      country: 'US',
      timezone: 'America/New_York',
      custom_fields: { plan: 'gold', seats: 3, company: 'ignored' },
    }),
    ...overrides,
  };
}

/** A real HTTP endpoint standing for the module's webhook route. */
const startReceiver = () => startWebhookReceiver('/webhooks/vapi', 200);

describe('Vapi provider', () => {
  let fake: VapiFakeServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const unknown: string[] = [];

  const dialerWith = (
    options: Partial<ConstructorParameters<typeof VapiDialer>[0]> = {},
  ) =>
    new VapiDialer({
      apiKey: API_KEY,
      serverAuth: { type: 'hmac', secretKey: SECRET },
      baseUrl: fake.baseUrl,
      timeoutMs: 2_000,
      callsPerMinutePerNumber: 50,
      onUnknownReason: (reason) => unknown.push(reason),
      ...options,
    });

  const useCredential = (credential: VapiFakeCredential) => {
    fake.credential = credential;
  };

  beforeEach(async () => {
    fake = await VapiFakeServer.start(API_KEY);
    receiver = await startReceiver();
    fake.serverUrl = receiver.url;
    useCredential({ type: 'hmac', secretKey: SECRET, algorithm: 'sha256' });
    unknown.length = 0;
  });

  afterEach(async () => {
    await fake.close();
    await receiver.close();
  });

  describe('dial', () => {
    it('POSTs /call with the SDK: Bearer key, assistant, Vapi phone-number id, customer, variables and metadata', async () => {
      const dialer = dialerWith();
      const req = request();
      const result = await dialer.dial(req);

      expect(fake.requests).toHaveLength(1);
      const [sent] = fake.requests;
      expect(sent.method).toBe('POST');
      expect(sent.path).toBe('/call');
      expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(sent.headers['content-type']).toMatch(/^application\/json/);
      expect(sent.body).toEqual({
        assistantId: ASSISTANT,
        phoneNumberId: NUMBER_A,
        customer: { number: '+12125550123', name: 'José Ñúñez' },
        assistantOverrides: {
          variableValues: {
            plan: 'gold',
            seats: 3,
            first_name: 'José',
            last_name: 'Ñúñez',
            company: 'Acme',
            country: 'US',
            timezone: 'America/New_York',
            phone: '+12125550123',
          },
          metadata: {
            callId: req.callId,
            attempt: 2,
            campaignId: req.campaignId,
          },
        },
      });

      const [call] = [...fake.calls.values()];
      expect(call.status).toBe('queued');
      expect(result).toEqual({
        providerCallId: call.id,
        details: { phoneNumberId: NUMBER_A },
      });
    });

    it('spreads calls over the playbook numbers and truncates the customer name to 40', async () => {
      const dialer = dialerWith();
      const long = request();
      long.contact = {
        ...long.contact,
        first_name: 'A'.repeat(30),
        last_name: 'B'.repeat(30),
      };
      await dialer.dial(long);
      await dialer.dial(request());
      const bodies = fake.requests.map(
        (r) => r.body as Record<string, unknown>,
      );
      expect(bodies.map((b) => b.phoneNumberId)).toEqual([NUMBER_A, NUMBER_B]);
      const name = (bodies[0].customer as { name: string }).name;
      expect(name).toBe(`${'A'.repeat(30)} ${'B'.repeat(9)}`);
      expect(fake.calls.size).toBe(2);
    });

    it('a wrong API key is refused by Vapi (401) and the attempt fails', async () => {
      const result = await dialerWith({ apiKey: 'not-the-key' }).dial(
        request(),
      );
      expect(result.outcome).toBe('failed');
      expect(result.details).toMatchObject({
        reason: 'http_status',
        status: 401,
        message: expect.stringContaining('Invalid Key'),
      });
      expect(fake.calls.size).toBe(0);
    });

    it('429: not placed, retried after Retry-After, and the SDK does not retry by itself', async () => {
      fake.script('+12125550123', {
        rateLimited: { times: 1, retryAfterSeconds: 7 },
      });
      const result = await dialerWith().dial(request());
      expect(result.notPlaced).toEqual({
        reason: 'rate_limited',
        retryAfterMs: 7_000,
      });
      expect(result.outcome).toBeUndefined();
      expect(fake.requests).toHaveLength(1);
      expect(fake.calls.size).toBe(0);
    });

    it("Vapi's concurrency-limit 400: not placed", async () => {
      fake.script('+12125550123', { overConcurrency: { times: 1 } });
      const result = await dialerWith().dial(request());
      expect(result.notPlaced).toEqual({ reason: 'concurrency_limit' });
      expect(result.outcome).toBeUndefined();
    });

    it('a 400 about customer.number is invalid_number (scripted, and a non-E.164 number)', async () => {
      fake.script('+12125550199', { invalidNumber: true });
      const scripted = await dialerWith().dial(
        request({ phone: '+12125550199' }),
      );
      expect(scripted.outcome).toBe('invalid_number');
      expect(scripted.details).toMatchObject({ status: 400 });

      const validated = await dialerWith().dial(
        request({ phone: '12125550123' }),
      );
      expect(validated.outcome).toBe('invalid_number');
      expect(String(validated.details?.message)).toContain('E.164');
      expect(fake.calls.size).toBe(0);
    });

    it('500: failed, not retried within the attempt', async () => {
      fake.script('+12125550123', { serverError: true });
      const result = await dialerWith().dial(request());
      expect(result.outcome).toBe('failed');
      expect(result.details).toMatchObject({
        reason: 'http_status',
        status: 500,
      });
      expect(fake.requests).toHaveLength(1);
    });

    it('a timeout: failed after timeoutMs', async () => {
      fake.script('+12125550123', { delayMs: 3_000 });
      const started = Date.now();
      const result = await dialerWith({ timeoutMs: 300 }).dial(request());
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(result.outcome).toBe('failed');
      expect(result.details).toMatchObject({
        reason: 'timeout',
        timeoutMs: 300,
      });
    });

    it('a connection error: failed', async () => {
      const closed = await VapiFakeServer.start(API_KEY);
      const baseUrl = closed.baseUrl;
      await closed.close();
      const result = await dialerWith({ baseUrl }).dial(request());
      expect(result.outcome).toBe('failed');
      expect(result.details).toMatchObject({ reason: 'network_error' });
    });

    it('every caller number at its per-minute limit: not placed, no request', async () => {
      const dialer = dialerWith({ callsPerMinutePerNumber: 1 });
      const one: PlaybookProviderConfig = {
        ...PLAYBOOK,
        callerNumbers: [NUMBER_A],
      };
      expect(
        (await dialer.dial(request({ playbook: one }))).providerCallId,
      ).toEqual(expect.any(String));
      const second = await dialer.dial(request({ playbook: one }));
      expect(second.notPlaced?.reason).toBe('caller_numbers_at_rate_limit');
      expect(second.notPlaced?.retryAfterMs).toBeGreaterThan(55_000);
      expect(second.notPlaced?.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(fake.requests).toHaveLength(1);
    });

    it('a request without a Vapi playbook fails without calling Vapi', async () => {
      const result = await dialerWith().dial(request({ playbook: null }));
      expect(result).toEqual({
        outcome: 'failed',
        details: { reason: 'not_a_vapi_playbook', provider: null },
      });
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('webhook', () => {
    async function placeAndEnd(endedReason: string, customerSaid?: string) {
      const dialer = dialerWith();
      const req = request();
      const { providerCallId } = await dialer.dial(req);
      const deliveries = await fake.end(
        providerCallId!,
        endedReason,
        customerSaid,
      );
      expect(deliveries.map((d) => d.type)).toEqual([
        'status-update',
        'end-of-call-report',
      ]);
      expect(receiver.received).toHaveLength(2);
      for (const r of receiver.received) {
        expect(dialer.webhook.verify(r)).toBe(true);
      }
      const events = receiver.received.flatMap((r) => dialer.webhook.parse(r));
      return { req, providerCallId: providerCallId!, events };
    }

    it.each([
      ['customer-did-not-answer', 'no_answer'],
      ['customer-busy', 'busy'],
      ['voicemail', 'voicemail'],
      ['assistant-ended-call', 'completed'],
      ['assistant-said-end-call-phrase', 'completed'],
      ['customer-ended-call', 'answered'],
      ['exceeded-max-duration', 'answered'],
      ['twilio-reported-customer-misdialed', 'invalid_number'],
      ['twilio-failed-to-connect-call', 'failed'],
      ['pipeline-error-openai-llm-failed', 'failed'],
      ['call.in-progress.error-vapifault-worker-died', 'failed'],
      ['call.start.error-subscription-insufficient-credits', 'failed'],
      ['silence-timed-out', 'no_answer'],
    ])(
      '%s → %s, from the status-update and the end-of-call-report',
      async (reason, outcome) => {
        const { req, providerCallId, events } = await placeAndEnd(reason);
        expect(events).toEqual([
          {
            providerCallId,
            outcome,
            callId: req.callId,
            attempt: req.attempt,
            details: {
              type: 'status-update',
              status: 'ended',
              endedReason: reason,
            },
          },
          {
            providerCallId,
            outcome,
            callId: req.callId,
            attempt: req.attempt,
            details: {
              type: 'end-of-call-report',
              status: 'ended',
              endedReason: reason,
            },
          },
        ]);
        expect(unknown).toEqual([]);
      },
    );

    it('silence-timed-out after the customer spoke is answered', async () => {
      const { events } = await placeAndEnd(
        'silence-timed-out',
        'Yes, who is this?',
      );
      expect(events.map((e) => e.outcome)).toEqual(['answered', 'answered']);
    });

    it('an unknown endedReason is failed and reported', async () => {
      const { events } = await placeAndEnd('some-new-reason');
      expect(events.map((e) => e.outcome)).toEqual(['failed', 'failed']);
      expect(unknown).toEqual(['some-new-reason', 'some-new-reason']);
    });

    it('an open status-update is not final', async () => {
      const dialer = dialerWith();
      const req = request();
      const { providerCallId } = await dialer.dial(req);
      await fake.progress(providerCallId!, 'ringing');
      await fake.progress(providerCallId!, 'in-progress');
      const events = receiver.received.flatMap((r) => {
        expect(dialer.webhook.verify(r)).toBe(true);
        return dialer.webhook.parse(r);
      });
      expect(events).toEqual([
        expect.objectContaining({
          providerCallId,
          outcome: null,
          callId: req.callId,
          details: { type: 'status-update', status: 'ringing' },
        }),
        expect.objectContaining({
          providerCallId,
          outcome: null,
          attempt: 2,
          details: { type: 'status-update', status: 'in-progress' },
        }),
      ]);
    });

    it('refuses a wrong secret, a missing or altered signature, an altered body and a stale timestamp', async () => {
      const dialer = dialerWith();
      const { providerCallId } = await dialer.dial(request());
      await fake.progress(providerCallId!, 'ringing');
      const [good] = receiver.received;
      expect(dialer.webhook.verify(good)).toBe(true);

      const other = new VapiWebhook({
        auth: { type: 'hmac', secretKey: 'other' },
      });
      expect(other.verify(good)).toBe(false);

      const { ['x-signature']: _sig, ...unsigned } = good.headers;
      expect(dialer.webhook.verify({ ...good, headers: unsigned })).toBe(false);
      const { ['x-timestamp']: _ts, ...undated } = good.headers;
      expect(dialer.webhook.verify({ ...good, headers: undated })).toBe(false);

      const signature = String(good.headers['x-signature']);
      const flipped = (signature[0] === '0' ? '1' : '0') + signature.slice(1);
      expect(
        dialer.webhook.verify({
          ...good,
          headers: { ...good.headers, 'x-signature': flipped },
        }),
      ).toBe(false);
      expect(
        dialer.webhook.verify({
          ...good,
          headers: { ...good.headers, 'x-signature': `${signature}00` },
        }),
      ).toBe(false);

      const altered = Buffer.from(
        good.rawBody.toString('utf8').replace('ringing', 'ended'),
      );
      expect(dialer.webhook.verify({ ...good, rawBody: altered })).toBe(false);

      const later = new VapiWebhook({
        auth: { type: 'hmac', secretKey: SECRET },
        now: () => Date.now() + 301_000,
      });
      expect(later.verify(good)).toBe(false);
    });

    it('accepts a timestamp in seconds, base64, a prefix and a custom payload format with {url}', async () => {
      const auth: VapiServerAuth = {
        type: 'hmac',
        secretKey: Buffer.from('raw secret bytes').toString('base64'),
        secretIsBase64: true,
        algorithm: 'sha512',
        signatureHeader: 'x-vapi-signature',
        timestampHeader: 'x-vapi-timestamp',
        signaturePrefix: 'v1=',
        signatureEncoding: 'base64',
        payloadFormat: '{method} {url} {timestamp} {body}',
      };
      useCredential({ ...auth, timestampUnit: 's' });
      const dialer = dialerWith({
        serverAuth: auth,
        webhookPublicUrl: receiver.url,
      });
      expect(dialer.webhook.publicUrl).toBe(receiver.url);
      const { providerCallId } = await dialer.dial(request());
      await fake.end(providerCallId!, 'customer-busy');
      expect(receiver.received).toHaveLength(2);
      for (const r of receiver.received) {
        expect(r.headers['x-vapi-signature']).toMatch(/^v1=/);
        expect(r.headers['x-vapi-timestamp']).toMatch(/^\d{10}$/);
        expect(dialer.webhook.verify(r)).toBe(true);
        expect(dialer.webhook.verify({ ...r, url: `${r.url}?x=1` })).toBe(
          false,
        );
      }
      expect(
        receiver.received
          .flatMap((r) => dialer.webhook.parse(r))
          .map((e) => e.outcome),
      ).toEqual(['busy', 'busy']);
    });

    it("verifies Vapi's Bearer credential, and the legacy X-Vapi-Secret header", async () => {
      const legacy: VapiServerAuth = {
        type: 'bearer',
        token: 'legacy-secret',
        headerName: 'X-Vapi-Secret',
        bearerPrefixEnabled: false,
      };
      useCredential(legacy);
      const dialer = dialerWith({ serverAuth: legacy });
      const { providerCallId } = await dialer.dial(request());
      await fake.progress(providerCallId!, 'ringing');
      const [r] = receiver.received;
      expect(r.headers['x-vapi-secret']).toBe('legacy-secret');
      expect(dialer.webhook.verify(r)).toBe(true);
      expect(
        dialer.webhook.verify({
          ...r,
          headers: { ...r.headers, 'x-vapi-secret': 'legacy-secreT' },
        }),
      ).toBe(false);
      expect(dialer.webhook.verify({ ...r, headers: {} })).toBe(false);

      const bearer = new VapiWebhook({
        auth: { type: 'bearer', token: 'tok' },
      });
      useCredential({ type: 'bearer', token: 'tok' });
      await fake.progress(providerCallId!, 'in-progress');
      const second = receiver.received[1];
      expect(second.headers.authorization).toBe('Bearer tok');
      expect(bearer.verify(second)).toBe(true);
      expect(bearer.verify(r)).toBe(false);
    });

    it('malformed messages throw InvalidWebhookPayloadError; other message types give no event', async () => {
      const webhook = new VapiWebhook({
        auth: { type: 'hmac', secretKey: SECRET },
      });
      const parse = (body: string) =>
        webhook.parse({
          rawBody: Buffer.from(body),
          headers: {},
          url: receiver.url,
        });
      for (const bad of [
        'not json',
        '[]',
        '{}',
        '{"message":{"status":"ended"}}',
        '{"message":{"type":"status-update","status":"ringing"}}',
        '{"message":{"type":"status-update","call":{"id":"c1"}}}',
        '{"message":{"type":"end-of-call-report","call":{"id":"c1"}}}',
        '{"message":{"type":"end-of-call-report","endedReason":7,"call":{"id":"c1"}}}',
      ]) {
        expect(() => parse(bad)).toThrow(InvalidWebhookPayloadError);
      }
      expect(
        parse('{"message":{"type":"transcript","transcript":"hi"}}'),
      ).toEqual([]);
      expect(
        parse(
          '{"message":{"type":"status-update","status":"queued","call":{"id":"c1"}}}',
        ),
      ).toEqual([
        {
          providerCallId: 'c1',
          outcome: null,
          details: { type: 'status-update', status: 'queued' },
        },
      ]);

      // Delivered over HTTP and signed: verified, then refused by parse.
      await fake.deliverRaw('{"message":{"type":"end-of-call-report"}}');
      const [r] = receiver.received;
      expect(webhook.verify(r)).toBe(true);
      expect(() => webhook.parse(r)).toThrow(InvalidWebhookPayloadError);
    });
  });

  describe('lookup', () => {
    it('by Vapi call id: in progress without outcome, ended with its outcome, unknown id → null', async () => {
      const dialer = dialerWith();
      const req = request();
      const started = new Date();
      const { providerCallId } = await dialer.dial(req);
      const attempt = {
        callId: req.callId,
        attempt: req.attempt,
        providerCallId: providerCallId!,
        startedAt: started,
        playbook: PLAYBOOK,
      };
      await fake.progress(providerCallId!, 'in-progress');
      expect(await dialer.lookup(attempt)).toEqual({
        providerCallId,
        details: { status: 'in-progress' },
      });

      await fake.end(providerCallId!, 'customer-ended-call', 'Not interested');
      expect(await dialer.lookup(attempt)).toEqual({
        providerCallId,
        outcome: 'answered',
        details: { status: 'ended', endedReason: 'customer-ended-call' },
      });
      const gets = fake.requests.filter((r) => r.method === 'GET');
      expect(gets.map((r) => r.path)).toEqual([
        `/call/${providerCallId}`,
        `/call/${providerCallId}`,
      ]);
      expect(gets[0].headers.authorization).toBe(`Bearer ${API_KEY}`);

      expect(
        await dialer.lookup({ ...attempt, providerCallId: randomUUID() }),
      ).toBeNull();
    });

    it('without a call id: GET /call by assistant and creation time, matched on the metadata', async () => {
      const dialer = dialerWith();
      const started = new Date();
      const other = request();
      const mine = request();
      await dialer.dial(other);
      const { providerCallId } = await dialer.dial(mine);
      await fake.end(providerCallId!, 'voicemail');

      const found = await dialer.lookup({
        callId: mine.callId,
        attempt: mine.attempt,
        providerCallId: null,
        startedAt: started,
        playbook: PLAYBOOK,
      });
      expect(found).toEqual({
        providerCallId,
        outcome: 'voicemail',
        details: { status: 'ended', endedReason: 'voicemail' },
      });
      const list = fake.requests.find(
        (r) => r.method === 'GET' && r.path === '/call',
      );
      expect(list?.query.get('assistantId')).toBe(ASSISTANT);
      expect(list?.query.get('limit')).toBe('1000');
      expect(Date.parse(list!.query.get('createdAtGe')!)).toBeLessThan(
        started.getTime(),
      );
      expect(Date.parse(list!.query.get('createdAtLe')!)).toBeGreaterThan(
        started.getTime(),
      );

      expect(
        await dialer.lookup({
          callId: mine.callId,
          attempt: mine.attempt + 1,
          providerCallId: null,
          startedAt: started,
          playbook: PLAYBOOK,
        }),
      ).toBeNull();
    });

    it('throws when Vapi cannot answer, so an unknown state is never "no trace"', async () => {
      const dialer = dialerWith({ apiKey: 'not-the-key' });
      await expect(
        dialer.lookup({
          callId: randomUUID(),
          attempt: 1,
          providerCallId: randomUUID(),
          startedAt: new Date(),
          playbook: PLAYBOOK,
        }),
      ).rejects.toMatchObject({ statusCode: 401 });
    });
  });

  describe('outcome table', () => {
    it("maps every endedReason of the SDK's CallEndedReason without falling back", () => {
      const reasons = Object.values(Vapi.CallEndedReason);
      expect(reasons.length).toBeGreaterThan(100);
      const missing = reasons.filter((r) => vapiOutcomeRow(r) === undefined);
      expect(missing).toEqual([]);
    });

    it('exact rows win over families, the longest family wins', () => {
      expect(
        vapiOutcome(
          'call.in-progress.error-providerfault-outbound-sip-480-temporarily-unavailable',
        ),
      ).toBe('no_answer');
      expect(
        vapiOutcome(
          'call.in-progress.error-providerfault-outbound-sip-403-forbidden',
        ),
      ).toBe('failed');
      expect(vapiOutcomeRow('call.start.error-get-assistant')?.vapi).toBe(
        'call.start.error-*',
      );
      expect(
        vapiOutcomeRow('call.start.assistant-version-error-validation')?.vapi,
      ).toBe('call.start.*');
    });

    it('renders the README table with every row', () => {
      const markdown = vapiOutcomeTableMarkdown();
      expect(markdown.split('\n')).toHaveLength(VAPI_OUTCOME_TABLE.length + 3);
      expect(markdown).toContain('| `customer-did-not-answer` | `no_answer` |');
    });
  });

  describe('options', () => {
    it('refuses unusable options', () => {
      const base = {
        apiKey: API_KEY,
        serverAuth: { type: 'hmac', secretKey: SECRET } as const,
      };
      expect(() => new VapiDialer({ ...base, apiKey: ' ' })).toThrow(/apiKey/);
      expect(() => new VapiDialer({ ...base, timeoutMs: 0 })).toThrow(
        /timeoutMs/,
      );
      expect(() => new VapiDialer({ ...base, baseUrl: 'ftp://x' })).toThrow(
        /baseUrl/,
      );
      expect(
        () => new VapiDialer({ ...base, callsPerMinutePerNumber: 0 }),
      ).toThrow(/callsPerMinute/);
      expect(
        () =>
          new VapiDialer({
            ...base,
            serverAuth: { type: 'hmac', secretKey: '' },
          }),
      ).toThrow(/secretKey/);
      expect(
        () =>
          new VapiDialer({
            ...base,
            serverAuth: { type: 'bearer', token: '' },
          }),
      ).toThrow(/token/);
    });
  });
});
