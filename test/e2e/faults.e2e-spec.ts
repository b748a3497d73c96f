/**
 * The dialing loop under faults, in process, on PostgreSQL:
 * - its database connections killed, then the database refusing connections
 *   for longer than the lease, mid-run;
 * - a graceful shutdown with dials in flight, and one with the database gone;
 * - two transactions ending a campaign's last calls at the same moment;
 * - a pooled connection terminated right after it opened.
 */
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client, type Pool } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, QueryRunner } from 'typeorm';
import {
  CAMPAIGN_DATA_SOURCE,
  CAMPAIGN_ENTITIES,
  CallOutcomeService,
  CampaignModule,
  DialingLoopService,
  SimulatedDialer,
  type CallingWindow,
  type CampaignDialer,
  type DialRequest,
  type DialResult,
} from '../../lib';
import {
  checkFinishedRun,
  progress,
  snapshot,
  waitUntil,
  type RowQuery,
} from '../support/campaign-run-checks';
import { FakeClock } from '../support/fake-clock';
import { ScaledClock, zoneAtLocalHour } from '../support/scaled-clock';
import { createTestApp, type TestApp } from '../support/test-app';
import { TEST_DIALECTS } from '../support/test-database';

const ALWAYS: CallingWindow = {
  start: '00:00',
  end: '24:00',
  days: [1, 2, 3, 4, 5, 6, 7],
};
const FACTOR = 600;

const describePostgres = TEST_DIALECTS.includes('postgres')
  ? describe
  : describe.skip;

/** Counts the dials a SimulatedDialer has in flight. */
class InFlightDialer implements CampaignDialer {
  inFlight = 0;

  constructor(readonly inner: SimulatedDialer) {}

  async dial(request: DialRequest): Promise<DialResult> {
    this.inFlight++;
    try {
      return await this.inner.dial(request);
    } finally {
      this.inFlight--;
    }
  }
}

/** Accepts every call and reports no outcome: attempts stay open. */
class SilentDialer implements CampaignDialer {
  readonly dials: DialRequest[] = [];

  dial(request: DialRequest): Promise<DialResult> {
    this.dials.push(request);
    return Promise.resolve({ providerCallId: `silent-${request.callId}` });
  }
}

/**
 * Makes every transaction of `dataSource` stop before the statement that
 * completes campaigns until `parties` transactions got there (or `maxWaitMs`
 * passed): two writers that end a campaign's last calls at the same moment.
 */
function pauseBeforeCampaignCompletion(
  dataSource: DataSource,
  parties: number,
  maxWaitMs: number,
): { arrived: () => number } {
  let arrived = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const create = dataSource.createQueryRunner.bind(dataSource);
  dataSource.createQueryRunner = (
    ...args: Parameters<DataSource['createQueryRunner']>
  ) => {
    const runner: QueryRunner = create(...args);
    const query = runner.query.bind(runner) as (
      ...a: unknown[]
    ) => Promise<unknown>;
    runner.query = (async (...a: unknown[]) => {
      if (/UPDATE campaigns SET status = 'completed'/.test(String(a[0]))) {
        if (++arrived >= parties) open();
        await Promise.race([gate, sleep(maxWaitMs)]);
      }
      return query(...a);
    }) as QueryRunner['query'];
    return runner;
  };
  return { arrived: () => arrived };
}

const databaseUrlOf = (t: TestApp): string =>
  (t.dataSource.options as { url: string }).url;

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Drops a test database (for a test that closed its app itself). */
async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = await connect(process.env.TEST_DATABASE_URL!);
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

describePostgres('dialing loop faults (postgres)', () => {
  let t: TestApp | undefined;
  const clients: Client[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.end().catch(() => undefined);
    await t?.close();
    t = undefined;
  });

  it('survives its connections being killed and the database refusing connections: resumes, never dials an attempt twice', async () => {
    const LEASE_MS = 1_500;
    const clock = new ScaledClock(Date.now(), FACTOR);
    const dialer = new SimulatedDialer({
      latencyMs: [5, 40],
      outcomes: {
        answered: 50,
        no_answer: 25,
        busy: 10,
        failed: 5,
        voicemail: 5,
        invalid_number: 5,
      },
    });
    t = await createTestApp('postgres', {
      options: {
        dialer,
        clock,
        defaultTimezone: zoneAtLocalHour(clock.at(Date.now()), 1),
        callingWindow: ALWAYS,
        scheduler: {
          enabled: true,
          replicaId: 'outage-replica',
          tickIntervalMs: 100,
          batchSize: 100,
          maxInFlight: 100,
          maxInFlightPerAccount: 10_000,
          callsPerSecond: 800,
          leaseMs: clock.fakeMs(LEASE_MS),
        },
      },
    });
    const app = t;
    const query: RowQuery = (sql, params) =>
      app.dataSource.query(sql, params) as Promise<unknown[]>;
    const res = await t
      .post({
        playbook_id: t.playbookId,
        // 1 and 2 fake minutes: 100 and 200 real ms.
        recall: [1, 2],
        contacts: Array.from({ length: 2_000 }, (_, i) => ({
          phone: `+346${10_000_000 + i}`,
        })),
      })
      .expect(202);
    expect(res.body.calls).toBe(2_000);

    const url = databaseUrlOf(t);
    const name = new URL(url).pathname.slice(1);
    const killer = await connect(url);
    clients.push(killer);
    const terminate = async (): Promise<number> =>
      (
        await killer.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        )
      ).rowCount ?? 0;

    await waitUntil(async () => dialer.dials.length >= 200, {
      timeoutMs: 20_000,
      intervalMs: 10,
    });
    // Connections killed, a few times over a couple of seconds.
    let terminated = 0;
    for (let i = 0; i < 5; i++) {
      terminated += await terminate();
      await sleep(300);
    }
    // Then an outage longer than the lease: the database refuses connections
    // (set from the server's admin database: not allowed on the current one).
    await killer.end();
    const admin = await connect(process.env.TEST_DATABASE_URL!);
    clients.push(admin);
    const beforeOutage = dialer.dials.length;
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    try {
      terminated +=
        (
          await admin.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
            [name],
          )
        ).rowCount ?? 0;
      await sleep(LEASE_MS + 500);
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    }
    const afterOutage = dialer.dials.length;
    expect(terminated).toBeGreaterThan(0);

    let last = '';
    await waitUntil(
      async () => {
        try {
          const p = await progress(query);
          last = JSON.stringify(p);
          return p.open === 0 && p.unfinished === 0;
        } catch (error) {
          last = String(error);
          return false;
        }
      },
      { timeoutMs: 40_000, intervalMs: 200, describe: () => last },
    );
    // The loop went on after the outage (calls were left: 2 000 at 800/s).
    expect(dialer.dials.length).toBeGreaterThan(afterOutage);

    const snap = await snapshot(query);
    const { problems, stats } = checkFinishedRun(
      snap,
      dialer.dials.map((d) => ({
        callId: d.callId,
        attempt: d.attempt,
        by: 'outage-replica',
        outcome: d.outcome,
      })),
      {
        // A result that could not be written before its lease expired is
        // fenced off and the attempt ends interrupted (checked below).
        mayBeInterrupted: () => true,
        // A claim whose commit succeeded but whose answer was lost.
        allowUndialedAttempts: true,
      },
    );
    expect(problems).toEqual([]);
    expect(stats.calls).toBe(2_000);
    for (const a of snap.attempts.filter((x) => x.outcome === 'interrupted')) {
      expect(
        new Date(a.ended_at!).getTime() - new Date(a.started_at).getTime(),
      ).toBeGreaterThanOrEqual(clock.fakeMs(LEASE_MS));
    }
    // Interrupted although the dialer had a final outcome in hand (its
    // result waited out the outage in memory, then lost to the lease).
    const finalOutcome = new Map(
      dialer.dials.map((d) => [`${d.callId}#${d.attempt}`, d.outcome]),
    );
    const lostFinals = snap.attempts.filter(
      (a) =>
        a.outcome === 'interrupted' &&
        ['answered', 'invalid_number', 'voicemail'].includes(
          finalOutcome.get(`${a.call_id}#${a.attempt_number}`) ?? '',
        ),
    ).length;
    console.log(
      `[outage] ${lostFinals} interrupted attempts had a final outcome in hand; ${terminated} backends terminated; dials ${stats.dials} (${beforeOutage} before the outage, ${afterOutage - beforeOutage} during it); ` +
        `${stats.interrupted} interrupted, ${stats.undialed} never dialed; outcomes ${JSON.stringify(stats.outcomes)}`,
    );
  }, 90_000);

  it('app.close() waits for the dials in flight and records them: no attempt stays open, no lease remains', async () => {
    const sim = new SimulatedDialer({ latencyMs: 300 });
    const dialer = new InFlightDialer(sim);
    t = await createTestApp('postgres', {
      options: {
        dialer,
        defaultTimezone: zoneAtLocalHour(new Date(), 12),
        callingWindow: ALWAYS,
        scheduler: {
          enabled: true,
          replicaId: 'closing-replica',
          tickIntervalMs: 50,
          batchSize: 25,
          maxInFlight: 50,
          maxInFlightPerAccount: 10_000,
          callsPerSecond: 1_000,
          leaseMs: 60_000,
        },
      },
    });
    await t
      .post({
        playbook_id: t.playbookId,
        recall: [],
        contacts: Array.from({ length: 300 }, (_, i) => ({
          phone: `+346${10_000_000 + i}`,
        })),
      })
      .expect(202);
    const url = databaseUrlOf(t);
    const db = await connect(url);
    clients.push(db);
    const loop = t.app.get(DialingLoopService);
    expect(loop).toBeDefined();

    await waitUntil(async () => sim.dials.length >= 50 && dialer.inFlight > 0, {
      timeoutMs: 20_000,
      intervalMs: 5,
    });
    const inFlightAtClose = dialer.inFlight;
    const app = t;
    t = undefined; // closed here; its database dropped below
    try {
      await app.app.close();
      expect(inFlightAtClose).toBeGreaterThan(0);
      expect(dialer.inFlight).toBe(0);
      const dialed = sim.dials.length;
      // Closed means closed: no tick claims or dials any more.
      await sleep(300);
      expect(sim.dials.length).toBe(dialed);

      const calls = (
        await db.query<{
          id: string;
          status: string;
          attempt_count: number;
          lease_owner: string | null;
          lease_expires_at: Date | null;
        }>(
          'SELECT id, status, attempt_count, lease_owner, lease_expires_at FROM campaign_calls',
        )
      ).rows;
      const attempts = (
        await db.query<{
          call_id: string;
          attempt_number: number;
          ended_at: Date | null;
          outcome: string | null;
          provider_call_id: string | null;
        }>(
          'SELECT call_id, attempt_number, ended_at, outcome, provider_call_id FROM campaign_call_attempts',
        )
      ).rows;
      expect(calls).toHaveLength(300);
      expect(calls.filter((c) => c.status === 'dialing')).toEqual([]);
      expect(
        calls.filter(
          (c) => c.lease_owner !== null || c.lease_expires_at !== null,
        ),
      ).toEqual([]);
      // Every dial recorded with its own outcome; nothing claimed and left.
      expect(attempts).toHaveLength(dialed);
      const byKey = new Map(
        attempts.map((a) => [`${a.call_id}#${a.attempt_number}`, a]),
      );
      for (const d of sim.dials) {
        expect(byKey.get(`${d.callId}#${d.attempt}`)).toMatchObject({
          outcome: d.outcome,
          provider_call_id: d.providerCallId,
          ended_at: expect.any(Date),
        });
      }
      // Not dialed yet: still queued, untouched, for the next replica.
      const dialedCalls = new Set(sim.dials.map((d) => d.callId));
      const rest = calls.filter((c) => !dialedCalls.has(c.id));
      expect(rest.length).toBe(300 - dialedCalls.size);
      expect(rest.length).toBeGreaterThan(0);
      expect(
        rest.every(
          (c) => c.status === 'queued' && Number(c.attempt_count) === 0,
        ),
      ).toBe(true);
      console.log(
        `[shutdown] ${inFlightAtClose} dials in flight at close, ${dialed} dialed, ${rest.length} left queued`,
      );
    } finally {
      await db.end().catch(() => undefined);
      await dropDatabase(url);
    }
  }, 60_000);
  it('a campaign whose last two calls end at the same moment, in two transactions, still completes', async () => {
    const clock = new FakeClock(new Date(Date.now() + 1_000));
    const dialer = new SilentDialer();
    t = await createTestApp('postgres', {
      options: {
        dialer,
        clock,
        callingWindow: ALWAYS,
        defaultTimezone: zoneAtLocalHour(clock.time, 12),
        scheduler: { enabled: false, leaseMs: 10 * 60_000 },
      },
    });
    const res = await t
      .post({
        playbook_id: t.playbookId,
        recall: [],
        contacts: [{ phone: '+34600000001' }, { phone: '+34600000002' }],
      })
      .expect(202);
    const campaignId = res.body.campaign_id as string;
    clock.set(new Date(Date.now() + 1_000)); // the calls are due
    const loop = t.app.get(DialingLoopService);
    expect(await loop.tick()).toMatchObject({ started: 2 });
    await loop.drain();
    expect(dialer.dials).toHaveLength(2);

    // Two telephony webhooks for the campaign's last two calls, at once.
    const pause = pauseBeforeCampaignCompletion(
      t.app.get<DataSource>(CAMPAIGN_DATA_SOURCE),
      2,
      2_000,
    );
    const outcomes = t.app.get(CallOutcomeService);
    clock.advance(1_000);
    expect(
      await Promise.all(
        dialer.dials.map((d) =>
          outcomes.report(d.callId, d.attempt, 'answered'),
        ),
      ),
    ).toEqual([true, true]);
    expect(pause.arrived()).toBe(2);

    // Nothing is left to do: the campaign completes, at the latest on the
    // next tick (SPEC §4: each tick completes campaigns with nothing left).
    clock.advance(1_000);
    await loop.tick();
    await loop.drain();
    const [campaign] = (await t.dataSource.query(
      'SELECT status FROM campaigns WHERE id = $1',
      [campaignId],
    )) as { status: string }[];
    const calls = (await t.dataSource.query(
      'SELECT status FROM campaign_calls WHERE campaign_id = $1',
      [campaignId],
    )) as { status: string }[];
    expect(calls.map((c) => c.status)).toEqual(['answered', 'answered']);
    expect(campaign.status).toBe('completed');
  }, 30_000);

  it('app.close() with the database unreachable still closes, bounded; the open attempts are left to the lease', async () => {
    const LEASE_MS = 2 * 60_000;
    const clock = new FakeClock(new Date(Date.now() + 1_000));
    const sim = new SimulatedDialer({ latencyMs: 300 });
    t = await createTestApp('postgres', {
      options: {
        dialer: sim,
        clock,
        callingWindow: ALWAYS,
        defaultTimezone: zoneAtLocalHour(clock.time, 12),
        scheduler: {
          enabled: false,
          replicaId: 'closing-in-outage',
          batchSize: 20,
          maxInFlight: 20,
          leaseMs: LEASE_MS,
          shutdownTimeoutMs: 2_000,
        },
      },
    });
    await t
      .post({
        playbook_id: t.playbookId,
        recall: [],
        contacts: Array.from({ length: 20 }, (_, i) => ({
          phone: `+346${10_000_000 + i}`,
        })),
      })
      .expect(202);
    const url = databaseUrlOf(t);
    const name = new URL(url).pathname.slice(1);
    clock.set(new Date(Date.now() + 1_000)); // the calls are due
    const loop = t.app.get(DialingLoopService);
    expect(await loop.tick()).toMatchObject({ started: 20 });

    // The database goes away while the 20 dials are in flight.
    const admin = await connect(process.env.TEST_DATABASE_URL!);
    clients.push(admin);
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    const app = t;
    t = undefined; // closed (or destroyed) here; its database dropped below
    let closeError: unknown = null;
    try {
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      await app.app.close().catch((error: unknown) => {
        closeError = error;
      });
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      const ds = app.dataSource;
      if (ds.isInitialized) await ds.destroy().catch(() => undefined);
    }
    try {
      // Shutdown is bounded and does not fail the host's close().
      expect(closeError).toBeNull();
      expect(sim.dials).toHaveLength(20);

      // Their results could not be written: the attempts are still open
      // under the dead replica's lease, and another replica ends them
      // interrupted once it expires (never re-dialing them).
      const other = await Test.createTestingModule({
        imports: [
          TypeOrmModule.forRoot({
            type: 'postgres',
            url,
            entities: CAMPAIGN_ENTITIES,
            migrationsRun: false,
          }),
          CampaignModule.forRoot({
            dialer: new SilentDialer(),
            clock,
            callingWindow: ALWAYS,
            callingRules: { builtIn: false },
            defaultTimezone: zoneAtLocalHour(clock.time, 12),
            scheduler: {
              enabled: false,
              replicaId: 'other-replica',
              leaseMs: LEASE_MS,
            },
          }),
        ],
      }).compile();
      other.useLogger(false);
      await other.init();
      try {
        const ds = other.get<DataSource>(CAMPAIGN_DATA_SOURCE);
        const open = (await ds.query(
          `SELECT COUNT(*) AS n FROM campaign_calls WHERE status = 'dialing' AND lease_owner = 'closing-in-outage'`,
        )) as { n: string }[];
        expect(Number(open[0].n)).toBe(20);
        clock.advance(LEASE_MS);
        const otherLoop = other.get(DialingLoopService);
        expect(await otherLoop.tick()).toMatchObject({
          interrupted: 20,
          started: 0,
        });
        await otherLoop.drain();
        const attempts = (await ds.query(
          'SELECT outcome FROM campaign_call_attempts',
        )) as { outcome: string }[];
        expect(attempts.map((a) => a.outcome)).toEqual(
          Array(20).fill('interrupted'),
        );
      } finally {
        await other.close();
      }
    } finally {
      await dropDatabase(url);
    }
  }, 60_000);
  it('a pooled connection that errors before TypeORM listens does not end the process', async () => {
    t = await createTestApp('postgres', {
      options: { dialer: new SilentDialer(), scheduler: { enabled: false } },
    });
    // pg-pool drops its own 'error' listener when it hands a new client
    // over; TypeORM adds its listener only later. Between the two, a killed
    // connection used to emit 'error' with no listener: an uncaught exception.
    const pool = (t.dataSource.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    try {
      expect(client.listenerCount('error')).toBeGreaterThan(0);
      expect(() =>
        client.emit('error', new Error('terminating connection')),
      ).not.toThrow();
    } finally {
      client.release(true);
    }
    await expect(t.app.get(DialingLoopService).tick()).resolves.toMatchObject({
      started: 0,
    });
  });
});
