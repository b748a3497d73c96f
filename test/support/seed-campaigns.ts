import { ApiTokenService, PlaybookService } from '../../lib';
import type { TestApp } from './test-app';

export interface SeedCampaign {
  contacts: number;
  /** Recall delays in minutes (of the clock the dialing loop uses). */
  recall: number[];
}

export interface SeededCampaign extends SeedCampaign {
  id: string;
  accountId: string;
}

/**
 * Creates immediate campaigns through the real endpoint, each for its own
 * account (token and playbook issued through the module's services), with
 * valid Spanish mobile numbers `+346` + 8 digits, distinct across campaigns.
 */
export async function seedCampaigns(
  t: TestApp,
  campaigns: SeedCampaign[],
): Promise<SeededCampaign[]> {
  const seeded: SeededCampaign[] = [];
  for (const [i, spec] of campaigns.entries()) {
    if (spec.contacts > 9_999_999) throw new Error('too many contacts');
    const accountId = `acct-seed-${i + 1}`;
    const { token } = await t.app
      .get(ApiTokenService)
      .issue(accountId, { name: 'seed' });
    const playbook = await t.app
      .get(PlaybookService)
      .register({ accountId, name: `Seed playbook ${i + 1}` });
    const base = 10_000_000 * (i + 1);
    const res = await t
      .http()
      .post('/campaign')
      .set('Authorization', `Bearer ${token}`)
      .send({
        playbook_id: playbook.id,
        recall: spec.recall,
        contacts: Array.from({ length: spec.contacts }, (_, j) => ({
          phone: `+346${base + j}`,
          first_name: `Contact ${j}`,
        })),
      });
    if (res.status !== 202) {
      throw new Error(
        `POST /campaign answered ${res.status}: ${JSON.stringify(res.body).slice(0, 2000)}`,
      );
    }
    const body = res.body as {
      campaign_id: string;
      calls: number;
      status: string;
    };
    if (body.calls !== spec.contacts || body.status !== 'running') {
      throw new Error(`unexpected campaign: ${JSON.stringify(body)}`);
    }
    seeded.push({ ...spec, id: body.campaign_id, accountId });
  }
  return seeded;
}
