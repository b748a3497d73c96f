import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox (see the PostgreSQL twin). */
export class CampaignEventsSqlite1764400000000 implements MigrationInterface {
  name = 'CampaignEventsSqlite1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_events (
        position integer PRIMARY KEY AUTOINCREMENT,
        id varchar(36) NOT NULL UNIQUE,
        campaign_id varchar(36) NOT NULL,
        account_id varchar(255) NOT NULL,
        type varchar(40) NOT NULL,
        sequence integer,
        data text NOT NULL,
        occurred_at datetime NOT NULL,
        delivered_at datetime,
        lease_owner varchar(255),
        lease_expires_at datetime,
        deliveries integer NOT NULL DEFAULT 0
      )`);
    await q.query(
      `CREATE INDEX idx_campaign_events_pending ON campaign_events (position) WHERE delivered_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX idx_campaign_events_campaign ON campaign_events (campaign_id, sequence)`,
    );
    await q.query(`
      CREATE TABLE campaign_event_streams (
        campaign_id varchar(36) PRIMARY KEY NOT NULL,
        last_sequence integer NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE campaign_event_streams`);
    await q.query(`DROP TABLE campaign_events`);
  }
}
