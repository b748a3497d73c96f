/**
 * The real provider dialers (their official SDKs) against local fakes of
 * each provider's documented API, through the whole module: a campaign is
 * dialed, the provider's signed webhooks come back to the module's route,
 * outcomes follow the recall policy and the campaign completes; a bad
 * signature is refused, a redelivered event changes nothing, a 429 uses no
 * attempt, and an attempt whose replica went silent is reconciled from the
 * provider instead of re-dialed.
 */
import type { AddressInfo } from 'node:net';
import {
  PlaybookService,
  type AttemptLookup,
  type DialRequest,
  type DialResult,
  type PlaybookProviderConfig,
  type ProviderDialer,
  type ProviderWebhook,
} from '../../lib';
import { RetellDialer } from '../../lib/providers/retell';
import { TwilioDialer } from '../../lib/providers/twilio';
import { VapiDialer } from '../../lib/providers/vapi';
import { TwilioFake } from '../support/fakes/twilio-fake.server';
import { RetellFakeServer } from '../support/fakes/retell-fake.server';
import { VapiFakeServer } from '../support/fakes/vapi-fake.server';
import {
  createLoopTestApp,
  MINUTE,
  type LoopTestApp,
} from '../support/loop-test-app';
import { TEST_DIALECTS } from '../support/test-database';

/** The module is built before the fake knows its webhook URL: a forwarding dialer. */
class LateDialer implements ProviderDialer {
  target!: ProviderDialer;
  get webhook(): ProviderWebhook {
    return this.target.webhook;
  }
  dial(request: DialRequest): Promise<DialResult> {
    return this.target.dial(request);
  }
  lookup(attempt: AttemptLookup): Promise<DialResult | null> {
    return this.target.lookup!(attempt);
  }
}

type How = 'conversation' | 'no_answer' | 'silent';

/** What the scenario needs of a provider and its fake. */
interface ProviderUnderTest {
  name: 'retell' | 'vapi' | 'twilio';
  config: PlaybookProviderConfig;
  /** Starts the fake delivering to `webhookUrl`; returns the real dialer aimed at it. */
  start(webhookUrl: string): Promise<ProviderDialer>;
  /** Before the dial: how the call to `phone` will go at the provider. */
  prepare(phone: string, how: How): void;
  /** The call's life at the provider, webhooks included; their HTTP statuses. */
  finish(id: string, how: How): Promise<number[]>;
  /** Answer the next create for this number with 429 (Retry-After 5 s). */
  rateLimit(phone: string): void;
  /** Ends the call at the provider without delivering any webhook. */
  endSilently(id: string): Promise<void>;
  /** A delivery of a finished call again, as the provider retries; its HTTP status. */
  redeliver(id: string): Promise<number>;
  close(): Promise<void>;
}

const RETELL_KEY = 'key_retell_test';
const VAPI_KEY = 'vapi-private-key';
const VAPI_SECRET = 'vapi-hmac-secret';
const VAPI_NUMBER_ID = '5b0e6a52-8c1d-4e3f-9a7b-2c4d6e8f0a1b';

function retell(): ProviderUnderTest {
  let fake: RetellFakeServer;
  const reasons = new Map<string, string>();
  return {
    name: 'retell',
    config: {
      provider: 'retell',
      assistantId: 'agent_test',
      callerNumbers: ['+14155550100'],
    },
    async start(webhookUrl) {
      fake = await RetellFakeServer.start({
        apiKey: RETELL_KEY,
        agents: ['agent_test'],
        webhookUrl,
      });
      return new RetellDialer({ apiKey: RETELL_KEY, baseUrl: fake.url });
    },
    prepare: () => undefined,
    async finish(id, how) {
      const call = fake.calls.get(id)!;
      const phone = call.to_number as string;
      const reason = how === 'conversation' ? 'user_hangup' : 'dial_no_answer';
      reasons.set(id, reason);
      fake.script(phone, { disconnectionReason: reason });
      await fake.run(id);
      return fake.deliveries
        .filter((d) => d.rawBody.includes(id))
        .flatMap((d) => d.statuses);
    },
    rateLimit(phone) {
      fake.script(phone, { rateLimited: 1, retryAfterSeconds: 5 });
    },
    async endSilently(id) {
      const call = fake.calls.get(id)!;
      call.call_status = 'ended';
      call.disconnection_reason = 'user_hangup';
    },
    async redeliver(id) {
      const d = await fake.deliver('call_ended', id);
      return d.statuses[d.statuses.length - 1];
    },
    close: () => fake.close(),
  };
}

function vapi(): ProviderUnderTest {
  let fake: VapiFakeServer;
  return {
    name: 'vapi',
    config: {
      provider: 'vapi',
      assistantId: 'asst-test',
      callerNumbers: [VAPI_NUMBER_ID],
    },
    async start(webhookUrl) {
      fake = await VapiFakeServer.start(VAPI_KEY);
      fake.serverUrl = webhookUrl;
      fake.credential = { type: 'hmac', secretKey: VAPI_SECRET };
      return new VapiDialer({
        apiKey: VAPI_KEY,
        serverAuth: { type: 'hmac', secretKey: VAPI_SECRET },
        baseUrl: fake.baseUrl,
      });
    },
    prepare: () => undefined,
    async finish(id, how) {
      await fake.progress(id, 'ringing');
      const deliveries =
        how === 'conversation'
          ? await fake.end(id, 'assistant-ended-call', 'Sí, dígame')
          : await fake.end(id, 'customer-did-not-answer');
      return deliveries.map((d) => d.status);
    },
    rateLimit(phone) {
      fake.script(phone, { rateLimited: { times: 1, retryAfterSeconds: 5 } });
    },
    async endSilently(id) {
      const call = fake.calls.get(id)!;
      Object.assign(call, {
        status: 'ended',
        endedReason: 'assistant-ended-call',
      });
    },
    async redeliver(id) {
      const call = fake.calls.get(id)!;
      const d = await fake.deliverRaw(
        JSON.stringify({
          message: {
            type: 'end-of-call-report',
            endedReason: 'assistant-ended-call',
            call,
          },
        }),
      );
      return d.status;
    },
    close: () => fake.close(),
  };
}

const TWILIO_SID = `AC${'0'.repeat(32)}`;
const TWILIO_TOKEN = 'twilio-auth-token';

function twilio(): ProviderUnderTest {
  let fake: TwilioFake;
  return {
    name: 'twilio',
    config: {
      provider: 'twilio',
      // A TwiML URL (an App SID's calls report to the App's own status URL).
      assistantId: 'https://assistant.example/twiml',
      callerNumbers: ['+14155550100'],
    },
    async start(webhookUrl) {
      fake = await TwilioFake.start(TWILIO_SID, TWILIO_TOKEN);
      return new TwilioDialer({
        accountSid: TWILIO_SID,
        authToken: TWILIO_TOKEN,
        webhookBaseUrl: webhookUrl,
        apiBaseUrl: fake.baseUrl,
      });
    },
    // Twilio runs the call by itself once created: scripted before the dial.
    prepare(phone, how) {
      fake.script(
        phone,
        how === 'conversation'
          ? { finalStatus: 'completed', answeredBy: 'human' }
          : how === 'no_answer'
            ? { finalStatus: 'no-answer' }
            : { stopAt: 'in-progress' },
      );
    },
    async finish(id) {
      await fake.settled(id);
      return fake.callbacks
        .filter((c) => c.body.includes(id))
        .map((c) => c.status);
    },
    rateLimit(phone) {
      fake.script(phone, { rateLimited: 1, retryAfterSeconds: 5 });
    },
    async endSilently(id) {
      // Its callbacks up to in-progress first, then it ends unreported.
      await fake.settled(id);
      Object.assign(fake.call(id)!, {
        status: 'completed',
        answeredBy: 'human',
        endTime: new Date(),
      });
    },
    async redeliver(id) {
      const last = fake.callbacks.filter((c) => c.body.includes(id)).at(-1)!;
      const res = await fetch(last.url, {
        method: 'POST',
        headers: last.headers,
        body: last.body,
      });
      await res.text();
      return res.status;
    },
    close: () => fake.close(),
  };
}

const PROVIDERS = [retell, vapi, twilio];
const CASES = TEST_DIALECTS.flatMap((dialect) =>
  PROVIDERS.map((p) => [dialect, p().name, p] as const),
);

describe.each(CASES)('%s: %s through the module', (dialect, _name, make) => {
  let t: LoopTestApp;
  let provider: ProviderUnderTest;
  let playbookId: string;
  afterEach(async () => {
    await t?.close();
    await provider?.close();
  });

  const start = async () => {
    provider = make();
    const late = new LateDialer();
    t = await createLoopTestApp(dialect, {}, { dialer: late }, 'express');
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    late.target = await provider.start(
      `http://127.0.0.1:${port}/campaign/webhooks/${provider.name}`,
    );
    playbookId = (
      await t.app.get(PlaybookService).register({
        accountId: t.accountId,
        name: `${provider.name} playbook`,
        provider: provider.config,
      })
    ).id;
  };
  const create = async (phones: string[], recall: number[]) =>
    (
      await t
        .post({
          playbook_id: playbookId,
          recall,
          contacts: phones.map((phone, i) => ({
            phone,
            first_name: `Ana ${i}`,
            custom_fields: { plan: 'pro' },
          })),
        })
        .expect(202)
    ).body.campaign_id as string;
  /** The provider call id of each phone's latest attempt. */
  const idsByPhone = async (phones: string[]) => {
    const rows = (await t.dataSource.query(
      `SELECT ct.phone, a.provider_call_id FROM campaign_call_attempts a
       JOIN campaign_calls c ON c.id = a.call_id
       JOIN campaign_contacts ct ON ct.id = c.contact_id`,
    )) as { phone: string; provider_call_id: string }[];
    return phones.map((p) => rows.find((r) => r.phone === p)!.provider_call_id);
  };
  /** Provider call ids the module stored, in dial order. */
  const providerIds = async () =>
    (
      await t.rows<{ provider_call_id: string; started_at: unknown }>(
        'campaign_call_attempts',
      )
    )
      .sort((a, b) => String(a.started_at).localeCompare(String(b.started_at)))
      .map((a) => a.provider_call_id);
  const status = async (id: string) =>
    (
      await t
        .http()
        .get(`/campaign/${id}`)
        .set('Authorization', `Bearer ${t.token}`)
        .expect(200)
    ).body as { status: string; calls: { by_status: Record<string, number> } };

  it('dials, takes the signed webhooks, retries on the recall schedule and completes', async () => {
    await start();
    provider.prepare('+34600000101', 'conversation');
    provider.prepare('+34600000102', 'no_answer');
    const id = await create(['+34600000101', '+34600000102'], [30]);
    expect(await t.round()).toMatchObject({ started: 2 });
    const phones = (await t.rows<{ id: string }>('campaign_calls')).length;
    expect(phones).toBe(2);
    const [first, second] = await idsByPhone(['+34600000101', '+34600000102']);
    expect(await provider.finish(first, 'conversation')).toContain(200);
    expect(await provider.finish(second, 'no_answer')).toContain(200);
    expect((await status(id)).calls.by_status).toMatchObject({
      retry_pending: 1,
    });
    // A provider retrying a delivered event: 2xx, nothing changes.
    expect(await provider.redeliver(first)).toBe(200);
    const before = await t.rows('campaign_call_attempts');

    t.clock.advance(30 * MINUTE);
    expect(await t.round()).toMatchObject({ started: 1 });
    const retry = (await providerIds()).find(
      (x) => x !== first && x !== second,
    )!;
    expect(await provider.finish(retry, 'no_answer')).toContain(200);
    const done = await status(id);
    expect(done.status).toBe('completed');
    expect(done.calls.by_status).toEqual(
      expect.objectContaining({ failed: 1 }),
    );
    expect((await t.rows('campaign_call_attempts')).length).toBe(
      before.length + 1,
    );

    const forged = await t
      .http()
      .post(`/campaign/webhooks/${provider.name}`)
      .set('Content-Type', 'application/json')
      .send({ event: 'call_ended', message: { type: 'end-of-call-report' } });
    expect(forged.status).toBe(401);
  });

  it('a 429 uses no attempt: the call is placed after Retry-After', async () => {
    await start();
    provider.rateLimit('+34600000201');
    await create(['+34600000201'], []);
    expect(await t.round()).toMatchObject({ started: 1 });
    expect(await t.count('campaign_call_attempts')).toBe(0);
    t.clock.advance(6_000);
    expect(await t.round()).toMatchObject({ started: 1 });
    const attempts = await t.rows<{ attempt_number: number | string }>(
      'campaign_call_attempts',
    );
    expect(attempts.map((a) => Number(a.attempt_number))).toEqual([1]);
  });

  it('reconciles a silent attempt from the provider instead of re-dialing it', async () => {
    await start();
    provider.prepare('+34600000301', 'silent');
    const id = await create(['+34600000301'], [1]);
    expect(await t.round()).toMatchObject({ started: 1 });
    const [call] = await providerIds();
    // The call ended at the provider, but no webhook ever reached the module.
    await provider.endSilently(call);
    t.clock.advance(31 * MINUTE);
    expect(await t.round()).toMatchObject({ interrupted: 1, started: 0 });
    expect(await providerIds()).toHaveLength(1);
    const done = await status(id);
    expect(done.status).toBe('completed');
    const [row] = await t.rows<{ last_outcome: string }>('campaign_calls');
    // The provider's own word for a conversation: never `interrupted`.
    expect(['completed', 'answered']).toContain(row.last_outcome);
    const [attempt] = await t.rows<{ details: unknown }>(
      'campaign_call_attempts',
    );
    expect(JSON.stringify(attempt.details)).toContain('reconciled');
  });
});
