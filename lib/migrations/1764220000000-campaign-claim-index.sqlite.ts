import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The claim reads due calls in due order: an index of only the waiting calls
 * keeps that read proportional to the batch, not to the backlog.
 */
export class CampaignClaimIndexSqlite1764220000000 implements MigrationInterface {
  name = 'CampaignClaimIndexSqlite1764220000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX idx_campaign_calls_waiting ON campaign_calls (due_at) WHERE status IN ('queued', 'retry_pending')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_campaign_calls_waiting`);
  }
}
