import {
  CallOutcomeService,
  DialingLoopService,
  type CampaignModuleOptions,
} from '../../lib';
import type { FakeClock } from '../support/fake-clock';
import {
  createLoopTestApp,
  MINUTE,
  type LoopTestApp,
} from '../support/loop-test-app';
import type { ScriptedDialer } from '../support/scripted-dialer';
import { TEST_DIALECTS } from '../support/test-database';

interface CallRow {
  id: string;
  campaign_id: string;
  status: string;
  attempt_count: number | string;
  due_at: string | Date;
}
interface AttemptRow {
  call_id: string;
  attempt_number: number | string;
  outcome: string | null;
  ended_at: unknown;
  provider_call_id: string | null;
}

const time = (v: string | Date): number =>
  v instanceof Date ? v.getTime() : Date.parse(`${v.replace(' ', 'T')}Z`);

describe.each(TEST_DIALECTS)('dialing loop (%s)', (dialect) => {
  let t: LoopTestApp;
  let clock: FakeClock;
  let dialer: ScriptedDialer;
  let loop: DialingLoopService;
  let round: LoopTestApp['round'];

  const start = async (
    script: ConstructorParameters<typeof ScriptedDialer>[0],
    options: CampaignModuleOptions = {},
  ) => {
    const app = await createLoopTestApp(dialect, script, options);
    ({ clock, dialer, loop } = app);
    t = app;
    round = app.round;
  };
  afterEach(() => t?.close());

  const calls = async (campaignId: string) =>
    (await t.rows<CallRow & { contact_id: string }>('campaign_calls')).filter(
      (c) => c.campaign_id === campaignId,
    );
  const attempts = () => t.rows<AttemptRow>('campaign_call_attempts');
  const details = async (id: string) =>
    (
      await t
        .http()
        .get(`/campaign/${id}`)
        .set('Authorization', `Bearer ${t.token}`)
        .expect(200)
    ).body;

  it('dials, records, retries on the recall schedule, and completes the campaign', async () => {
    await start({
      '+34600000002': ['no_answer', 'no_answer', 'no_answer'],
      '+34600000003': ['busy', 'answered'],
    });
    const res = await t
      .post({
        playbook_id: t.playbookId,
        recall: [30, 120],
        contacts: [
          {
            phone: '+34600000001',
            first_name: 'Ana',
            custom_fields: { plan: 'pro' },
          },
          { phone: '+34600000002' },
          { phone: '+34600000003' },
        ],
      })
      .expect(202);
    const id = res.body.campaign_id as string;
    const firstStart = clock.time.getTime();

    expect(await round()).toMatchObject({ started: 3, deferred: 0 });
    const ana = dialer.dials.find((d) => d.phone === '+34600000001');
    expect(ana).toMatchObject({
      attempt: 1,
      campaignId: id,
      accountId: t.accountId,
      playbookId: t.playbookId,
      contact: { first_name: 'Ana', custom_fields: { plan: 'pro' } },
    });
    let body = await details(id);
    expect(body).toMatchObject({
      campaign_id: id,
      status: 'running',
      recall: [30, 120],
      calls: { total: 3, by_status: { answered: 1, retry_pending: 2 } },
    });
    const retry = (await calls(id)).filter((c) => c.status === 'retry_pending');
    expect(retry.map((c) => time(c.due_at))).toEqual([
      firstStart + 30 * MINUTE,
      firstStart + 30 * MINUTE,
    ]);

    clock.advance(29 * MINUTE);
    expect(await round()).toMatchObject({ started: 0 });
    clock.advance(1 * MINUTE);
    expect(await round()).toMatchObject({ started: 2 });
    body = await details(id);
    expect(body.calls.by_status).toEqual({ answered: 2, retry_pending: 1 });
    const [pending] = (await calls(id)).filter(
      (c) => c.status === 'retry_pending',
    );
    expect(time(pending.due_at)).toBe(firstStart + 120 * MINUTE);

    clock.advance(89 * MINUTE);
    expect(await round()).toMatchObject({ started: 0 });
    clock.advance(1 * MINUTE);
    expect(await round()).toMatchObject({ started: 1 });
    // Exhausted: never more than 1 + recall.length attempts.
    clock.advance(600 * MINUTE);
    expect(await round()).toMatchObject({ started: 0 });

    body = await details(id);
    expect(body).toMatchObject({
      status: 'completed',
      calls: { total: 3, by_status: { answered: 2, failed: 1 } },
    });
    expect(body.completed_at).not.toBeNull();
    expect(dialer.attemptsOf('+34600000001')).toEqual([1]);
    expect(dialer.attemptsOf('+34600000002')).toEqual([1, 2, 3]);
    expect(dialer.attemptsOf('+34600000003')).toEqual([1, 2]);
    const rows = await attempts();
    expect(rows).toHaveLength(6);
    expect(
      rows.every(
        (r) => r.outcome !== null && r.ended_at !== null && r.provider_call_id,
      ),
    ).toBe(true);
  });

  it('a scheduled campaign does nothing before launch_at', async () => {
    await start({});
    const launch = new Date(Date.now() + 60 * MINUTE);
    const res = await t
      .post({
        playbook_id: t.playbookId,
        launch_at: launch.toISOString(),
        contacts: [{ phone: '+34600000001' }],
      })
      .expect(202);
    expect(await round()).toMatchObject({ activated: 0, started: 0 });
    clock.set(new Date(launch.getTime() - 1000));
    expect(await round()).toMatchObject({ activated: 0, started: 0 });
    expect((await details(res.body.campaign_id)).status).toBe('scheduled');
    clock.set(launch);
    expect(await round()).toMatchObject({ activated: 1, started: 1 });
    const body = await details(res.body.campaign_id);
    expect(body).toMatchObject({
      status: 'completed',
      calls: { by_status: { answered: 1 } },
    });
    expect(body.started_at).toBe(launch.toISOString());
  });

  it('waits for the calling window in the contact time zone, else the default', async () => {
    await start(
      {},
      { callingWindow: undefined, defaultTimezone: 'Europe/Madrid' },
    );
    // A Sunday noon UTC, after now: both contacts are outside Monday–Saturday.
    const sunday = new Date(Date.now() + 7 * 86_400_000);
    sunday.setUTCDate(sunday.getUTCDate() + ((7 - sunday.getUTCDay()) % 7));
    sunday.setUTCHours(12, 0, 0, 0);
    clock.set(sunday);
    const res = await t
      .post({
        playbook_id: t.playbookId,
        contacts: [
          { phone: '+14155552671', timezone: 'America/New_York' },
          { phone: '+34600000001' },
        ],
      })
      .expect(202);
    expect(await round()).toMatchObject({ started: 0, deferred: 2 });
    const byPhone = new Map(
      (await t.rows<{ id: string; phone: string }>('campaign_contacts')).map(
        (c) => [c.id, c.phone],
      ),
    );
    const due = new Map(
      (await calls(res.body.campaign_id)).map((c) => [
        byPhone.get(c.contact_id),
        time(c.due_at),
      ]),
    );
    const { DateTime } = await import('luxon');
    const monday = (zone: string) =>
      DateTime.fromJSDate(sunday, { zone })
        .plus({ days: 1 })
        .set({ hour: 9, minute: 0, second: 0, millisecond: 0 })
        .toMillis();
    expect(due.get('+14155552671')).toBe(monday('America/New_York'));
    expect(due.get('+34600000001')).toBe(monday('Europe/Madrid'));
    clock.set(new Date(monday('Europe/Madrid') - 1000));
    expect(await round()).toMatchObject({ started: 0 });
    clock.set(new Date(monday('Europe/Madrid')));
    expect(await round()).toMatchObject({ started: 1 });
    expect(dialer.dials.map((d) => d.phone)).toEqual(['+34600000001']);
    clock.set(new Date(monday('America/New_York')));
    expect(await round()).toMatchObject({ started: 1 });
    expect(dialer.dials.map((d) => d.phone)).toEqual([
      '+34600000001',
      '+14155552671',
    ]);
  });

  it('takes late outcome reports once, and ignores stale or duplicate ones', async () => {
    await start({ '+34600000001': ['async', 'answered'] });
    const res = await t
      .post({
        playbook_id: t.playbookId,
        recall: [30],
        contacts: [{ phone: '+34600000001' }],
      })
      .expect(202);
    await round();
    const [call] = await calls(res.body.campaign_id);
    expect(call.status).toBe('dialing');
    const outcomes = t.app.get(CallOutcomeService);
    expect(await outcomes.report(call.id, 2, 'answered')).toBe(false);
    expect(
      await outcomes.report(call.id, 1, 'no_answer', {
        providerCallId: 'prov-1',
        duration: 0,
      }),
    ).toBe(true);
    expect(await outcomes.report(call.id, 1, 'answered')).toBe(false);
    const [attempt] = await attempts();
    expect(attempt).toMatchObject({
      outcome: 'no_answer',
      provider_call_id: 'prov-1',
    });
    expect((await calls(res.body.campaign_id))[0].status).toBe('retry_pending');
    clock.advance(30 * MINUTE);
    await round();
    expect((await details(res.body.campaign_id)).status).toBe('completed');
  });

  it('an attempt whose lease expires ends interrupted, follows recall, and is never re-dialed', async () => {
    await start({ '+34600000001': ['hang', 'answered'] });
    const res = await t
      .post({
        playbook_id: t.playbookId,
        recall: [5],
        contacts: [{ phone: '+34600000001' }],
      })
      .expect(202);
    await loop.tick();
    expect(dialer.dials).toHaveLength(1);
    clock.advance(2 * MINUTE - 1);
    expect(await loop.tick()).toMatchObject({ interrupted: 0 });
    clock.advance(1);
    expect(await loop.tick()).toMatchObject({ interrupted: 1, started: 0 });
    const [attempt] = await attempts();
    expect(attempt.outcome).toBe('interrupted');
    // The hung dial answers late: its lease is gone, so it changes nothing.
    dialer.release();
    await loop.drain();
    expect((await attempts())[0].outcome).toBe('interrupted');
    clock.advance(3 * MINUTE);
    await round();
    expect(dialer.attemptsOf('+34600000001')).toEqual([1, 2]);
    expect((await details(res.body.campaign_id)).calls.by_status).toEqual({
      answered: 1,
    });
  });

  it("GET /campaign/:id is the owner's only: 404 otherwise", async () => {
    await start({});
    const res = await t
      .post({
        playbook_id: t.playbookId,
        contacts: [{ phone: '+34600000001' }],
      })
      .expect(202);
    const { ApiTokenService } = await import('../../lib');
    const other = await t.app.get(ApiTokenService).issue('acct-other');
    await t
      .http()
      .get(`/campaign/${res.body.campaign_id}`)
      .set('Authorization', `Bearer ${other.token}`)
      .expect(404);
    await t
      .http()
      .get('/campaign/2b7c5a9e-3f1d-4c2a-9d8e-5f6a7b8c9d0e')
      .set('Authorization', `Bearer ${t.token}`)
      .expect(404);
    await t
      .http()
      .get('/campaign/not-a-uuid')
      .set('Authorization', `Bearer ${t.token}`)
      .expect(404);
    await t.http().get(`/campaign/${res.body.campaign_id}`).expect(401);
    const body = await details(res.body.campaign_id);
    expect(body).toEqual({
      campaign_id: res.body.campaign_id,
      status: 'running',
      playbook_id: t.playbookId,
      launch_at: null,
      recall: [],
      timezone: null,
      calling_window: null,
      created_at: expect.any(String),
      started_at: expect.any(String),
      completed_at: null,
      calls: { total: 1, by_status: { queued: 1 }, by_outcome: {} },
    });
  });
});
