/**
 * `kill -9` of a replica mid-dial with each real provider dialer (against
 * its provider's fake): the calls it had placed go on at the provider
 * and end there, no webhook reaches the module. Another replica, once the
 * leases expire, asks the provider what became of each attempt, by its call
 * id or, where the create's answer was lost with the process, by the
 * metadata; it records the provider's real outcomes and dials nobody again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlaybookService, type PlaybookProviderConfig } from '../../lib';
import { waitUntil } from '../support/campaign-run-checks';
import { RetellFakeServer } from '../support/fakes/retell-fake.server';
import { TwilioFake } from '../support/fakes/twilio-fake.server';
import { VapiFakeServer } from '../support/fakes/vapi-fake.server';
import { ReplicaProcess } from '../support/replica-process';
import type { ReplicaConfig } from '../support/replica-config';
import { ScaledClock, zoneAtLocalHour } from '../support/scaled-clock';
import { createTestApp, type TestApp } from '../support/test-app';
import { TEST_DIALECTS } from '../support/test-database';

/**
 * Real time: a provider finds a call without its id by when it was created,
 * which a faster clock would put in the future.
 */
const FACTOR = 1;

/** One provider's fake, scripted for the scenario, and how the replicas reach it. */
interface Scenario {
  config: PlaybookProviderConfig;
  /** `answered`: the create is answered, the call then goes unanswered; `lost`: the create's answer never comes, the person picks up. */
  script(phone: string, kind: 'answered' | 'lost'): void;
  replicaProvider: NonNullable<ReplicaConfig['provider']>;
  creates(): number;
  /** Calls at the provider so far. */
  placed(): number;
  /** The calls end at the provider; no webhook reaches the module. */
  endAll(): Promise<void>;
  /** What the provider's answer maps to, per kind. */
  outcomes: { answered: string; lost: string };
  close(): Promise<void>;
}

async function retell(): Promise<Scenario> {
  const apiKey = 'key_retell_reconcile';
  const fake = await RetellFakeServer.start({ apiKey, agents: ['agent_r'] });
  const creates = () =>
    fake.requests.filter(
      (r) => r.method === 'POST' && r.path === '/v2/create-phone-call',
    ).length;
  return {
    config: {
      provider: 'retell',
      assistantId: 'agent_r',
      callerNumbers: ['+14155550100'],
    },
    script: (phone, kind) =>
      fake.script(
        phone,
        kind === 'answered'
          ? { disconnectionReason: 'dial_no_answer' }
          : { createThenHang: true, disconnectionReason: 'user_hangup' },
      ),
    replicaProvider: { name: 'retell', apiKey, baseUrl: fake.url },
    creates,
    placed: () => fake.calls.size,
    endAll: async () => fake.endAllSilently(),
    outcomes: { answered: 'no_answer', lost: 'completed' },
    close: () => fake.close(),
  };
}

async function vapi(): Promise<Scenario> {
  const apiKey = 'vapi-key-reconcile';
  const fake = await VapiFakeServer.start(apiKey);
  return {
    config: {
      provider: 'vapi',
      assistantId: 'asst-r',
      callerNumbers: ['5b0e6a52-8c1d-4e3f-9a7b-2c4d6e8f0a1b'],
    },
    script: (phone, kind) =>
      fake.script(
        phone,
        kind === 'answered'
          ? { endedReason: 'customer-did-not-answer' }
          : { createThenHang: true, endedReason: 'assistant-ended-call' },
      ),
    replicaProvider: {
      name: 'vapi',
      apiKey,
      secret: 'unused-no-webhooks-here',
      baseUrl: fake.baseUrl,
    },
    creates: () =>
      fake.requests.filter((r) => r.method === 'POST' && r.path === '/call')
        .length,
    placed: () => fake.calls.size,
    endAll: async () => fake.endAllSilently(),
    outcomes: { answered: 'no_answer', lost: 'completed' },
    close: () => fake.close(),
  };
}

async function twilio(): Promise<Scenario> {
  const sid = `AC${'2'.repeat(32)}`;
  const token = 'twilio-token-reconcile';
  const fake = await TwilioFake.start(sid, token);
  const creates = () =>
    fake.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/Calls.json'),
    ).length;
  return {
    config: {
      provider: 'twilio',
      assistantId: 'https://assistant.example/twiml',
      callerNumbers: ['+14155550100'],
    },
    script: (phone, kind) =>
      fake.script(
        phone,
        kind === 'answered'
          ? { finalStatus: 'no-answer' }
          : {
              createThenHang: true,
              finalStatus: 'completed',
              answeredBy: 'human',
            },
      ),
    replicaProvider: {
      name: 'twilio',
      accountSid: sid,
      authToken: token,
      baseUrl: fake.baseUrl,
      // Nobody listens there: no status callback reaches the module.
      webhookBaseUrl: 'http://127.0.0.1:9/campaign/webhooks/twilio',
    },
    creates,
    placed: creates,
    endAll: () => fake.endAllSilently(),
    outcomes: { answered: 'no_answer', lost: 'answered' },
    close: () => fake.close(),
  };
}

const describePostgres = TEST_DIALECTS.includes('postgres')
  ? describe
  : describe.skip;

describePostgres.each([
  ['retell', retell],
  ['vapi', vapi],
  ['twilio', twilio],
] as const)(
  'reconciliation after kill -9, real %s dialer (PostgreSQL)',
  (_name, setUp) => {
    let t: TestApp;
    let fake: Scenario;
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
      fake = await setUp();
      t = await createTestApp('postgres', {
        options: { scheduler: { enabled: false } },
      });
      const playbook = await t.app.get(PlaybookService).register({
        accountId: t.accountId,
        name: 'Provider playbook',
        provider: fake.config,
      });
      const answered = Array.from({ length: 5 }, (_, i) => `+3460000040${i}`);
      const lost = Array.from({ length: 5 }, (_, i) => `+3460000050${i}`);
      for (const phone of answered) fake.script(phone, 'answered');
      for (const phone of lost) fake.script(phone, 'lost');
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
        provider: fake.replicaProvider,
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
        async () => fake.placed() === 10 && (await stored()) === 5,
        { timeoutMs: 20_000, intervalMs: 50, describe: () => first.output },
      );
      await first.kill(); // SIGKILL mid-dial: five creates still unanswered
      await fake.endAll();

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

      expect(fake.creates()).toBe(10);
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
          answered.includes(row.phone)
            ? fake.outcomes.answered
            : fake.outcomes.lost,
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
