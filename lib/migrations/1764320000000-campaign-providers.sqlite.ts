import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A playbook's provider side (`provider_config`), its copy on each campaign
 * (what the campaign's calls are placed with, even when the playbook comes
 * from the host's own store), and attempts found by the provider's call id.
 */
export class CampaignProvidersSqlite1764320000000 implements MigrationInterface {
  name = 'CampaignProvidersSqlite1764320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE campaign_playbooks ADD COLUMN provider_config text`,
    );
    await q.query(`ALTER TABLE campaigns ADD COLUMN provider_config text`);
    await q.query(
      `CREATE INDEX idx_campaign_call_attempts_provider_call ON campaign_call_attempts (provider_call_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_campaign_call_attempts_provider_call`);
    await q.query(`ALTER TABLE campaigns DROP COLUMN provider_config`);
    await q.query(`ALTER TABLE campaign_playbooks DROP COLUMN provider_config`);
  }
}
