import { sampleContact } from '../../support/sample-contact';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import type { DialRequest } from '../../../lib/dialer/campaign-dialer.interface';
import {
  InvalidWebhookPayloadError,
  type PlaybookProviderConfig,
  type ProviderWebhookRequest,
} from '../../../lib/providers/provider.interface';
import {
  TWILIO_OUTCOME_TABLE,
  twilioOutcome,
  twilioOutcomeRow,
  type TwilioCallReport,
} from '../../../lib/providers/twilio/twilio-outcomes';
import {
  TwilioDialer,
  type TwilioDialerOptions,
} from '../../../lib/providers/twilio/twilio.dialer';
import { TwilioWebhook } from '../../../lib/providers/twilio/twilio.webhook';
import { startWebhookReceiver } from '../../support/webhook-receiver';
import {
  TwilioFake,
  twilioSignature,
  type TwilioFakeScript,
} from '../../support/fakes/twilio-fake.server';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'test-auth-token-1234';
const APP_SID = `AP${'fedcba9876543210'.repeat(2)}`;
const AGENT_URL = 'https://agent.example.com/twiml?agent=sales';
const CALLER = '+15005550006';
const CALLER_2 = '+15005550007';
const WEBHOOK_PATH = '/campaign/webhooks/twilio';

let phoneCounter = 0;
/** A fresh destination number per test, so scripts do not mix. */
function nextPhone(): string {
  phoneCounter += 1;
  return `+1212555${String(1000 + phoneCounter).padStart(4, '0')}`;
}

function playbook(
  overrides: Partial<PlaybookProviderConfig> = {},
): PlaybookProviderConfig {
  return {
    provider: 'twilio',
    assistantId: AGENT_URL,
    callerNumbers: [CALLER],
    ...overrides,
  };
}

function dialRequest(
  phone: string,
  overrides: Partial<DialRequest> = {},
): DialRequest {
  return {
    callId: '6f1d2c3b-0000-4000-8000-000000000001',
    attempt: 2,
    campaignId: 'c0000000-0000-4000-8000-000000000001',
    accountId: 'acme',
    playbookId: 'p0000000-0000-4000-8000-000000000001',
    playbook: playbook(),
    phone,
    contact: sampleContact({
      first_name: 'José',
      last_name: 'Ñúñez',
      email: 'jose@example.com',
      country: 'US',
      timezone: 'America/New_York',
      custom_fields: { plan: 'gold', seats: 3, vip: true, note: null },
    }),
    ...overrides,
  };
}

describe('Twilio provider (official SDK against a local Twilio fake)', () => {
  let fake: TwilioFake;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeEach(async () => {
    fake = await TwilioFake.start(ACCOUNT_SID, AUTH_TOKEN);
    receiver = await startWebhookReceiver(WEBHOOK_PATH);
  });
  afterEach(async () => {
    await fake.close();
    await receiver.close();
  });

  function dialer(options: Partial<TwilioDialerOptions> = {}): TwilioDialer {
    return new TwilioDialer({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      webhookBaseUrl: receiver.url,
      apiBaseUrl: fake.baseUrl,
      callsPerMinutePerNumber: 1000,
      ...options,
    });
  }

  /** Dials, lets the fake play the call out, returns the webhooks received. */
  async function playCall(
    script: TwilioFakeScript,
    options: Partial<TwilioDialerOptions> = {},
    request: Partial<DialRequest> = {},
  ) {
    const phone = nextPhone();
    fake.script(phone, script);
    const d = dialer(options);
    const result = await d.dial(dialRequest(phone, request));
    expect(result.outcome).toBeUndefined();
    const sid = result.providerCallId as string;
    await fake.settled(sid);
    return { d, sid, result, webhooks: [...receiver.received] };
  }

  describe('dial', () => {
    it('creates the call with the SDK: Basic auth, To/From, Url with the contact, signed StatusCallback, AMD', async () => {
      const phone = nextPhone();
      const d = dialer({ ringTimeoutSeconds: 25 });
      const result = await d.dial(dialRequest(phone));

      expect(result.providerCallId).toMatch(/^CA[0-9a-f]{32}$/);
      expect(result.outcome).toBeUndefined();
      expect(result.notPlaced).toBeUndefined();
      expect(result.details).toEqual({ from: CALLER });

      const creates = fake.requests.filter((r) => r.method === 'POST');
      expect(creates).toHaveLength(1);
      const [create] = creates;
      expect(create.path).toBe(
        `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`,
      );
      expect(create.headers.authorization).toBe(
        `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
      );
      expect(create.headers['user-agent']).toMatch(/^twilio-node\/6\./);
      expect(create.headers['content-type']).toBe(
        'application/x-www-form-urlencoded',
      );
      const form = create.form;
      expect(form.get('To')).toBe(phone);
      expect(form.get('From')).toBe(CALLER);
      expect(form.get('ApplicationSid')).toBeNull();
      expect(form.get('MachineDetection')).toBe('DetectMessageEnd');
      expect(form.get('Timeout')).toBe('25');
      expect(form.get('StatusCallbackMethod')).toBe('POST');
      expect(form.getAll('StatusCallbackEvent')).toEqual([
        'initiated',
        'ringing',
        'answered',
        'completed',
      ]);
      const statusCallback = new URL(form.get('StatusCallback') as string);
      expect(`${statusCallback.origin}${statusCallback.pathname}`).toBe(
        receiver.url,
      );
      expect(Object.fromEntries(statusCallback.searchParams)).toEqual({
        call_id: '6f1d2c3b-0000-4000-8000-000000000001',
        attempt: '2',
      });

      const url = new URL(form.get('Url') as string);
      expect(`${url.origin}${url.pathname}`).toBe(
        'https://agent.example.com/twiml',
      );
      expect(Object.fromEntries(url.searchParams)).toEqual({
        agent: 'sales',
        call_id: '6f1d2c3b-0000-4000-8000-000000000001',
        attempt: '2',
        campaign_id: 'c0000000-0000-4000-8000-000000000001',
        playbook_id: 'p0000000-0000-4000-8000-000000000001',
        first_name: 'José',
        last_name: 'Ñúñez',
        email: 'jose@example.com',
        country: 'US',
        timezone: 'America/New_York',
        cf_plan: 'gold',
        cf_seats: '3',
        cf_vip: 'true',
      });
      expect(fake.call(result.providerCallId as string)?.to).toBe(phone);
    });

    it("contactInUrl 'ids' keeps the contact out of the Url; machineDetection off sends none", async () => {
      const d = dialer({ contactInUrl: 'ids', machineDetection: 'off' });
      await d.dial(dialRequest(nextPhone()));
      const form = fake.requests[0].form;
      expect(
        Object.fromEntries(new URL(form.get('Url') as string).searchParams),
      ).toEqual({
        agent: 'sales',
        call_id: '6f1d2c3b-0000-4000-8000-000000000001',
        attempt: '2',
        campaign_id: 'c0000000-0000-4000-8000-000000000001',
        playbook_id: 'p0000000-0000-4000-8000-000000000001',
      });
      expect(form.has('MachineDetection')).toBe(false);
    });

    it('drops custom fields (cf_omitted=1) when the Url would pass 4000 characters', async () => {
      const d = dialer();
      const request = dialRequest(nextPhone());
      request.contact.custom_fields = { blob: 'x'.repeat(5000) };
      await d.dial(request);
      const url = new URL(fake.requests[0].form.get('Url') as string);
      expect(url.searchParams.get('cf_blob')).toBeNull();
      expect(url.searchParams.get('cf_omitted')).toBe('1');
      expect(url.searchParams.get('first_name')).toBe('José');
    });

    it('a TwiML App SID runs as ApplicationSid (no Url); Twilio then ignores StatusCallback', async () => {
      const { sid, webhooks } = await playCall(
        {},
        {},
        { playbook: playbook({ assistantId: APP_SID }) },
      );
      const form = fake.requests[0].form;
      expect(form.get('ApplicationSid')).toBe(APP_SID);
      expect(form.get('Url')).toBeNull();
      expect(fake.call(sid)?.status).toBe('completed');
      expect(webhooks).toHaveLength(0);
    });

    it.each([
      ['an http: URL', 'http://agent.example.com/twiml'],
      ['not a URL nor an App SID', 'asst_123'],
      ['a malformed App SID', 'AP123'],
    ])('refuses %s as assistantId without calling Twilio', async (_l, id) => {
      const result = await dialer().dial(
        dialRequest(nextPhone(), { playbook: playbook({ assistantId: id }) }),
      );
      expect(result).toMatchObject({
        outcome: 'failed',
        details: { reason: 'invalid_assistant_id' },
      });
      expect(fake.requests).toHaveLength(0);
    });

    it('refuses a request without a Twilio playbook', async () => {
      const d = dialer();
      for (const p of [null, playbook({ provider: 'vapi' })]) {
        await expect(
          d.dial(dialRequest(nextPhone(), { playbook: p })),
        ).resolves.toEqual({
          outcome: 'failed',
          details: { reason: 'not_a_twilio_playbook' },
        });
      }
      expect(fake.requests).toHaveLength(0);
    });

    it('429 with Retry-After: not placed, retry after that delay; without it: no delay given', async () => {
      const phone = nextPhone();
      fake.script(phone, { rateLimited: 1, retryAfterSeconds: 7 });
      const d = dialer();
      await expect(d.dial(dialRequest(phone))).resolves.toEqual({
        notPlaced: { reason: 'rate_limited', retryAfterMs: 7000 },
      });
      // The 429 was the only answer: the next dial is placed.
      const placed = await d.dial(dialRequest(phone));
      expect(placed.providerCallId).toMatch(/^CA/);

      const other = nextPhone();
      fake.script(other, { rateLimited: 1 });
      await expect(d.dial(dialRequest(other))).resolves.toEqual({
        notPlaced: { reason: 'rate_limited' },
      });
      // The SDK did not retry the 429 itself.
      expect(
        fake.requests.filter(
          (r) => r.method === 'POST' && r.form.get('To') === other,
        ),
      ).toHaveLength(1);
    });

    it('a call-concurrency error (10004) is not placed either', async () => {
      const phone = nextPhone();
      fake.script(phone, {
        reject: {
          status: 400,
          code: 10004,
          message: 'Call concurrency limit exceeded',
        },
      });
      await expect(dialer().dial(dialRequest(phone))).resolves.toEqual({
        notPlaced: { reason: 'concurrency_limit' },
      });
    });

    it.each([
      [21211, "Invalid 'To' Phone Number"],
      [21214, "'To' phone number cannot be reached"],
      [21217, 'Phone number does not appear to be valid'],
    ])('error %i → invalid_number', async (code, message) => {
      const phone = nextPhone();
      fake.script(phone, { reject: { status: 400, code, message } });
      await expect(dialer().dial(dialRequest(phone))).resolves.toEqual({
        outcome: 'invalid_number',
        details: {
          reason: 'twilio_error',
          status: 400,
          code,
          message,
          moreInfo: `https://www.twilio.com/docs/errors/${code}`,
        },
      });
    });

    it('another 4xx → failed with the Twilio error', async () => {
      const phone = nextPhone();
      fake.script(phone, {
        reject: {
          status: 400,
          code: 21210,
          message: "'From' phone number not verified",
        },
      });
      await expect(dialer().dial(dialRequest(phone))).resolves.toMatchObject({
        outcome: 'failed',
        details: { reason: 'twilio_error', status: 400, code: 21210 },
      });
    });

    it('a wrong Auth Token → 401 / 20003 → failed', async () => {
      const result = await dialer({ authToken: 'wrong' }).dial(
        dialRequest(nextPhone()),
      );
      expect(result).toMatchObject({
        outcome: 'failed',
        details: { reason: 'twilio_error', status: 401, code: 20003 },
      });
    });

    it('500 → failed, not retried', async () => {
      const phone = nextPhone();
      fake.script(phone, { serverError: true });
      const result = await dialer().dial(dialRequest(phone));
      expect(result).toMatchObject({
        outcome: 'failed',
        details: { reason: 'http_status', status: 500 },
      });
      expect(fake.requests).toHaveLength(1);
    });

    it('timeout → failed', async () => {
      const phone = nextPhone();
      fake.script(phone, { hang: true });
      const started = Date.now();
      const result = await dialer({ timeoutMs: 300 }).dial(dialRequest(phone));
      expect(result).toEqual({
        outcome: 'failed',
        details: { reason: 'timeout', timeoutMs: 300 },
      });
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('connection refused → failed network_error', async () => {
      const closed = await TwilioFake.start(ACCOUNT_SID, AUTH_TOKEN);
      const baseUrl = closed.baseUrl;
      await closed.close();
      const result = await dialer({ apiBaseUrl: baseUrl }).dial(
        dialRequest(nextPhone()),
      );
      expect(result).toMatchObject({
        outcome: 'failed',
        details: { reason: 'network_error' },
      });
      expect(String(result.details?.error)).toMatch(/ECONNREFUSED/);
    });

    it('spreads calls over the caller numbers; all at their per-minute limit → not placed with the wait', async () => {
      const d = dialer({ callsPerMinutePerNumber: 1 });
      const two = playbook({ callerNumbers: [CALLER, CALLER_2] });
      const first = await d.dial(dialRequest(nextPhone(), { playbook: two }));
      const second = await d.dial(dialRequest(nextPhone(), { playbook: two }));
      expect([first.details?.from, second.details?.from]).toEqual([
        CALLER,
        CALLER_2,
      ]);
      const third = await d.dial(dialRequest(nextPhone(), { playbook: two }));
      expect(third.notPlaced?.reason).toBe('caller_numbers_at_limit');
      expect(third.notPlaced?.retryAfterMs).toBeGreaterThan(55_000);
      expect(third.notPlaced?.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(fake.requests).toHaveLength(2);
    });

    it('rejects bad options at construction', () => {
      const base = {
        accountSid: ACCOUNT_SID,
        authToken: AUTH_TOKEN,
        webhookBaseUrl: 'https://host/campaign/webhooks/twilio',
      };
      expect(() => new TwilioDialer({ ...base, accountSid: 'SK1' })).toThrow(
        /accountSid/,
      );
      expect(() => new TwilioDialer({ ...base, authToken: '' })).toThrow(
        /authToken/,
      );
      expect(
        () => new TwilioDialer({ ...base, webhookBaseUrl: 'nope' }),
      ).toThrow(/webhookBaseUrl/);
      expect(() => new TwilioDialer({ ...base, timeoutMs: 0 })).toThrow(
        /timeoutMs/,
      );
      expect(
        () => new TwilioDialer({ ...base, ringTimeoutSeconds: 601 }),
      ).toThrow(/ringTimeoutSeconds/);
    });
  });

  describe('status callbacks: signed by the fake, verified and parsed by TwilioWebhook', () => {
    const cases: [
      string,
      TwilioFakeScript,
      Partial<TwilioDialerOptions>,
      string,
      string,
    ][] = [
      [
        'a person answers',
        { answeredBy: 'human' },
        {},
        'completed',
        'answered',
      ],
      [
        'voicemail, end of greeting',
        { answeredBy: 'machine_end_beep' },
        {},
        'completed',
        'voicemail',
      ],
      [
        'voicemail (Enable)',
        { answeredBy: 'machine_start' },
        { machineDetection: 'Enable' },
        'completed',
        'voicemail',
      ],
      ['a fax line', { answeredBy: 'fax' }, {}, 'completed', 'invalid_number'],
      [
        'detection undecided',
        { answeredBy: 'unknown' },
        {},
        'completed',
        'completed',
      ],
      [
        'no detection',
        {},
        { machineDetection: 'off' },
        'completed',
        'completed',
      ],
      ['busy', { finalStatus: 'busy' }, {}, 'busy', 'busy'],
      ['no answer', { finalStatus: 'no-answer' }, {}, 'no-answer', 'no_answer'],
      ['failed', { finalStatus: 'failed' }, {}, 'failed', 'failed'],
      [
        'failed, SIP 404',
        { finalStatus: 'failed', sipResponseCode: 404 },
        {},
        'failed',
        'invalid_number',
      ],
      ['canceled', { finalStatus: 'canceled' }, {}, 'canceled', 'failed'],
    ];

    it.each(
      cases.map(([label, script, options, finalStatus, outcome]) => ({
        label,
        script,
        options,
        finalStatus,
        outcome,
      })),
    )(
      '$label → $finalStatus → $outcome',
      async ({ script, options, finalStatus, outcome }) => {
        const { d, sid, webhooks } = await playCall(script, options);
        expect(webhooks.length).toBeGreaterThanOrEqual(2);
        const events = [];
        for (const w of webhooks) {
          await expect(d.webhook.verify(w)).resolves.toBe(true);
          const parsed = d.webhook.parse(w);
          expect(parsed).toHaveLength(1);
          events.push(parsed[0]);
        }
        for (const event of events) {
          expect(event.providerCallId).toBe(sid);
          expect(event.callId).toBe('6f1d2c3b-0000-4000-8000-000000000001');
          expect(event.attempt).toBe(2);
        }
        const last = events[events.length - 1];
        expect(last.details?.callStatus).toBe(finalStatus);
        expect(last.outcome).toBe(outcome);
        expect(events.slice(0, -1).map((e) => e.outcome)).toEqual(
          events.slice(0, -1).map(() => null),
        );
        expect(events[0].details?.callStatus).toBe('initiated');
        if (finalStatus === 'completed') {
          expect(events.map((e) => e.details?.callStatus)).toEqual([
            'initiated',
            'ringing',
            'in-progress',
            'completed',
          ]);
          expect(last.details?.callDuration).toBe(42);
        }
        if (script.answeredBy) {
          expect(last.details?.answeredBy).toBe(script.answeredBy);
        }
      },
    );

    it('the fake signs as the SDK expects (two independent implementations agree)', async () => {
      const { webhooks } = await playCall({ answeredBy: 'human' });
      for (const w of webhooks) {
        const params = Object.fromEntries(
          new URLSearchParams(w.rawBody.toString('utf8')),
        );
        expect(w.headers['x-twilio-signature']).toBe(
          twilio.getExpectedTwilioSignature(AUTH_TOKEN, w.url, params),
        );
      }
    });

    it('a bad signature, a tampered parameter, another URL, another token or no header fail verify', async () => {
      const { d, webhooks } = await playCall({ answeredBy: 'human' });
      const w = webhooks[webhooks.length - 1];
      const body = w.rawBody.toString('utf8');
      const variants: [string, ProviderWebhookRequest][] = [
        [
          'signature',
          {
            ...w,
            headers: {
              ...w.headers,
              'x-twilio-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
            },
          },
        ],
        [
          'CallStatus',
          {
            ...w,
            rawBody: Buffer.from(
              body.replace('CallStatus=completed', 'CallStatus=busy'),
            ),
          },
        ],
        [
          'extra param',
          { ...w, rawBody: Buffer.from(`${body}&ErrorCode=13224`) },
        ],
        ['attempt', { ...w, url: w.url.replace('attempt=2', 'attempt=3') }],
        ['path', { ...w, url: w.url.replace(WEBHOOK_PATH, '/other') }],
        [
          'no header',
          {
            ...w,
            headers: { ...w.headers, 'x-twilio-signature': undefined },
          },
        ],
        ['not a URL', { ...w, url: 'not a url' }],
      ];
      await expect(d.webhook.verify(w)).resolves.toBe(true);
      for (const [label, request] of variants) {
        expect([label, await d.webhook.verify(request)]).toEqual([
          label,
          false,
        ]);
      }
      await expect(
        new TwilioWebhook({ authToken: 'other' }).verify(w),
      ).resolves.toBe(false);
    });

    it('the webhook route checks against the public URL given to Twilio (webhookBaseUrl)', () => {
      expect(dialer().webhook.publicUrl).toBe(receiver.url);
      expect(
        new TwilioWebhook({ authToken: AUTH_TOKEN }).publicUrl,
      ).toBeUndefined();
    });

    it('a SharedKey-signed request (X-Twilio-Webhooks-Signature-Settings) needs the SharedKey secret', async () => {
      const url = `${receiver.url}?call_id=c1&attempt=1`;
      const params: [string, string][] = [
        ['CallSid', `CA${randomBytes(16).toString('hex')}`],
        ['CallStatus', 'ringing'],
      ];
      const request: ProviderWebhookRequest = {
        url,
        rawBody: Buffer.from(new URLSearchParams(params).toString()),
        headers: {
          'x-twilio-signature': twilio.getExpectedTwilioSignature(
            'shared-secret',
            url,
            Object.fromEntries(params),
            'HMAC_SHA256',
          ),
          'x-twilio-webhooks-signature-settings':
            'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256',
        },
      };
      await expect(
        new TwilioWebhook({ authToken: AUTH_TOKEN }).verify(request),
      ).resolves.toBe(false);
      await expect(
        new TwilioWebhook({
          authToken: AUTH_TOKEN,
          sharedKeySecret: 'shared-secret',
        }).verify(request),
      ).resolves.toBe(true);
    });

    describe('malformed bodies → InvalidWebhookPayloadError', () => {
      const webhook = new TwilioWebhook({ authToken: AUTH_TOKEN });
      const sid = `CA${'a'.repeat(32)}`;
      const url = 'https://host/campaign/webhooks/twilio?call_id=c1&attempt=1';
      it.each([
        ['no CallSid', 'CallStatus=completed', url],
        ['a CallSid that is not one', 'CallSid=XYZ&CallStatus=completed', url],
        ['no CallStatus', `CallSid=${sid}`, url],
        ['a JSON body', JSON.stringify({ CallSid: sid }), url],
        [
          'a non-integer SipResponseCode',
          `CallSid=${sid}&CallStatus=failed&SipResponseCode=abc`,
          url,
        ],
        [
          'call_id without attempt',
          `CallSid=${sid}&CallStatus=completed`,
          'https://host/x?call_id=c1',
        ],
        [
          'a non-numeric attempt',
          `CallSid=${sid}&CallStatus=completed`,
          'https://host/x?call_id=c1&attempt=two',
        ],
      ])('%s', (_label, body, at) => {
        expect(() =>
          webhook.parse({ rawBody: Buffer.from(body), headers: {}, url: at }),
        ).toThrow(InvalidWebhookPayloadError);
      });

      it('bytes that are not UTF-8', () => {
        expect(() =>
          webhook.parse({
            rawBody: Buffer.from([0x43, 0x61, 0xff, 0xfe]),
            headers: {},
            url,
          }),
        ).toThrow(InvalidWebhookPayloadError);
      });

      it('a callback without call_id / attempt (a TwiML App) is matched by CallSid only', () => {
        const [event] = webhook.parse({
          rawBody: Buffer.from(`CallSid=${sid}&CallStatus=busy`),
          headers: {},
          url: 'https://host/campaign/webhooks/twilio',
        });
        expect(event).toEqual({
          providerCallId: sid,
          outcome: 'busy',
          details: { callStatus: 'busy' },
        });
      });
    });
  });

  describe('lookup', () => {
    const base = {
      callId: '6f1d2c3b-0000-4000-8000-000000000001',
      attempt: 2,
      playbook: playbook(),
    };

    it('by Call SID: a finished call gives its outcome (answered_by included)', async () => {
      const { d, sid } = await playCall({ answeredBy: 'machine_end_beep' });
      await expect(
        d.lookup({ ...base, providerCallId: sid, startedAt: new Date() }),
      ).resolves.toEqual({
        providerCallId: sid,
        outcome: 'voicemail',
        details: { callStatus: 'completed', answeredBy: 'machine_end_beep' },
      });
      const get = fake.requests.find((r) => r.method === 'GET');
      expect(get?.path).toBe(
        `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${sid}.json`,
      );
      expect(get?.headers.authorization).toMatch(/^Basic /);
    });

    it('by Call SID: a call in progress gives no outcome', async () => {
      const { d, sid } = await playCall({ stopAt: 'in-progress' });
      await expect(
        d.lookup({ ...base, providerCallId: sid, startedAt: new Date() }),
      ).resolves.toEqual({
        providerCallId: sid,
        details: { callStatus: 'in-progress' },
      });
    });

    it('by Call SID: 404 → null (no trace)', async () => {
      const sid = `CA${randomBytes(16).toString('hex')}`;
      await expect(
        dialer().lookup({
          ...base,
          providerCallId: sid,
          startedAt: new Date(),
        }),
      ).resolves.toBeNull();
    });

    it('by Call SID: another error rejects (not knowing is not "no trace")', async () => {
      const d = dialer({ authToken: 'wrong' });
      await expect(
        d.lookup({
          ...base,
          providerCallId: `CA${'b'.repeat(32)}`,
          startedAt: new Date(),
        }),
      ).rejects.toMatchObject({ status: 401, code: 20003 });
    });

    it('without a SID: no call from the playbook numbers around the start → null', async () => {
      const startedAt = new Date();
      fake.insert({
        to: nextPhone(),
        from: CALLER,
        status: 'completed',
        answeredBy: null,
        dateCreated: new Date(startedAt.getTime() - 3_600_000),
        startTime: new Date(startedAt.getTime() - 3_600_000),
        endTime: new Date(startedAt.getTime() - 3_500_000),
        duration: 100,
      });
      const d = dialer();
      await expect(
        d.lookup({ ...base, providerCallId: null, startedAt }),
      ).resolves.toBeNull();
      const lists = fake.requests.filter((r) => r.method === 'GET');
      expect(lists.map((r) => r.query.get('From'))).toEqual([CALLER, CALLER]);
      expect(lists.map((r) => r.query.get('Status'))).toEqual([null, 'queued']);
      expect(lists[0].query.get('StartTime>')).toMatch(
        /^\d{4}-\d\d-\d\dT00:00:00Z$/,
      );
    });

    it('without a SID: a candidate call still going → no outcome (asked again later)', async () => {
      const { d, sid } = await playCall({ stopAt: 'in-progress' });
      await expect(
        d.lookup({ ...base, providerCallId: null, startedAt: new Date() }),
      ).resolves.toEqual({
        details: { reason: 'unattributed_calls_in_progress', sids: [sid] },
      });
    });

    it('without a SID: a queued candidate (no start time yet) counts too', async () => {
      const { d, sid } = await playCall({ stopAt: 'queued' });
      await expect(
        d.lookup({ ...base, providerCallId: null, startedAt: new Date() }),
      ).resolves.toEqual({
        details: { reason: 'unattributed_calls_in_progress', sids: [sid] },
      });
    });

    it('without a SID: only finished candidates → failed (unattributed)', async () => {
      const { d, sid } = await playCall({ finalStatus: 'busy' });
      await expect(
        d.lookup({ ...base, providerCallId: null, startedAt: new Date() }),
      ).resolves.toEqual({
        outcome: 'failed',
        details: { reason: 'unattributed', sids: [sid] },
      });
    });
  });
});

describe('TWILIO_OUTCOME_TABLE', () => {
  it('each row is the one chosen for its own example', () => {
    for (const row of TWILIO_OUTCOME_TABLE) {
      const report: TwilioCallReport = {
        callStatus: row.callStatus,
        answeredBy: row.answeredBy?.[0] ?? null,
        sipResponseCode: row.invalidNumber ? 604 : null,
      };
      expect([row.twilio, twilioOutcomeRow(report)]).toEqual([row.twilio, row]);
    }
  });

  it('maps the documented invalid-number error codes of a failed call', () => {
    for (const errorCode of [13224, 21211, 21214, 21217]) {
      expect(twilioOutcome({ callStatus: 'failed', errorCode })).toBe(
        'invalid_number',
      );
    }
    expect(twilioOutcome({ callStatus: 'failed', sipResponseCode: 503 })).toBe(
      'failed',
    );
    expect(twilioOutcome({ callStatus: 'failed', errorCode: 31005 })).toBe(
      'failed',
    );
  });

  it('every machine_* AnsweredBy of a completed call is voicemail', () => {
    for (const answeredBy of [
      'machine_start',
      'machine_end_beep',
      'machine_end_silence',
      'machine_end_other',
    ]) {
      expect(twilioOutcome({ callStatus: 'completed', answeredBy })).toBe(
        'voicemail',
      );
    }
  });

  it('an undocumented status is not final', () => {
    expect(twilioOutcome({ callStatus: 'teleported' })).toBeNull();
  });
});

describe('twilioSignature (the fake) against the SDK', () => {
  it('matches getExpectedTwilioSignature, including UTF-8 values', () => {
    const url = 'https://host/campaign/webhooks/twilio?call_id=x&attempt=1';
    const params: [string, string][] = [
      ['To', '+12125550100'],
      ['CallSid', 'CA1'],
      ['Caller', 'José'],
    ];
    expect(twilioSignature(AUTH_TOKEN, url, params)).toBe(
      twilio.getExpectedTwilioSignature(
        AUTH_TOKEN,
        url,
        Object.fromEntries(params),
      ),
    );
  });
});
