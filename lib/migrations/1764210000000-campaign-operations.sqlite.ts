import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CampaignOperationsSqlite1764210000000 implements MigrationInterface {
  name = 'CampaignOperationsSqlite1764210000000';

  async up(q: QueryRunner): Promise<void> {
    const now = `(strftime('%Y-%m-%d %H:%M:%f', 'now'))`;
    await q.query(`
      CREATE TABLE campaign_do_not_call (
        account_id varchar(255) NOT NULL,
        phone varchar(16) NOT NULL,
        reason varchar(64),
        created_at datetime NOT NULL DEFAULT ${now},
        PRIMARY KEY (account_id, phone)
      )`);
    await q.query(`
      CREATE TABLE campaign_idempotency_keys (
        account_id varchar(255) NOT NULL,
        idempotency_key varchar(255) NOT NULL,
        request_hash varchar(64) NOT NULL,
        response_status integer NOT NULL,
        response_body text NOT NULL,
        created_at datetime NOT NULL DEFAULT ${now},
        PRIMARY KEY (account_id, idempotency_key)
      )`);
    await q.query(
      `CREATE INDEX idx_campaign_idempotency_keys_created ON campaign_idempotency_keys (created_at)`,
    );
    await q.query(
      `CREATE INDEX idx_campaign_calls_campaign_status ON campaign_calls (campaign_id, status)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_campaign_calls_campaign_status`);
    await q.query(`DROP TABLE campaign_idempotency_keys`);
    await q.query(`DROP TABLE campaign_do_not_call`);
  }
}
