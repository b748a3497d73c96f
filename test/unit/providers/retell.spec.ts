import { startWebhookReceiver } from '../../support/webhook-receiver';
import { sampleContact } from '../../support/sample-contact';
import { verify as retellSdkVerify } from 'retell-sdk';
import type { DialRequest } from '../../../lib/dialer/campaign-dialer.interface';
import {
  InvalidWebhookPayloadError,
  type PlaybookProviderConfig,
  type ProviderWebhookRequest,
} from '../../../lib/providers/provider.interface';
import {
  RETELL_OUTCOME_TABLE,
  retellCallVerdict,
} from '../../../lib/providers/retell/retell-outcomes';
import { RetellDialer } from '../../../lib/providers/retell/retell.dialer';
import { RetellWebhook } from '../../../lib/providers/retell/retell.webhook';
import {
  RetellFakeServer,
  signRetellWebhook,
} from '../../support/fakes/retell-fake.server';

const API_KEY = 'key_retell_test_0123456789';
const AGENT = 'agent_6f1d2c3b00004000';
const CALLERS = ['+14155550100', '+14155550101'];

const PLAYBOOK: PlaybookProviderConfig = {
  provider: 'retell',
  assistantId: AGENT,
  callerNumbers: CALLERS,
};

function request(
  phone: string,
  overrides: Partial<DialRequest> = {},
): DialRequest {
  return {
    callId: '6f1d2c3b-0000-4000-8000-000000000001',
    attempt: 2,
    campaignId: 'c0000000-0000-4000-8000-000000000001',
    accountId: 'acme',
    playbookId: 'p0000000-0000-4000-8000-000000000001',
    playbook: PLAYBOOK,
    phone,
    contact: sampleContact({
      first_name: 'José',
      last_name: 'Ñúñez',
      company: 'Acme',
      country: 'US',
      timezone: 'America/New_York',
      custom_fields: { plan: 'gold', seats: 3, vip: true, note: null },
    }),
    ...overrides,
  };
}

/** Where the fake delivers webhooks: records each request as a route would get it. */
const startReceiver = () => startWebhookReceiver('/webhooks/retell', 204);

describe('Retell (retell-sdk against a local fake of its API)', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let fake: RetellFakeServer;
  let dialer: RetellDialer;

  beforeEach(async () => {
    receiver = await startReceiver();
    fake = await RetellFakeServer.start({
      apiKey: API_KEY,
      agents: [AGENT],
      webhookUrl: receiver.url,
    });
    dialer = new RetellDialer({
      apiKey: API_KEY,
      baseUrl: fake.url,
      timeoutMs: 2_000,
      callsPerMinutePerNumber: 100,
    });
  });

  afterEach(async () => {
    await fake.close();
    await receiver.close();
  });

  describe('dial', () => {
    it('creates the phone call with the caller number, agent, dynamic variables and metadata', async () => {
      const result = await dialer.dial(request('+12125550123'));

      expect(fake.requests).toHaveLength(1);
      const [sent] = fake.requests;
      expect(sent.method).toBe('POST');
      expect(sent.path).toBe('/v2/create-phone-call');
      expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(sent.headers['content-type']).toMatch(/^application\/json/);
      expect(sent.body).toEqual({
        from_number: CALLERS[0],
        to_number: '+12125550123',
        override_agent_id: AGENT,
        retell_llm_dynamic_variables: {
          first_name: 'José',
          last_name: 'Ñúñez',
          company: 'Acme',
          country: 'US',
          timezone: 'America/New_York',
          plan: 'gold',
          seats: '3',
          vip: 'true',
        },
        metadata: {
          callId: '6f1d2c3b-0000-4000-8000-000000000001',
          attempt: 2,
          campaignId: 'c0000000-0000-4000-8000-000000000001',
        },
      });

      const [call] = [...fake.calls.values()];
      expect(result).toEqual({
        providerCallId: call.call_id,
        details: { fromNumber: CALLERS[0], callStatus: 'registered' },
      });
      expect(result.outcome).toBeUndefined();
    });

    it('spreads calls over the caller numbers and passes agentVersion', async () => {
      const versioned = { ...PLAYBOOK, settings: { agentVersion: 4 } };
      await dialer.dial(request('+12125550123', { playbook: versioned }));
      await dialer.dial(request('+12125550124', { playbook: versioned }));
      const bodies = fake.requests.map(
        (r) => r.body as Record<string, unknown>,
      );
      expect(bodies.map((b) => b.from_number)).toEqual(CALLERS);
      expect(bodies.map((b) => b.override_agent_version)).toEqual([4, 4]);
    });

    it('does not call Retell for a playbook without a Retell side or with unknown settings', async () => {
      const none = await dialer.dial(
        request('+12125550123', { playbook: null }),
      );
      const vapi = await dialer.dial(
        request('+12125550123', {
          playbook: { ...PLAYBOOK, provider: 'vapi' },
        }),
      );
      const bad = await dialer.dial(
        request('+12125550123', {
          playbook: { ...PLAYBOOK, settings: { voice: 'x' } },
        }),
      );
      expect(none).toMatchObject({
        outcome: 'failed',
        details: { reason: 'not_a_retell_playbook' },
      });
      expect(vapi).toMatchObject({
        outcome: 'failed',
        details: { provider: 'vapi' },
      });
      expect(bad).toMatchObject({
        outcome: 'failed',
        details: { reason: 'invalid_playbook_settings' },
      });
      expect(fake.requests).toHaveLength(0);
    });

    it('429: not placed, with Retry-After as the delay, and no SDK retry', async () => {
      fake.script('+12125550123', { rateLimited: 1, retryAfterSeconds: 7 });
      const limited = await dialer.dial(request('+12125550123'));
      expect(limited).toEqual({
        notPlaced: { reason: 'rate_limited', retryAfterMs: 7_000 },
        details: {
          status: 429,
          message: 'Account rate limited, please throttle your requests.',
          fromNumber: CALLERS[0],
        },
      });
      expect(fake.requests).toHaveLength(1);

      const placed = await dialer.dial(request('+12125550123'));
      expect(placed.providerCallId).toEqual(expect.any(String));
      expect(placed.notPlaced).toBeUndefined();
    });

    it('429 without Retry-After: not placed, the module picks the delay', async () => {
      fake.script('+12125550123', { rateLimited: 1 });
      const limited = await dialer.dial(request('+12125550123'));
      expect(limited.notPlaced).toEqual({ reason: 'rate_limited' });
    });

    it('500: failed, asked once (no SDK retry)', async () => {
      fake.script('+12125550123', { serverError: true });
      const result = await dialer.dial(request('+12125550123'));
      expect(result).toMatchObject({
        outcome: 'failed',
        details: {
          reason: 'server_error',
          status: 500,
          message: 'An unexpected server error occurred.',
        },
      });
      expect(fake.requests).toHaveLength(1);
    });

    it('no answer within timeoutMs: failed as timeout, asked once', async () => {
      fake.script('+12125550123', { hang: true });
      const quick = new RetellDialer({
        apiKey: API_KEY,
        baseUrl: fake.url,
        timeoutMs: 300,
      });
      const started = Date.now();
      const result = await quick.dial(request('+12125550123'));
      expect(result).toMatchObject({
        outcome: 'failed',
        details: { reason: 'timeout', timeoutMs: 300 },
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(fake.requests).toHaveLength(1);
    });

    it('every caller number at its per-minute limit: not placed until one frees up', async () => {
      const slow = new RetellDialer({
        apiKey: API_KEY,
        baseUrl: fake.url,
        callsPerMinutePerNumber: 1,
      });
      const one = { ...PLAYBOOK, callerNumbers: [CALLERS[0]] };
      const first = await slow.dial(request('+12125550123', { playbook: one }));
      const second = await slow.dial(
        request('+12125550124', { playbook: one }),
      );
      expect(first.providerCallId).toEqual(expect.any(String));
      expect(second.notPlaced?.reason).toBe('caller_numbers_at_limit');
      expect(second.notPlaced?.retryAfterMs).toBeGreaterThan(55_000);
      expect(second.notPlaced?.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(fake.requests).toHaveLength(1);
    });

    it('a destination that is not a phone number, refused with 400: invalid_number', async () => {
      fake.script('+99912345', { badRequest: true });
      const result = await dialer.dial(request('+99912345'));
      expect(result).toMatchObject({
        outcome: 'invalid_number',
        details: { reason: 'rejected_destination', status: 400 },
      });
    });

    it('a 400 / 422 for a valid number is a request problem: failed', async () => {
      fake.script('+12125550123', { badRequest: true });
      const rejected = await dialer.dial(request('+12125550123'));
      const unknownAgent = await dialer.dial(
        request('+12125550124', {
          playbook: { ...PLAYBOOK, assistantId: 'agent_unknown' },
        }),
      );
      expect(rejected).toMatchObject({
        outcome: 'failed',
        details: { reason: 'rejected', status: 400 },
      });
      expect(unknownAgent).toMatchObject({
        outcome: 'failed',
        details: {
          reason: 'rejected',
          status: 422,
          message: 'Cannot find requested asset under given api key.',
        },
      });
    });

    it('a wrong API key: failed as unauthorized (the fake checks the Bearer key)', async () => {
      const wrong = new RetellDialer({
        apiKey: 'key_wrong',
        baseUrl: fake.url,
      });
      const result = await wrong.dial(request('+12125550123'));
      expect(result).toMatchObject({
        outcome: 'failed',
        details: { reason: 'unauthorized', status: 401 },
      });
      expect(fake.requests[0].headers.authorization).toBe('Bearer key_wrong');
    });
  });

  describe('webhooks', () => {
    async function placeAndRun(phone: string, reason: string) {
      fake.script(phone, { disconnectionReason: reason });
      const { providerCallId } = await dialer.dial(request(phone));
      await fake.run(providerCallId as string);
      return providerCallId as string;
    }

    it.each([
      ['user_hangup', 'completed', true],
      ['agent_hangup', 'completed', true],
      ['voicemail_reached', 'voicemail', true],
      ['inactivity', 'answered', true],
      ['dial_busy', 'busy', false],
      ['dial_no_answer', 'no_answer', false],
      ['invalid_destination', 'invalid_number', false],
      ['dial_failed', 'failed', false],
      ['error_llm_websocket_open', 'failed', true],
    ] as const)(
      '%s: delivered events verify and parse to %s',
      async (reason, outcome, connects) => {
        const providerCallId = await placeAndRun('+12125550123', reason);
        const events = connects
          ? ['call_started', 'call_ended', 'call_analyzed']
          : ['call_ended', 'call_analyzed'];
        expect(receiver.received).toHaveLength(events.length);

        const parsed = [];
        for (const delivered of receiver.received) {
          expect(dialer.webhook.verify(delivered)).toBe(true);
          await expect(dialer.webhook.verifyWithSdk(delivered)).resolves.toBe(
            true,
          );
          parsed.push(...dialer.webhook.parse(delivered));
        }
        const ids = { providerCallId, callId: request('').callId, attempt: 2 };
        expect(parsed.map((e) => e.details?.event)).toEqual(events);
        if (connects) {
          expect(parsed[0]).toMatchObject({ ...ids, outcome: null });
        }
        for (const final of parsed.slice(connects ? 1 : 0)) {
          expect(final).toMatchObject({
            ...ids,
            outcome,
            details: { disconnectionReason: reason, toNumber: '+12125550123' },
          });
        }
      },
    );

    it('concurrency_limit_reached: failed, flagged as not placed', async () => {
      await placeAndRun('+12125550123', 'concurrency_limit_reached');
      const [ended] = dialer.webhook.parse(receiver.received[0]);
      expect(ended).toMatchObject({
        outcome: 'failed',
        details: {
          event: 'call_ended',
          callStatus: 'error',
          notPlaced: { reason: 'concurrency_limit_reached' },
        },
      });
    });

    it('a redelivered call_ended yields the same event', async () => {
      const providerCallId = await placeAndRun('+12125550123', 'dial_busy');
      await fake.deliver('call_ended', providerCallId);
      const endings = receiver.received.filter(
        (r) => JSON.parse(r.rawBody.toString('utf8')).event === 'call_ended',
      );
      expect(endings).toHaveLength(2);
      expect(endings.every((r) => dialer.webhook.verify(r))).toBe(true);
      expect(dialer.webhook.parse(endings[1])).toEqual(
        dialer.webhook.parse(endings[0]),
      );
    });

    it('a bad signature, a tampered body, another key or an old timestamp fail verify', async () => {
      await placeAndRun('+12125550123', 'user_hangup');
      const good = receiver.received[0];
      const signature = good.headers['x-retell-signature'] as string;
      const rawBody = good.rawBody.toString('utf8');
      const tampered = Buffer.from(rawBody.replace('José', 'Jose'));
      expect(tampered.equals(good.rawBody)).toBe(false);

      const variants: ProviderWebhookRequest[] = [
        { ...good, rawBody: tampered },
        {
          ...good,
          headers: {
            ...good.headers,
            'x-retell-signature': signature.replace(/d=./, 'd=0'),
          },
        },
        {
          ...good,
          headers: { ...good.headers, 'x-retell-signature': 'sha256=abc' },
        },
        {
          ...good,
          headers: { ...good.headers, 'x-retell-signature': undefined },
        },
        {
          ...good,
          headers: {
            ...good.headers,
            'x-retell-signature': signRetellWebhook(
              rawBody,
              API_KEY,
              Date.now() - 6 * 60_000,
            ),
          },
        },
      ];
      for (const variant of variants) {
        expect(dialer.webhook.verify(variant)).toBe(false);
      }
      await expect(dialer.webhook.verifyWithSdk(variants[0])).resolves.toBe(
        false,
      );
      await expect(
        retellSdkVerify(tampered.toString('utf8'), API_KEY, signature),
      ).resolves.toBe(false);

      const otherKey = new RetellWebhook({ apiKey: 'key_other' });
      expect(otherKey.verify(good)).toBe(false);
      const later = new RetellWebhook({
        apiKey: API_KEY,
        now: () => Date.now() + 10 * 60_000,
      });
      expect(later.verify(good)).toBe(false);
    });

    it('malformed bodies throw InvalidWebhookPayloadError; other events are ignored', () => {
      const make = (body: string): ProviderWebhookRequest => ({
        rawBody: Buffer.from(body),
        headers: {},
        url: receiver.url,
      });
      for (const body of [
        'not json',
        '[]',
        '{"call":{"call_id":"x"}}',
        '{"event":"call_ended"}',
        '{"event":"call_ended","call":{"call_status":"ended"}}',
        '{"event":"call_analyzed","call":{"call_id":""}}',
      ]) {
        expect(() => dialer.webhook.parse(make(body))).toThrow(
          InvalidWebhookPayloadError,
        );
      }
      expect(
        dialer.webhook.parse(
          make('{"event":"transcript_updated","call":{"call_id":"x"}}'),
        ),
      ).toEqual([]);
      // A call placed elsewhere (no metadata) is still reported by its id.
      expect(
        dialer.webhook.parse(
          make(
            '{"event":"call_ended","call":{"call_id":"x","call_status":"not_connected","disconnection_reason":"dial_no_answer"}}',
          ),
        ),
      ).toEqual([
        {
          providerCallId: 'x',
          outcome: 'no_answer',
          details: {
            event: 'call_ended',
            callStatus: 'not_connected',
            disconnectionReason: 'dial_no_answer',
          },
        },
      ]);
    });
  });

  describe('lookup', () => {
    const attempt = (providerCallId: string | null) => ({
      callId: request('').callId,
      attempt: 2,
      providerCallId,
      startedAt: new Date(),
      playbook: PLAYBOOK,
    });

    it('an ended call: its outcome', async () => {
      fake.script('+12125550123', { disconnectionReason: 'dial_busy' });
      const { providerCallId } = await dialer.dial(request('+12125550123'));
      await fake.run(providerCallId as string);
      await expect(
        dialer.lookup(attempt(providerCallId as string)),
      ).resolves.toMatchObject({
        providerCallId,
        outcome: 'busy',
        details: {
          callStatus: 'not_connected',
          disconnectionReason: 'dial_busy',
        },
      });
      expect(fake.requests.at(-1)).toMatchObject({
        method: 'GET',
        path: `/v2/get-call/${providerCallId}`,
        headers: { authorization: `Bearer ${API_KEY}` },
      });
    });

    it('a registered or ongoing call: no outcome yet', async () => {
      const { providerCallId } = await dialer.dial(request('+12125550123'));
      const registered = await dialer.lookup(attempt(providerCallId as string));
      expect(registered).toMatchObject({
        providerCallId,
        details: { callStatus: 'registered' },
      });
      expect(registered?.outcome).toBeUndefined();

      await fake.connect(providerCallId as string);
      const ongoing = await dialer.lookup(attempt(providerCallId as string));
      expect(ongoing).toMatchObject({
        providerCallId,
        details: { callStatus: 'ongoing' },
      });
      expect(ongoing?.outcome).toBeUndefined();
    });

    it('a call Retell does not know (its 422 "not found"): null', async () => {
      await expect(
        dialer.lookup(attempt('0123456789abcdef')),
      ).resolves.toBeNull();
    });

    it('without a provider call id: found by metadata with list-calls', async () => {
      fake.script('+12125550123', { disconnectionReason: 'voicemail_reached' });
      const first = await dialer.dial(request('+12125550123', { attempt: 1 }));
      const second = await dialer.dial(request('+12125550123'));
      await fake.run(second.providerCallId as string);

      await expect(dialer.lookup(attempt(null))).resolves.toMatchObject({
        providerCallId: second.providerCallId,
        outcome: 'voicemail',
      });
      expect(first.providerCallId).not.toBe(second.providerCallId);
      expect(fake.requests.at(-1)).toMatchObject({
        method: 'POST',
        path: '/v3/list-calls',
        body: {
          filter_criteria: {
            metadata: [
              {
                type: 'string',
                op: 'eq',
                key: 'callId',
                value: request('').callId,
              },
            ],
          },
        },
      });
      await expect(
        dialer.lookup({
          ...attempt(null),
          callId: 'ffffffff-0000-4000-8000-000000000009',
        }),
      ).resolves.toBeNull();
    });

    it('a call Retell dropped at its concurrency limit: not placed', async () => {
      fake.script('+12125550123', {
        disconnectionReason: 'concurrency_limit_reached',
      });
      const { providerCallId } = await dialer.dial(request('+12125550123'));
      await fake.run(providerCallId as string);
      const result = await dialer.lookup(attempt(providerCallId as string));
      expect(result?.notPlaced).toEqual({
        reason: 'concurrency_limit_reached',
      });
      expect(result?.outcome).toBeUndefined();
    });

    it('Retell cannot be asked: throws (the attempt is not ended on a guess)', async () => {
      const wrong = new RetellDialer({
        apiKey: 'key_wrong',
        baseUrl: fake.url,
      });
      await expect(wrong.lookup(attempt('0123456789abcdef'))).rejects.toThrow(
        /get-call failed: 401/,
      );
    });
  });

  describe('outcome table', () => {
    it('maps every plain reason as its row says, pending statuses to no outcome, unknown to failed', () => {
      for (const row of RETELL_OUTCOME_TABLE.filter((r) =>
        /^[a-z_]+$/.test(r.retell),
      )) {
        const verdict = retellCallVerdict({
          call_status: 'ended',
          disconnection_reason: row.retell,
        });
        if (row.outcome === 'not_placed') {
          expect(verdict).toEqual({ kind: 'not_placed', reason: row.retell });
        } else {
          expect(verdict).toEqual({ kind: 'outcome', outcome: row.outcome });
        }
      }
      expect(retellCallVerdict({ call_status: 'registered' })).toEqual({
        kind: 'pending',
      });
      expect(retellCallVerdict({ call_status: 'ongoing' })).toEqual({
        kind: 'pending',
      });
      expect(retellCallVerdict({ call_status: 'ended' })).toEqual({
        kind: 'outcome',
        outcome: 'completed',
      });
      expect(retellCallVerdict({ call_status: 'not_connected' })).toEqual({
        kind: 'outcome',
        outcome: 'failed',
      });
      expect(
        retellCallVerdict({
          call_status: 'error',
          disconnection_reason: 'error_something_new',
        }),
      ).toEqual({ kind: 'outcome', outcome: 'failed' });
      expect(
        retellCallVerdict({
          call_status: 'ended',
          disconnection_reason: 'never_documented',
        }),
      ).toEqual({ kind: 'outcome', outcome: 'failed' });
    });
  });
});
