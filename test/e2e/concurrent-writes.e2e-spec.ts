import { CampaignCreationService } from '../../lib';
import { TEST_DIALECTS } from '../support/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

describe.each(TEST_DIALECTS)('concurrent requests (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('one failing creation among concurrent ones loses only its own rows', async () => {
    // Any call of the poisoned contact makes its creation fail mid-transaction.
    await t.dataSource.query(
      dialect === 'postgres'
        ? `CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN
             IF (SELECT phone FROM campaign_contacts WHERE id = NEW.contact_id) = '+34699999999'
             THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`
        : dialect === 'mysql'
          ? `CREATE TRIGGER poison BEFORE INSERT ON campaign_calls FOR EACH ROW BEGIN
             IF (SELECT phone FROM campaign_contacts WHERE id = NEW.contact_id) = '+34699999999'
             THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned'; END IF; END`
          : `CREATE TRIGGER poison BEFORE INSERT ON campaign_calls
           WHEN (SELECT phone FROM campaign_contacts WHERE id = NEW.contact_id) = '+34699999999'
           BEGIN SELECT RAISE(ABORT, 'poisoned'); END`,
    );
    if (dialect === 'postgres') {
      await t.dataSource.query(
        'CREATE TRIGGER poison BEFORE INSERT ON campaign_calls FOR EACH ROW EXECUTE FUNCTION poison()',
      );
    }
    const phone = (i: number, j: number) =>
      i === 4 && j === 199
        ? '+34699999999'
        : `+3461${String(i * 1000 + j).padStart(7, '0')}`;
    const creations = t.app.get(CampaignCreationService);
    // Straight to the service: the ten transactions surely overlap.
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        creations.create(
          { id: t.accountId },
          {
            playbookId: t.playbookId,
            launchAt: null,
            recall: [],
            contacts: Array.from({ length: 200 }, (_, j) => ({
              phone: phone(i, j),
              fields: {},
            })),
          },
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([
      ...Array(4).fill('fulfilled'),
      'rejected',
      ...Array(5).fill('fulfilled'),
    ]);
    const created = results.flatMap((r) =>
      r.status === 'fulfilled' ? [r.value.campaign_id] : [],
    );
    const campaigns = await t.rows<{ id: string }>('campaigns');
    expect(campaigns.map((c) => c.id).sort()).toEqual([...created].sort());
    expect(await t.count('campaign_calls')).toBe(9 * 200);
    expect(await t.count('campaign_contacts')).toBe(9 * 200);
  });
});
