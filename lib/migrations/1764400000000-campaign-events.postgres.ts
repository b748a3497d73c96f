import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox: durable events written in the transaction of the change they
 * report, delivered after the commit by whichever replica leases them first.
 * `position` is the write order the relay follows; `sequence` (per campaign)
 * is given when an event is first leased, from `campaign_event_streams`.
 */
export class CampaignEventsPostgres1764400000000 implements MigrationInterface {
  name = 'CampaignEventsPostgres1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_events (
        position bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        campaign_id uuid NOT NULL,
        account_id varchar(255) NOT NULL,
        type varchar(40) NOT NULL,
        sequence int,
        data jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        delivered_at timestamptz,
        lease_owner varchar(255),
        lease_expires_at timestamptz,
        deliveries int NOT NULL DEFAULT 0
      )`);
    await q.query(
      `CREATE INDEX idx_campaign_events_pending ON campaign_events (position) WHERE delivered_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX idx_campaign_events_campaign ON campaign_events (campaign_id, sequence)`,
    );
    await q.query(`
      CREATE TABLE campaign_event_streams (
        campaign_id uuid PRIMARY KEY,
        last_sequence int NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE campaign_event_streams`);
    await q.query(`DROP TABLE campaign_events`);
  }
}
