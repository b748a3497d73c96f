import {
  ApiTokenService,
  CampaignEventRelayService,
  CampaignEventsService,
  DialingLoopService,
  type CampaignEvent,
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
import { httpMatrix } from '../support/test-app';

describe.each(httpMatrix(TEST_DIALECTS))(
  'campaign operations (%s, %s)',
  (dialect, platform) => {
    let t: LoopTestApp;
    let clock: FakeClock;
    let dialer: ScriptedDialer;
    let loop: DialingLoopService;
    let sunk: CampaignEvent[];
    let round: LoopTestApp['round'];

    const start = async (
      script: ConstructorParameters<typeof ScriptedDialer>[0],
      options: CampaignModuleOptions = {},
    ) => {
      sunk = [];
      const app = await createLoopTestApp(
        dialect,
        script,
        {
          eventEmitter: { emit: (_name, event) => sunk.push(event) },
          ...options,
          scheduler: { leaseMs: 10 * MINUTE, ...options.scheduler },
        },
        platform,
      );
      ({ clock, dialer, loop } = app);
      t = app;
      round = app.round;
    };
    afterEach(() => t?.close());

    const act = (id: string, action: string, token = t.token) =>
      t
        .http()
        .post(`/campaign/${id}/${action}`)
        .set('Authorization', `Bearer ${token}`);
    const details = async (id: string) =>
      (
        await t
          .http()
          .get(`/campaign/${id}`)
          .set('Authorization', `Bearer ${t.token}`)
          .expect(200)
      ).body;
    const dnc = (method: 'put' | 'delete' | 'get', phone = '') =>
      t
        .http()
        [method](
          `/campaign/do-not-call${phone ? `/${encodeURIComponent(phone)}` : ''}`,
        )
        .set('Authorization', `Bearer ${t.token}`);

    it('cancel during dialing: the attempt in flight finishes and is recorded, nothing else is dialed', async () => {
      await start(
        {
          '+34600000001': ['hang:no_answer'],
          '+34600000002': ['hang'],
          '+34600000003': ['hang'],
        },
        { scheduler: { maxInFlightPerAccount: 1 } },
      );
      const id = (
        await t
          .post({
            playbook_id: t.playbookId,
            recall: [5],
            contacts: [
              { phone: '+34600000001' },
              { phone: '+34600000002' },
              { phone: '+34600000003' },
            ],
          })
          .expect(202)
      ).body.campaign_id as string;
      // Only one call may be in flight for the account: the first one dials and hangs.
      expect(await loop.tick()).toMatchObject({ started: 1 });
      const res = await act(id, 'cancel').expect(200);
      expect(res.body).toMatchObject({
        status: 'cancelled',
        calls: { total: 3, by_status: { dialing: 1, cancelled: 2 } },
      });
      await act(id, 'cancel').expect(200);
      dialer.release();
      await loop.drain();
      clock.advance(10 * MINUTE);
      expect(await round()).toMatchObject({ started: 0 });
      const body = await details(id);
      expect(body.status).toBe('cancelled');
      expect(dialer.dials).toHaveLength(1);
      // Which of the three (equally due) calls is dialed is the database's
      // pick: a no_answer ends cancelled (its retry is), an answer stays answered.
      expect(body.calls.by_status).toEqual(
        dialer.dials[0].phone === '+34600000001'
          ? { cancelled: 3 }
          : { answered: 1, cancelled: 2 },
      );
      const attempts = await t.rows<{ outcome: string | null }>(
        'campaign_call_attempts',
      );
      expect(attempts.map((a) => a.outcome)).toEqual([
        dialer.dials[0].phone === '+34600000001' ? 'no_answer' : 'answered',
      ]);
      await act(id, 'resume').expect(409);
      await act(id, 'pause').expect(409);
      expect(sunk.filter((e) => e.type === 'campaign.cancelled')).toHaveLength(
        1,
      );
    });

    it('pause stops new attempts across a retry due time; resume picks up where it left off', async () => {
      await start({ '+34600000001': ['no_answer', 'answered'] });
      const id = (
        await t
          .post({
            playbook_id: t.playbookId,
            recall: [30],
            contacts: [{ phone: '+34600000001' }],
          })
          .expect(202)
      ).body.campaign_id as string;
      await round();
      expect((await details(id)).calls.by_status).toEqual({ retry_pending: 1 });
      clock.advance(10 * MINUTE);
      expect((await act(id, 'pause').expect(200)).body.status).toBe('paused');
      await act(id, 'pause').expect(200);
      clock.advance(30 * MINUTE);
      expect(await round()).toMatchObject({ started: 0 });
      expect(dialer.dials).toHaveLength(1);
      expect((await act(id, 'resume').expect(200)).body.status).toBe('running');
      await act(id, 'resume').expect(200);
      expect(await round()).toMatchObject({ started: 1 });
      expect(dialer.attemptsOf('+34600000001')).toEqual([1, 2]);
      expect((await details(id)).status).toBe('completed');
      await act(id, 'resume').expect(409);
      await act(id, 'cancel').expect(409);
      expect(
        sunk.map((e) => e.type).filter((type) => type.startsWith('campaign.')),
      ).toEqual([
        'campaign.created',
        'campaign.started',
        'campaign.paused',
        'campaign.resumed',
        'campaign.completed',
      ]);
    });

    it('a paused scheduled campaign resumes as scheduled before launch_at and as running after', async () => {
      await start({});
      const launch = new Date(Date.now() + 60 * MINUTE);
      const id = (
        await t
          .post({
            playbook_id: t.playbookId,
            launch_at: launch.toISOString(),
            contacts: [{ phone: '+34600000001' }],
          })
          .expect(202)
      ).body.campaign_id as string;
      await act(id, 'pause').expect(200);
      expect((await act(id, 'resume').expect(200)).body.status).toBe(
        'scheduled',
      );
      await act(id, 'pause').expect(200);
      clock.set(new Date(launch.getTime() + MINUTE));
      expect(await round()).toMatchObject({ activated: 0, started: 0 });
      const resumed = (await act(id, 'resume').expect(200)).body;
      expect(resumed).toMatchObject({
        status: 'running',
        started_at: clock.time.toISOString(),
      });
      expect(await round()).toMatchObject({ started: 1 });
    });

    it('a number added to the do-not-call list after the campaign was created is never dialed', async () => {
      await start({ '+34600000003': ['opted_out'] });
      const id = (
        await t
          .post({
            playbook_id: t.playbookId,
            contacts: [
              { phone: '+34600000001' },
              { phone: '+34600000002' },
              { phone: '+34600000003' },
            ],
          })
          .expect(202)
      ).body.campaign_id as string;
      const added = await dnc('put', '+34600000001').expect(200);
      expect(added.body).toEqual({
        phone: '+34600000001',
        reason: 'api',
        created_at: expect.any(String),
      });
      await dnc('put', '+34600000001').expect(200);
      expect(await round()).toMatchObject({ started: 2, optedOut: 1 });
      expect(dialer.dials.map((d) => d.phone).sort()).toEqual([
        '+34600000002',
        '+34600000003',
      ]);
      const body = await details(id);
      expect(body).toMatchObject({
        status: 'completed',
        calls: { by_status: { opted_out: 2, answered: 1 } },
      });
      // The attempt that ended opted_out put its number on the list.
      const list = (await dnc('get').expect(200)).body;
      expect(list).toEqual({
        data: [
          {
            phone: '+34600000001',
            reason: 'api',
            created_at: expect.any(String),
          },
          {
            phone: '+34600000003',
            reason: 'opted_out',
            created_at: expect.any(String),
          },
        ],
        next_cursor: null,
      });
      const page = (await dnc('get').query({ limit: 1 }).expect(200)).body;
      expect(page.data.map((e: { phone: string }) => e.phone)).toEqual([
        '+34600000001',
      ]);
      const next = (
        await dnc('get')
          .query({ limit: 1, cursor: page.next_cursor })
          .expect(200)
      ).body;
      expect(next.data.map((e: { phone: string }) => e.phone)).toEqual([
        '+34600000003',
      ]);
      await dnc('delete', '+34600000001').expect(204);
      await dnc('delete', '+34600000001').expect(404);
      const bad = await dnc('put', '12ab').expect(400);
      expect(bad.body.message[0]).toMatch(/^phone: /);
      await dnc('get').query({ limit: 0 }).expect(400);
      await t.http().get('/campaign/do-not-call').expect(401);
    });

    it('emits lifecycle events; a failing subscriber never breaks the loop', async () => {
      await start({ '+34600000002': ['no_answer'] });
      const events = t.app.get(CampaignEventsService);
      const seen: CampaignEvent[] = [];
      events.subscribe(() => {
        throw new Error('subscriber bug');
      });
      events.subscribe(() => Promise.reject(new Error('async subscriber bug')));
      const unsubscribe = events.subscribe((e) => seen.push(e));
      const launch = new Date(Date.now() + 60 * MINUTE);
      const id = (
        await t
          .post({
            playbook_id: t.playbookId,
            launch_at: launch.toISOString(),
            contacts: [{ phone: '+34600000001' }, { phone: '+34600000002' }],
          })
          .expect(202)
      ).body.campaign_id as string;
      await t.app.get(CampaignEventRelayService).drain();
      clock.set(launch);
      await round();
      expect((await details(id)).status).toBe('completed');
      const types = seen.map((e) => e.type);
      expect(types[0]).toBe('campaign.created');
      expect(types.filter((x) => x === 'campaign.started')).toHaveLength(1);
      expect(types.filter((x) => x === 'call.attempt.started')).toHaveLength(2);
      expect(
        seen
          .filter((e) => e.type === 'call.attempt.finished')
          .map((e) => 'outcome' in e && e.outcome)
          .sort(),
      ).toEqual(['answered', 'no_answer']);
      expect(types.filter((x) => x === 'call.finished')).toHaveLength(2);
      expect(types[types.length - 1]).toBe('campaign.completed');
      const durable = seen.filter((e) => 'sequence' in e);
      expect(durable.map((e) => 'sequence' in e && e.sequence)).toEqual(
        durable.map((_, i) => i + 1),
      );
      expect(
        seen.every((e) => e.campaignId === id && e.accountId === t.accountId),
      ).toBe(true);
      expect(sunk.map((e) => e.type)).toEqual(types);
      unsubscribe();
    });

    it("every route answers 404 for another account's campaign", async () => {
      await start({});
      const id = (
        await t
          .post({
            playbook_id: t.playbookId,
            contacts: [{ phone: '+34600000001' }],
          })
          .expect(202)
      ).body.campaign_id as string;
      const other = await t.app.get(ApiTokenService).issue('acct-intruder');
      for (const action of ['cancel', 'pause', 'resume']) {
        await act(id, action, other.token).expect(404);
        await act('not-a-uuid', action).expect(404);
      }
      await t
        .http()
        .get(`/campaign/${id}`)
        .set('Authorization', `Bearer ${other.token}`)
        .expect(404);
      expect((await details(id)).status).toBe('running');
    });
  },
);
