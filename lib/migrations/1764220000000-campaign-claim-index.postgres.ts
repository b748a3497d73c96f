import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The claim reads due calls in due order: an index of only the waiting calls
 * keeps that read proportional to the batch, not to the backlog. The planner
 * picks it only with fresh statistics, so the table is analyzed sooner than
 * PostgreSQL's default (10% of the rows changed).
 */
export class CampaignClaimIndexPostgres1764220000000 implements MigrationInterface {
  name = 'CampaignClaimIndexPostgres1764220000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX idx_campaign_calls_waiting ON campaign_calls (due_at) WHERE status IN ('queued', 'retry_pending')`,
    );
    await q.query(
      `ALTER TABLE campaign_calls SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 1000)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE campaign_calls RESET (autovacuum_analyze_scale_factor, autovacuum_analyze_threshold)`,
    );
    await q.query(`DROP INDEX idx_campaign_calls_waiting`);
  }
}
