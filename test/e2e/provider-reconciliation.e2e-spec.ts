/**
 * `kill -9` of a replica mid-dial with a real provider dialer (RetellDialer
 * against the Retell fake): the calls it had placed go on at the provider
 * and end there, no webhook reaches the module. Another replica, once the
 * leases expire, asks the provider what became of each attempt, by its call
 * id or, where the create's answer was lost with the process, by the
 * metadata; it records the provider's real outcomes and dials nobody again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlaybookService } from '../../lib';
import { waitUntil } from '../support/campaign-run-checks';
import { RetellFakeServer } from '../support/fakes/retell-fake.server';
import { ReplicaProcess } from '../support/replica-process';
import type { ReplicaConfig } from '../support/replica-config';
import { ScaledClock, zoneAtLocalHour } from '../support/scaled-clock';
import { createTestApp, type TestApp } from '../utils/test-app';
import { TEST_DIALECTS } from '../utils/test-database';

const API_KEY = 'key_retell_reconcile';
const FACTOR = 600;

const describePostgres = TEST_DIALECTS.includes('postgres')
  ? describe
  : describe.skip;

describePostgres(
  'reconciliation after kill -9, real Retell dialer (PostgreSQL)',
  () => {
    let t: TestApp;
    let fake: RetellFakeServer;
    let dir = '';
    const replicas: ReplicaProcess[] = [];
    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.kill()));
      await fake?.close();
      await t?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('records what the provider says of every attempt the dead replica left, re-dials none', async () => {
      dir = await mkdtemp(join(tmpdir(), 'cc-reconcile-'));
      fake = await RetellFakeServer.start({
        apiKey: API_KEY,
        agents: ['agent_r'],
      });
      t = await createTestApp('postgres', {
        options: { scheduler: { enabled: false } },
      });
      const playbook = await t.app.get(PlaybookService).register({
        accountId: t.accountId,
        name: 'Retell',
        provider: {
          provider: 'retell',
          assistantId: 'agent_r',
          callerNumbers: ['+14155550100'],
        },
      });
      const answered = Array.from({ length: 5 }, (_, i) => `+3460000040${i}`);
      const lost = Array.from({ length: 5 }, (_, i) => `+3460000050${i}`);
      // Answered creates: the call then goes unanswered at the provider.
      for (const phone of answered) {
        fake.script(phone, { disconnectionReason: 'dial_no_answer' });
      }
      // Creates whose answer dies with the replica: the person picks up.
      for (const phone of lost) {
        fake.script(phone, {
          createThenHang: true,
          disconnectionReason: 'user_hangup',
        });
      }
      await t
        .post({
          playbook_id: playbook.id,
          recall: [],
          contacts: [...answered, ...lost].map((phone) => ({ phone })),
        })
        .expect(202);

      const clock = new ScaledClock(Date.now(), FACTOR);
      const url = (t.dataSource.options as { url: string }).url;
      const config = (id: string): ReplicaConfig => ({
        replicaId: id,
        databaseUrl: url,
        dialLog: join(dir, `${id}.jsonl`),
        clockOrigin: clock.origin,
        clockFactor: clock.factor,
        defaultTimezone: zoneAtLocalHour(clock.at(Date.now()), 12),
        tickIntervalMs: 100,
        batchSize: 50,
        maxInFlight: 50,
        maxInFlightPerAccount: 50,
        callsPerSecond: 10_000,
        shutdownTimeoutMs: 5_000,
        // 5 fake minutes (0.5 s) for a dial that never answered; an accepted
        // call waits 20 fake minutes (2 s) for its webhook.
        leaseMs: clock.fakeMs(500),
        outcomeTimeoutMs: clock.fakeMs(2_000),
        latencyMs: [0, 0],
        retell: { apiKey: API_KEY, baseUrl: fake.url },
      });

      const first = await ReplicaProcess.start(config('replica-1'));
      replicas.push(first);
      const stored = async () =>
        Number(
          (
            (await t.dataSource.query(
              `SELECT COUNT(*)::int AS n FROM campaign_call_attempts WHERE provider_call_id IS NOT NULL`,
            )) as { n: number }[]
          )[0].n,
        );
      await waitUntil(
        async () => fake.calls.size === 10 && (await stored()) === 5,
        { timeoutMs: 20_000, intervalMs: 50, describe: () => first.output },
      );
      await first.kill(); // SIGKILL mid-dial: five creates still unanswered
      fake.endAllSilently();

      replicas.push(await ReplicaProcess.start(config('replica-2')));
      await waitUntil(
        async () => {
          const [{ open }] = (await t.dataSource.query(
            `SELECT COUNT(*)::int AS open FROM campaign_calls
           WHERE status IN ('queued', 'dialing', 'retry_pending')`,
          )) as { open: number }[];
          return open === 0;
        },
        {
          timeoutMs: 30_000,
          intervalMs: 100,
          describe: () => replicas[1].output,
        },
      );

      const creates = fake.requests.filter(
        (r) => r.method === 'POST' && r.path === '/v2/create-phone-call',
      );
      expect(creates).toHaveLength(10);
      const rows = (await t.dataSource.query(
        `SELECT ct.phone, c.status, c.last_outcome, c.attempt_count
       FROM campaign_calls c JOIN campaign_contacts ct ON ct.id = c.contact_id`,
      )) as {
        phone: string;
        status: string;
        last_outcome: string;
        attempt_count: number;
      }[];
      for (const row of rows) {
        expect(row.attempt_count).toBe(1);
        expect(row.last_outcome).toBe(
          answered.includes(row.phone) ? 'no_answer' : 'completed',
        );
      }
      const reconciled = (await t.dataSource.query(
        `SELECT COUNT(*)::int AS n FROM campaign_call_attempts
       WHERE details->>'reconciled' = 'true'`,
      )) as { n: number }[];
      expect(reconciled[0].n).toBe(10);
    });
  },
);
