import type { EntityManager } from 'typeorm';
import type {
  BatchStatements,
  EventLease,
  LeasedEventRow,
  MovedRow,
  ResultRow,
  StartRow,
} from '../batch-statements';
import { returnedRows } from '../query-result';
import type { UpdateStatement } from '../sql-dialect';
import { SqlParams, type Placeholders } from '../sql-params';

/** PostgreSQL's numbered placeholders, with casts where a type cannot be inferred. */
const PLACEHOLDERS: Placeholders = {
  placeholder: (index) => `$${index}`,
  typed: (index, type) => `$${index}::${type}`,
};

/**
 * The hot writes in one statement each (see BatchStatements): arrays bound
 * with `unnest` (no bind parameter per row, no id list re-found), and the
 * writes a change entails (attempts, outbox events, do-not-call entries)
 * in data-modifying CTEs of the same statement.
 */
export const postgresBatchStatements: BatchStatements = {
  startCalls,
  recordResults,
  changeCampaigns,
  leaseEvents,
};

async function startCalls(
  manager: EntityManager,
  rows: readonly StartRow[],
  claim: { owner: string; now: Date; leaseUntil: Date },
): Promise<void> {
  const p = new SqlParams(PLACEHOLDERS);
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

async function recordResults(
  manager: Pick<EntityManager, 'query'>,
  rows: readonly ResultRow[],
  fence: { leaseOwner?: string; leaseExpiredBy?: Date },
  now: Date,
): Promise<MovedRow[]> {
  const p = new SqlParams(PLACEHOLDERS);
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

async function changeCampaigns(
  manager: Pick<EntityManager, 'query'>,
  update: Pick<UpdateStatement, 'table' | 'set' | 'where'>,
  type: 'campaign.started' | 'campaign.completed',
  now: Date,
): Promise<{ id: string; account_id: string }[]> {
  const p = new SqlParams(PLACEHOLDERS);
  return manager.query(
    `WITH changed AS (
      UPDATE ${update.table} SET ${update.set(p)} WHERE ${update.where(p)}
      RETURNING id, account_id),
    events AS (
      INSERT INTO campaign_events (id, campaign_id, account_id, type, data, occurred_at)
      SELECT gen_random_uuid(), id, account_id, ${p.add(type)}, '{}'::jsonb, ${p.add(now, 'timestamptz')}
      FROM changed)
    SELECT id, account_id FROM changed`,
    p.values,
  );
}

async function leaseEvents(
  m: EntityManager,
  lease: EventLease,
): Promise<LeasedEventRow[]> {
  const p = new SqlParams(PLACEHOLDERS);
  const taken = lease.deliveredAt
    ? `delivered_at = ${p.add(lease.deliveredAt)}, lease_owner = NULL, lease_expires_at = NULL`
    : `lease_owner = ${p.add(lease.owner)}, lease_expires_at = ${p.add(lease.leaseUntil)}`;
  const result: unknown = await m.query(
    `WITH picked AS (
      SELECT position, campaign_id, sequence FROM campaign_events
      WHERE delivered_at IS NULL
        AND (lease_expires_at IS NULL OR lease_expires_at <= ${p.add(lease.now)})
      ORDER BY position LIMIT ${p.add(lease.limit)}),
    fresh AS (
      SELECT campaign_id, COUNT(*)::int AS n FROM picked
      WHERE sequence IS NULL GROUP BY campaign_id),
    streams AS (
      INSERT INTO campaign_event_streams (campaign_id, last_sequence)
      SELECT campaign_id, n FROM fresh
      ON CONFLICT (campaign_id) DO UPDATE
        SET last_sequence = campaign_event_streams.last_sequence + excluded.last_sequence
      RETURNING campaign_id, last_sequence),
    numbered AS (
      SELECT k.position, k.sequence IS NULL AS fresh,
        COALESCE(k.sequence, s.last_sequence - f.n + row_number() OVER (
          PARTITION BY k.campaign_id, k.sequence IS NULL ORDER BY k.position))::int AS sequence
      FROM picked k
      LEFT JOIN fresh f ON f.campaign_id = k.campaign_id
      LEFT JOIN streams s ON s.campaign_id = k.campaign_id)
    UPDATE campaign_events e SET sequence = n.sequence, ${taken},
      deliveries = e.deliveries + 1
    FROM numbered n WHERE e.position = n.position AND e.delivered_at IS NULL
    RETURNING e.position, e.id, e.campaign_id, e.account_id, e.type, e.sequence,
      e.data, e.occurred_at, n.fresh`,
    p.values,
  );
  return returnedRows<LeasedEventRow>(result).sort(
    (a, b) => Number(a.position) - Number(b.position),
  );
}
