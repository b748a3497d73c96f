import type { EntityManager } from 'typeorm';
import type { SqlDialect } from '../database/sql-dialect';
import { returnedRows } from '../database/query-result';
import { SqlParams } from '../database/sql-params';

export interface LeasedEventRow {
  position: string | number;
  id: string;
  campaign_id: string;
  account_id: string;
  type: string;
  sequence: number | string;
  data: unknown;
  occurred_at: unknown;
  /** Leased for the first time: its sequence was given by this statement. */
  fresh: boolean;
}

/**
 * A relay lease in one statement, for databases with data-modifying CTEs
 * and window functions over them (PostgreSQL): the oldest free undelivered
 * events are taken, each campaign's stream grows by its count of new
 * events, the new ones are numbered from it in write order, and the batch
 * is leased. The caller holds the relay lock. Rows come back in write order.
 */
export async function leaseEventsInOneStatement(
  m: EntityManager,
  dialect: SqlDialect,
  lease: { owner: string; now: Date; leaseUntil: Date; limit: number },
): Promise<LeasedEventRow[]> {
  const p = new SqlParams(dialect);
  const result: unknown = await m.query(
    `WITH picked AS (
      SELECT position, campaign_id, sequence FROM campaign_events
      WHERE delivered_at IS NULL
        AND (lease_expires_at IS NULL OR lease_expires_at <= ${p.add(dialect.date(lease.now))})
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
    UPDATE campaign_events e SET sequence = n.sequence,
      lease_owner = ${p.add(lease.owner)},
      lease_expires_at = ${p.add(dialect.date(lease.leaseUntil))},
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
