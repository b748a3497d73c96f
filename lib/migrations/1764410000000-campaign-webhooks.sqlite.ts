import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks out: endpoints per account (with the secret they had before a
 * rotation, still signing for a while), one delivery per (endpoint, event)
 * (plus manual redeliveries) with its lease and retry state, and the log of
 * every try. `campaign_id` is kept on deliveries so that retention deletes
 * them with their campaign.
 */
export class CampaignWebhooksSqlite1764410000000 implements MigrationInterface {
  name = 'CampaignWebhooksSqlite1764410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_webhook_endpoints (
        id varchar(36) PRIMARY KEY NOT NULL,
        account_id varchar(255) NOT NULL,
        url varchar(2048) NOT NULL,
        description varchar(500),
        secret varchar(255) NOT NULL,
        previous_secret varchar(255),
        previous_secret_expires_at datetime,
        event_types text NOT NULL,
        disabled_at datetime,
        disabled_reason varchar(32),
        failing_since datetime,
        created_at datetime NOT NULL,
        updated_at datetime NOT NULL
      )`);
    await q.query(
      `CREATE INDEX idx_campaign_webhook_endpoints_account ON campaign_webhook_endpoints (account_id, created_at)`,
    );
    await q.query(`
      CREATE TABLE campaign_webhook_deliveries (
        id varchar(36) PRIMARY KEY NOT NULL,
        endpoint_id varchar(36) NOT NULL REFERENCES campaign_webhook_endpoints (id) ON DELETE CASCADE,
        account_id varchar(255) NOT NULL,
        campaign_id varchar(36) NOT NULL,
        event_id varchar(36) NOT NULL,
        event_type varchar(64) NOT NULL,
        event_sequence integer NOT NULL,
        payload text NOT NULL,
        status varchar(16) NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        window_tries integer NOT NULL DEFAULT 0,
        first_tried_at datetime,
        next_attempt_at datetime,
        lease_owner varchar(64),
        lease_expires_at datetime,
        last_attempt_at datetime,
        last_status_code integer,
        last_error varchar(500),
        delivered_at datetime,
        redelivery_of varchar(36),
        created_at datetime NOT NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_campaign_webhook_deliveries_event ON campaign_webhook_deliveries (endpoint_id, event_id) WHERE redelivery_of IS NULL`,
    );
    await q.query(
      `CREATE INDEX idx_campaign_webhook_deliveries_due ON campaign_webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX idx_campaign_webhook_deliveries_endpoint ON campaign_webhook_deliveries (endpoint_id, created_at)`,
    );
    await q.query(
      `CREATE INDEX idx_campaign_webhook_deliveries_leased ON campaign_webhook_deliveries (endpoint_id) WHERE lease_expires_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX idx_campaign_webhook_deliveries_campaign ON campaign_webhook_deliveries (campaign_id)`,
    );
    await q.query(`
      CREATE TABLE campaign_webhook_attempts (
        delivery_id varchar(36) NOT NULL REFERENCES campaign_webhook_deliveries (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        endpoint_id varchar(36) NOT NULL,
        attempted_at datetime NOT NULL,
        result varchar(16) NOT NULL,
        status_code integer,
        latency_ms integer NOT NULL,
        error varchar(500),
        PRIMARY KEY (delivery_id, attempt)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE campaign_webhook_attempts`);
    await q.query(`DROP TABLE campaign_webhook_deliveries`);
    await q.query(`DROP TABLE campaign_webhook_endpoints`);
  }
}
