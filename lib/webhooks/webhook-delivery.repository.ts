import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';
import { runTransaction } from '../database/run-transaction';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import { SqlParams } from '../database/sql-params';
import type { WebhookDisabledReason } from './webhook-endpoint.interface';
import type { WebhookResponse } from './webhook-http.client';

/** A delivery this replica leased for one try. */
export interface LeasedDelivery {
  id: string;
  endpointId: string;
  accountId: string;
  eventId: string;
  payload: string;
  url: string;
  /** The current secret, then the one before a rotation while it still signs. */
  secrets: string[];
  /** The number of this try (1 = first ever). */
  attempt: number;
  /** Tries in the current retry window, this one included. */
  windowTries: number;
  firstTriedAt: Date;
  attemptedAt: Date;
}

export interface ClaimLimits {
  owner: string;
  now: Date;
  leaseMs: number;
  /** Most deliveries to lease. */
  capacity: number;
  /** Most leased deliveries per endpoint, counting other replicas' leases. */
  maxPerEndpoint: number;
}

/** What to write after a try. */
export interface TryRecord {
  delivery: LeasedDelivery;
  owner: string;
  response: WebhookResponse;
  finishedAt: Date;
  /** Next try, or null: the delivery ends (delivered, or failed). */
  nextAttemptAt: Date | null;
  /** Disable the endpoint now (410 Gone). */
  disableNow: boolean;
  /** An endpoint failing since at or before this is disabled. */
  disableFailingBefore: Date;
}

export interface DisabledEndpoint {
  id: string;
  accountId: string;
  url: string;
  reason: Exclude<WebhookDisabledReason, 'manual'>;
  failingSince: Date | null;
}

interface CandidateRow {
  id: string;
  endpoint_id: string;
}

interface LeasedRow {
  id: string;
  endpoint_id: string;
  account_id: string;
  event_id: string;
  payload: string;
  attempts: number | string;
  window_tries: number | string;
  first_tried_at: unknown;
}

/**
 * The delivery worker's SQL. Endpoints already at their limit of requests
 * in flight are left out of the candidates, so that a slow receiver with a
 * backlog never holds up the others. Leasing is safe with many replicas on one
 * PostgreSQL: candidates are locked `FOR UPDATE SKIP LOCKED`, their
 * endpoints `FOR NO KEY UPDATE SKIP LOCKED` while the per-endpoint count of
 * leases is read, so two replicas never lease one delivery, nor more than
 * `maxPerEndpoint` for one endpoint. A lease that expires (a replica died
 * mid-request) makes the delivery due again: at least once, and receivers
 * deduplicate on `webhook-id`.
 */
@Injectable()
export class WebhookDeliveryRepository {
  private readonly dialect: SqlDialect;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  /** Whether anything may be due: a cheap read outside any transaction. */
  async anyDue(now: Date): Promise<boolean> {
    const p = new SqlParams(this.dialect);
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 AS due FROM campaign_webhook_deliveries
       WHERE status = 'pending' AND next_attempt_at <= ${p.add(this.dialect.date(now))}
       LIMIT 1`,
      p.values,
    );
    return rows.length > 0;
  }

  lease(limits: ClaimLimits): Promise<LeasedDelivery[]> {
    return runTransaction(this.dataSource, (m) => this.leaseIn(m, limits));
  }

  private async leaseIn(
    m: EntityManager,
    limits: ClaimLimits,
  ): Promise<LeasedDelivery[]> {
    const d = this.dialect;
    const now = d.date(limits.now);
    const p = new SqlParams(d);
    const candidates = await m.query<CandidateRow[]>(
      `SELECT d.id, d.endpoint_id FROM campaign_webhook_deliveries d
       JOIN campaign_webhook_endpoints e ON e.id = d.endpoint_id
       WHERE d.status = 'pending' AND d.next_attempt_at <= ${p.add(now)}
         AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= ${p.add(now)})
         AND e.disabled_at IS NULL
         AND (SELECT COUNT(*) FROM campaign_webhook_deliveries b
              WHERE b.endpoint_id = d.endpoint_id AND b.lease_expires_at > ${p.add(now)}) < ${p.add(limits.maxPerEndpoint)}
       ORDER BY d.next_attempt_at, d.id
       LIMIT ${p.add(limits.capacity * 4)} ${d.skipLocked('d')}`,
      p.values,
    );
    if (!candidates.length) return [];
    const endpointIds = [...new Set(candidates.map((c) => c.endpoint_id))];
    const q = new SqlParams(d);
    const locked = (
      await m.query<{ id: string }[]>(
        `SELECT id FROM campaign_webhook_endpoints WHERE id IN ${q.list(endpointIds)} AND disabled_at IS NULL
         ${d.lockForNoKeyUpdate}`,
        q.values,
      )
    ).map((r) => r.id);
    if (!locked.length) return [];
    const r = new SqlParams(d);
    const busy = new Map<string, number>(
      (
        await m.query<{ endpoint_id: string; n: number | string }[]>(
          `SELECT endpoint_id, COUNT(*) AS n FROM campaign_webhook_deliveries
           WHERE status = 'pending' AND lease_expires_at > ${r.add(now)} AND endpoint_id IN ${r.list(locked)}
           GROUP BY endpoint_id`,
          r.values,
        )
      ).map((row) => [row.endpoint_id, Number(row.n)]),
    );
    const usable = new Set(locked);
    const picked: string[] = [];
    for (const c of candidates) {
      if (picked.length >= limits.capacity) break;
      if (!usable.has(c.endpoint_id)) continue;
      const n = busy.get(c.endpoint_id) ?? 0;
      if (n >= limits.maxPerEndpoint) continue;
      busy.set(c.endpoint_id, n + 1);
      picked.push(c.id);
    }
    if (!picked.length) return [];
    const leased = await d.update<LeasedRow>(m, {
      table: 'campaign_webhook_deliveries',
      set: (u) => `lease_owner = ${u.add(limits.owner)},
             lease_expires_at = ${u.add(d.date(new Date(limits.now.getTime() + limits.leaseMs)))},
             attempts = attempts + 1,
             window_tries = window_tries + 1,
             first_tried_at = COALESCE(first_tried_at, ${u.add(now)})`,
      where: (u) => `id IN ${u.list(picked)}`,
      returning: [
        'id',
        'endpoint_id',
        'account_id',
        'event_id',
        'payload',
        'attempts',
        'window_tries',
        'first_tried_at',
      ],
    });
    const e = new SqlParams(d);
    const endpoints = new Map(
      (
        await m.query<
          {
            id: string;
            url: string;
            secret: string;
            previous_secret: string | null;
            previous_secret_expires_at: unknown;
          }[]
        >(
          `SELECT id, url, secret, previous_secret, previous_secret_expires_at
           FROM campaign_webhook_endpoints WHERE id IN ${e.list(locked)}`,
          e.values,
        )
      ).map((row) => [row.id, row]),
    );
    return leased.map((row) => {
      const endpoint = endpoints.get(row.endpoint_id)!;
      return {
        id: row.id,
        endpointId: row.endpoint_id,
        accountId: row.account_id,
        eventId: row.event_id,
        payload: row.payload,
        url: endpoint.url,
        secrets:
          endpoint.previous_secret &&
          endpoint.previous_secret_expires_at !== null &&
          d.readDate(endpoint.previous_secret_expires_at) > limits.now
            ? [endpoint.secret, endpoint.previous_secret]
            : [endpoint.secret],
        attempt: Number(row.attempts),
        windowTries: Number(row.window_tries),
        firstTriedAt: d.readDate(row.first_tried_at),
        attemptedAt: limits.now,
      };
    });
  }

  /** Gives a lease back untried (shutdown cut the request): due again at once. */
  async release(delivery: LeasedDelivery, owner: string): Promise<void> {
    const p = new SqlParams(this.dialect);
    await runTransaction(this.dataSource, (m) =>
      m.query(
        `UPDATE campaign_webhook_deliveries
         SET lease_owner = NULL, lease_expires_at = NULL,
             first_tried_at = CASE WHEN window_tries = 1 THEN NULL ELSE first_tried_at END,
             attempts = attempts - 1, window_tries = window_tries - 1
         WHERE id = ${p.add(delivery.id)} AND lease_owner = ${p.add(owner)} AND status = 'pending'`,
        p.values,
      ),
    );
  }

  /**
   * Writes one try: its log row, the delivery's new state (only while this
   * replica still holds the lease), the endpoint's failure record, and
   * disables the endpoint when it has failed long enough (or answered 410).
   * Returns the endpoint it disabled, if any.
   */
  record(entry: TryRecord): Promise<{
    ended: 'delivered' | 'failed' | null;
    disabled: DisabledEndpoint | null;
  }> {
    return runTransaction(this.dataSource, (m) => this.recordIn(m, entry));
  }

  private async recordIn(
    m: EntityManager,
    entry: TryRecord,
  ): Promise<{
    ended: 'delivered' | 'failed' | null;
    disabled: DisabledEndpoint | null;
  }> {
    const d = this.dialect;
    const { delivery, response } = entry;
    const success = response.result === 'success';
    const finished = d.date(entry.finishedAt);
    const p = new SqlParams(d);
    // Nothing to log when the endpoint was deleted meanwhile.
    const { verb, suffix } = d.insertIgnore;
    await m.query(
      `${verb} INTO campaign_webhook_attempts (delivery_id, attempt, endpoint_id, attempted_at, result, status_code, latency_ms, error)
       SELECT id, ${p.add(delivery.attempt)}, endpoint_id, ${p.add(d.date(delivery.attemptedAt))},
              ${p.add(response.result)}, ${p.add(response.statusCode)}, ${p.add(response.latencyMs)}, ${p.add(response.error?.slice(0, 500) ?? null)}
       FROM campaign_webhook_deliveries WHERE id = ${p.add(delivery.id)}
       ${suffix}`,
      p.values,
    );
    const status: 'delivered' | 'pending' | 'failed' = success
      ? 'delivered'
      : entry.nextAttemptAt
        ? 'pending'
        : 'failed';
    const updated = await d.update(m, {
      table: 'campaign_webhook_deliveries',
      set: (q) => `status = ${q.add(status)},
             next_attempt_at = ${q.add(entry.nextAttemptAt ? d.date(entry.nextAttemptAt) : null)},
             lease_owner = NULL, lease_expires_at = NULL,
             last_attempt_at = ${q.add(d.date(delivery.attemptedAt))},
             last_status_code = ${q.add(response.statusCode)},
             last_error = ${q.add(response.error?.slice(0, 500) ?? null)},
             delivered_at = ${q.add(success ? finished : null)}`,
      where: (q) =>
        `id = ${q.add(delivery.id)} AND lease_owner = ${q.add(entry.owner)} AND status = 'pending'`,
      returning: ['id'],
    });
    if (!updated.length) return { ended: null, disabled: null };
    const ended = status === 'pending' ? null : status;
    const r = new SqlParams(d);
    if (success) {
      await m.query(
        `UPDATE campaign_webhook_endpoints SET failing_since = NULL
         WHERE id = ${r.add(delivery.endpointId)} AND failing_since IS NOT NULL`,
        r.values,
      );
      return { ended, disabled: null };
    }
    await m.query(
      `UPDATE campaign_webhook_endpoints SET failing_since = COALESCE(failing_since, ${r.add(d.date(delivery.attemptedAt))})
       WHERE id = ${r.add(delivery.endpointId)}`,
      r.values,
    );
    const reason: DisabledEndpoint['reason'] = entry.disableNow
      ? 'gone'
      : 'failing';
    const [disabled] = await d.update<{
      id: string;
      account_id: string;
      url: string;
      failing_since: unknown;
    }>(m, {
      table: 'campaign_webhook_endpoints',
      set: (s) =>
        `disabled_at = ${s.add(finished)}, disabled_reason = ${s.add(reason)}, updated_at = ${s.add(finished)}`,
      where: (s) =>
        `id = ${s.add(delivery.endpointId)} AND disabled_at IS NULL${
          entry.disableNow
            ? ''
            : ` AND failing_since <= ${s.add(d.date(entry.disableFailingBefore))}`
        }`,
      returning: ['id', 'account_id', 'url', 'failing_since'],
    });
    return {
      ended,
      disabled: disabled
        ? {
            id: disabled.id,
            accountId: disabled.account_id,
            url: disabled.url,
            reason,
            failingSince:
              disabled.failing_since === null
                ? null
                : d.readDate(disabled.failing_since),
          }
        : null,
    };
  }
}
