/**
 * Many app replicas on one PostgreSQL database, each in its own Node process
 * (test/support/replica-main.ts): they share the due calls without ever
 * dialing one attempt twice, and when one is killed mid-dial (kill -9) its
 * open attempts end `interrupted` once their lease expires and follow the
 * recall policy.
 *
 * The calls are created through the real endpoint by an in-process app whose
 * loop is off; the parent migrates the database, the replicas do not. All
 * processes share a ScaledClock (×600: one fake minute is 100 real ms) so
 * recall delays pass during the test; leases and delays below are in real
 * time unless said otherwise. Each replica's dialer appends one JSON line per
 * dial to its own log, which is checked against campaign_call_attempts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkFinishedRun,
  progress,
  snapshot,
  waitUntil,
  type DialRecord,
  type RowQuery,
} from '../support/campaign-run-checks';
import {
  countDialLog,
  readDialLog,
  recordedOutcome,
} from '../support/file-logged-dialer';
import type { ReplicaConfig } from '../support/replica-config';
import { ReplicaProcess } from '../support/replica-process';
import { ScaledClock, zoneAtLocalHour } from '../support/scaled-clock';
import { seedCampaigns, type SeededCampaign } from '../support/seed-campaigns';
import { createTestApp, type TestApp } from '../support/test-app';
import { closeClaimGate } from '../support/claim-gate';
import { describeEachServer } from '../support/test-database';

const FACTOR = 600;
const MINUTE = 60_000;

/** The databases many replicas share (SQLite is one process). */
describeEachServer(
  'replicas in separate processes on one %s database',
  (dialect) => {
    /** The n-th bind placeholder of the dialect. */
    const ph = (n: number): string => (dialect === 'postgres' ? `$${n}` : '?');
    let t: TestApp | undefined;
    let dir = '';
    let replicas: ReplicaProcess[] = [];
    /** Opens the claim gate while it is closed. */
    let openClaims: (() => Promise<void>) | undefined;
    /** Replicas this test killed or stopped on purpose. */
    const killed = new Set<string>();

    const query: RowQuery = (sql, params) =>
      t!.dataSource.query(sql, params) as Promise<unknown[]>;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'cc-replicas-'));
      killed.clear();
    });

    afterEach(async () => {
      await Promise.all(replicas.map((r) => r.kill()));
      replicas = [];
      await openClaims?.().catch(() => undefined);
      openClaims = undefined;
      await t?.close();
      t = undefined;
      await rm(dir, { recursive: true, force: true });
    });

    /** A fresh database with the campaigns, created through POST /campaign. */
    async function seed(
      campaigns: { contacts: number; recall: number[] }[],
    ): Promise<SeededCampaign[]> {
      t = await createTestApp(dialect, {
        options: { scheduler: { enabled: false } },
      });
      return seedCampaigns(t, campaigns);
    }

    async function closeGate(): Promise<void> {
      openClaims = await closeClaimGate(t!.dataSource, dialect);
    }

    async function openGate(): Promise<void> {
      await openClaims?.();
      openClaims = undefined;
    }

    async function startReplicas(
      count: number,
      settings: Pick<ReplicaConfig, 'latencyMs' | 'leaseMs'>,
      clock: ScaledClock,
    ): Promise<void> {
      const url = (t!.dataSource.options as { url: string }).url;
      const zone = zoneAtLocalHour(clock.at(Date.now()), 1);
      const started = await Promise.allSettled(
        Array.from({ length: count }, (_, i) =>
          ReplicaProcess.start({
            replicaId: `replica-${i + 1}`,
            databaseUrl: url,
            dialLog: join(dir, `dials-replica-${i + 1}.jsonl`),
            clockOrigin: clock.origin,
            clockFactor: clock.factor,
            defaultTimezone: zone,
            tickIntervalMs: 100,
            batchSize: 200,
            maxInFlight: 500,
            maxInFlightPerAccount: 10_000,
            callsPerSecond: 100_000,
            shutdownTimeoutMs: 15_000,
            ...settings,
          }),
        ),
      );
      for (const s of started)
        if (s.status === 'fulfilled') replicas.push(s.value);
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }

    /** Every dial of every replica, from their own logs. */
    const dialsOfAll = (): DialRecord[] =>
      replicas.flatMap((r) =>
        readDialLog(r.config.dialLog).map((line) => ({
          callId: line.callId,
          attempt: line.attempt,
          by: line.replica,
          outcome: recordedOutcome(line.outcome),
        })),
      );

    /** Until no call is open and every campaign is completed. */
    async function waitFinished(timeoutMs: number): Promise<void> {
      let last = '';
      await waitUntil(
        async () => {
          const crashed = replicas.find((r) => !r.alive && !killed.has(r.id));
          if (crashed) {
            throw new Error(
              `replica ${crashed.id} died (${JSON.stringify(await crashed.exited)}):\n${crashed.output}`,
            );
          }
          const p = await progress(query);
          last = JSON.stringify(p);
          return p.open === 0 && p.unfinished === 0;
        },
        {
          timeoutMs,
          intervalMs: 200,
          describe: () =>
            `${last}\n${replicas.map((r) => `--- ${r.id}\n${r.output.slice(-3000)}`).join('\n')}`,
        },
      );
    }

    /** SIGTERM to every live replica: each must close cleanly and exit 0. */
    async function stopAll(): Promise<void> {
      const live = replicas.filter((r) => r.alive);
      const results = await Promise.all(live.map((r) => r.stop()));
      results.forEach((result, i) => {
        expect({ replica: live[i].id, ...result }).toEqual({
          replica: live[i].id,
          code: 0,
          signal: null,
          closed: true,
          closeError: null,
          timedOut: false,
        });
      });
    }

    it('3 replicas share 5 000 calls: each attempt dialed exactly once, the log matches the attempts table, one leaves gracefully mid-run', async () => {
      const campaigns = await seed([
        { contacts: 2_500, recall: [] },
        // 1 and 2 fake minutes: 100 and 200 real ms.
        { contacts: 2_500, recall: [1, 2] },
      ]);
      await closeGate();
      const clock = new ScaledClock(Date.now(), FACTOR);
      await startReplicas(
        3,
        // A lease far longer than any dial: nothing may end interrupted here.
        { latencyMs: [1, 25], leaseMs: clock.fakeMs(30_000) },
        clock,
      );
      await openGate();

      // Mid-run, one replica is stopped gracefully (SIGTERM): it stops
      // claiming, waits for its dials and records them, leaves no lease
      // behind, and exits 0; the others finish the work.
      const leaving = replicas[2];
      let heldAtStop = 0;
      await waitUntil(
        async () => {
          const total = replicas.reduce(
            (n, r) => n + countDialLog(r.config.dialLog),
            0,
          );
          if (total < 1_500) return false;
          // Best effort: stop it while it holds leases (dials in flight).
          const [{ n }] = (await query(
            `SELECT COUNT(*) AS n FROM campaign_calls WHERE lease_owner = ${ph(1)}`,
            [leaving.id],
          )) as { n: string }[];
          heldAtStop = Number(n);
          return heldAtStop > 0 || total >= 3_000;
        },
        { timeoutMs: 30_000, intervalMs: 5 },
      );
      expect(await leaving.stop()).toEqual({
        code: 0,
        signal: null,
        closed: true,
        closeError: null,
        timedOut: false,
      });
      killed.add(leaving.id);
      expect(
        await query(
          `SELECT id FROM campaign_calls WHERE lease_owner = ${ph(1)}`,
          [leaving.id],
        ),
      ).toEqual([]);
      const leftDials = countDialLog(leaving.config.dialLog);

      await waitFinished(45_000);
      await stopAll();
      // Nothing dialed by a stopped replica.
      expect(countDialLog(leaving.config.dialLog)).toBe(leftDials);

      const snap = await snapshot(query);
      const dials = dialsOfAll();
      const { problems, stats } = checkFinishedRun(snap, dials);
      expect(problems).toEqual([]);
      expect(stats.calls).toBe(5_000);
      expect(stats.attempts).toBe(stats.dials);
      expect(stats.interrupted).toBe(0);
      expect(stats.undialed).toBe(0);
      for (const r of replicas) expect(stats.dialsBy[r.id]).toBeGreaterThan(0);
      // The recall campaign really retried (≈40 % of first attempts retry).
      const recallCampaign = campaigns[1].id;
      const retried = snap.calls.filter(
        (c) => c.campaign_id === recallCampaign && c.attempt_count > 1,
      );
      expect(retried.length).toBeGreaterThan(0);
      expect(stats.maxAttemptsSeen).toBeLessThanOrEqual(3);
      expect(
        snap.calls
          .filter((c) => c.campaign_id === campaigns[0].id)
          .every((c) => c.attempt_count === 1),
      ).toBe(true);
      // Retries went to whichever replica claimed them, not only the first dialer.
      const byAttempt = new Map(
        dials.map((d) => [`${d.callId}#${d.attempt}`, d.by]),
      );
      const movedOn = retried.filter(
        (c) => byAttempt.get(`${c.id}#1`) !== byAttempt.get(`${c.id}#2`),
      );
      expect(movedOn.length).toBeGreaterThan(0);
      console.log(
        `[replicas] ${leaving.id} held ${heldAtStop} leases when stopped; ${stats.dials} dials by ${JSON.stringify(stats.dialsBy)}; outcomes ${JSON.stringify(stats.outcomes)}; ${retried.length} calls retried`,
      );
    }, 120_000);

    it('a replica killed mid-dial (kill -9): its open attempts end interrupted after the lease, follow recall, and are never re-dialed', async () => {
      const LEASE_MS = 3_000;
      const campaigns = await seed([
        // 40 and 45 fake minutes: 4 and 4.5 real seconds, longer than the
        // lease, so a retry after an interruption waits for first start + delay.
        { contacts: 2_500, recall: [40, 45] },
        { contacts: 2_500, recall: [] },
      ]);
      const recallOf = new Map(campaigns.map((c) => [c.id, c.recall]));
      await closeGate();
      const clock = new ScaledClock(Date.now(), FACTOR);
      await startReplicas(
        3,
        { latencyMs: [200, 500], leaseMs: clock.fakeMs(LEASE_MS) },
        clock,
      );
      await openGate();

      // Kill it mid-dialing, once it recorded some of its own results and
      // while others are in flight.
      const victim = replicas[0];
      let victimRecorded = 0;
      await waitUntil(
        async () => {
          const lines = readDialLog(victim.config.dialLog);
          if (lines.length < 300) return false;
          const [{ n }] = (await query(
            `SELECT COUNT(*) AS n FROM campaign_call_attempts
          WHERE outcome IS NOT NULL AND outcome <> 'interrupted'
            AND (call_id, attempt_number) IN
            (${lines.map((_, i) => `(${ph(2 * i + 1)}, ${ph(2 * i + 2)})`).join(', ')})`,
            lines.flatMap((l) => [l.callId, l.attempt]),
          )) as { n: string }[];
          victimRecorded = Number(n);
          return victimRecorded >= 100;
        },
        {
          timeoutMs: 30_000,
          intervalMs: 20,
          describe: () => victim.output.slice(-3000),
        },
      );
      killed.add(victim.id);
      expect(await victim.kill()).toEqual({ code: null, signal: 'SIGKILL' });
      // What the dead replica held: these attempts can only end by lease expiry.
      const held = (await query(
        `SELECT id, campaign_id, attempt_count FROM campaign_calls
      WHERE status = 'dialing' AND lease_owner = ${ph(1)}`,
        [victim.id],
      )) as { id: string; campaign_id: string; attempt_count: number }[];
      expect(held.length).toBeGreaterThan(0);
      const victimDialsAtDeath = readDialLog(victim.config.dialLog);

      await waitFinished(50_000);
      await stopAll();

      const snap = await snapshot(query);
      const dials = dialsOfAll();
      // A dead replica's log does not grow.
      expect(readDialLog(victim.config.dialLog)).toEqual(victimDialsAtDeath);
      const leaseFake = clock.fakeMs(LEASE_MS);
      const { problems, stats } = checkFinishedRun(snap, dials, {
        // Any dial may end interrupted, but only once its lease expired
        // (checked below for every interrupted attempt).
        mayBeInterrupted: () => true,
        // Claimed (attempt row committed) but killed before dialing.
        allowUndialedAttempts: true,
      });
      expect(problems).toEqual([]);
      expect(stats.calls).toBe(5_000);
      for (const r of replicas) expect(stats.dialsBy[r.id]).toBeGreaterThan(0);

      const attempts = new Map(
        snap.attempts.map((a) => [`${a.call_id}#${a.attempt_number}`, a]),
      );
      // What it recorded before dying stays as it was.
      const victimOwn = victimDialsAtDeath.filter(
        (l) =>
          attempts.get(`${l.callId}#${l.attempt}`)?.outcome ===
          recordedOutcome(l.outcome),
      );
      expect(victimOwn.length).toBeGreaterThanOrEqual(victimRecorded);
      const callById = new Map(snap.calls.map((c) => [c.id, c]));
      // Nothing ends interrupted before its lease is over.
      for (const a of snap.attempts.filter(
        (x) => x.outcome === 'interrupted',
      )) {
        expect(
          new Date(a.ended_at!).getTime() - new Date(a.started_at).getTime(),
        ).toBeGreaterThanOrEqual(leaseFake);
        expect(a.details).toEqual({ reason: 'lease expired' });
      }
      // Everything the dead replica held ended interrupted and went on by its
      // recall policy: failed without recall, else a later attempt no earlier
      // than first start + delay (or the interruption, if that was later).
      let retriedAtDelay = 0;
      for (const h of held) {
        const attempt = Number(h.attempt_count);
        const a = attempts.get(`${h.id}#${attempt}`);
        expect({ call: h.id, attempt, outcome: a?.outcome }).toEqual({
          call: h.id,
          attempt,
          outcome: 'interrupted',
        });
        const call = callById.get(h.id)!;
        const recall = recallOf.get(h.campaign_id)!;
        if (attempt >= 1 + recall.length) {
          expect(call.status).toBe('failed');
          expect(call.attempt_count).toBe(attempt);
          continue;
        }
        const next = attempts.get(`${h.id}#${attempt + 1}`);
        expect(next).toBeDefined();
        const first = new Date(call.first_attempt_at!).getTime();
        const due = Math.max(
          first + recall[attempt - 1] * MINUTE,
          new Date(a!.ended_at!).getTime(),
        );
        expect(new Date(next!.started_at).getTime()).toBeGreaterThanOrEqual(
          due,
        );
        if (due === first + recall[attempt - 1] * MINUTE) retriedAtDelay++;
      }
      const interruptedBy: Record<string, number> = {};
      const dialedBy = new Map(
        dials.map((d) => [`${d.callId}#${d.attempt}`, d.by]),
      );
      for (const a of snap.attempts.filter(
        (x) => x.outcome === 'interrupted',
      )) {
        const by = dialedBy.get(`${a.call_id}#${a.attempt_number}`) ?? 'nobody';
        interruptedBy[by] = (interruptedBy[by] ?? 0) + 1;
      }
      console.log(
        `[crash] interrupted by dialer ${JSON.stringify(interruptedBy)}; victim dialed ${victimDialsAtDeath.length} (${victimRecorded}+ recorded), held ${held.length} leases at death; ` +
          `${stats.interrupted} interrupted (${stats.undialed} never dialed), ${retriedAtDelay} retried at first start + delay; ` +
          `dials ${JSON.stringify(stats.dialsBy)}`,
      );
    }, 120_000);
  },
);
