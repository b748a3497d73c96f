import { Webhook } from 'standardwebhooks';
import {
  ApiTokenService,
  WebhookDeliveryWorker,
  WebhookEndpointService,
} from '../../lib';
import { buildCampaignOpenApiDocument } from '../../sample-app/openapi';
import { FakeClock } from '../support/fake-clock';
import { campaignEvent, enqueueEvents } from '../support/webhook-events';
import {
  answer,
  startWebhookTarget,
  type WebhookTarget,
} from '../support/webhook-target.server';
import { createTestApp, httpMatrix, type TestApp } from '../support/test-app';
import { TEST_DIALECTS } from '../support/test-database';

describe.each(httpMatrix(TEST_DIALECTS))(
  'webhook endpoint routes (%s, %s)',
  (dialect, platform) => {
    let t: TestApp;
    let target: WebhookTarget;
    let otherToken: string;
    const clock = new FakeClock(new Date('2026-03-02T10:00:00.000Z'));
    const lookup = (
      hostname: string,
      _options: unknown,
      callback: (
        error: NodeJS.ErrnoException | null,
        addresses: { address: string; family: number }[],
      ) => void,
    ) =>
      hostname === 'hooks.example.com'
        ? callback(null, [{ address: '93.184.216.34', family: 4 }])
        : hostname === 'internal.test'
          ? callback(null, [{ address: '10.0.0.7', family: 4 }])
          : callback(
              Object.assign(new Error('not found'), { code: 'ENOTFOUND' }),
              [],
            );

    beforeAll(async () => {
      target = await startWebhookTarget();
      t = await createTestApp(dialect, {
        platform,
        options: {
          clock,
          webhooks: {
            allowHttp: true,
            allowPrivateTargets: ['127.0.0.1/32'],
            lookup,
            pollIntervalMs: 3_600_000,
            maxEndpointsPerAccount: 5,
          },
        },
      });
      otherToken = (
        await t.app.get(ApiTokenService).issue('acct-other', { name: 'other' })
      ).token;
    });
    afterAll(async () => {
      await t.close();
      await target.close();
    });
    afterEach(async () => {
      const service = t.app.get(WebhookEndpointService);
      for (const account of [t.accountId, 'acct-other']) {
        for (const e of await service.list(account)) {
          await service.remove(account, e.id);
        }
      }
    });

    const as = (token: string) => ({
      get: (path: string) =>
        t
          .http()
          .get(`/campaign${path}`)
          .set('Authorization', `Bearer ${token}`),
      post: (path: string, body?: object) => {
        const r = t
          .http()
          .post(`/campaign${path}`)
          .set('Authorization', `Bearer ${token}`);
        return body === undefined ? r : r.send(body);
      },
      patch: (path: string, body: unknown) =>
        t
          .http()
          .patch(`/campaign${path}`)
          .set('Authorization', `Bearer ${token}`)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body)),
      delete: (path: string) =>
        t
          .http()
          .delete(`/campaign${path}`)
          .set('Authorization', `Bearer ${token}`),
    });
    const me = () => as(t.token);
    const endpointCount = async () => t.count('campaign_webhook_endpoints');

    it('documents every route in the OpenAPI document', () => {
      const doc = buildCampaignOpenApiDocument(t.app);
      const ops = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
      expect(ops('/campaign/webhook-endpoints')).toEqual(['get', 'post']);
      expect(ops('/campaign/webhook-endpoints/{id}')).toEqual([
        'delete',
        'get',
        'patch',
      ]);
      expect(ops('/campaign/webhook-endpoints/{id}/enable')).toEqual(['post']);
      expect(ops('/campaign/webhook-endpoints/{id}/rotate-secret')).toEqual([
        'post',
      ]);
      expect(ops('/campaign/webhook-endpoints/{id}/deliveries')).toEqual([
        'get',
      ]);
      expect(
        ops(
          '/campaign/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver',
        ),
      ).toEqual(['post']);
      expect(doc.components?.schemas?.CreateWebhookEndpointDto).toBeDefined();
      expect(doc.components?.schemas?.WebhookDeliveryPageDto).toBeDefined();
    });

    it('needs a token', async () => {
      const res = await t.http().get('/campaign/webhook-endpoints');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('creates, lists, reads, changes and deletes an endpoint; the secret is shown once', async () => {
      const created = await me().post('/webhook-endpoints', {
        url: target.url(),
        events: ['campaign.completed', 'call.finished'],
        description: '  CRM  ',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        url: target.url(),
        events: ['campaign.completed', 'call.finished'],
        description: 'CRM',
        enabled: true,
        disabled_at: null,
        disabled_reason: null,
        failing_since: null,
      });
      expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(
        created.body.secret.startsWith(created.body.secret_hint.slice(0, -1)),
      ).toBe(true);
      const id = created.body.id as string;

      const list = await me().get('/webhook-endpoints');
      expect(list.status).toBe(200);
      expect(list.body.data).toHaveLength(1);
      expect(list.body.data[0]).not.toHaveProperty('secret');
      expect(JSON.stringify(list.body)).not.toContain(created.body.secret);

      const one = await me().get(`/webhook-endpoints/${id}`);
      expect(one.status).toBe(200);
      expect(one.body).not.toHaveProperty('secret');
      expect(one.body.id).toBe(id);

      const changed = await me().patch(`/webhook-endpoints/${id}`, {
        events: ['call.attempt.finished'],
        description: null,
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        events: ['call.attempt.finished'],
        description: null,
      });

      const rotated = await me().post(`/webhook-endpoints/${id}/rotate-secret`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(created.body.secret);

      const deleted = await me().delete(`/webhook-endpoints/${id}`);
      expect(deleted.status).toBe(204);
      expect((await me().get(`/webhook-endpoints/${id}`)).status).toBe(404);
      expect((await me().delete(`/webhook-endpoints/${id}`)).status).toBe(404);
    });

    it('defaults to every event type', async () => {
      const res = await me().post('/webhook-endpoints', { url: target.url() });
      expect(res.status).toBe(201);
      expect(res.body.events).toEqual([
        'campaign.created',
        'campaign.started',
        'campaign.paused',
        'campaign.resumed',
        'campaign.cancelled',
        'campaign.completed',
        'call.attempt.finished',
        'call.finished',
      ]);
    });

    it.each([
      [
        'a host resolving to a private address',
        { url: 'https://internal.test/hooks' },
        'url',
        /resolves to a non-public address \(10\.0\.0\.7\)/,
      ],
      [
        'loopback outside the allowed list',
        { url: 'https://127.0.0.2/hooks' },
        'url',
        /non-public address/,
      ],
      [
        'the cloud metadata address',
        { url: 'https://169.254.169.254/latest' },
        'url',
        /non-public address/,
      ],
      ['IPv6 loopback', { url: 'https://[::1]/' }, 'url', /non-public address/],
      [
        'a private IPv4',
        { url: 'https://10.0.0.1/' },
        'url',
        /non-public address/,
      ],
      [
        'a host that does not resolve',
        { url: 'https://nowhere.invalid/' },
        'url',
        /could not be resolved/,
      ],
      ['another scheme', { url: 'ftp://hooks.example.com/' }, 'url', /https/],
      ['not a URL', { url: 'not a url' }, 'url', /absolute/],
      [
        'a URL too long',
        { url: `https://hooks.example.com/${'a'.repeat(2050)}` },
        'url',
        /2048/,
      ],
      ['a number as URL', { url: 42 }, 'url', /string/],
      ['no URL', {}, 'url', /./],
      [
        'no events',
        { url: 'https://hooks.example.com/', events: [] },
        'events',
        /empty/,
      ],
      [
        'an unknown event type',
        { url: 'https://hooks.example.com/', events: ['call.started'] },
        'events',
        /must be one of/,
      ],
      [
        'events not a list',
        { url: 'https://hooks.example.com/', events: 'campaign.created' },
        'events',
        /array/,
      ],
      [
        'a description too long',
        { url: 'https://hooks.example.com/', description: 'x'.repeat(501) },
        'description',
        /500/,
      ],
      [
        'an unknown field',
        { url: 'https://hooks.example.com/', secret: 'mine' },
        'secret',
        /not a known field/,
      ],
      [
        'a prototype key',
        { url: 'https://hooks.example.com/', constructor: 1 },
        'constructor',
        /not an allowed key/,
      ],
    ])(
      '400 naming the field for %s, nothing written',
      async (_, body, field, message) => {
        const res = await me().post('/webhook-endpoints', body);
        expect(res.status).toBe(400);
        const messages = (
          res.body.errors as { field: string; message: string }[]
        )
          .filter((e) => e.field === field)
          .map((e) => e.message)
          .join('; ');
        expect(messages).toMatch(message);
        expect(await endpointCount()).toBe(0);
      },
    );

    it('4xx, never 500, for a malformed body, a wrong content type or an array', async () => {
      const malformed = await me()
        .post('/webhook-endpoints')
        .set('Content-Type', 'application/json')
        .send('{"url":');
      expect(malformed.status).toBe(400);
      const text = await me()
        .post('/webhook-endpoints')
        .set('Content-Type', 'text/plain')
        .send('url=x');
      expect(text.status).toBe(415);
      const array = await me().post('/webhook-endpoints', [target.url()]);
      expect(array.status).toBe(400);
      const emptyPatch = await me().patch(
        '/webhook-endpoints/00000000-0000-4000-8000-000000000000',
        {},
      );
      expect(emptyPatch.status).toBe(400);
      expect(await endpointCount()).toBe(0);
    });

    it('caps the endpoints of an account', async () => {
      for (let i = 0; i < 5; i++) {
        expect(
          (await me().post('/webhook-endpoints', { url: target.url() })).status,
        ).toBe(201);
      }
      const res = await me().post('/webhook-endpoints', { url: target.url() });
      expect(res.status).toBe(409);
      expect(await endpointCount()).toBe(5);
    });

    it("another account's endpoint is not found, whatever the route", async () => {
      const mine = await me().post('/webhook-endpoints', { url: target.url() });
      const id = mine.body.id as string;
      const other = as(otherToken);
      expect((await other.get(`/webhook-endpoints/${id}`)).status).toBe(404);
      expect(
        (await other.patch(`/webhook-endpoints/${id}`, { enabled: false }))
          .status,
      ).toBe(404);
      expect((await other.delete(`/webhook-endpoints/${id}`)).status).toBe(404);
      expect((await other.post(`/webhook-endpoints/${id}/enable`)).status).toBe(
        404,
      );
      expect(
        (await other.post(`/webhook-endpoints/${id}/rotate-secret`)).status,
      ).toBe(404);
      expect(
        (await other.get(`/webhook-endpoints/${id}/deliveries`)).status,
      ).toBe(404);
      expect((await other.get('/webhook-endpoints')).body.data).toEqual([]);
      expect((await me().get(`/webhook-endpoints/${id}`)).body.enabled).toBe(
        true,
      );
      expect((await me().get('/webhook-endpoints/not-a-uuid')).status).toBe(
        404,
      );
    });

    it('serves the delivery log, pages it, and redelivers an event with the same webhook-id', async () => {
      const created = await me().post('/webhook-endpoints', {
        url: target.url(),
      });
      const id = created.body.id as string;
      const events = [1, 2, 3].map(() => campaignEvent(t.accountId));
      target.behave(answer(500));
      await enqueueEvents(t.app, t.dataSource, events, clock.time);
      const worker = t.app.get(WebhookDeliveryWorker);
      await worker.deliverDue();
      target.behave(answer(200));
      clock.advance(10_000);
      await worker.deliverDue();

      const page1 = await me().get(
        `/webhook-endpoints/${id}/deliveries?limit=2`,
      );
      expect(page1.status).toBe(200);
      expect(page1.body.data).toHaveLength(2);
      expect(page1.body.next_cursor).toEqual(expect.any(String));
      const page2 = await me().get(
        `/webhook-endpoints/${id}/deliveries?limit=2&cursor=${encodeURIComponent(page1.body.next_cursor)}`,
      );
      expect(page2.body.data).toHaveLength(1);
      expect(page2.body.next_cursor).toBeNull();
      const all = [...page1.body.data, ...page2.body.data];
      expect(new Set(all.map((d: { event_id: string }) => d.event_id))).toEqual(
        new Set(events.map((e) => e.id)),
      );
      for (const d of all) {
        expect(d.status).toBe('delivered');
        expect(d.tries).toEqual([
          expect.objectContaining({
            attempt: 1,
            status_code: 500,
            result: 'http_error',
            error: 'HTTP 500',
            latency_ms: expect.any(Number),
            attempted_at: expect.any(String),
          }),
          expect.objectContaining({
            attempt: 2,
            status_code: 200,
            result: 'success',
            error: null,
          }),
        ]);
      }
      const delivered = await me().get(
        `/webhook-endpoints/${id}/deliveries?status=delivered`,
      );
      expect(delivered.body.data).toHaveLength(3);
      const bad = await me().get(
        `/webhook-endpoints/${id}/deliveries?status=lost&limit=0&cursor=zz&x=1`,
      );
      expect(bad.status).toBe(400);
      expect(
        bad.body.errors.map((e: { field: string }) => e.field).sort(),
      ).toEqual(['cursor', 'limit', 'status', 'x']);

      const original = all[0] as { id: string; event_id: string };
      target.received.length = 0;
      const again = await me().post(
        `/webhook-endpoints/${id}/deliveries/${original.id}/redeliver`,
      );
      expect(again.status).toBe(202);
      expect(again.body).toMatchObject({
        event_id: original.event_id,
        status: 'pending',
        redelivery_of: original.id,
      });
      await worker.deliverDue();
      expect(target.received).toHaveLength(1);
      expect(target.received[0].headers['webhook-id']).toBe(original.event_id);
      // Rotation: for 24 h both secrets sign, then only the new one.
      const oldSecret = created.body.secret as string;
      const secret = (await me().post(`/webhook-endpoints/${id}/rotate-secret`))
        .body.secret as string;
      const redeliverAndVerify = async (key: string) => {
        await me().post(
          `/webhook-endpoints/${id}/deliveries/${original.id}/redeliver`,
        );
        await worker.deliverDue();
        const last = target.received[target.received.length - 1];
        return () =>
          new Webhook(key).verify(last.body, {
            'webhook-id': String(last.headers['webhook-id']),
            'webhook-timestamp': String(last.headers['webhook-timestamp']),
            'webhook-signature': String(last.headers['webhook-signature']),
          });
      };
      expect(await redeliverAndVerify(secret)).not.toThrow();
      expect(await redeliverAndVerify(oldSecret)).not.toThrow();
      clock.advance(24 * 60 * 60_000 + 1_000);
      expect(await redeliverAndVerify(secret)).not.toThrow();
      expect(await redeliverAndVerify(oldSecret)).toThrow(/signature/i);
      expect(
        (
          await me().post(
            `/webhook-endpoints/${id}/deliveries/00000000-0000-4000-8000-000000000000/redeliver`,
          )
        ).status,
      ).toBe(404);
    });

    it('disables and re-enables through the API (PATCH enabled and POST enable)', async () => {
      const created = await me().post('/webhook-endpoints', {
        url: target.url(),
      });
      const id = created.body.id as string;
      const off = await me().patch(`/webhook-endpoints/${id}`, {
        enabled: false,
      });
      expect(off.body).toMatchObject({
        enabled: false,
        disabled_reason: 'manual',
      });
      await enqueueEvents(
        t.app,
        t.dataSource,
        [campaignEvent(t.accountId)],
        clock.time,
      );
      expect(t.app.get(WebhookDeliveryWorker)).toBeDefined();
      const redeliverDisabled = await me().get(
        `/webhook-endpoints/${id}/deliveries`,
      );
      expect(redeliverDisabled.body.data).toEqual([]);
      const on = await me().patch(`/webhook-endpoints/${id}`, {
        enabled: true,
      });
      expect(on.body).toMatchObject({ enabled: true, disabled_reason: null });
      await me().patch(`/webhook-endpoints/${id}`, { enabled: false });
      const enabled = await me().post(`/webhook-endpoints/${id}/enable`);
      expect(enabled.status).toBe(200);
      expect(enabled.body.enabled).toBe(true);
      const bad = await me().patch(`/webhook-endpoints/${id}`, {
        enabled: 'yes',
        url: 'https://10.1.1.1/',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
        'enabled',
      ]);
      const badUrl = await me().patch(`/webhook-endpoints/${id}`, {
        url: 'https://10.1.1.1/',
      });
      expect(badUrl.status).toBe(400);
      expect(badUrl.body.errors[0].field).toBe('url');
      expect((await me().get(`/webhook-endpoints/${id}`)).body.url).toBe(
        target.url(),
      );
    });
  },
);
