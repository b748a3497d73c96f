import { TEST_DIALECTS } from '../support/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

interface ContactRow {
  id: string;
  phone: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  city: string | null;
  custom_fields: unknown;
}

const json = (value: unknown): unknown =>
  typeof value === 'string' ? JSON.parse(value) : value;

describe.each(TEST_DIALECTS)(
  'contacts upsert and normalization (%s)',
  (dialect) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect, { options: { defaultCountry: 'ES' } });
    });
    afterAll(() => t.close());

    const contact = async (phone: string): Promise<ContactRow | undefined> =>
      (await t.rows<ContactRow>('campaign_contacts')).find(
        (c) => c.phone === phone,
      );

    it('given fields overwrite, absent fields keep their value, custom_fields merge key by key', async () => {
      await t
        .post({
          playbook_id: t.playbookId,
          contacts: [
            {
              phone: '+34600000001',
              first_name: 'Ana',
              last_name: 'Ruiz',
              email: 'ana@example.com',
              custom_fields: { plan: 'basic', seats: 1, note: 'keep me' },
            },
          ],
        })
        .expect(202);
      const first = await contact('+34600000001');
      await t
        .post({
          playbook_id: t.playbookId,
          contacts: [
            {
              phone: '+34600000001',
              first_name: 'Anabel',
              city: '  Sevilla  ',
              last_name: '   ',
              custom_fields: { plan: 'pro', vip: true, seats: null },
            },
          ],
        })
        .expect(202);
      const second = await contact('+34600000001');
      expect(second).toMatchObject({
        id: first!.id,
        first_name: 'Anabel',
        last_name: 'Ruiz',
        email: 'ana@example.com',
        city: 'Sevilla',
      });
      expect(json(second!.custom_fields)).toEqual({
        plan: 'pro',
        seats: null,
        note: 'keep me',
        vip: true,
      });
      await t
        .post({
          playbook_id: t.playbookId,
          contacts: [{ phone: '+34600000001' }],
        })
        .expect(202);
      expect(json((await contact('+34600000001'))!.custom_fields)).toEqual({
        plan: 'pro',
        seats: null,
        note: 'keep me',
        vip: true,
      });
      const calls = await t.rows<{ contact_id: string }>('campaign_calls');
      expect(calls.filter((c) => c.contact_id === first!.id)).toHaveLength(3);
    });

    it('the same phone twice in one request is one contact and one call; later fields win', async () => {
      const res = await t
        .post({
          playbook_id: t.playbookId,
          contacts: [
            {
              phone: '+34600000002',
              first_name: 'First',
              email: 'first@example.com',
              custom_fields: { a: 1, b: 1 },
            },
            { phone: '+34 600 00 00 03' },
            {
              phone: '600000002',
              first_name: 'Second',
              custom_fields: { b: 2 },
            },
            { phone: '+34-600-000-002', last_name: 'Last' },
          ],
        })
        .expect(202);
      expect(res.body).toMatchObject({ contacts: 2, calls: 2, duplicates: 2 });
      expect(await contact('+34600000002')).toMatchObject({
        first_name: 'Second',
        last_name: 'Last',
        email: 'first@example.com',
      });
      expect(json((await contact('+34600000002'))!.custom_fields)).toEqual({
        a: 1,
        b: 2,
      });
      const calls = (
        await t.rows<{ campaign_id: string }>('campaign_calls')
      ).filter((c) => c.campaign_id === res.body.campaign_id);
      expect(calls).toHaveLength(2);
    });

    it('national numbers use the contact country, else the module defaultCountry; stored as E.164', async () => {
      await t
        .post({
          playbook_id: t.playbookId,
          contacts: [
            { phone: '(415) 555-2671', country: 'US' },
            { phone: '020 7946 0958', country: 'gb' },
            { phone: '612 34 56 78' },
            { phone: '06 12 34 56 78', country: 'FR' },
          ],
        })
        .expect(202);
      for (const phone of [
        '+14155552671',
        '+442079460958',
        '+34612345678',
        '+33612345678',
      ]) {
        expect(await contact(phone)).toBeDefined();
      }
    });

    it('contacts are per account: the same phone in another account is another contact', async () => {
      const { ApiTokenService, PlaybookService } = await import('../../lib');
      const other = await t.app.get(ApiTokenService).issue('acct-b');
      const playbook = await t.app
        .get(PlaybookService)
        .register({ accountId: 'acct-b', name: 'B' });
      await t
        .http()
        .post('/campaign')
        .set('Authorization', `Bearer ${other.token}`)
        .send({
          playbook_id: playbook.id,
          contacts: [{ phone: '+34600000001', first_name: 'Other' }],
        })
        .expect(202);
      const rows = (
        await t.rows<ContactRow & { account_id: string }>('campaign_contacts')
      ).filter((c) => c.phone === '+34600000001');
      expect(rows.map((r) => [r.account_id, r.first_name]).sort()).toEqual([
        ['acct-b', 'Other'],
        ['acct-test', 'Anabel'],
      ]);
    });

    it('writes 10 000 contacts in chunks within the parameter limits', async () => {
      const contacts = Array.from({ length: 10_000 }, (_, i) => ({
        phone: `+346${String(10_000_000 + i).padStart(8, '0')}`,
        first_name: `N${i}`,
        custom_fields: { i },
      }));
      const res = await t
        .post({ playbook_id: t.playbookId, contacts })
        .expect(202);
      expect(res.body).toMatchObject({
        contacts: 10_000,
        calls: 10_000,
        duplicates: 0,
      });
      const calls = (
        await t.rows<{ campaign_id: string }>('campaign_calls')
      ).filter((c) => c.campaign_id === res.body.campaign_id);
      expect(calls).toHaveLength(10_000);
    });
  },
);

describe.each(TEST_DIALECTS)(
  'launch_at in a non-UTC defaultTimezone (%s)',
  (dialect) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(dialect, {
        options: { defaultTimezone: 'America/New_York' },
      });
    });
    afterAll(() => t.close());

    it('reads a launch_at without offset in the default zone, with one as that instant', async () => {
      const year = new Date().getUTCFullYear() + 1;
      // New York is UTC-5 in January and UTC-4 in July.
      const cases: [string, string][] = [
        [`${year}-01-15T10:00:00`, `${year}-01-15T15:00:00.000Z`],
        [`${year}-07-15T10:00:00`, `${year}-07-15T14:00:00.000Z`],
        [`${year}-07-15T10:00:00+02:00`, `${year}-07-15T08:00:00.000Z`],
        [`${year}-07-15T10:00:00Z`, `${year}-07-15T10:00:00.000Z`],
      ];
      const inReach = cases.filter(
        ([, iso]) => Date.parse(iso) < Date.now() + 365 * 86_400_000,
      );
      for (const [launchAt, expected] of inReach) {
        const res = await t
          .post({
            playbook_id: t.playbookId,
            launch_at: launchAt,
            contacts: [{ phone: '+14155552671' }],
          })
          .expect(202);
        expect(res.body).toMatchObject({
          status: 'scheduled',
          launch_at: expected,
        });
      }
      expect(inReach.length).toBeGreaterThan(0);
    });
  },
);
