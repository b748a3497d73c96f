import type { SchedulerRegistry } from '@nestjs/schedule';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CAMPAIGN_SCHEDULER_REGISTRY,
  CampaignRetentionService,
  type CampaignModuleOptions,
  type RetentionPurgeResult,
} from '../../lib';
import { CampaignRetentionJob } from '../../lib/retention/campaign-retention.job';
import { createLoopTestApp, type LoopTestApp } from '../support/loop-test-app';
import type { ScriptedDialer } from '../support/scripted-dialer';
import { TEST_DIALECTS, type TestDialect } from '../support/test-database';

const DAY = 24 * 60 * 60_000;
const HOUR = 60 * 60_000;

/** A valid Spanish mobile number, distinct per `n`. */
const phone = (n: number): string => `+34612${String(n).padStart(6, '0')}`;

const NOTHING: RetentionPurgeResult = {
  campaigns: 0,
  calls: 0,
  attempts: 0,
  events: 0,
  idempotencyKeys: 0,
  batches: 0,
};

describe.each(TEST_DIALECTS)('retention (%s)', (dialect: TestDialect) => {
  let t: LoopTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const start = async (
    script: ConstructorParameters<typeof ScriptedDialer>[0] = {},
    options: CampaignModuleOptions = {},
  ): Promise<LoopTestApp> => {
    t = await createLoopTestApp(dialect, script, options);
    return t;
  };
  const ph = (i: number): string => (dialect === 'postgres' ? `$${i}` : '?');
  const stored = (at: Date): Date | string =>
    dialect === 'postgres'
      ? at
      : at.toISOString().replace('T', ' ').replace('Z', '');

  const create = async (
    app: LoopTestApp,
    phones: string[],
    recall: number[],
    extra: Record<string, unknown> = {},
  ): Promise<string> => {
    const res = await app
      .post({
        playbook_id: app.playbookId,
        recall,
        contacts: phones.map((p) => ({ phone: p })),
        ...extra,
      })
      .expect(202);
    return (res.body as { campaign_id: string }).campaign_id;
  };
  const act = (app: LoopTestApp, id: string, action: string) =>
    app
      .http()
      .post(`/campaign/${id}/${action}`)
      .set('Authorization', `Bearer ${app.token}`)
      .expect(200);
  const statusOf = async (app: LoopTestApp, id: string): Promise<string> => {
    const rows = (await app.dataSource.query(
      `SELECT status FROM campaigns WHERE id = ${ph(1)}`,
      [id],
    )) as { status: string }[];
    return rows[0]?.status ?? 'gone';
  };
  const campaignIds = async (app: LoopTestApp): Promise<string[]> =>
    (await app.rows<{ id: string }>('campaigns')).map((r) => r.id).sort();
  const callCampaigns = async (app: LoopTestApp): Promise<string[]> =>
    [
      ...new Set(
        (await app.rows<{ campaign_id: string }>('campaign_calls')).map(
          (r) => r.campaign_id,
        ),
      ),
    ].sort();
  const roundsUntil = async (
    app: LoopTestApp,
    done: () => Promise<boolean>,
  ): Promise<void> => {
    for (let i = 0; i < 20 && !(await done()); i++) await app.round();
    expect(await done()).toBe(true);
  };
  const waitFor = async (done: () => Promise<boolean>): Promise<void> => {
    const until = Date.now() + 15_000;
    while (!(await done()) && Date.now() < until) await sleep(25);
    expect(await done()).toBe(true);
  };

  it('deletes old completed and cancelled campaigns with their calls and attempts; keeps recent, unfinished ones and every contact', async () => {
    const app = await start({
      [phone(3)]: ['no_answer'],
      [phone(4)]: ['no_answer'],
      [phone(5)]: ['no_answer'],
    });
    const retention = app.app.get(CampaignRetentionService);
    const oldCompleted = await create(app, [phone(1), phone(2)], []);
    const oldCancelled = await create(app, [phone(3), phone(4)], [60]);
    const running = await create(app, [phone(5)], [20 * 24 * 60]);
    const paused = await create(app, [phone(6)], []);
    await act(app, paused, 'pause');
    const scheduled = await create(app, [phone(7)], [], {
      launch_at: new Date(Date.now() + 60 * DAY).toISOString(),
    });
    expect(await app.round()).toMatchObject({ started: 5 });
    await act(app, oldCancelled, 'cancel');
    expect(await statusOf(app, oldCompleted)).toBe('completed');
    expect(await statusOf(app, oldCancelled)).toBe('cancelled');

    app.clock.advance(10 * DAY);
    const recentCompleted = await create(app, [phone(8)], []);
    const recentCancelled = await create(app, [phone(9)], []);
    await act(app, recentCancelled, 'cancel');
    expect(await app.round()).toMatchObject({ started: 1 });
    expect(await statusOf(app, recentCompleted)).toBe('completed');
    const contactRows = async () =>
      (await app.rows<{ id: string }>('campaign_contacts')).sort((x, y) =>
        x.id < y.id ? -1 : 1,
      );
    const contacts = await contactRows();
    expect(contacts).toHaveLength(9);
    expect(await app.count('campaign_call_attempts')).toBe(6);

    expect(await retention.purge({ olderThanDays: 7 })).toEqual({
      campaigns: 2,
      calls: 4,
      attempts: 4,
      // 7 of the completed one (created, started, 2 attempts and 2 calls
      // finished, completed), 5 of the cancelled one (its calls were
      // cancelled, not finished by an attempt).
      events: 12,
      idempotencyKeys: 0,
      batches: 1,
    });
    const kept = [
      running,
      paused,
      scheduled,
      recentCompleted,
      recentCancelled,
    ].sort();
    expect(await campaignIds(app)).toEqual(kept);
    expect(await callCampaigns(app)).toEqual(kept);
    expect(await app.count('campaign_calls')).toBe(5);
    const attempts = await app.rows<{ call_id: string }>(
      'campaign_call_attempts',
    );
    expect(attempts).toHaveLength(2);
    const calls = await app.rows<{ id: string; campaign_id: string }>(
      'campaign_calls',
    );
    expect(
      attempts
        .map((a) => calls.find((c) => c.id === a.call_id)?.campaign_id)
        .sort(),
    ).toEqual([running, recentCompleted].sort());
    expect(await contactRows()).toEqual(contacts);
    expect(await statusOf(app, running)).toBe('running');
    expect(await statusOf(app, paused)).toBe('paused');
    expect(await statusOf(app, scheduled)).toBe('scheduled');

    expect(await retention.purge({ olderThanDays: 7 })).toEqual(NOTHING);
    app.clock.advance(10 * DAY);
    expect(await retention.purge({ olderThanDays: 7 })).toMatchObject({
      campaigns: 2,
      calls: 2,
      attempts: 1,
    });
    expect(await campaignIds(app)).toEqual([running, paused, scheduled].sort());
  });

  it('keeps a campaign whose events are not delivered yet: no event is lost', async () => {
    const app = await start({}, { events: { relay: false } });
    const retention = app.app.get(CampaignRetentionService);
    const id = await create(app, [phone(1)], []);
    await app.round();
    expect(await statusOf(app, id)).toBe('completed');
    app.clock.advance(10 * DAY);
    expect(await retention.purge({ olderThanDays: 7 })).toEqual(NOTHING);
    expect(await statusOf(app, id)).toBe('completed');
    expect(await app.count('campaign_events')).toBe(5);
  });

  it('works in batches: batchSize campaigns and calls per transaction, maxBatches transactions per purge', async () => {
    const app = await start();
    const retention = app.app.get(CampaignRetentionService);
    const small: string[] = [];
    for (let i = 0; i < 5; i++) small.push(await create(app, [phone(i)], []));
    await app.round();
    app.clock.advance(10 * DAY);
    const big = await create(
      app,
      [10, 11, 12, 13, 14].map((n) => phone(n)),
      [],
    );
    await app.round();
    expect(await statusOf(app, big)).toBe('completed');

    expect(
      await retention.purge({ olderThanDays: 7, batchSize: 2, maxBatches: 1 }),
    ).toEqual({
      ...NOTHING,
      campaigns: 2,
      calls: 2,
      attempts: 2,
      events: 10,
      batches: 1,
    });
    expect(await app.count('campaigns')).toBe(4);
    expect(await retention.purge({ olderThanDays: 7, batchSize: 2 })).toEqual({
      ...NOTHING,
      campaigns: 3,
      calls: 3,
      attempts: 3,
      events: 15,
      batches: 2,
    });
    expect(await campaignIds(app)).toEqual([big]);

    // A campaign with more calls than a batch goes over several transactions.
    app.clock.advance(10 * DAY);
    expect(
      await retention.purge({ olderThanDays: 7, batchSize: 2, maxBatches: 2 }),
    ).toEqual({
      ...NOTHING,
      campaigns: 0,
      calls: 4,
      attempts: 4,
      // All 13 in the first batch: 8 events per call it may delete.
      events: 13,
      batches: 2,
    });
    expect(await statusOf(app, big)).toBe('completed');
    expect(await app.count('campaign_calls')).toBe(1);
    expect(await retention.purge({ olderThanDays: 7, batchSize: 2 })).toEqual({
      ...NOTHING,
      campaigns: 1,
      calls: 1,
      attempts: 1,
      batches: 1,
    });
    expect(await app.count('campaigns')).toBe(0);
    expect(await app.count('campaign_call_attempts')).toBe(0);
    expect(await app.count('campaign_contacts')).toBe(10);

    await expect(retention.purge({ olderThanDays: 0 })).rejects.toThrow(
      'olderThanDays must be a positive integer',
    );
    await expect(
      retention.purge({ olderThanDays: 1, batchSize: 5_001 }),
    ).rejects.toThrow('batchSize must be at most 5000');
  });

  it('purges the idempotency keys past their 24 h, keeps the live ones', async () => {
    const app = await start();
    const retention = app.app.get(CampaignRetentionService);
    const body = {
      playbook_id: app.playbookId,
      recall: [],
      contacts: [{ phone: phone(1) }],
    };
    await app.post(body).set('Idempotency-Key', 'old-key').expect(202);
    await app.post(body).set('Idempotency-Key', 'fresh-key').expect(202);
    await app.dataSource.query(
      `UPDATE campaign_idempotency_keys SET created_at = ${ph(1)} WHERE idempotency_key = ${ph(2)}`,
      [stored(new Date(Date.now() - 25 * HOUR)), 'old-key'],
    );
    expect(await retention.purge({ olderThanDays: 7 })).toEqual({
      ...NOTHING,
      idempotencyKeys: 1,
    });
    const keys = await app.rows<{ idempotency_key: string }>(
      'campaign_idempotency_keys',
    );
    expect(keys.map((k) => k.idempotency_key)).toEqual(['fresh-key']);
    expect(await app.count('campaigns')).toBe(2);
  });

  if (dialect === 'postgres') {
    it('skips a campaign row another transaction holds instead of waiting for it', async () => {
      const app = await start();
      const retention = app.app.get(CampaignRetentionService);
      const held = await create(app, [phone(1)], []);
      await create(app, [phone(2)], []);
      await app.round();
      app.clock.advance(10 * DAY);
      const other = app.dataSource.createQueryRunner();
      await other.connect();
      try {
        await other.startTransaction();
        await other.query(`SELECT id FROM campaigns WHERE id = $1 FOR UPDATE`, [
          held,
        ]);
        const purged = await Promise.race([
          retention.purge({ olderThanDays: 7 }),
          sleep(10_000).then(() => 'waited' as const),
        ]);
        expect(purged).toEqual({
          ...NOTHING,
          campaigns: 1,
          calls: 1,
          events: 5,
          attempts: 1,
          batches: 1,
        });
        expect(await campaignIds(app)).toEqual([held]);
        await other.commitTransaction();
      } finally {
        await other.release();
      }
      expect(await retention.purge({ olderThanDays: 7 })).toMatchObject({
        campaigns: 1,
      });
      expect(await app.count('campaigns')).toBe(0);
    });
  }

  it('purges while the loop dials another campaign: its calls are dialed once each and completed', async () => {
    const app = await start(
      {},
      {
        scheduler: {
          batchSize: 5,
          maxInFlightPerAccount: 5,
          callsPerSecond: 1_000,
        },
      },
    );
    const retention = app.app.get(CampaignRetentionService);
    const old: string[] = [];
    for (let i = 0; i < 10; i++) {
      old.push(await create(app, [phone(100 + 2 * i), phone(101 + 2 * i)], []));
    }
    await roundsUntil(app, async () =>
      (await Promise.all(old.map((id) => statusOf(app, id)))).every(
        (s) => s === 'completed',
      ),
    );
    app.clock.advance(10 * DAY);
    const livePhones = Array.from({ length: 30 }, (_, i) => phone(200 + i));
    const live = await create(app, livePhones, []);

    const total = { ...NOTHING };
    let rounds = 0;
    while (
      rounds < 30 &&
      ((await statusOf(app, live)) !== 'completed' ||
        (await app.count('campaigns')) > 1)
    ) {
      rounds++;
      const [, purged] = await Promise.all([
        app.round(),
        retention.purge({ olderThanDays: 7, batchSize: 1, maxBatches: 2 }),
      ]);
      total.campaigns += purged.campaigns;
      total.calls += purged.calls;
      total.attempts += purged.attempts;
      total.batches += purged.batches;
    }
    // Five calls a round: the purges ran across several rounds.
    expect(rounds).toBeGreaterThanOrEqual(6);
    expect(total).toMatchObject({ campaigns: 10, calls: 20, attempts: 20 });
    expect(total.batches).toBeGreaterThanOrEqual(10);
    expect(await campaignIds(app)).toEqual([live]);
    expect(await statusOf(app, live)).toBe('completed');
    for (const p of livePhones) expect(app.dialer.attemptsOf(p)).toEqual([1]);
    const calls = await app.rows<{ status: string; attempt_count: unknown }>(
      'campaign_calls',
    );
    expect(calls).toHaveLength(30);
    expect(
      calls.every(
        (c) => c.status === 'answered' && Number(c.attempt_count) === 1,
      ),
    ).toBe(true);
    const attempts = await app.rows<{ outcome: string }>(
      'campaign_call_attempts',
    );
    expect(attempts.map((a) => a.outcome)).toEqual(
      livePhones.map(() => 'answered'),
    );
    expect(await app.count('campaign_contacts')).toBe(50);
  });

  it('the opt-in job purges on its interval in a scheduler replica, never overlaps itself, and is cleared on close', async () => {
    const app = await start(
      {},
      {
        scheduler: { enabled: true, tickIntervalMs: 50 },
        retention: { olderThanDays: 1, everyMs: 50 },
      },
    );
    const registry = app.app.get<SchedulerRegistry>(
      CAMPAIGN_SCHEDULER_REGISTRY,
    );
    const job = app.app.get(CampaignRetentionJob);
    expect(registry.doesExist('interval', job.intervalName)).toBe(true);
    const id = await create(app, [phone(1), phone(2)], []);
    await waitFor(async () => (await statusOf(app, id)) === 'completed');
    expect(await app.count('campaign_call_attempts')).toBe(2);
    app.clock.advance(2 * DAY);
    await waitFor(async () => (await app.count('campaigns')) === 0);
    expect(await app.count('campaign_calls')).toBe(0);
    expect(await app.count('campaign_call_attempts')).toBe(0);
    expect(await app.count('campaign_contacts')).toBe(2);
    // The run that purged them may still be finishing (it answers for itself).
    await job.run();

    const first = job.run();
    expect(job.run()).toBe(first);
    await expect(first).resolves.toMatchObject({ campaigns: 0 });

    await app.close();
    t = undefined;
    expect(registry.doesExist('interval', job.intervalName)).toBe(false);
    await expect(job.run()).resolves.toBeNull();
  });

  it('runs no job without the option, nor in a replica without the scheduler', async () => {
    for (const options of [
      { scheduler: { enabled: true, tickIntervalMs: 50 } },
      { scheduler: { enabled: false }, retention: { olderThanDays: 1 } },
    ] satisfies CampaignModuleOptions[]) {
      const app = await start({}, options);
      const registry = app.app.get<SchedulerRegistry>(
        CAMPAIGN_SCHEDULER_REGISTRY,
      );
      const job = app.app.get(CampaignRetentionJob);
      expect(registry.doesExist('interval', job.intervalName)).toBe(false);
      expect(registry.getIntervals()).not.toContainEqual(
        expect.stringContaining(':retention:'),
      );
      await app.close();
      t = undefined;
    }
  });
});
