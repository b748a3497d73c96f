/**
 * The outbox: events are written with the change they report and delivered
 * after the commit, at least once, by one replica at a time.
 *
 * - On both databases: an app whose relay is off commits events and goes
 *   away; another app on the same database delivers them all, numbered per
 *   campaign, `call.finished` with its attempts.
 * - On PostgreSQL, replicas in their own processes (test/support/replica-main.ts,
 *   each appending the events it gets to a log): one is killed (kill -9)
 *   between getting `campaign.completed` and marking it delivered; another
 *   delivers it again with the same id and sequence, and nothing is lost.
 *   Two replicas competing deliver each event once.
 */
import { readFileSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import {
  CampaignEventRelayService,
  CampaignEventsService,
  WebhookEndpointService,
  type DurableCampaignEvent,
} from '../../lib';
import {
  startWebhookTarget,
  type WebhookTarget,
} from '../support/webhook-target.server';
import { waitUntil, type RowQuery } from '../support/campaign-run-checks';
import { createLoopTestApp } from '../support/loop-test-app';
import type { ReplicaEventLine } from '../support/replica-config';
import { ReplicaProcess } from '../support/replica-process';
import { ScaledClock, zoneAtLocalHour } from '../support/scaled-clock';
import { seedCampaigns } from '../support/seed-campaigns';
import { createTestApp, type TestApp } from '../support/test-app';
import {
  createTestDatabase,
  TEST_DIALECTS,
  type TestDatabase,
} from '../support/test-database';

const FACTOR = 600;

describe.each(TEST_DIALECTS)('outbox (%s)', (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('events committed by an app that never delivered them are delivered by the next one, numbered per campaign', async () => {
    database = await createTestDatabase(dialect);
    const first = await createLoopTestApp(
      dialect,
      { '+34600000001': ['no_answer', 'answered'] },
      { events: { relay: false } },
      undefined,
      [],
      {},
      database,
    );
    const seen: DurableCampaignEvent[] = [];
    first.app.get(CampaignEventsService).subscribe((e) => {
      if ('sequence' in e) seen.push(e);
    });
    const id = (
      await first
        .post({
          playbook_id: first.playbookId,
          recall: [1],
          contacts: [{ phone: '+34600000001' }, { phone: '+34600000002' }],
        })
        .expect(202)
    ).body.campaign_id as string;
    await first.round();
    first.clock.advance(2 * 60_000);
    await first.round();
    expect(await first.app.get(CampaignEventRelayService).drain()).toBe(0);
    expect(seen).toEqual([]);
    const { pending, oldestAt } = await first.app
      .get(CampaignEventRelayService)
      .backlog();
    expect(pending).toBe(8);
    expect(oldestAt).toBeInstanceOf(Date);
    await first.close();

    const next = await createTestApp(dialect, {
      database,
      // Only the drain below delivers (no poll while subscribing).
      options: {
        scheduler: { enabled: false },
        events: { pollIntervalMs: 600_000 },
      },
    });
    try {
      const got: DurableCampaignEvent[] = [];
      next.app.get(CampaignEventsService).subscribe((e) => {
        if ('sequence' in e) got.push(e);
      });
      await next.app.get(CampaignEventRelayService).drain();
      expect(got.map((e) => e.sequence)).toEqual(got.map((_, i) => i + 1));
      expect(new Set(got.map((e) => e.id)).size).toBe(got.length);
      expect(got.every((e) => e.campaignId === id)).toBe(true);
      const types = got.map((e) => e.type);
      expect(types.slice(0, 2)).toEqual([
        'campaign.created',
        'campaign.started',
      ]);
      expect(types[types.length - 1]).toBe('campaign.completed');
      expect(types.filter((x) => x === 'call.attempt.finished')).toHaveLength(
        3,
      );
      const finished = got.filter((e) => e.type === 'call.finished');
      expect(finished).toHaveLength(2);
      const retried = finished.find(
        (e) => e.type === 'call.finished' && e.attempts.length === 2,
      );
      expect(retried).toMatchObject({
        status: 'answered',
        outcome: 'answered',
        attempts: [
          { attempt: 1, outcome: 'no_answer' },
          { attempt: 2, outcome: 'answered' },
        ],
      });
      expect(await next.app.get(CampaignEventRelayService).backlog()).toEqual({
        pending: 0,
        oldestAt: null,
      });
      // Delivered is delivered: a second drain hands nothing again.
      await next.app.get(CampaignEventRelayService).drain();
      expect(got).toHaveLength(8);
    } finally {
      await next.close();
    }
  });

  it('with only non-durable listeners (the metrics kind) events are marked delivered as they are leased, then handed over', async () => {
    database = await createTestDatabase(dialect);
    const t = await createTestApp(dialect, {
      database,
      options: {
        scheduler: { enabled: false },
        events: { pollIntervalMs: 600_000 },
      },
    });
    try {
      const events = t.app.get(CampaignEventsService);
      const got: DurableCampaignEvent[] = [];
      events.subscribe(
        (e) => {
          if ('sequence' in e) got.push(e);
        },
        { durable: false },
      );
      expect(events.waitsForDelivery).toBe(false);
      await t
        .post({
          playbook_id: t.playbookId,
          contacts: [{ phone: '+34600000001' }],
        })
        .expect(202);
      await t.app.get(CampaignEventRelayService).drain();
      expect(got.map((e) => [e.type, e.sequence])).toEqual([
        ['campaign.created', 1],
        ['campaign.started', 2],
      ]);
      const rows = await t.rows<{
        delivered_at: unknown;
        lease_owner: string | null;
        deliveries: number | string;
      }>('campaign_events');
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.delivered_at).not.toBeNull();
        expect(row.lease_owner).toBeNull();
        expect(Number(row.deliveries)).toBe(1);
      }
      // A durable listener makes the relay wait for deliveries again.
      const unsubscribe = events.subscribe(() => undefined);
      expect(events.waitsForDelivery).toBe(true);
      unsubscribe();
      expect(events.waitsForDelivery).toBe(false);
    } finally {
      await t.close();
    }
  });
});

const describePostgres = TEST_DIALECTS.includes('postgres')
  ? describe
  : describe.skip;

describePostgres('outbox across replica processes (postgres)', () => {
  let t: TestApp | undefined;
  let dir = '';
  let replicas: ReplicaProcess[] = [];
  let receiver: WebhookTarget | undefined;
  const query: RowQuery = (sql, params) =>
    t!.dataSource.query(sql, params) as Promise<unknown[]>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cc-outbox-'));
  });
  afterEach(async () => {
    await Promise.all(replicas.map((r) => r.kill()));
    replicas = [];
    await receiver?.close();
    receiver = undefined;
    await t?.close();
    t = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const eventLog = () => join(dir, 'events.jsonl');
  const readEvents = (): ReplicaEventLine[] =>
    existsSync(eventLog())
      ? readFileSync(eventLog(), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as ReplicaEventLine)
      : [];

  async function start(
    id: string,
    clock: ScaledClock,
    extra: { crashOnEvent?: string } = {},
  ): Promise<ReplicaProcess> {
    const replica = await ReplicaProcess.start({
      replicaId: id,
      databaseUrl: (t!.dataSource.options as { url: string }).url,
      dialLog: join(dir, `dials-${id}.jsonl`),
      eventLog: eventLog(),
      eventLeaseMs: clock.fakeMs(3_000),
      clockOrigin: clock.origin,
      clockFactor: clock.factor,
      defaultTimezone: zoneAtLocalHour(clock.at(Date.now()), 12),
      latencyMs: [1, 5],
      leaseMs: clock.fakeMs(30_000),
      tickIntervalMs: 100,
      batchSize: 200,
      maxInFlight: 200,
      maxInFlightPerAccount: 10_000,
      callsPerSecond: 100_000,
      shutdownTimeoutMs: 15_000,
      webhooksToLocalReceivers: true,
      ...extra,
    });
    replicas.push(replica);
    return replica;
  }

  async function seed(campaigns: number, contacts: number) {
    t = await createTestApp('postgres', {
      // The parent only creates: its relay would take the events.
      options: {
        scheduler: { enabled: false },
        events: { relay: false },
        webhooks: { allowHttp: true, allowPrivateTargets: true },
      },
    });
    return seedCampaigns(
      t,
      Array.from({ length: campaigns }, () => ({ contacts, recall: [] })),
    );
  }

  const undelivered = async () =>
    Number(
      (
        (await query(
          `SELECT COUNT(*) AS n FROM campaign_events WHERE delivered_at IS NULL`,
        )) as { n: string }[]
      )[0].n,
    );

  const stored = async () =>
    (await query(
      `SELECT id, campaign_id, type, sequence FROM campaign_events ORDER BY campaign_id, sequence`,
    )) as { id: string; campaign_id: string; type: string; sequence: number }[];

  it('kill -9 between getting campaign.completed and marking it delivered: another replica delivers it again, same id and sequence; nothing lost, to subscribers nor to webhooks', async () => {
    const [campaign] = await seed(1, 20);
    receiver = await startWebhookTarget();
    const endpoint = await t!.app
      .get(WebhookEndpointService)
      .create(campaign.accountId, { url: receiver.url() });
    const clock = new ScaledClock(Date.now(), FACTOR);
    const first = await start('replica-crash', clock, {
      crashOnEvent: 'campaign.completed',
    });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const beforeRestart = readEvents();
    expect(
      beforeRestart.filter((e) => e.type === 'campaign.completed'),
    ).toHaveLength(1);
    // Leased, not delivered: the completed event is still pending.
    expect(await undelivered()).toBeGreaterThan(0);

    await start('replica-next', clock);
    await waitUntil(async () => (await undelivered()) === 0, {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    const lines = readEvents();
    const rows = await stored();
    // Every stored event reached a subscriber, with the stored sequence.
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const line of lines) {
      expect(byId.get(line.id)?.sequence).toBe(line.sequence);
    }
    expect(new Set(lines.map((l) => l.id))).toEqual(new Set(byId.keys()));
    const completed = lines.filter((l) => l.type === 'campaign.completed');
    expect(completed.map((l) => l.replica)).toEqual([
      'replica-crash',
      'replica-next',
    ]);
    expect(new Set(completed.map((l) => l.id)).size).toBe(1);
    expect(new Set(completed.map((l) => l.sequence)).size).toBe(1);
    // Per campaign: 1 … n, in causal order.
    expect(rows.map((r) => r.sequence)).toEqual(rows.map((_, i) => i + 1));
    const types = rows.map((r) => r.type);
    expect(types.slice(0, 2)).toEqual(['campaign.created', 'campaign.started']);
    expect(types[types.length - 1]).toBe('campaign.completed');
    expect(types.filter((x) => x === 'call.finished')).toHaveLength(20);
    expect(rows.every((r) => r.campaign_id === campaign.id)).toBe(true);

    // The webhook endpoint got every event, signed, by whichever replica sent it.
    await waitUntil(
      async () =>
        Number(
          (
            (await query(
              `SELECT COUNT(*) AS n FROM campaign_webhook_deliveries WHERE status <> 'delivered'`,
            )) as { n: string }[]
          )[0].n,
        ) === 0,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    const verifier = new Webhook(endpoint.secret);
    const sent = receiver.received.map((request) => {
      const body = verifier.verify(request.body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      }) as { data: { id: string; sequence: number } };
      expect(body.data.sequence).toBe(byId.get(body.data.id)?.sequence);
      return String(request.headers['webhook-id']);
    });
    expect(new Set(sent)).toEqual(new Set(byId.keys()));
  }, 90_000);

  it('two replicas competing: each event delivered once, sequences gapless per campaign', async () => {
    await seed(3, 30);
    const clock = new ScaledClock(Date.now(), FACTOR);
    await Promise.all([start('replica-a', clock), start('replica-b', clock)]);
    await waitUntil(
      async () =>
        (await undelivered()) === 0 &&
        Number(
          (
            (await query(
              `SELECT COUNT(*) AS n FROM campaigns WHERE status <> 'completed'`,
            )) as { n: string }[]
          )[0].n,
        ) === 0 &&
        (await undelivered()) === 0,
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const rows = await stored();
    const lines = readEvents();
    expect(lines).toHaveLength(rows.length);
    expect(new Set(lines.map((l) => l.id)).size).toBe(rows.length);
    const byCampaign = new Map<string, number[]>();
    for (const r of rows) {
      byCampaign.set(r.campaign_id, [
        ...(byCampaign.get(r.campaign_id) ?? []),
        r.sequence,
      ]);
    }
    expect(byCampaign.size).toBe(3);
    for (const sequences of byCampaign.values()) {
      expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    }
    // 3 × (created, started, 30 attempts finished, 30 calls finished, completed).
    expect(rows).toHaveLength(3 * 63);
  }, 90_000);
});
