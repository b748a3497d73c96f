import { Controller, Get, Module, type Type } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  TerminusModule,
} from '@nestjs/terminus';
import type { QueryRunner } from 'typeorm';
import {
  CampaignEventRelayService,
  DialingLoopService,
  type CampaignModuleOptions,
} from '../../lib';
import {
  CampaignHealthIndicator,
  CampaignHealthModule,
  type CampaignHealthDetails,
  type CampaignHealthOptions,
} from '../../lib/health';
import { FakeClock } from '../support/fake-clock';
import { ALWAYS, MINUTE } from '../support/loop-test-app';
import { ScriptedDialer } from '../support/scripted-dialer';
import {
  createTestApp,
  httpMatrix,
  type TestApp,
  type TestPlatform,
} from '../support/test-app';
import { TEST_DIALECTS, type TestDialect } from '../support/test-database';

interface Gate {
  open: () => void;
  /** Resolves once a tick waits at the gate. */
  entered: Promise<void>;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** The body terminus answers, 200 or 503. */
interface HealthBody {
  status: 'ok' | 'error';
  details: { campaigns: CampaignHealthDetails & { status: 'up' | 'down' } };
}

/** A host module as a host writes it: terminus, the health module, a controller. */
function healthHost(options?: CampaignHealthOptions): Type {
  @Controller('health')
  class HostHealthController {
    constructor(
      private readonly health: HealthCheckService,
      private readonly campaigns: CampaignHealthIndicator,
    ) {}

    @Get()
    @HealthCheck()
    check() {
      return this.health.check([
        () => this.campaigns.isHealthy('campaigns', options),
      ]);
    }
  }
  @Module({
    imports: [TerminusModule.forRoot({ logger: false }), CampaignHealthModule],
    controllers: [HostHealthController],
  })
  class HostHealthModule {}
  return HostHealthModule;
}

const baseOptions = (clock?: FakeClock): CampaignModuleOptions => ({
  dialer: new ScriptedDialer({}),
  ...(clock && { clock }),
  callingWindow: ALWAYS,
  callingRules: { builtIn: false },
});

/** A replica that serves the API only (the loop test app's setup): a fake clock, no ticks. */
async function apiReplica(
  dialect: TestDialect,
  platform: TestPlatform = 'express',
  health?: CampaignHealthOptions,
  extra: CampaignModuleOptions = {},
): Promise<TestApp & { clock: FakeClock }> {
  const clock = new FakeClock(new Date());
  const app = await createTestApp(dialect, {
    platform,
    options: {
      ...baseOptions(clock),
      scheduler: { enabled: false },
      ...extra,
    },
    imports: [healthHost(health)],
  });
  // Calls created from now on are due by the fake time.
  clock.set(new Date(Date.now() + 5_000));
  return { ...app, clock };
}

async function health(t: TestApp, expected: 200 | 503): Promise<HealthBody> {
  // Events a write just committed are delivered first (the outbox check
  // is about events nobody delivers, not about this instant).
  await t.app.get(CampaignEventRelayService).drain();
  const res = await t.http().get('/health').expect(expected);
  return res.body as HealthBody;
}

async function dueAtOfCalls(t: TestApp, campaignId: string): Promise<Date[]> {
  const rows = await t.dataSource.query(
    `SELECT due_at FROM campaign_calls WHERE campaign_id = ${
      t.dataSource.options.type === 'postgres' ? '$1' : '?'
    }`,
    [campaignId],
  );
  return (rows as { due_at: Date | string }[]).map((r) =>
    r.due_at instanceof Date
      ? r.due_at
      : new Date(`${r.due_at.replace(' ', 'T')}Z`),
  );
}

async function createCampaign(
  t: TestApp,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await t
    .post({
      playbook_id: t.playbookId,
      recall: [],
      contacts: [{ phone: '+34612345678', timezone: 'UTC' }],
      ...extra,
    })
    .expect(202);
  return (res.body as { campaign_id: string }).campaign_id;
}

/** Polls GET /health until it answers `status` (and `when`), for a loop that runs on its own. */
async function healthUntil(
  t: TestApp,
  status: 200 | 503,
  when: (body: HealthBody) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<HealthBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http().get('/health');
    const body = res.body as HealthBody;
    if (res.status === status && when(body)) return body;
    if (Date.now() > deadline) {
      throw new Error(
        `GET /health answers ${res.status} after ${timeoutMs} ms: ${JSON.stringify(body)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const loopState = (body: HealthBody) => body.details.campaigns.loop.state;

describe.each(httpMatrix(TEST_DIALECTS))(
  'health on %s over %s: a replica without the loop',
  (dialect, platform) => {
    let t: TestApp & { clock: FakeClock };

    beforeEach(async () => {
      t = await apiReplica(dialect, platform);
    });
    afterEach(async () => {
      await t?.close();
    });

    it('answers 200 up with the database, loop and backlog details', async () => {
      const body = await health(t, 200);
      expect(body.status).toBe('ok');
      const { campaigns } = body.details;
      expect(campaigns.status).toBe('up');
      expect(campaigns.message).toBeUndefined();
      expect(campaigns.database).toEqual({
        status: 'up',
        responseTimeMs: expect.any(Number),
      });
      // The replica does not run the loop: nothing to tick, up.
      expect(campaigns.loop).toEqual({
        status: 'up',
        state: 'off',
        reason: 'scheduler.enabled is false',
        lastTickEndedAt: null,
        lastTickAgeMs: null,
        // 3 × the default 1 000 ms interval + 5 s.
        maxTickAgeMs: 8_000,
      });
      expect(campaigns.backlog).toEqual({
        status: 'up',
        oldestDueAt: null,
        lagMs: 0,
        maxLagMs: 5 * MINUTE,
      });
      expect(campaigns.outbox).toEqual({
        status: 'up',
        pending: 0,
        oldestAt: null,
        lagMs: 0,
        maxLagMs: MINUTE,
      });
    });

    it('reports the backlog down (503) once a due call waits past the threshold', async () => {
      const campaignId = await createCampaign(t);
      const [dueAt] = await dueAtOfCalls(t, campaignId);

      const fresh = (await health(t, 200)).details.campaigns.backlog;
      expect(fresh.status).toBe('up');
      expect(fresh.oldestDueAt).toBe(dueAt.toISOString());
      expect(fresh.lagMs).toBe(t.clock.time.getTime() - dueAt.getTime());

      // No tick runs: ten minutes later the call still waits.
      t.clock.advance(10 * MINUTE);
      const body = await health(t, 503);
      expect(body.status).toBe('error');
      const { campaigns } = body.details;
      expect(campaigns.status).toBe('down');
      expect(campaigns.backlog).toEqual({
        status: 'down',
        oldestDueAt: dueAt.toISOString(),
        lagMs: t.clock.time.getTime() - dueAt.getTime(),
        maxLagMs: 5 * MINUTE,
        message: expect.stringMatching(
          /^the oldest due call has waited \d+ ms/,
        ),
      });
      expect(campaigns.backlog.lagMs).toBeGreaterThan(10 * MINUTE);
      expect(campaigns.message).toBe(`backlog: ${campaigns.backlog.message}`);
      expect(campaigns.database.status).toBe('up');
      expect(campaigns.loop.status).toBe('up');
    });
  },
);

describe.each(TEST_DIALECTS)(
  'health on %s: what the backlog counts',
  (dialect) => {
    let t: TestApp & { clock: FakeClock };

    beforeEach(async () => {
      t = await apiReplica(dialect);
    });
    afterEach(async () => {
      await t?.close();
    });

    it('not a paused campaign, nor one before its launch; a scheduled one whose launch passed', async () => {
      const running = await createCampaign(t);
      t.clock.advance(10 * MINUTE);
      await health(t, 503);

      await t
        .http()
        .post(`/campaign/${running}/pause`)
        .set('Authorization', `Bearer ${t.token}`)
        .expect(200);
      expect((await health(t, 200)).details.campaigns.backlog).toMatchObject({
        status: 'up',
        oldestDueAt: null,
        lagMs: 0,
      });

      const launchAt = new Date(Date.now() + 60 * MINUTE);
      const scheduled = await createCampaign(t, {
        launch_at: launchAt.toISOString(),
      });
      expect(await dueAtOfCalls(t, scheduled)).toEqual([launchAt]);
      // Due at its launch, in the future: not late.
      expect((await health(t, 200)).details.campaigns.backlog.oldestDueAt).toBe(
        null,
      );

      // Its launch passed ten minutes ago and no tick started it: late.
      t.clock.set(new Date(launchAt.getTime() + 10 * MINUTE));
      expect((await health(t, 503)).details.campaigns.backlog).toMatchObject({
        status: 'down',
        oldestDueAt: launchAt.toISOString(),
        lagMs: 10 * MINUTE,
      });
    });

    it('not a call that waits for its calling hours (its due time moves to the window)', async () => {
      t.clock.advance(10 * MINUTE);
      // A window that opens two hours after the fake time (UTC, the contact's zone).
      const hour = (t.clock.time.getUTCHours() + 2) % 24;
      const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
      const campaignId = await createCampaign(t, {
        calling_window: {
          start: hh(hour),
          end: hh(hour + 1),
          days: ALWAYS.days,
        },
      });
      // Created with the process time: ten minutes late by the fake clock.
      t.clock.advance(10 * MINUTE);
      await health(t, 503);

      // One tick holds the call back until its window opens.
      const loop = t.app.get(DialingLoopService);
      expect(await loop.tick()).toMatchObject({ started: 0, deferred: 1 });
      const [dueAt] = await dueAtOfCalls(t, campaignId);
      expect(dueAt.getTime()).toBeGreaterThan(t.clock.time.getTime());
      expect((await health(t, 200)).details.campaigns.backlog).toMatchObject({
        status: 'up',
        oldestDueAt: null,
        lagMs: 0,
      });
    });
  },
);

describe.each(TEST_DIALECTS)(
  'health on %s: a replica that runs the loop',
  (dialect) => {
    let t: TestApp;
    /** What the host's `beforeDial` waits for before it answers. */
    let hook: () => Promise<void> = () => Promise.resolve();
    let gate: Gate | null = null;

    /** Makes the next `beforeDial` wait until `open()`: the tick stalls inside the claim. */
    function closeGate(): Gate {
      const opened = deferred();
      const entered = deferred();
      gate = { open: opened.resolve, entered: entered.promise };
      hook = () => {
        entered.resolve();
        return opened.promise;
      };
      return gate;
    }

    beforeEach(async () => {
      hook = () => Promise.resolve();
      t = await createTestApp(dialect, {
        options: {
          ...baseOptions(),
          beforeDial: async () => {
            await hook();
            return { action: 'allow' };
          },
          beforeDialTimeoutMs: 120_000,
          scheduler: { tickIntervalMs: 100 },
        },
        imports: [healthHost({ maxTickAgeMs: 1_500 })],
      });
    });
    afterEach(async () => {
      // A stalled tick would hold the shutdown.
      gate?.open();
      gate = null;
      await t?.close();
    });

    it('is up while the loop ticks, down (503) while a tick stalls, up again after', async () => {
      // Before its first tick ends the loop is starting (up, within the threshold).
      const ticking = await healthUntil(
        t,
        200,
        (body) => loopState(body) === 'ticking',
      );
      expect(ticking.details.campaigns.loop).toEqual({
        status: 'up',
        state: 'ticking',
        lastTickEndedAt: expect.any(String),
        lastTickAgeMs: expect.any(Number),
        maxTickAgeMs: 1_500,
      });
      expect(ticking.details.campaigns.loop.lastTickAgeMs).toBeLessThanOrEqual(
        1_500,
      );
      const loop = t.app.get(DialingLoopService);
      expect(loop.running).toBe(true);
      // The default threshold: 3 × the 100 ms tick + 5 s.
      const byDefault = await t.app
        .get(CampaignHealthIndicator)
        .isHealthy('campaigns');
      expect(byDefault.campaigns.loop.maxTickAgeMs).toBe(5_300);

      const held = closeGate();
      await createCampaign(t);
      await held.entered;
      const stalled = await healthUntil(t, 503);
      const { campaigns } = stalled.details;
      expect(campaigns.loop).toEqual({
        status: 'down',
        state: 'stalled',
        lastTickEndedAt: expect.any(String),
        lastTickAgeMs: expect.any(Number),
        maxTickAgeMs: 1_500,
        message: expect.stringMatching(/^the last tick ended \d+ ms ago/),
      });
      expect(campaigns.loop.lastTickAgeMs).toBeGreaterThan(1_500);
      expect(campaigns.loop.lastTickEndedAt).toBe(
        loop.lastTickEndedAt?.toISOString(),
      );
      expect(campaigns.message).toBe(`loop: ${campaigns.loop.message}`);
      expect(campaigns.database.status).toBe('up');
      expect(campaigns.backlog.status).toBe('up');

      held.open();
      const recovered = await healthUntil(t, 200);
      expect(loopState(recovered)).toBe('ticking');
    });
  },
);

describe.each(TEST_DIALECTS)('health on %s: the database down', (dialect) => {
  let t: TestApp;

  beforeEach(async () => {
    t = await apiReplica(dialect, 'express', { databaseTimeoutMs: 500 });
  });
  afterEach(async () => {
    await t?.close();
  });

  it('answers 503 with the database down when the data source is destroyed, and keeps answering', async () => {
    await health(t, 200);
    await t.dataSource.destroy();
    for (let i = 0; i < 2; i++) {
      const { campaigns } = (await health(t, 503)).details;
      expect(campaigns.status).toBe('down');
      expect(campaigns.database).toEqual({
        status: 'down',
        responseTimeMs: expect.any(Number),
        message: expect.any(String),
      });
      expect(campaigns.backlog).toMatchObject({
        status: 'down',
        oldestDueAt: null,
        lagMs: null,
        message: expect.any(String),
      });
      expect(campaigns.message).toMatch(/^database: .+; backlog: .+$/);
    }
  });

  if (dialect === 'postgres') {
    it('answers 503 within the timeout when the database does not answer (pool exhausted)', async () => {
      const pool = (
        t.dataSource.driver as unknown as {
          master: { options: { max: number } };
        }
      ).master;
      const held: QueryRunner[] = [];
      try {
        for (let i = 0; i < pool.options.max; i++) {
          const runner = t.dataSource.createQueryRunner();
          await runner.connect();
          held.push(runner);
        }
        const started = Date.now();
        // Not health(): its drain would wait for a connection too.
        const { campaigns } = (
          (await t.http().get('/health').expect(503)).body as HealthBody
        ).details;
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(campaigns.database).toMatchObject({
          status: 'down',
          message: 'no answer within 500 ms',
        });
        expect(campaigns.database.responseTimeMs).toBeGreaterThanOrEqual(450);
        expect(campaigns.backlog.message).toBe('no answer within 500 ms');
      } finally {
        await Promise.all(held.map((runner) => runner.release()));
      }
      await health(t, 200);
    });
  }
});

describe.each(TEST_DIALECTS)('health on %s: the outbox draining', (dialect) => {
  let t: (TestApp & { clock: FakeClock }) | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('reports the outbox down (503) while events wait past the threshold undelivered', async () => {
    // No replica delivers events: they stay in the outbox.
    t = await apiReplica(dialect, 'express', undefined, {
      events: { relay: false },
    });
    await createCampaign(t);
    const fresh = (await health(t, 200)).details.campaigns.outbox;
    expect(fresh).toMatchObject({ status: 'up', pending: 2 });
    t.clock.advance(2 * MINUTE);
    const { campaigns } = (await health(t, 503)).details;
    expect(campaigns.outbox).toMatchObject({
      status: 'down',
      pending: 2,
      maxLagMs: MINUTE,
      message: expect.stringMatching(
        /^2 events undelivered, the oldest for \d+ ms \(max 60000 ms\)$/,
      ),
    });
    expect(campaigns.outbox.lagMs).toBeGreaterThan(2 * MINUTE);
    expect(campaigns.message).toBe(`outbox: ${campaigns.outbox.message}`);
  });

  it('stays up when the relay delivers (the events leave the outbox)', async () => {
    t = await apiReplica(dialect);
    await createCampaign(t);
    await t.app.get(CampaignEventRelayService).drain();
    t.clock.advance(2 * MINUTE);
    expect((await health(t, 200)).details.campaigns.outbox).toMatchObject({
      status: 'up',
      pending: 0,
      lagMs: 0,
    });
  });
});
