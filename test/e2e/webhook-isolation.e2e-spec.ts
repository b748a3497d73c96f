import {
  CampaignEventRelayService,
  SimulatedDialer,
  WebhookDeliveryWorker,
  WebhookEndpointService,
} from '../../lib';
import { ALWAYS } from '../support/loop-test-app';
import {
  campaignEvent,
  enqueueEvents,
  eventually,
} from '../support/webhook-events';
import {
  hang,
  startWebhookTarget,
  type WebhookTarget,
} from '../support/webhook-target.server';
import { createTestApp, type TestApp } from '../support/test-app';
import { TEST_DIALECTS } from '../support/test-database';

/** Webhook delivery never slows the dialing loop: a receiver that hangs holds only the worker's own slots. */
describe.each(TEST_DIALECTS)(
  'webhooks beside the dialing loop (%s)',
  (dialect) => {
    let t: TestApp;
    let target: WebhookTarget;
    beforeAll(async () => {
      target = await startWebhookTarget();
      target.behave(hang);
      t = await createTestApp(dialect, {
        options: {
          dialer: new SimulatedDialer({ latencyMs: [1, 3] }),
          callingWindow: ALWAYS,
          callingRules: { builtIn: false },
          scheduler: { tickIntervalMs: 20 },
          webhooks: {
            allowHttp: true,
            allowPrivateTargets: true,
            pollIntervalMs: 20,
            maxPerEndpoint: 2,
            requestTimeoutMs: 60_000,
          },
        },
      });
    });
    afterAll(async () => {
      await t.close();
      await target.close();
    });

    it('keeps dialing while a receiver never answers, and shuts down at once', async () => {
      const endpoints = t.app.get(WebhookEndpointService);
      const worker = t.app.get(WebhookDeliveryWorker);
      const endpoint = await endpoints.create(t.accountId, {
        url: target.url(),
      });
      const backlog = Array.from({ length: 40 }, () =>
        campaignEvent(t.accountId),
      );
      await enqueueEvents(t.app, t.dataSource, backlog);
      await eventually(() => target.open === 2);

      const created = await t.post({
        playbook_id: t.playbookId,
        contacts: [
          '+34612345001',
          '+34612345002',
          '+34612345003',
          '+34612345004',
        ].map((phone) => ({ phone })),
        recall: [],
      });
      expect(created.status).toBe(202);
      const id = created.body.campaign_id as string;
      const done = await eventually(async () => {
        const res = await t
          .http()
          .get(`/campaign/${id}`)
          .set('Authorization', `Bearer ${t.token}`);
        return res.body.status === 'completed' ? res.body : null;
      });
      expect(done.status).toBe('completed');
      // The two hanging requests are still there, the other deliveries wait.
      expect(worker.requestsInFlight).toBe(2);
      expect(target.received).toHaveLength(2);
      // The campaign's own events (from the outbox) queue behind them too.
      await t.app.get(CampaignEventRelayService).drain();
      const page = (await endpoints.listDeliveries(t.accountId, endpoint.id, {
        limit: 100,
      }))!;
      const ids = new Set(backlog.map((e) => e.id));
      const queued = page.data.filter((d) => ids.has(d.event_id));
      expect(queued).toHaveLength(40);
      expect(queued.every((d) => d.status === 'pending')).toBe(true);
      expect(
        page.data.filter((d) => d.campaign_id === id).map((d) => d.status),
      ).toEqual(expect.arrayContaining(['pending']));
      expect(
        page.data.filter((d) => d.status !== 'pending' && !ids.has(d.event_id)),
      ).toEqual([]);

      // Another endpoint is served meanwhile: the hanging one's backlog does not hold it up.
      const healthy = await startWebhookTarget();
      try {
        // The campaign's last events handed to the fan-out first: the new
        // endpoint gets only what is written after it.
        await t.app.get(CampaignEventRelayService).drain();
        await endpoints.create(t.accountId, { url: healthy.url() });
        const more = Array.from({ length: 3 }, () =>
          campaignEvent(t.accountId),
        );
        await enqueueEvents(t.app, t.dataSource, more);
        await eventually(() => healthy.received.length >= 3);
        expect(
          new Set(healthy.received.map((r) => r.headers['webhook-id'])),
        ).toEqual(new Set(more.map((e) => e.id)));
        expect(target.received).toHaveLength(2);
      } finally {
        await healthy.close();
      }
    });
  },
);
