import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The schema of the eight PostgreSQL migrations up to 1764410000000, in one
 * step for MariaDB 10.6+ / MySQL 8: ids VARCHAR(36) (a CHAR column's value
 * depends on PAD_CHAR_TO_FULL_LENGTH, so MariaDB refuses it in the generated
 * column below), JSON, DATETIME(6) holding UTC, partial indexes as composite
 * ones serving the same queries.
 */
const UTC_NOW = '(UTC_TIMESTAMP(6))';
const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
const CONTACT_TEXT = [
  'first_name',
  'last_name',
  'email',
  'company',
  'job_title',
  'address',
  'city',
  'state',
  'country',
  'postal_code',
  'timezone',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
]
  .map((c) => `${c} TEXT NULL`)
  .join(', ');

const STATEMENTS = [
  `CREATE TABLE campaign_api_tokens (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    account_id VARCHAR(255) NOT NULL,
    token_hash VARCHAR(64) NOT NULL,
    name VARCHAR(255) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT ${UTC_NOW},
    revoked_at DATETIME(6) NULL,
    CONSTRAINT uq_campaign_api_tokens_hash UNIQUE (token_hash),
    INDEX idx_campaign_api_tokens_account (account_id)
  ) ${TABLE}`,
  `CREATE TABLE campaign_playbooks (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    account_id VARCHAR(255) NOT NULL,
    name VARCHAR(255) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT ${UTC_NOW},
    provider_config JSON NULL,
    INDEX idx_campaign_playbooks_account (account_id)
  ) ${TABLE}`,
  `CREATE TABLE campaign_contacts (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    account_id VARCHAR(255) NOT NULL,
    phone VARCHAR(16) NOT NULL,
    ${CONTACT_TEXT},
    custom_fields JSON NULL,
    created_at DATETIME(6) NOT NULL DEFAULT ${UTC_NOW},
    updated_at DATETIME(6) NOT NULL DEFAULT ${UTC_NOW},
    CONSTRAINT uq_campaign_contacts_account_phone UNIQUE (account_id, phone)
  ) ${TABLE}`,
  `CREATE TABLE campaigns (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    account_id VARCHAR(255) NOT NULL,
    playbook_id VARCHAR(36) NOT NULL,
    status VARCHAR(16) NOT NULL,
    launch_at DATETIME(6) NULL,
    recall JSON NOT NULL,
    contacts_count INT NOT NULL,
    calls_count INT NOT NULL,
    duplicates_count INT NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT ${UTC_NOW},
    updated_at DATETIME(6) NOT NULL DEFAULT ${UTC_NOW},
    started_at DATETIME(6) NULL,
    completed_at DATETIME(6) NULL,
    timezone VARCHAR(64) NULL,
    calling_window JSON NULL,
    provider_config JSON NULL,
    INDEX idx_campaigns_account_created (account_id, created_at),
    INDEX idx_campaigns_status_launch (status, launch_at)
  ) ${TABLE}`,
  // idx_campaign_calls_claim (status, due_at) also serves PostgreSQL's partial idx_campaign_calls_waiting.
  `CREATE TABLE campaign_calls (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    campaign_id VARCHAR(36) NOT NULL,
    account_id VARCHAR(255) NOT NULL,
    contact_id VARCHAR(36) NOT NULL,
    status VARCHAR(16) NOT NULL,
    due_at DATETIME(6) NOT NULL,
    recall JSON NOT NULL,
    attempt_count INT NOT NULL DEFAULT 0,
    first_attempt_at DATETIME(6) NULL,
    last_outcome VARCHAR(32) NULL,
    lease_owner VARCHAR(64) NULL,
    lease_expires_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT ${UTC_NOW},
    updated_at DATETIME(6) NOT NULL DEFAULT ${UTC_NOW},
    completed_at DATETIME(6) NULL,
    wait_reason VARCHAR(16) NULL,
    wait_detail JSON NULL,
    CONSTRAINT uq_campaign_calls_campaign_contact UNIQUE (campaign_id, contact_id),
    CONSTRAINT fk_campaign_calls_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE CASCADE,
    CONSTRAINT fk_campaign_calls_contact FOREIGN KEY (contact_id) REFERENCES campaign_contacts (id),
    INDEX idx_campaign_calls_claim (status, due_at),
    INDEX idx_campaign_calls_lease (lease_expires_at),
    INDEX idx_campaign_calls_contact (contact_id),
    INDEX idx_campaign_calls_campaign_status (campaign_id, status)
  ) ${TABLE}`,
  `CREATE TABLE campaign_call_attempts (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    call_id VARCHAR(36) NOT NULL,
    attempt_number INT NOT NULL,
    started_at DATETIME(6) NOT NULL,
    ended_at DATETIME(6) NULL,
    outcome VARCHAR(32) NULL,
    provider_call_id VARCHAR(255) NULL,
    details JSON NULL,
    verdict JSON NULL,
    CONSTRAINT uq_campaign_call_attempts_call_number UNIQUE (call_id, attempt_number),
    CONSTRAINT fk_campaign_call_attempts_call FOREIGN KEY (call_id) REFERENCES campaign_calls (id) ON DELETE CASCADE,
    INDEX idx_campaign_call_attempts_provider_call (provider_call_id)
  ) ${TABLE}`,
  `CREATE TABLE campaign_do_not_call (
    account_id VARCHAR(255) NOT NULL,
    phone VARCHAR(16) NOT NULL,
    reason VARCHAR(64) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT ${UTC_NOW},
    PRIMARY KEY (account_id, phone)
  ) ${TABLE}`,
  `CREATE TABLE campaign_idempotency_keys (
    account_id VARCHAR(255) NOT NULL,
    idempotency_key VARCHAR(255) NOT NULL,
    request_hash VARCHAR(64) NOT NULL,
    response_status INT NOT NULL,
    response_body JSON NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT ${UTC_NOW},
    PRIMARY KEY (account_id, idempotency_key),
    INDEX idx_campaign_idempotency_keys_created (created_at)
  ) ${TABLE}`,
  // (delivered_at, position) serves PostgreSQL's partial idx_campaign_events_pending.
  `CREATE TABLE campaign_events (
    position BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    id VARCHAR(36) NOT NULL,
    campaign_id VARCHAR(36) NOT NULL,
    account_id VARCHAR(255) NOT NULL,
    type VARCHAR(40) NOT NULL,
    sequence INT NULL,
    data JSON NOT NULL,
    occurred_at DATETIME(6) NOT NULL,
    delivered_at DATETIME(6) NULL,
    lease_owner VARCHAR(255) NULL,
    lease_expires_at DATETIME(6) NULL,
    deliveries INT NOT NULL DEFAULT 0,
    CONSTRAINT uq_campaign_events_id UNIQUE (id),
    INDEX idx_campaign_events_pending (delivered_at, position),
    INDEX idx_campaign_events_campaign (campaign_id, sequence)
  ) ${TABLE}`,
  `CREATE TABLE campaign_event_streams (
    campaign_id VARCHAR(36) NOT NULL PRIMARY KEY,
    last_sequence INT NOT NULL
  ) ${TABLE}`,
  `CREATE TABLE campaign_webhook_endpoints (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    account_id VARCHAR(255) NOT NULL,
    url VARCHAR(2048) NOT NULL,
    description VARCHAR(500) NULL,
    secret VARCHAR(255) NOT NULL,
    previous_secret VARCHAR(255) NULL,
    previous_secret_expires_at DATETIME(6) NULL,
    event_types JSON NOT NULL,
    disabled_at DATETIME(6) NULL,
    disabled_reason VARCHAR(32) NULL,
    failing_since DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    INDEX idx_campaign_webhook_endpoints_account (account_id, created_at)
  ) ${TABLE}`,
  // PostgreSQL's partial unique index on (endpoint_id, event_id) WHERE
  // redelivery_of IS NULL: a generated column that is NULL for redeliveries
  // (NULLs never collide in a unique index). Partial indexes become
  // composite ones: (status, next_attempt_at), (endpoint_id, lease_expires_at).
  `CREATE TABLE campaign_webhook_deliveries (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    endpoint_id VARCHAR(36) NOT NULL,
    account_id VARCHAR(255) NOT NULL,
    campaign_id VARCHAR(36) NOT NULL,
    event_id VARCHAR(36) NOT NULL,
    event_type VARCHAR(64) NOT NULL,
    event_sequence INT NOT NULL,
    payload LONGTEXT NOT NULL,
    status VARCHAR(16) NOT NULL,
    attempts INT NOT NULL DEFAULT 0,
    window_tries INT NOT NULL DEFAULT 0,
    first_tried_at DATETIME(6) NULL,
    next_attempt_at DATETIME(6) NULL,
    lease_owner VARCHAR(64) NULL,
    lease_expires_at DATETIME(6) NULL,
    last_attempt_at DATETIME(6) NULL,
    last_status_code INT NULL,
    last_error VARCHAR(500) NULL,
    delivered_at DATETIME(6) NULL,
    redelivery_of VARCHAR(36) NULL,
    created_at DATETIME(6) NOT NULL,
    original_event_id VARCHAR(36) GENERATED ALWAYS AS (CASE WHEN redelivery_of IS NULL THEN event_id END) STORED,
    CONSTRAINT uq_campaign_webhook_deliveries_event UNIQUE (endpoint_id, original_event_id),
    CONSTRAINT fk_campaign_webhook_deliveries_endpoint FOREIGN KEY (endpoint_id) REFERENCES campaign_webhook_endpoints (id) ON DELETE CASCADE,
    INDEX idx_campaign_webhook_deliveries_due (status, next_attempt_at),
    INDEX idx_campaign_webhook_deliveries_endpoint (endpoint_id, created_at),
    INDEX idx_campaign_webhook_deliveries_leased (endpoint_id, lease_expires_at),
    INDEX idx_campaign_webhook_deliveries_campaign (campaign_id)
  ) ${TABLE}`,
  `CREATE TABLE campaign_webhook_attempts (
    delivery_id VARCHAR(36) NOT NULL,
    attempt INT NOT NULL,
    endpoint_id VARCHAR(36) NOT NULL,
    attempted_at DATETIME(6) NOT NULL,
    result VARCHAR(16) NOT NULL,
    status_code INT NULL,
    latency_ms INT NOT NULL,
    error VARCHAR(500) NULL,
    PRIMARY KEY (delivery_id, attempt),
    CONSTRAINT fk_campaign_webhook_attempts_delivery FOREIGN KEY (delivery_id) REFERENCES campaign_webhook_deliveries (id) ON DELETE CASCADE
  ) ${TABLE}`,
];

const TABLES_NEWEST_FIRST = [
  'campaign_webhook_attempts',
  'campaign_webhook_deliveries',
  'campaign_webhook_endpoints',
  'campaign_event_streams',
  'campaign_events',
  'campaign_idempotency_keys',
  'campaign_do_not_call',
  'campaign_call_attempts',
  'campaign_calls',
  'campaigns',
  'campaign_contacts',
  'campaign_playbooks',
  'campaign_api_tokens',
];

/**
 * MariaDB 10.6+ / MySQL 8. Their DDL commits implicitly, so a failure half
 * way leaves the tables created so far: drop them (or run `down`) before
 * the next try.
 */
export class CampaignSchemaMysql1764410000000 implements MigrationInterface {
  name = 'CampaignSchemaMysql1764410000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of STATEMENTS) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES_NEWEST_FIRST) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
