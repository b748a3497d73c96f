/**
 * A campaign followed from a CRM: its events travel from the outbox to the
 * webhook endpoints of its account, signed (checked with the Standard
 * Webhooks reference code), ordered by `sequence`, `webhook-id` the event id;
 * an endpoint that subscribed to `call.finished` gets only those, with the
 * call's attempts; another account's endpoint gets nothing; a receiver that
 * was down gets them once it is back.
 */
import { Webhook } from 'standardwebhooks';
import {
  ApiTokenService,
  CampaignEventRelayService,
  PlaybookService,
  WebhookDeliveryWorker,
  WebhookEndpointService,
} from '../../lib';
import { createLoopTestApp, type LoopTestApp } from '../support/loop-test-app';
import {
  answer,
  startWebhookTarget,
  type WebhookTarget,
} from '../support/webhook-target.server';
import { TEST_DIALECTS } from '../support/test-database';

interface Body {
  type: string;
  timestamp: string;
  data: {
    id: string;
    sequence: number;
    campaign_id: string;
    account_id: string;
    call_id?: string;
    status?: string;
    attempts?: { attempt: number; outcome: string | null }[];
  };
}

describe.each(TEST_DIALECTS)('webhooks from campaigns (%s)', (dialect) => {
  let t: LoopTestApp;
  let all: WebhookTarget;
  let finishedOnly: WebhookTarget;
  let other: WebhookTarget;

  beforeAll(async () => {
    [all, finishedOnly, other] = await Promise.all([
      startWebhookTarget(),
      startWebhookTarget(),
      startWebhookTarget(),
    ]);
    t = await createLoopTestApp(
      dialect,
      { '+34600000001': ['no_answer', 'answered'] },
      {
        webhooks: {
          allowPrivateTargets: ['127.0.0.1'],
          allowHttp: true,
          // Delivered by hand below (deliverDue), not on a timer.
          pollIntervalMs: 3_600_000,
        },
        scheduler: { enabled: true, tickIntervalMs: 3_600_000 },
      },
    );
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([all, finishedOnly, other].map((x) => x?.close()));
  });

  const deliver = async () => {
    await t.app.get(CampaignEventRelayService).drain();
    await t.app.get(WebhookDeliveryWorker).deliverDue();
  };
  const bodies = (target: WebhookTarget) =>
    target.received.map((r) => JSON.parse(r.body) as Body);

  it('delivers the campaign story to its account, signed and in sequence', async () => {
    const endpoints = t.app.get(WebhookEndpointService);
    const a = await endpoints.create(t.accountId, { url: all.url() });
    const f = await endpoints.create(t.accountId, {
      url: finishedOnly.url(),
      events: ['call.finished'],
    });
    const otherAccount = 'acct-other';
    await t.app.get(ApiTokenService).issue(otherAccount, { name: 'other' });
    await t.app
      .get(PlaybookService)
      .register({ accountId: otherAccount, name: 'Other' });
    await endpoints.create(otherAccount, { url: other.url() });

    // The first receiver is down at first: 503, then it comes back.
    all.behave(answer(503));
    const id = (
      await t
        .post({
          playbook_id: t.playbookId,
          recall: [1],
          contacts: [{ phone: '+34600000001' }, { phone: '+34600000002' }],
        })
        .expect(202)
    ).body.campaign_id as string;
    await t.round();
    t.clock.advance(2 * 60_000);
    await t.round();
    await deliver();
    expect(all.received.length).toBeGreaterThan(0);
    all.behave(answer(204));
    all.received.length = 0;
    // Every retry is due within the backoff's first steps.
    for (let i = 0; i < 10 && all.received.length < 8; i++) {
      t.clock.advance(60 * 60_000);
      await deliver();
    }

    const story = bodies(all).sort((x, y) => x.data.sequence - y.data.sequence);
    expect(story.map((b) => b.data.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(story[0].type).toBe('campaign.created');
    expect(story[1].type).toBe('campaign.started');
    expect(story[story.length - 1].type).toBe('campaign.completed');
    expect(story.every((b) => b.data.campaign_id === id)).toBe(true);
    expect(new Set(story.map((b) => b.data.id)).size).toBe(8);
    const verifier = new Webhook(a.secret);
    for (const request of all.received) {
      const body = verifier.verify(request.body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      }) as Body;
      expect(request.headers['webhook-id']).toBe(body.data.id);
    }

    const finished = bodies(finishedOnly);
    expect(finished.map((b) => b.type)).toEqual([
      'call.finished',
      'call.finished',
    ]);
    const retried = finished.find((b) => b.data.attempts?.length === 2);
    expect(retried?.data).toMatchObject({
      status: 'answered',
      attempts: [
        { attempt: 1, outcome: 'no_answer' },
        { attempt: 2, outcome: 'answered' },
      ],
    });
    const fVerifier = new Webhook(f.secret);
    for (const request of finishedOnly.received) {
      expect(() =>
        fVerifier.verify(request.body, {
          'webhook-id': String(request.headers['webhook-id']),
          'webhook-timestamp': String(request.headers['webhook-timestamp']),
          'webhook-signature': String(request.headers['webhook-signature']),
        }),
      ).not.toThrow();
    }
    expect(other.received).toEqual([]);

    // The delivery log shows the refused tries, then the delivered one.
    const log = await endpoints.listDeliveries(t.accountId, a.id);
    const created = log!.data.find((d) => d.event_type === 'campaign.created');
    expect(created?.status).toBe('delivered');
    expect(created?.tries.map((x) => x.status_code)).toEqual(
      expect.arrayContaining([503, 204]),
    );
  });
});
