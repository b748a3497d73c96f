import { TEST_DIALECTS } from '../support/test-database';
import {
  countWritten,
  createTestApp,
  type TestApp,
  httpMatrix,
} from '../support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface CallRow {
  campaign_id: string;
  contact_id: string;
  status: string;
  due_at: string | Date;
  recall: string | number[];
  attempt_count: number;
}

const json = <T>(value: unknown): T =>
  (typeof value === 'string' ? JSON.parse(value) : value) as T;
const time = (value: string | Date): number =>
  value instanceof Date
    ? value.getTime()
    : Date.parse(`${value.replace(' ', 'T')}Z`);

describe.each(httpMatrix(TEST_DIALECTS))(
  'POST /campaign, seed examples (%s, %s)',
  (dialect, platform) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect, { platform });
    });
    afterAll(() => t.close());

    it('5.1 immediate campaign (minimal): 202, one call per contact, due now', async () => {
      const before = Date.now();
      const res = await t
        .post({
          playbook_id: t.playbookId,
          contacts: [{ phone: '+34612345678' }, { phone: '+34687654321' }],
        })
        .expect(202);
      expect(res.body).toEqual({
        campaign_id: expect.stringMatching(UUID),
        status: 'running',
        launch_at: null,
        contacts: 2,
        calls: 2,
        duplicates: 0,
        recall: [],
      });
      expect(res.headers.location).toBe(`/campaign/${res.body.campaign_id}`);
      const [campaign] = await t.dataSource.query(
        'SELECT * FROM campaigns WHERE id = $1'.replace(
          '$1',
          dialect === 'postgres' ? '$1' : '?',
        ),
        [res.body.campaign_id],
      );
      expect(campaign).toMatchObject({
        account_id: t.accountId,
        playbook_id: t.playbookId,
        status: 'running',
        launch_at: null,
      });
      const calls = (await t.rows<CallRow>('campaign_calls')).filter(
        (c) => c.campaign_id === res.body.campaign_id,
      );
      expect(calls).toHaveLength(2);
      for (const call of calls) {
        expect(call.status).toBe('queued');
        expect(Number(call.attempt_count)).toBe(0);
        expect(json(call.recall)).toEqual([]);
        expect(time(call.due_at)).toBeGreaterThanOrEqual(before - 1000);
        expect(time(call.due_at)).toBeLessThanOrEqual(Date.now() + 1000);
      }
      const phones = (await t.rows<{ phone: string }>('campaign_contacts')).map(
        (c) => c.phone,
      );
      expect(phones).toEqual(
        expect.arrayContaining(['+34612345678', '+34687654321']),
      );
    });

    it('5.2 immediate campaign with contact data and recall', async () => {
      const res = await t
        .post({
          playbook_id: t.playbookId,
          recall: '[30,120]',
          contacts: [
            {
              phone: '+34611111111',
              first_name: 'Ana',
              last_name: 'García',
              email: 'ana@example.com',
              company: 'Acme',
              job_title: 'CTO',
              address: 'Calle Mayor 1',
              city: 'Madrid',
              state: 'Madrid',
              country: 'ES',
              postal_code: '28013',
              timezone: 'Europe/Madrid',
              utm_source: 'crm',
              utm_medium: 'email',
              utm_campaign: 'spring',
              utm_term: 'voice',
              utm_content: 'v1',
            },
          ],
        })
        .expect(202);
      expect(res.body).toMatchObject({
        status: 'running',
        contacts: 1,
        calls: 1,
        recall: [30, 120],
      });
      const contact = (await t.rows('campaign_contacts')).find(
        (c) => c.phone === '+34611111111',
      );
      expect(contact).toMatchObject({
        account_id: t.accountId,
        first_name: 'Ana',
        last_name: 'García',
        email: 'ana@example.com',
        company: 'Acme',
        job_title: 'CTO',
        address: 'Calle Mayor 1',
        city: 'Madrid',
        state: 'Madrid',
        country: 'ES',
        postal_code: '28013',
        timezone: 'Europe/Madrid',
        utm_source: 'crm',
        utm_medium: 'email',
        utm_campaign: 'spring',
        utm_term: 'voice',
        utm_content: 'v1',
      });
      const call = (await t.rows<CallRow>('campaign_calls')).find(
        (c) => c.campaign_id === res.body.campaign_id,
      );
      expect(json(call?.recall)).toEqual([30, 120]);
      expect(call?.contact_id).toBe(contact?.id);
    });

    it('5.3 immediate campaign with custom fields', async () => {
      const res = await t
        .post({
          playbook_id: t.playbookId,
          contacts: [
            {
              phone: '+34622222222',
              first_name: 'Luis',
              custom_fields: { plan: 'pro', seats: 12, vip: true, note: null },
            },
          ],
        })
        .expect(202);
      expect(res.body.calls).toBe(1);
      const contact = (await t.rows('campaign_contacts')).find(
        (c) => c.phone === '+34622222222',
      );
      expect(json(contact?.custom_fields)).toEqual({
        plan: 'pro',
        seats: 12,
        vip: true,
        note: null,
      });
    });

    it('5.4 scheduled campaign: 202 scheduled, calls due at launch_at', async () => {
      const launch = new Date(Date.now() + 86_400_000);
      launch.setUTCMilliseconds(0);
      const res = await t
        .post({
          playbook_id: t.playbookId,
          launch_at: launch.toISOString().replace('.000Z', 'Z'),
          recall: [30, 120],
          contacts: [{ phone: '+34633333333' }, { phone: '+14155552671' }],
        })
        .expect(202);
      expect(res.body).toEqual({
        campaign_id: expect.stringMatching(UUID),
        status: 'scheduled',
        launch_at: launch.toISOString(),
        contacts: 2,
        calls: 2,
        duplicates: 0,
        recall: [30, 120],
      });
      const campaign = (
        await t.rows<{ id: string; status: string; launch_at: string | Date }>(
          'campaigns',
        )
      ).find((c) => c.id === res.body.campaign_id);
      expect(campaign?.status).toBe('scheduled');
      expect(time(campaign!.launch_at)).toBe(launch.getTime());
      const calls = (await t.rows<CallRow>('campaign_calls')).filter(
        (c) => c.campaign_id === res.body.campaign_id,
      );
      expect(calls.map((c) => time(c.due_at))).toEqual([
        launch.getTime(),
        launch.getTime(),
      ]);
      expect(calls.map((c) => json(c.recall))).toEqual([
        [30, 120],
        [30, 120],
      ]);
    });

    it('the seed launch_at without offset is read in the default zone (UTC)', async () => {
      const next = new Date(Date.now() + 3 * 86_400_000);
      const local = `${next.toISOString().slice(0, 10)}T10:00:00`;
      const res = await t
        .post({
          playbook_id: t.playbookId,
          launch_at: local,
          contacts: [{ phone: '+34644444444' }],
        })
        .expect(202);
      expect(res.body.launch_at).toBe(`${local}.000Z`);
    });

    it('rejected requests write nothing', async () => {
      const before = await countWritten(t);
      await t
        .post({
          playbook_id: t.playbookId,
          contacts: [{ phone: '+34655555555' }, { phone: '12' }],
        })
        .expect(400);
      expect(await countWritten(t)).toEqual(before);
    });
  },
);
