import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CampaignInitialSchemaPostgres1764130000000 implements MigrationInterface {
  name = 'CampaignInitialSchemaPostgres1764130000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_api_tokens (
        id uuid PRIMARY KEY,
        account_id varchar(255) NOT NULL,
        token_hash varchar(64) NOT NULL,
        name varchar(255),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT uq_campaign_api_tokens_hash UNIQUE (token_hash)
      )`);
    await q.query(
      `CREATE INDEX idx_campaign_api_tokens_account ON campaign_api_tokens (account_id)`,
    );
    await q.query(`
      CREATE TABLE campaign_playbooks (
        id uuid PRIMARY KEY,
        account_id varchar(255) NOT NULL,
        name varchar(255) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX idx_campaign_playbooks_account ON campaign_playbooks (account_id)`,
    );
    await q.query(`
      CREATE TABLE campaign_contacts (
        id uuid PRIMARY KEY,
        account_id varchar(255) NOT NULL,
        phone varchar(16) NOT NULL,
        first_name varchar, last_name varchar, email varchar, company varchar,
        job_title varchar, address varchar, city varchar, state varchar,
        country varchar, postal_code varchar, timezone varchar,
        utm_source varchar, utm_medium varchar, utm_campaign varchar,
        utm_term varchar, utm_content varchar,
        custom_fields jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_campaign_contacts_account_phone UNIQUE (account_id, phone)
      )`);
    await q.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY,
        account_id varchar(255) NOT NULL,
        playbook_id uuid NOT NULL,
        status varchar(16) NOT NULL,
        launch_at timestamptz,
        recall jsonb NOT NULL,
        contacts_count int NOT NULL,
        calls_count int NOT NULL,
        duplicates_count int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        completed_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX idx_campaigns_account_created ON campaigns (account_id, created_at)`,
    );
    await q.query(
      `CREATE INDEX idx_campaigns_status_launch ON campaigns (status, launch_at)`,
    );
    await q.query(`
      CREATE TABLE campaign_calls (
        id uuid PRIMARY KEY,
        campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
        account_id varchar(255) NOT NULL,
        contact_id uuid NOT NULL REFERENCES campaign_contacts (id),
        status varchar(16) NOT NULL,
        due_at timestamptz NOT NULL,
        recall jsonb NOT NULL,
        attempt_count int NOT NULL DEFAULT 0,
        first_attempt_at timestamptz,
        last_outcome varchar(32),
        lease_owner varchar(64),
        lease_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT uq_campaign_calls_campaign_contact UNIQUE (campaign_id, contact_id)
      )`);
    await q.query(
      `CREATE INDEX idx_campaign_calls_claim ON campaign_calls (status, due_at)`,
    );
    await q.query(
      `CREATE INDEX idx_campaign_calls_lease ON campaign_calls (lease_expires_at)`,
    );
    await q.query(
      `CREATE INDEX idx_campaign_calls_contact ON campaign_calls (contact_id)`,
    );
    await q.query(`
      CREATE TABLE campaign_call_attempts (
        id uuid PRIMARY KEY,
        call_id uuid NOT NULL REFERENCES campaign_calls (id) ON DELETE CASCADE,
        attempt_number int NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        outcome varchar(32),
        provider_call_id varchar(255),
        details jsonb,
        CONSTRAINT uq_campaign_call_attempts_call_number UNIQUE (call_id, attempt_number)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'campaign_call_attempts',
      'campaign_calls',
      'campaigns',
      'campaign_contacts',
      'campaign_playbooks',
      'campaign_api_tokens',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
