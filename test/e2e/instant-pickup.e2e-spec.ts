/**
 * An immediate campaign's calls are dialed without waiting for the next
 * tick: the tick interval here is ten minutes, so only the wake-up can dial
 * them. In process on both databases; on PostgreSQL also from another
 * replica (NOTIFY on commit, LISTEN on a connection of its own), and after
 * that connection is killed.
 */
import type { CampaignModuleOptions } from '../../lib';
import { DUE_CALLS_CHANNEL } from '../../lib/scheduler/due-calls.notifier';
import { waitUntil } from '../support/campaign-run-checks';
import { ALWAYS } from '../support/loop-test-app';
import { ScriptedDialer } from '../support/scripted-dialer';
import { createTestApp, type TestApp } from '../support/test-app';
import {
  createTestDatabase,
  TEST_DIALECTS,
  type TestDatabase,
} from '../support/test-database';

const TEN_MINUTES = 10 * 60_000;

const loopOptions = (dialer: ScriptedDialer): CampaignModuleOptions => ({
  dialer,
  callingWindow: ALWAYS,
  callingRules: { builtIn: false },
  scheduler: { enabled: true, tickIntervalMs: TEN_MINUTES },
});

const create = async (t: TestApp, phones: string[]): Promise<string> =>
  (
    await t
      .post({
        playbook_id: t.playbookId,
        recall: [],
        contacts: phones.map((phone) => ({ phone })),
      })
      .expect(202)
  ).body.campaign_id as string;

const dialed = (dialer: ScriptedDialer, phones: string[]) => async () =>
  phones.every((phone) => dialer.attemptsOf(phone).length === 1);

describe.each(TEST_DIALECTS)('instant pickup (%s)', (dialect) => {
  let apps: TestApp[] = [];
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await Promise.all(apps.map((app) => app.close()));
    apps = [];
    await database?.drop();
    database = undefined;
  });

  it('dials a new immediate campaign at once, not at the next tick', async () => {
    const dialer = new ScriptedDialer({});
    const t = await createTestApp(dialect, { options: loopOptions(dialer) });
    apps.push(t);
    const phones = ['+34600000001', '+34600000002'];
    await create(t, phones);
    await waitUntil(dialed(dialer, phones), {
      timeoutMs: 20_000,
      intervalMs: 10,
    });
    // A scheduled one waits for its launch (the tick), as before.
    await t
      .post({
        playbook_id: t.playbookId,
        launch_at: new Date(Date.now() + TEN_MINUTES).toISOString(),
        contacts: [{ phone: '+34600000003' }],
      })
      .expect(202);
    await create(t, ['+34600000004']);
    await waitUntil(dialed(dialer, ['+34600000004']), {
      timeoutMs: 20_000,
      intervalMs: 10,
    });
    expect(dialer.attemptsOf('+34600000003')).toEqual([]);
  });

  if (dialect !== 'postgres') return;

  it('another replica hears of it (NOTIFY), also after its LISTEN connection was killed', async () => {
    database = await createTestDatabase('postgres');
    const api = await createTestApp('postgres', {
      database,
      options: { scheduler: { enabled: false } },
    });
    apps.push(api);
    const dialer = new ScriptedDialer({});
    const loop = await createTestApp('postgres', {
      database,
      options: loopOptions(dialer),
    });
    apps.push(loop);
    const listening = async () =>
      (
        (await api.dataSource.query(
          `SELECT pid FROM pg_stat_activity WHERE query = $1 AND datname = current_database()`,
          [`LISTEN ${DUE_CALLS_CHANNEL}`],
        )) as { pid: number }[]
      ).map((r) => r.pid);
    await waitUntil(async () => (await listening()).length === 1, {
      timeoutMs: 20_000,
      intervalMs: 20,
    });
    await create(api, ['+34600000011']);
    await waitUntil(dialed(dialer, ['+34600000011']), {
      timeoutMs: 20_000,
      intervalMs: 10,
    });

    const [killed] = await listening();
    await api.dataSource.query('SELECT pg_terminate_backend($1)', [killed]);
    await waitUntil(
      async () => {
        const pids = await listening();
        return pids.length === 1 && pids[0] !== killed;
      },
      { timeoutMs: 20_000, intervalMs: 20 },
    );
    await create(api, ['+34600000012']);
    await waitUntil(dialed(dialer, ['+34600000012']), {
      timeoutMs: 20_000,
      intervalMs: 10,
    });
  });
});
