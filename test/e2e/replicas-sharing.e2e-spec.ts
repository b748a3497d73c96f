/**
 * Replicas share one account's campaign when dials are slow: each replica
 * claims no more than its free dial slots and claims again as soon as they
 * free (not only at the next tick), and `maxInFlightPerAccount` stays a hard
 * cap across replicas. Real replica processes (test/support/replica-main.ts)
 * on one PostgreSQL; their dialers log every dial to their own file.
 * Shares and counts are asserted, never how long anything took.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkFinishedRun,
  progress,
  snapshot,
  waitUntil,
  type RowQuery,
} from '../support/campaign-run-checks';
import { readDialLog, type DialLogLine } from '../support/file-logged-dialer';
import type { ReplicaConfig } from '../support/replica-config';
import { ReplicaProcess } from '../support/replica-process';
import { ScaledClock, zoneAtLocalHour } from '../support/scaled-clock';
import { seedCampaigns } from '../support/seed-campaigns';
import { createTestApp, type TestApp } from '../support/test-app';
import { describeEachServer } from '../support/test-database';

/** Most dials whose [start, start + latency] intervals overlap at one instant. */
function peakOverlap(lines: DialLogLine[]): number {
  const edges = lines.flatMap((l) => [
    { at: l.startedAt, step: 1 },
    { at: l.startedAt + l.latencyMs, step: -1 },
  ]);
  // At the same instant an end comes before a start.
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let peak = 0;
  for (const e of edges) {
    now += e.step;
    peak = Math.max(peak, now);
  }
  return peak;
}

describeEachServer(
  'replicas sharing one account’s campaign (%s)',
  (dialect) => {
    let t: TestApp | undefined;
    let dir = '';
    let replicas: ReplicaProcess[] = [];

    const query: RowQuery = (sql, params) =>
      t!.dataSource.query(sql, params) as Promise<unknown[]>;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'cc-sharing-'));
      t = await createTestApp(dialect, {
        options: { scheduler: { enabled: false } },
      });
    });

    afterEach(async () => {
      await Promise.all(replicas.map((r) => r.kill()));
      replicas = [];
      await t?.close();
      t = undefined;
      await rm(dir, { recursive: true, force: true });
    });

    async function startReplicas(
      count: number,
      settings: Partial<ReplicaConfig>,
    ): Promise<void> {
      const clock = new ScaledClock(Date.now(), 1);
      const started = await Promise.allSettled(
        Array.from({ length: count }, (_, i) =>
          ReplicaProcess.start({
            replicaId: `replica-${i + 1}`,
            databaseUrl: (t!.dataSource.options as { url: string }).url,
            dialLog: join(dir, `dials-replica-${i + 1}.jsonl`),
            clockOrigin: clock.origin,
            clockFactor: clock.factor,
            defaultTimezone: zoneAtLocalHour(clock.at(Date.now()), 1),
            leaseMs: 60_000,
            latencyMs: [80, 120],
            tickIntervalMs: 100,
            batchSize: 200,
            maxInFlight: 10,
            maxInFlightPerAccount: 10_000,
            callsPerSecond: 100_000,
            shutdownTimeoutMs: 15_000,
            outcomes: { answered: 1 },
            ...settings,
          }),
        ),
      );
      for (const s of started) {
        if (s.status === 'fulfilled') replicas.push(s.value);
      }
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }

    async function waitFinished(timeoutMs: number): Promise<void> {
      let last = '';
      await waitUntil(
        async () => {
          const p = await progress(query);
          last = JSON.stringify(p);
          return p.open === 0 && p.unfinished === 0;
        },
        {
          timeoutMs,
          intervalMs: 100,
          describe: () =>
            `${last}\n${replicas.map((r) => `--- ${r.id}\n${r.output.slice(-2000)}`).join('\n')}`,
        },
      );
    }

    const logsOf = () => replicas.map((r) => readDialLog(r.config.dialLog));

    /** Every replica's dial log, and the finished run checked against the database. */
    async function finishedRun() {
      const lines = logsOf();
      const checked = checkFinishedRun(
        await snapshot(query),
        lines.flat().map((l) => ({
          callId: l.callId,
          attempt: l.attempt,
          by: l.replica,
          outcome: 'answered' as const,
        })),
      );
      return { lines, ...checked };
    }

    async function stopAll(): Promise<void> {
      for (const result of await Promise.all(replicas.map((r) => r.stop()))) {
        expect(result).toMatchObject({
          code: 0,
          closed: true,
          timedOut: false,
        });
      }
    }

    // The wake-up of other processes is PostgreSQL's NOTIFY.
    const itNotifies = dialect === 'postgres' ? it : it.skip;

    itNotifies(
      '3 replicas with 10 dial slots each and a tick that never comes: the wake-up and the refills as slots free dial the whole campaign, each replica a substantial share, no attempt twice',
      async () => {
        // A tick interval longer than the test: claims come only from the
        // wake-up of the new campaign and from refills when dials end.
        await startReplicas(3, { tickIntervalMs: 3_600_000 });
        // Every replica listens before the campaign is created (its wake-up).
        await waitUntil(
          async () => {
            const [{ n }] = (await query(
              `SELECT COUNT(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'LISTEN %'`,
            )) as { n: string }[];
            return Number(n) === 3;
          },
          { timeoutMs: 15_000, intervalMs: 50 },
        );
        const [campaign] = await seedCampaigns(t!, [
          { contacts: 600, recall: [] },
        ]);

        await waitFinished(60_000);
        await stopAll();

        const { lines, problems, stats } = await finishedRun();
        expect(problems).toEqual([]);
        expect(stats.calls).toBe(600);
        expect(stats.dials).toBe(600);
        expect(stats.attempts).toBe(600);
        // An even share is 200: each replica dialed at least 120.
        const shares = replicas.map((r) => stats.dialsBy[r.id] ?? 0);
        expect(Math.min(...shares)).toBeGreaterThanOrEqual(120);
        // No replica ever held more dials than its slots.
        for (const log of lines)
          expect(peakOverlap(log)).toBeLessThanOrEqual(10);
        console.log(
          `[sharing] campaign ${campaign.id}: dials by ${JSON.stringify(stats.dialsBy)}`,
        );
      },
      120_000,
    );

    it('maxInFlightPerAccount is a hard cap across replicas: 3 replicas with 10 slots each never dial more than 6 of one account’s calls at once', async () => {
      await seedCampaigns(t!, [{ contacts: 300, recall: [] }]);
      await startReplicas(3, {
        maxInFlightPerAccount: 6,
        latencyMs: [40, 80],
        tickIntervalMs: 50,
      });
      let peakInDatabase = 0;
      let last = '';
      await waitUntil(
        async () => {
          const [{ n }] = (await query(
            `SELECT COUNT(*) AS n FROM campaign_calls WHERE status = 'dialing'`,
          )) as { n: string }[];
          peakInDatabase = Math.max(peakInDatabase, Number(n));
          const p = await progress(query);
          last = JSON.stringify(p);
          return p.open === 0 && p.unfinished === 0;
        },
        { timeoutMs: 90_000, intervalMs: 5, describe: () => last },
      );
      await stopAll();

      const { lines, problems, stats } = await finishedRun();
      expect(problems).toEqual([]);
      expect(stats.dials).toBe(300);
      expect(peakInDatabase).toBeLessThanOrEqual(6);
      // The dials themselves, across the three processes' logs.
      const peak = peakOverlap(lines.flat());
      expect(peak).toBeLessThanOrEqual(6);
      expect(peak).toBeGreaterThan(1);
      console.log(
        `[sharing] cap 6: peak ${peak} dials at once (${peakInDatabase} seen dialing in the database); dials by ${JSON.stringify(stats.dialsBy)}`,
      );
    }, 150_000);
  },
);
