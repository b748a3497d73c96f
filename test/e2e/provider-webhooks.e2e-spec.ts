import { PlaybookService } from '../../lib';
import {
  createLoopTestApp,
  MINUTE,
  type LoopTestApp,
} from '../support/loop-test-app';
import { SignedFakeProvider } from '../support/signed-fake-provider';
import { httpMatrix } from '../support/test-app';
import { TEST_DIALECTS } from '../support/test-database';

interface CallRow {
  id: string;
  status: string;
  attempt_count: number | string;
  wait_reason: string | null;
  last_outcome: string | null;
}

describe.each(httpMatrix(TEST_DIALECTS))(
  'provider webhooks, refusals and reconciliation (%s, %s)',
  (dialect, platform) => {
    let t: LoopTestApp;
    let provider: SignedFakeProvider;
    afterEach(() => t?.close());

    const start = async (refuse: Record<string, number> = {}) => {
      provider = new SignedFakeProvider('whsec-test', refuse);
      t = await createLoopTestApp(
        dialect,
        {},
        { dialer: provider, scheduler: { leaseMs: 2 * MINUTE } },
        platform,
      );
    };
    const create = async (phones: string[], recall: number[] = [30]) =>
      (
        await t
          .post({
            playbook_id: t.playbookId,
            recall,
            contacts: phones.map((phone) => ({ phone })),
          })
          .expect(202)
      ).body.campaign_id as string;
    const deliver = (body: unknown, signature?: string) => {
      const raw = JSON.stringify(body);
      return t
        .http()
        .post('/campaign/webhooks/vapi')
        .set('Content-Type', 'application/json')
        .set('X-Fake-Signature', signature ?? provider.sign(raw))
        .send(raw);
    };
    const calls = () => t.rows<CallRow>('campaign_calls');
    const attempts = () => t.count('campaign_call_attempts');

    it('records outcomes by the provider call id, idempotently; rejects bad signatures and bodies', async () => {
      await start();
      await create(['+34600000001', '+34600000002']);
      expect(await t.round()).toMatchObject({ started: 2 });
      const [first, second] = [...provider.calls.keys()];

      const answered = await deliver({ id: first, outcome: 'answered' }).expect(
        200,
      );
      expect(answered.body).toEqual({ received: 1, recorded: 1 });
      // A provider retrying a delivered event: 2xx, nothing changes.
      const again = await deliver({ id: first, outcome: 'answered' }).expect(
        200,
      );
      expect(again.body).toEqual({ received: 1, recorded: 0 });
      await deliver({ id: second, outcome: 'no_answer' }).expect(200);
      // A later, different outcome for an attempt that ended changes nothing.
      await deliver({ id: first, outcome: 'busy' }).expect(200);

      const byPhone = await calls();
      expect(byPhone.map((c) => c.status).sort()).toEqual([
        'answered',
        'retry_pending',
      ]);

      await deliver(
        { id: first, outcome: 'answered' },
        'not-the-signature',
      ).expect(401);
      const tampered = JSON.stringify({ id: second, outcome: 'answered' });
      await t
        .http()
        .post('/campaign/webhooks/vapi')
        .set('Content-Type', 'application/json')
        .set('X-Fake-Signature', provider.sign('{"id":"x"}'))
        .send(tampered)
        .expect(401);
      await t
        .http()
        .post('/campaign/webhooks/vapi')
        .set('Content-Type', 'application/json')
        .set('X-Fake-Signature', provider.sign('{not json'))
        .send('{not json')
        .expect(400);
      await deliver({ outcome: 'answered' }).expect(400);
      await deliver({ id: first, outcome: 'exploded' }).expect(400);
      await deliver({ id: 'unknown-call', outcome: 'answered' }).expect(200);
      await t.http().post('/campaign/webhooks/retell').send({}).expect(404);
    });

    it("hands the dialer the playbook's provider side, copied onto the campaign", async () => {
      await start();
      const config = {
        provider: 'vapi' as const,
        assistantId: 'asst-42',
        callerNumbers: ['5b0e6a52-8c1d-4e3f-9a7b-2c4d6e8f0a1b'],
      };
      const playbook = await t.app.get(PlaybookService).register({
        accountId: t.accountId,
        name: 'Vapi playbook',
        provider: config,
      });
      await t
        .post({
          playbook_id: playbook.id,
          contacts: [{ phone: '+34600000021' }],
        })
        .expect(202);
      // A later change of the playbook does not change the campaign's calls.
      await t.app.get(PlaybookService).register({
        id: playbook.id,
        accountId: t.accountId,
        name: 'Vapi playbook',
        provider: { ...config, assistantId: 'asst-43' },
      });
      expect(await t.round()).toMatchObject({ started: 1 });
      expect(providerOf(0)).toEqual(config);
      await expect(
        t.app.get(PlaybookService).register({
          accountId: t.accountId,
          name: 'Broken',
          provider: { ...config, callerNumbers: ['+14155550100'] },
        }),
      ).rejects.toThrow('callerNumbers.0 must be a Vapi phone-number id');
    });
    const providerOf = (i: number) => provider.dials[i].playbook;

    it('a call the provider refuses for its limits uses no attempt and is placed after Retry-After', async () => {
      await start({ '+34600000009': 1 });
      await create(['+34600000009']);
      expect(await t.round()).toMatchObject({ started: 1 });
      let [call] = await calls();
      expect(call).toMatchObject({
        status: 'queued',
        wait_reason: 'provider_limit',
      });
      expect(Number(call.attempt_count)).toBe(0);
      expect(await attempts()).toBe(0);

      t.clock.advance(30_000);
      expect(await t.round()).toMatchObject({ started: 0 });
      t.clock.advance(31_000);
      expect(await t.round()).toMatchObject({ started: 1 });
      [call] = await calls();
      expect(call).toMatchObject({ status: 'dialing', wait_reason: null });
      expect(Number(call.attempt_count)).toBe(1);
      expect(provider.dials.map((d) => d.attempt)).toEqual([1, 1]);
    });

    it('an expired attempt is looked up at the provider: its real outcome, or interrupted only without a trace', async () => {
      await start();
      await create(['+34600000011', '+34600000012'], []);
      expect(await t.round()).toMatchObject({ started: 2 });
      const [placed, lost] = [...provider.calls.keys()];
      provider.calls.set(placed, 'answered');
      // The provider has no trace of the other (as if the create never reached it).
      provider.calls.delete(lost);
      // Past the outcome timeout (30 min) the lease expires.
      t.clock.advance(31 * MINUTE);
      expect(await t.round()).toMatchObject({ interrupted: 2 });
      expect(provider.lookups.map((l) => l.providerCallId).sort()).toEqual(
        [placed, lost].sort(),
      );
      const outcomes = (await calls()).map((c) => c.last_outcome).sort();
      expect(outcomes).toEqual(['answered', 'interrupted']);
      expect(provider.dials).toHaveLength(2);
    });
  },
);
