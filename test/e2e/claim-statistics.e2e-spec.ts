/**
 * After many scheduled campaigns start, the loop refreshes the planner's
 * statistics of campaigns before it claims: with the ones taken while they
 * were scheduled, PostgreSQL plans the claim as if no campaign ran (a scan
 * of every running campaign and a sort of all their due calls). The plan
 * itself is shown by scripts/claim-plan-explain.ts; this checks the
 * statistics the planner reads.
 */
import { CampaignCreationService, PlaybookService } from '../../lib';
import {
  MINUTE,
  createLoopTestApp,
  type LoopTestApp,
} from '../support/loop-test-app';
import { TEST_DIALECTS } from '../support/test-database';

const describePostgres = TEST_DIALECTS.includes('postgres')
  ? describe
  : describe.skip;

describePostgres('campaign statistics after scheduled launches', () => {
  let t: LoopTestApp | undefined;

  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /** The share of campaigns the planner believes have `status`. */
  async function believedShare(status: string): Promise<number> {
    const rows = (await t!.dataSource.query(
      `SELECT most_common_vals::text::text[] AS vals, most_common_freqs AS freqs
      FROM pg_stats WHERE tablename = 'campaigns' AND attname = 'status'`,
    )) as { vals: string[] | null; freqs: number[] | null }[];
    const [row] = rows;
    const i = row?.vals?.indexOf(status) ?? -1;
    return i >= 0 ? Number(row.freqs![i]) : 0;
  }

  it('a tick that starts 120 scheduled campaigns analyzes campaigns before claiming', async () => {
    t = await createLoopTestApp('postgres');
    const accountId = 'acct-statistics';
    const playbook = await t.app
      .get(PlaybookService)
      .register({ accountId, name: 'Statistics' });
    const launchAt = new Date((await t.clock.now()).getTime() + MINUTE);
    const creation = t.app.get(CampaignCreationService);
    for (let i = 0; i < 120; i++) {
      await creation.create(
        { id: accountId },
        {
          playbookId: playbook.id,
          contacts: [
            { phone: `+3461${String(i).padStart(7, '0')}`, fields: {} },
          ],
          launchAt,
          recall: [],
        },
      );
    }
    await t.dataSource.query('ANALYZE campaigns');
    expect(await believedShare('scheduled')).toBe(1);

    t.clock.set(new Date(launchAt.getTime() + 1_000));
    const report = await t.round();

    expect(report.activated).toBe(120);
    expect(await believedShare('running')).toBeGreaterThan(0.9);
    expect(await believedShare('scheduled')).toBe(0);
  });
});
