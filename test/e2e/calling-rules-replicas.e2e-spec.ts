/**
 * One person in ten campaigns, three replica processes on one PostgreSQL:
 * never two calls to them at once, never more attempts than the cap, across
 * campaigns and replicas. Shares the replica harness of replicas.e2e-spec
 * (a ScaledClock ×600: one fake minute is 100 real ms).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readDialLog } from '../support/file-logged-dialer';
import { ReplicaProcess } from '../support/replica-process';
import { ScaledClock, zoneAtLocalHour } from '../support/scaled-clock';
import { createTestApp, type TestApp } from '../support/test-app';
import { closeClaimGate } from '../support/claim-gate';
import { describeEachServer } from '../support/test-database';

const FACTOR = 600;
const PHONE = '+34600000001';

describeEachServer(
  'one person, many campaigns, three replicas (%s)',
  (dialect) => {
    const ph = (n: number): string => (dialect === 'postgres' ? `$${n}` : '?');
    let t: TestApp;
    let dir = '';
    const replicas: ReplicaProcess[] = [];
    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.kill()));
      await t?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('never two in flight, never over maxAttemptsPerContact', async () => {
      dir = await mkdtemp(join(tmpdir(), 'cc-one-person-'));
      t = await createTestApp(dialect, {
        options: { scheduler: { enabled: false } },
      });
      const campaigns: string[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await t
          .post({
            playbook_id: t.playbookId,
            recall: [1, 2],
            contacts: [{ phone: PHONE }, { phone: `+3460000${1000 + i}` }],
          })
          .expect(202);
        campaigns.push(res.body.campaign_id as string);
      }
      // Every replica blocks on its first claim until all are up.
      const openGate = await closeClaimGate(t.dataSource, dialect);
      const clock = new ScaledClock(Date.now(), FACTOR);
      const url = (t.dataSource.options as { url: string }).url;
      for (let i = 1; i <= 3; i++) {
        replicas.push(
          await ReplicaProcess.start({
            replicaId: `replica-${i}`,
            databaseUrl: url,
            dialLog: join(dir, `dials-${i}.jsonl`),
            clockOrigin: clock.origin,
            clockFactor: clock.factor,
            defaultTimezone: zoneAtLocalHour(clock.at(Date.now()), 12),
            tickIntervalMs: 50,
            batchSize: 50,
            maxInFlight: 50,
            maxInFlightPerAccount: 50,
            callsPerSecond: 10_000,
            shutdownTimeoutMs: 10_000,
            leaseMs: clock.fakeMs(30_000),
            latencyMs: [60, 120],
            outcomes: { no_answer: 1 },
            maxAttemptsPerContact: { calls: 3, hours: 24 },
          }),
        );
      }
      await openGate();

      // 4 real seconds: 40 fake minutes, past every recall delay; the cap's 24
      // fake hours are far away.
      await sleep(4_000);
      await Promise.all(replicas.map((r) => r.stop()));

      const dials = replicas
        .flatMap((r) => readDialLog(r.config.dialLog))
        .filter((line) => line.phone === PHONE)
        .sort((a, b) => a.startedAt - b.startedAt);
      expect(dials).toHaveLength(3);
      for (let i = 1; i < dials.length; i++) {
        const previousEnd = dials[i - 1].startedAt + dials[i - 1].latencyMs;
        expect(dials[i].startedAt).toBeGreaterThanOrEqual(previousEnd);
      }
      const [{ n }] = (await t.dataSource.query(
        `SELECT COUNT(*) AS n FROM campaign_call_attempts a
       JOIN campaign_calls c ON c.id = a.call_id
       JOIN campaign_contacts ct ON ct.id = c.contact_id
       WHERE ct.phone = ${ph(1)}`,
        [PHONE],
      )) as { n: number | string }[];
      expect(Number(n)).toBe(3);
      // The other campaigns' calls to them wait, saying why.
      const waiting = (await t.dataSource.query(
        `SELECT c.wait_reason FROM campaign_calls c
       JOIN campaign_contacts ct ON ct.id = c.contact_id
       WHERE ct.phone = ${ph(1)} AND c.status IN ('queued', 'retry_pending')`,
        [PHONE],
      )) as { wait_reason: string | null }[];
      expect(waiting.length).toBeGreaterThan(0);
      expect(
        waiting.every((w) =>
          ['cap', 'in_progress'].includes(w.wait_reason ?? ''),
        ),
      ).toBe(true);
      // The other numbers were all dialed: the cap is per person.
      const others = replicas
        .flatMap((r) => readDialLog(r.config.dialLog))
        .filter((line) => line.phone !== PHONE);
      expect(new Set(others.map((l) => l.phone)).size).toBe(10);
    });
  },
);
