import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why a call waits (`wait_reason`, `wait_detail`: until when, the rule and
 * the zone) and what each attempt was dialed under (`verdict`).
 */
export class CampaignCallVerdictsSqlite1764310000000 implements MigrationInterface {
  name = 'CampaignCallVerdictsSqlite1764310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE campaign_calls ADD COLUMN wait_reason varchar(16)`,
    );
    await q.query(`ALTER TABLE campaign_calls ADD COLUMN wait_detail text`);
    await q.query(`ALTER TABLE campaign_call_attempts ADD COLUMN verdict text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE campaign_call_attempts DROP COLUMN verdict`);
    await q.query(`ALTER TABLE campaign_calls DROP COLUMN wait_detail`);
    await q.query(`ALTER TABLE campaign_calls DROP COLUMN wait_reason`);
  }
}
