import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { Webhook } from 'standardwebhooks';
import {
  CampaignRetentionService,
  WebhookDeliveryWorker,
  WebhookEndpointService,
  type WebhookEndpointDisabledEvent,
  type WebhookLookupFunction,
} from '../../lib';
import { InvalidCampaignRequestException } from '../../lib/validation/field-problem';
import { FakeClock } from '../support/fake-clock';
import { campaignEvent, enqueueEvents } from '../support/webhook-events';
import {
  answer,
  endlessBody,
  hang,
  redirectLoop,
  startWebhookTarget,
  type WebhookTarget,
} from '../support/webhook-target.server';
import { createTestApp, type TestApp } from '../support/test-app';
import { TEST_DIALECTS } from '../support/test-database';

const SECOND = 1_000;
const HOUR = 60 * 60 * SECOND;
const DAY = 24 * HOUR;

describe.each(TEST_DIALECTS)('webhook delivery (%s)', (dialect) => {
  let t: TestApp;
  let target: WebhookTarget;
  let clock: FakeClock;
  let registry: Registry;
  let endpoints: WebhookEndpointService;
  let worker: WebhookDeliveryWorker;

  beforeAll(async () => {
    clock = new FakeClock(new Date('2026-03-02T10:00:00.000Z'));
    registry = new Registry();
    target = await startWebhookTarget();
    t = await createTestApp(dialect, {
      options: {
        clock,
        metrics: { registry },
        webhooks: {
          allowPrivateTargets: ['127.0.0.1'],
          allowHttp: true,
          // The tests poll by hand (deliverDue).
          pollIntervalMs: 3_600_000,
          requestTimeoutMs: 400,
          maxResponseBytes: 16 * 1024,
        },
      },
    });
    endpoints = t.app.get(WebhookEndpointService);
    worker = t.app.get(WebhookDeliveryWorker);
  });
  afterAll(async () => {
    await t.close();
    await target.close();
  });
  beforeEach(() => {
    target.behave(answer(204));
    target.received.length = 0;
  });
  afterEach(async () => {
    for (const e of await endpoints.list(t.accountId)) {
      await endpoints.remove(t.accountId, e.id);
    }
  });

  const register = (
    events?: Parameters<typeof endpoints.create>[1]['events'],
  ) => endpoints.create(t.accountId, { url: target.url(), events });
  const deliveriesOf = async (endpointId: string) =>
    (await endpoints.listDeliveries(t.accountId, endpointId))!.data;
  const metric = async (name: string, labels: Record<string, string>) => {
    const found = (await registry.getSingleMetric(name)?.get())?.values.find(
      (v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l),
    );
    return found?.value ?? 0;
  };

  it("delivers a signed body that the specification's reference code verifies", async () => {
    const endpoint = await register();
    const event = campaignEvent(t.accountId, {
      type: 'call.finished',
      callId: '0b8a4a4e-5e1c-4a51-9a3c-7f6f1d2e3c4b',
      status: 'completed',
      outcome: 'answered',
      attempts: [
        {
          attempt: 1,
          startedAt: new Date('2026-03-01T09:59:00.000Z'),
          endedAt: new Date('2026-03-01T10:00:00.000Z'),
          outcome: 'answered',
          providerCallId: 'CA123',
        },
      ],
    });
    await enqueueEvents(t.app, t.dataSource, [event], clock.time);
    expect(await worker.deliverDue()).toBe(1);
    expect(target.received).toHaveLength(1);
    const [request] = target.received;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toBe(event.id);
    const verified = new Webhook(endpoint.secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    expect(verified).toEqual({
      type: 'call.finished',
      timestamp: '2026-03-01T10:00:00.000Z',
      data: {
        id: event.id,
        sequence: event.sequence,
        campaign_id: event.campaignId,
        account_id: t.accountId,
        call_id: '0b8a4a4e-5e1c-4a51-9a3c-7f6f1d2e3c4b',
        status: 'completed',
        outcome: 'answered',
        attempts: [
          {
            attempt: 1,
            started_at: '2026-03-01T09:59:00.000Z',
            ended_at: '2026-03-01T10:00:00.000Z',
            outcome: 'answered',
            provider_call_id: 'CA123',
          },
        ],
      },
    });
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({
      event_id: event.id,
      event_type: 'call.finished',
      status: 'delivered',
      attempts: 1,
      last_status_code: 204,
      next_attempt_at: null,
    });
    expect(delivery.tries).toEqual([
      expect.objectContaining({
        attempt: 1,
        attempted_at: clock.time.toISOString(),
        result: 'success',
        status_code: 204,
        error: null,
      }),
    ]);
    expect(delivery.tries[0].latency_ms).toBeGreaterThanOrEqual(0);
    expect(
      await metric('campaign_webhook_attempts_total', { result: 'success' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('queues one delivery per subscribed, enabled endpoint of the account, once per event', async () => {
    const all = await register();
    const callsOnly = await register(['call.finished']);
    const disabled = await register();
    await endpoints.update(t.accountId, disabled.id, { enabled: false });
    const other = await endpoints.create('acct-other', { url: target.url() });
    const event = campaignEvent(t.accountId);
    await enqueueEvents(t.app, t.dataSource, [event], clock.time);
    // The relay may hand an event over again: nothing more is queued.
    await enqueueEvents(t.app, t.dataSource, [event], clock.time);
    expect(await deliveriesOf(all.id)).toHaveLength(1);
    expect(await deliveriesOf(callsOnly.id)).toHaveLength(0);
    expect(await deliveriesOf(disabled.id)).toHaveLength(0);
    expect(
      (await endpoints.listDeliveries('acct-other', other.id))!.data,
    ).toHaveLength(0);
    await worker.deliverDue();
    expect(target.received.map((r) => r.headers['webhook-id'])).toEqual([
      event.id,
    ]);
    await endpoints.remove('acct-other', other.id);
  });

  it('retries a 500 with exponential backoff, the same webhook-id each time', async () => {
    const endpoint = await register();
    const event = campaignEvent(t.accountId);
    target.behave(answer(500));
    await enqueueEvents(t.app, t.dataSource, [event], clock.time);
    await worker.deliverDue();
    let [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery.status).toBe('pending');
    const firstDelay =
      Date.parse(delivery.next_attempt_at!) - clock.time.getTime();
    expect(firstDelay).toBeGreaterThanOrEqual(2.5 * SECOND);
    expect(firstDelay).toBeLessThanOrEqual(5 * SECOND);
    // Not due yet: nothing is sent.
    expect(await worker.deliverDue()).toBe(0);
    clock.advance(firstDelay);
    await worker.deliverDue();
    [delivery] = await deliveriesOf(endpoint.id);
    const secondDelay =
      Date.parse(delivery.next_attempt_at!) - clock.time.getTime();
    expect(secondDelay).toBeGreaterThanOrEqual(5 * SECOND);
    expect(secondDelay).toBeLessThanOrEqual(10 * SECOND);
    target.behave(answer(200));
    clock.advance(secondDelay);
    await worker.deliverDue();
    [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery.status).toBe('delivered');
    expect(
      delivery.tries.map((x) => [x.attempt, x.status_code, x.result]),
    ).toEqual([
      [1, 500, 'http_error'],
      [2, 500, 'http_error'],
      [3, 200, 'success'],
    ]);
    expect(delivery.tries[0].error).toBe('HTTP 500');
    expect(
      new Set(target.received.map((r) => r.headers['webhook-id'])),
    ).toEqual(new Set([event.id]));
    expect(target.received).toHaveLength(3);
    expect(
      (await endpoints.get(t.accountId, endpoint.id))!.failing_since,
    ).toBeNull();
  });

  it('gives up after the retry window (at least 24 h) and marks the delivery failed', async () => {
    const endpoint = await register();
    target.behave(answer(503));
    const before = await metric('campaign_webhook_deliveries_total', {
      result: 'failed',
    });
    await enqueueEvents(
      t.app,
      t.dataSource,
      [campaignEvent(t.accountId)],
      clock.time,
    );
    const start = clock.time.getTime();
    await worker.deliverDue();
    for (let i = 0; i < 40; i++) {
      const [d] = await deliveriesOf(endpoint.id);
      if (d.status !== 'pending') break;
      clock.set(new Date(Date.parse(d.next_attempt_at!)));
      await worker.deliverDue();
    }
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery.status).toBe('failed');
    expect(delivery.next_attempt_at).toBeNull();
    const last = Date.parse(
      delivery.tries[delivery.tries.length - 1].attempted_at,
    );
    expect(last - start).toBeGreaterThanOrEqual(24 * HOUR);
    expect(last - start).toBeGreaterThanOrEqual(3 * DAY);
    expect(delivery.attempts).toBeGreaterThan(10);
    expect(
      await metric('campaign_webhook_deliveries_total', { result: 'failed' }),
    ).toBe(before + 1);
  });

  it('records a receiver that never answers as a timeout, and goes on', async () => {
    const endpoint = await register();
    target.behave(hang);
    await enqueueEvents(
      t.app,
      t.dataSource,
      [campaignEvent(t.accountId)],
      clock.time,
    );
    await worker.deliverDue();
    let [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery.tries[0]).toMatchObject({
      result: 'timeout',
      status_code: null,
      error: expect.stringMatching(/no complete answer within 400 ms/),
    });
    expect(worker.requestsInFlight).toBe(0);
    target.behave(answer(204));
    clock.set(new Date(Date.parse(delivery.next_attempt_at!)));
    await worker.deliverDue();
    [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery.status).toBe('delivered');
  });

  it('reads a huge answer only up to the limit and keeps none of it', async () => {
    const endpoint = await register();
    target.behave(endlessBody);
    await enqueueEvents(
      t.app,
      t.dataSource,
      [campaignEvent(t.accountId)],
      clock.time,
    );
    await worker.deliverDue();
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery.status).toBe('delivered');
    expect(delivery.tries[0]).toMatchObject({
      result: 'success',
      status_code: 200,
      error: null,
    });
    expect(JSON.stringify(delivery)).not.toContain('xxxx');
  });

  it('does not follow redirects: a redirect loop is one failed try', async () => {
    const endpoint = await register();
    target.behave(redirectLoop);
    await enqueueEvents(
      t.app,
      t.dataSource,
      [campaignEvent(t.accountId)],
      clock.time,
    );
    await worker.deliverDue();
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(target.received).toHaveLength(1);
    expect(delivery.status).toBe('pending');
    expect(delivery.tries[0]).toMatchObject({
      result: 'redirect',
      status_code: 302,
      error: expect.stringMatching(
        /redirect not followed \(Location: \/hooks\)/,
      ),
    });
  });

  it('disables an endpoint that failed for the whole stretch, tells listeners, and re-enables it', async () => {
    const endpoint = await register();
    const disabledEvents: WebhookEndpointDisabledEvent[] = [];
    const stop = endpoints.onEndpointDisabled((e) => disabledEvents.push(e));
    const warn = jest.spyOn(Logger.prototype, 'warn');
    target.behave(answer(500));
    const first = campaignEvent(t.accountId);
    await enqueueEvents(t.app, t.dataSource, [first], clock.time);
    const failingFrom = clock.time;
    await worker.deliverDue();
    expect((await endpoints.get(t.accountId, endpoint.id))!.failing_since).toBe(
      failingFrom.toISOString(),
    );
    // Four days later: failing, not yet for long enough.
    clock.advance(4 * DAY);
    await enqueueEvents(
      t.app,
      t.dataSource,
      [campaignEvent(t.accountId)],
      clock.time,
    );
    await worker.deliverDue();
    expect((await endpoints.get(t.accountId, endpoint.id))!.enabled).toBe(true);
    clock.advance(DAY + SECOND);
    await enqueueEvents(
      t.app,
      t.dataSource,
      [campaignEvent(t.accountId)],
      clock.time,
    );
    await worker.deliverDue();
    const disabled = (await endpoints.get(t.accountId, endpoint.id))!;
    expect(disabled).toMatchObject({
      enabled: false,
      disabled_reason: 'failing',
      failing_since: failingFrom.toISOString(),
    });
    expect(disabledEvents).toEqual([
      expect.objectContaining({
        type: 'webhook.endpoint.disabled',
        endpointId: endpoint.id,
        accountId: t.accountId,
        reason: 'failing',
        failingSince: failingFrom,
      }),
    ]);
    expect(
      await metric('campaign_webhook_endpoints_disabled_total', {
        reason: 'failing',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(
        new RegExp(
          `webhook endpoint ${endpoint.id} .* failed every try since ${failingFrom.toISOString()}: disabled`,
        ),
      ),
    );
    warn.mockRestore();
    // Disabled: new events queue nothing and nothing is sent.
    await enqueueEvents(
      t.app,
      t.dataSource,
      [campaignEvent(t.accountId)],
      clock.time,
    );
    expect(await deliveriesOf(endpoint.id)).toHaveLength(3);
    clock.advance(HOUR);
    const sent = target.received.length;
    await worker.deliverDue();
    expect(target.received).toHaveLength(sent);

    target.behave(answer(204));
    // Re-enabled through the API.
    const enabled = await t
      .http()
      .post(`/campaign/webhook-endpoints/${endpoint.id}/enable`)
      .set('Authorization', `Bearer ${t.token}`);
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({
      enabled: true,
      disabled_reason: null,
      failing_since: null,
    });
    await worker.deliverDue();
    const after = await deliveriesOf(endpoint.id);
    expect(after.map((d) => d.status)).toEqual([
      'delivered',
      'delivered',
      'delivered',
    ]);
    expect(
      target.received.slice(sent).map((r) => r.headers['webhook-id']),
    ).toContain(first.id);
    stop();
  });

  it('disables an endpoint that answers 410 Gone at once', async () => {
    const endpoint = await register();
    target.behave(answer(410));
    await enqueueEvents(
      t.app,
      t.dataSource,
      [campaignEvent(t.accountId)],
      clock.time,
    );
    await worker.deliverDue();
    expect(await endpoints.get(t.accountId, endpoint.id)).toMatchObject({
      enabled: false,
      disabled_reason: 'gone',
    });
  });

  it('retention deletes the deliveries of a deleted campaign, with their log', async () => {
    const endpoint = await register();
    const created = await t.post({
      playbook_id: t.playbookId,
      contacts: [{ phone: '+34612345678' }],
    });
    const campaignId = created.body.campaign_id as string;
    const cancelled = await t
      .http()
      .post(`/campaign/${campaignId}/cancel`)
      .set('Authorization', `Bearer ${t.token}`);
    expect(cancelled.body.status).toBe('cancelled');
    await t.dataSource.query(
      `UPDATE campaigns SET updated_at = ${dialect === 'postgres' ? '$1' : '?'}`,
      [
        dialect === 'postgres'
          ? new Date('2026-01-01T00:00:00Z')
          : '2026-01-01 00:00:00.000',
      ],
    );
    const kept = campaignEvent(t.accountId);
    await enqueueEvents(
      t.app,
      t.dataSource,
      [campaignEvent(t.accountId, { campaignId }), kept],
      clock.time,
    );
    await worker.deliverDue();
    expect(await t.count('campaign_webhook_attempts')).toBeGreaterThanOrEqual(
      2,
    );
    const result = await t.app
      .get(CampaignRetentionService)
      .purge({ olderThanDays: 30 });
    expect(result.campaigns).toBe(1);
    const left = await deliveriesOf(endpoint.id);
    expect(left.map((d) => d.event_id)).toEqual([kept.id]);
    expect(left[0].tries).toHaveLength(1);
  });

  it('refuses a loopback URL at registration when the host has not allowed it', async () => {
    await expect(
      endpoints.create(t.accountId, { url: 'http://127.0.0.2:9/hooks' }),
    ).rejects.toBeInstanceOf(InvalidCampaignRequestException);
  });
});

describe.each(TEST_DIALECTS)('webhook SSRF at connect time (%s)', (dialect) => {
  let t: TestApp;
  let target: WebhookTarget;
  let lookups = 0;
  const clock = new FakeClock(new Date('2026-03-02T10:00:00.000Z'));
  // Public at registration, loopback at connect: DNS rebinding.
  const lookup: WebhookLookupFunction = (hostname, _options, callback) => {
    lookups++;
    if (hostname !== 'rebind.test') return callback(new Error('ENOTFOUND'), []);
    callback(null, [
      { address: lookups === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 },
    ]);
  };
  beforeAll(async () => {
    target = await startWebhookTarget();
    t = await createTestApp(dialect, {
      options: {
        clock,
        webhooks: { allowHttp: true, lookup, pollIntervalMs: 3_600_000 },
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await target.close();
  });

  it('refuses the connection when the host resolves to loopback by then', async () => {
    const endpoints = t.app.get(WebhookEndpointService);
    const endpoint = await endpoints.create(t.accountId, {
      url: `http://rebind.test:${target.port}/hooks`,
    });
    await enqueueEvents(
      t.app,
      t.dataSource,
      [campaignEvent(t.accountId)],
      clock.time,
    );
    await t.app.get(WebhookDeliveryWorker).deliverDue();
    const [delivery] = (await endpoints.listDeliveries(
      t.accountId,
      endpoint.id,
    ))!.data;
    expect(delivery.tries[0]).toMatchObject({
      result: 'blocked',
      status_code: null,
      error: expect.stringMatching(/non-public address \(127\.0\.0\.1\)/),
    });
    expect(target.received).toHaveLength(0);
    expect(lookups).toBe(2);
  });
});
