import type { EntityManager } from 'typeorm';
import { SqlParams } from '../database/sql-params';
import type { SqlDialect } from '../database/sql-dialect';
import type { CallStatus } from '../entities/campaign-status';

/**
 * The dialing loop's two hot writes as one statement each, for databases
 * that bind arrays (`unnest`) and run data-modifying CTEs (PostgreSQL):
 * a claim's starts (calls marked dialing and their attempt rows) and a
 * batch of results (calls moved on, attempts ended, outbox events, retries
 * of cancelled campaigns ended, opt-outs listed). The same writes as the
 * multi-statement path of CallDispatchRepository, with no id lists re-found
 * and no bind parameter per row.
 */

export interface StartRow {
  id: string;
  verdict: string;
}

/** Marks the calls dialing (next attempt, lease) and inserts their attempt rows. */
export async function startWithArrays(
  manager: EntityManager,
  dialect: SqlDialect,
  rows: readonly StartRow[],
  claim: { owner: string; now: Date; leaseUntil: Date },
): Promise<void> {
  const p = new SqlParams(dialect);
  const ids = p.add(
    rows.map((r) => r.id),
    'uuid[]',
  );
  const verdicts = p.add(
    rows.map((r) => r.verdict),
    'jsonb[]',
  );
  const now = p.add(claim.now, 'timestamptz');
  await manager.query(
    `WITH s AS (SELECT * FROM unnest(${ids}, ${verdicts}) AS s (id, verdict)),
    u AS (
      UPDATE campaign_calls c SET status = 'dialing', attempt_count = c.attempt_count + 1,
        first_attempt_at = COALESCE(c.first_attempt_at, ${now}),
        lease_owner = ${p.add(claim.owner)}, lease_expires_at = ${p.add(claim.leaseUntil, 'timestamptz')},
        wait_reason = NULL, wait_detail = NULL, updated_at = ${now}
      FROM s WHERE c.id = s.id
      RETURNING c.id, c.attempt_count, s.verdict)
    INSERT INTO campaign_call_attempts (id, call_id, attempt_number, started_at, verdict)
    SELECT gen_random_uuid(), u.id, u.attempt_count, ${now}, u.verdict FROM u`,
    p.values,
  );
}

export interface ResultRow {
  callId: string;
  attempt: number;
  /** The call's next status by the recall policy. */
  status: CallStatus;
  /** Its next due time, for a retry. */
  dueAt: Date | null;
  outcome: string;
  providerCallId: string | null;
  /** JSON of the attempt's details, or null. */
  details: string | null;
}

export interface MovedRow {
  id: string;
  campaign_id: string;
  account_id: string;
  status: CallStatus;
}

/**
 * Records results: each call still in that attempt (and passing the fence)
 * moves to its next status, its attempt ends, and its events are appended
 * in result order (`call.attempt.finished`s, then `call.finished`s). A retry
 * of a campaign cancelled meanwhile ends `cancelled` (reported with the
 * status the policy gave, as the multi-statement path reports it). Returns
 * the calls that moved.
 */
export async function recordWithArrays(
  manager: Pick<EntityManager, 'query'>,
  dialect: SqlDialect,
  rows: readonly ResultRow[],
  fence: { leaseOwner?: string; leaseExpiredBy?: Date },
  now: Date,
): Promise<MovedRow[]> {
  const p = new SqlParams(dialect);
  const column = <T>(pick: (r: ResultRow) => T, type: string) =>
    p.add(rows.map(pick), type);
  const arrays = [
    column((r) => r.callId, 'uuid[]'),
    column((r) => r.attempt, 'int[]'),
    column((r) => r.status, 'varchar[]'),
    column((r) => r.dueAt, 'timestamptz[]'),
    column((r) => r.outcome, 'varchar[]'),
    column((r) => r.providerCallId, 'varchar[]'),
    column((r) => r.details, 'jsonb[]'),
  ].join(', ');
  const at = p.add(now, 'timestamptz');
  const fenced = [
    fence.leaseOwner ? `AND c.lease_owner = ${p.add(fence.leaseOwner)}` : '',
    fence.leaseExpiredBy
      ? `AND c.lease_expires_at <= ${p.add(fence.leaseExpiredBy, 'timestamptz')}`
      : '',
  ].join(' ');
  const cancelledRetry = `v.status = 'retry_pending' AND k.status = 'cancelled'`;
  return manager.query<MovedRow[]>(
    `WITH v AS (
      SELECT * FROM unnest(${arrays}) WITH ORDINALITY
        AS v (id, attempt, status, due_at, outcome, provider_call_id, details, ord)),
    moved AS (
      UPDATE campaign_calls c SET
        status = CASE WHEN ${cancelledRetry} THEN 'cancelled' ELSE v.status END,
        due_at = COALESCE(v.due_at, c.due_at), last_outcome = v.outcome,
        lease_owner = NULL, lease_expires_at = NULL,
        completed_at = CASE WHEN v.status <> 'retry_pending' OR ${cancelledRetry} THEN ${at} ELSE NULL END,
        updated_at = ${at}
      FROM v, campaigns k
      WHERE c.id = v.id AND c.attempt_count = v.attempt AND c.status = 'dialing'
        AND k.id = c.campaign_id ${fenced}
      RETURNING c.id, c.campaign_id, c.account_id, c.contact_id, v.status, v.attempt,
        v.outcome, v.provider_call_id, v.details, v.ord),
    ended AS (
      UPDATE campaign_call_attempts a SET ended_at = ${at}, outcome = m.outcome,
        provider_call_id = COALESCE(m.provider_call_id, a.provider_call_id), details = m.details
      FROM moved m
      WHERE a.call_id = m.id AND a.attempt_number = m.attempt AND a.ended_at IS NULL),
    events AS (
      INSERT INTO campaign_events (id, campaign_id, account_id, type, data, occurred_at)
      SELECT gen_random_uuid(), e.campaign_id, e.account_id, e.type, e.data, ${at} FROM (
        SELECT 0 AS kind, m.ord, m.campaign_id, m.account_id, 'call.attempt.finished' AS type,
          jsonb_build_object('callId', m.id, 'attempt', m.attempt, 'outcome', m.outcome) AS data
        FROM moved m
        UNION ALL
        SELECT 1, m.ord, m.campaign_id, m.account_id, 'call.finished',
          jsonb_build_object('callId', m.id, 'status', m.status, 'outcome', m.outcome)
        FROM moved m WHERE m.status <> 'retry_pending') e
      ORDER BY e.kind, e.ord),
    opted_out AS (
      INSERT INTO campaign_do_not_call (account_id, phone, reason)
      SELECT m.account_id, ct.phone, 'opted_out' FROM moved m
      JOIN campaign_contacts ct ON ct.id = m.contact_id
      WHERE m.outcome = 'opted_out'
      ON CONFLICT (account_id, phone) DO NOTHING)
    SELECT id, campaign_id, account_id, status FROM moved ORDER BY ord`,
    p.values,
  );
}

/**
 * A campaign status change (`UPDATE campaigns … RETURNING id, account_id`,
 * numbered placeholders) and its lifecycle events, in one statement.
 */
export async function changeCampaignsWithEvents(
  manager: Pick<EntityManager, 'query'>,
  update: { sql: string; values: unknown[] },
  type: 'campaign.started' | 'campaign.completed',
  now: Date,
): Promise<{ id: string; account_id: string }[]> {
  const next = update.values.length;
  return manager.query(
    `WITH changed AS (${update.sql}),
    events AS (
      INSERT INTO campaign_events (id, campaign_id, account_id, type, data, occurred_at)
      SELECT gen_random_uuid(), id, account_id, $${next + 1}, '{}'::jsonb, $${next + 2}::timestamptz
      FROM changed)
    SELECT id, account_id FROM changed`,
    [...update.values, type, now],
  );
}
