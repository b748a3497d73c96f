import { DateTime } from 'luxon';
import {
  CallingRulesService,
  type BeforeDialHook,
  type CampaignModuleOptions,
} from '../../lib';
import {
  ALWAYS,
  createLoopTestApp,
  type LoopTestApp,
} from '../support/loop-test-app';
import { TEST_DIALECTS } from '../support/test-database';

/** A Tuesday in the future, so that every call created now is due. */
const TUESDAY = '2027-01-12';
const utc = (time: string) => new Date(`${TUESDAY}T${time}:00.000Z`);
const local = (iso: string, zone: string) =>
  DateTime.fromISO(iso, { zone }).toJSDate();

interface CallPage {
  data: {
    call_id: string;
    phone: string;
    status: string;
    due_at: string | null;
    waiting: Record<string, unknown> | null;
    attempts: { number: number; verdict: Record<string, unknown> | null }[];
  }[];
}

describe.each(TEST_DIALECTS)('calling rules at dial time (%s)', (dialect) => {
  let t: LoopTestApp;
  afterEach(() => t?.close());

  const start = async (options: CampaignModuleOptions = {}) => {
    t = await createLoopTestApp(
      dialect,
      {},
      {
        defaultTimezone: 'UTC',
        callingRules: { builtIn: true },
        ...options,
      },
    );
  };
  const create = async (
    phones: string[],
    extra: Record<string, unknown> = {},
  ): Promise<string> =>
    (
      await t
        .post({
          playbook_id: t.playbookId,
          contacts: phones.map((phone) => ({ phone })),
          ...extra,
        })
        .expect(202)
    ).body.campaign_id as string;
  const callsOf = async (id: string): Promise<CallPage['data']> =>
    (
      (
        await t
          .http()
          .get(`/campaign/${id}/calls`)
          .set('Authorization', `Bearer ${t.token}`)
          .expect(200)
      ).body as CallPage
    ).data;
  const byPhone = (calls: CallPage['data'], phone: string) =>
    calls.find((c) => c.phone === phone)!;

  it("dials each person in their own number's hours, and says why the others wait", async () => {
    await start();
    const id = await create(['+12125550101', '+13105550102']);
    t.clock.set(utc('10:00')); // 05:00 in New York, 02:00 in Los Angeles
    expect(await t.round()).toMatchObject({ started: 0, deferred: 2 });
    let calls = await callsOf(id);
    expect(byPhone(calls, '+12125550101')).toMatchObject({
      status: 'queued',
      due_at: utc('13:00').toISOString(),
      waiting: {
        reason: 'calling_hours',
        rule: 'us-federal',
        zone: 'America/New_York',
        until: utc('13:00').toISOString(),
      },
    });
    expect(byPhone(calls, '+13105550102').waiting).toMatchObject({
      zone: 'America/Los_Angeles',
      until: utc('16:00').toISOString(),
    });

    t.clock.set(utc('13:00'));
    expect(await t.round()).toMatchObject({ started: 1 });
    expect(t.dialer.dials.map((d) => d.phone)).toEqual(['+12125550101']);
    calls = await callsOf(id);
    const ny = byPhone(calls, '+12125550101');
    expect(ny.waiting).toBeNull();
    expect(ny.attempts[0].verdict).toMatchObject({
      zones: ['America/New_York'],
      zone_source: 'number',
      country: 'US',
      regions: ['NY'],
      rules: ['business-window', 'us-federal'],
      local_times: { 'America/New_York': `${TUESDAY}T08:00:00 Tue` },
    });

    t.clock.set(utc('16:00'));
    expect(await t.round()).toMatchObject({ started: 1 });
    expect(t.dialer.attemptsOf('+13105550102')).toEqual([1]);
  });

  it('ends a number whose zones never share an open hour as blocked, and completes the campaign', async () => {
    await start({
      callingWindow: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] },
    });
    const id = await create(['+18005550199']);
    t.clock.set(utc('15:00'));
    expect(await t.round()).toMatchObject({ started: 0, blocked: 1 });
    const [call] = await callsOf(id);
    expect(call.status).toBe('blocked');
    expect(call.waiting).toMatchObject({
      reason: 'blocked',
      message: expect.stringMatching(/never overlap in all of 42 zones/),
    });
    expect(t.dialer.dials).toHaveLength(0);
    const details = await t
      .http()
      .get(`/campaign/${id}`)
      .set('Authorization', `Bearer ${t.token}`)
      .expect(200);
    expect(details.body.status).toBe('completed');
  });

  it('waits over a Spanish public holiday and the weekend', async () => {
    await start();
    const id = await create(['+34912345678']);
    t.clock.set(local('2027-01-06T10:00', 'Europe/Madrid')); // Epiphany
    expect(await t.round()).toMatchObject({ deferred: 1 });
    expect((await callsOf(id))[0].waiting).toMatchObject({
      reason: 'holiday',
      rule: 'es',
      until: local('2027-01-07T09:00', 'Europe/Madrid').toISOString(),
    });
    t.clock.set(local('2027-01-09T10:00', 'Europe/Madrid')); // Saturday
    expect(await t.round()).toMatchObject({ deferred: 1 });
    expect((await callsOf(id))[0].waiting).toMatchObject({
      reason: 'calling_hours',
      until: local('2027-01-11T09:00', 'Europe/Madrid').toISOString(),
    });
  });

  it('one Florida number in four campaigns: one call at a time, three in 24 h, the fourth waits for the cap', async () => {
    await start();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await create(['+13055550103']));
    t.clock.set(utc('15:00')); // 10:00 in Miami
    for (let i = 0; i < 8; i++) {
      await t.round();
      t.clock.advance(31_000);
    }
    expect(t.dialer.attemptsOf('+13055550103')).toEqual([1, 1, 1]);
    const waiting = (await Promise.all(ids.map((id) => callsOf(id))))
      .flat()
      .filter((c) => c.status === 'queued');
    expect(waiting).toHaveLength(1);
    expect(waiting[0].waiting).toMatchObject({ reason: 'cap', rule: 'us-fl' });
    const firstStart = t.dialer.dials[0];
    expect(firstStart).toBeDefined();
    expect(Date.parse(waiting[0].waiting!.until as string)).toBeGreaterThan(
      utc('15:00').getTime() + 23 * 3_600_000,
    );
  });

  it('beforeDial can deny, defer, and a failing hook defers (fail closed)', async () => {
    const hook: BeforeDialHook = (call) => {
      if (call.phone === '+12125550101') {
        return { action: 'deny', reason: 'no consent on file' };
      }
      if (call.phone === '+12125550102') {
        return {
          action: 'defer',
          until: utc('18:00'),
          reason: 'registry check pending',
        };
      }
      if (call.phone === '+12125550103') throw new Error('consent API down');
      return { action: 'allow' };
    };
    await start({ beforeDial: hook });
    const id = await create([
      '+12125550101',
      '+12125550102',
      '+12125550103',
      '+12125550104',
    ]);
    t.clock.set(utc('15:00'));
    expect(await t.round()).toMatchObject({
      started: 1,
      blocked: 1,
      deferred: 2,
    });
    const calls = await callsOf(id);
    expect(byPhone(calls, '+12125550101')).toMatchObject({
      status: 'blocked',
      waiting: { message: 'beforeDial: no consent on file' },
    });
    expect(byPhone(calls, '+12125550102').waiting).toMatchObject({
      reason: 'hook',
      until: utc('18:00').toISOString(),
      message: 'registry check pending',
    });
    expect(byPhone(calls, '+12125550103').waiting).toMatchObject({
      reason: 'hook',
      message: 'beforeDial failed or timed out',
    });
    expect(t.dialer.dials.map((d) => d.phone)).toEqual(['+12125550104']);
    expect(byPhone(calls, '+12125550102').attempts).toHaveLength(0);
  });

  it('CallingRulesService answers may-I-call-now for support staff', async () => {
    await start();
    const rules = t.app.get(CallingRulesService);
    expect(
      await rules.check({ phone: '+13055550103' }, utc('12:00')),
    ).toMatchObject({
      callable: false,
      until: utc('13:00'),
      why: { reason: 'calling_hours', rule: 'us-federal' },
    });
    expect(
      await rules.check({ phone: '+13055550103' }, utc('15:00')),
    ).toMatchObject({ callable: true, verdict: { regions: ['FL'] } });
    expect(
      await rules.check(
        { phone: '+34912345678' },
        local('2026-12-08T12:00', 'Europe/Madrid'),
      ),
    ).toMatchObject({ callable: false, why: { reason: 'holiday' } });
  });
});

describe('calling rules options', () => {
  it('turning the built-in set off takes an explicit option', async () => {
    const t = await createLoopTestApp(
      TEST_DIALECTS[0],
      {},
      {
        callingWindow: ALWAYS,
        callingRules: { builtIn: false },
      },
    );
    try {
      expect(t.app.get(CallingRulesService).rules).toHaveLength(0);
    } finally {
      await t.close();
    }
  });
});
