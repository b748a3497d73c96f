import { Inject, Injectable } from '@nestjs/common';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';
import { IdempotencyKeyService } from '../idempotency/idempotency-key.service';
import { runTransaction } from '../database/run-transaction';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import { SqlParams } from '../database/sql-params';
import {
  OPEN_CALL_STATUSES,
  sqlStatusList,
  type CampaignStatus,
} from '../entities/campaign-status';
import { CAMPAIGN_CLOCK } from '../scheduler/campaign-clock.provider';
import type { CampaignClock } from '../scheduler/campaign-clock';
import {
  RETENTION_DEFAULT_BATCH_SIZE,
  retentionProblems,
  type RetentionLimitsInput,
} from './retention-limits';

export interface RetentionPurgeOptions extends RetentionLimitsInput {
  /** Campaigns that finished more than this many days ago go. */
  olderThanDays: number;
  /** Most campaigns, and most calls, one transaction deletes. Default 500, at most 5 000. */
  batchSize?: number;
  /** Stop after this many transactions (the rest goes on the next purge). Default: until none is left. */
  maxBatches?: number;
  /** Stops the purge between two transactions. */
  signal?: AbortSignal;
}

/** What one purge deleted. */
export interface RetentionPurgeResult {
  campaigns: number;
  calls: number;
  attempts: number;
  /** Their delivered events (outbox). */
  events: number;
  /** Idempotency keys past their 24 h, of every account. */
  idempotencyKeys: number;
  /** Transactions that deleted something. */
  batches: number;
}

type BatchCounts = Pick<
  RetentionPurgeResult,
  'campaigns' | 'calls' | 'attempts' | 'events'
>;

const DAY_MS = 24 * 60 * 60_000;

/** Events are small rows, a few per call: a batch deletes this many per call it may delete. */
const EVENTS_PER_CALL = 8;

const FINISHED_STATUSES: readonly CampaignStatus[] = ['completed', 'cancelled'];

/**
 * Deletes finished campaigns (completed, or cancelled) older than a number
 * of days, with their calls, attempts and events, and the expired
 * idempotency keys. Contacts and the do-not-call list are kept: they belong
 * to the account and are shared by its campaigns. A campaign with an event
 * not delivered yet waits for a later purge (no event is lost); a deleted
 * campaign's webhook deliveries and their log go with it.
 *
 * The work is split into short transactions (at most `batchSize` campaigns,
 * `batchSize` calls and 8 × `batchSize` events each), with a turn of the
 * event loop between two.
 * None of them waits for a lock the dialing loop or the API holds:
 * - the claim locks only rows of running campaigns (the campaign for share,
 *   its waiting calls and their contacts for update), and the loop's other
 *   writes match only calls still open; a campaign is picked here only when
 *   it is finished and has no open call (a cancelled campaign whose last
 *   attempt is still dialing waits for a later purge), so no row either side
 *   touches is the other's;
 * - the campaigns are picked `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two
 *   replicas purging at once split the work instead of queueing on each
 *   other, and a campaign row anyone else holds is left for the next batch;
 * - deleting calls takes no lock on their contacts (only inserting a
 *   reference does), so creating a campaign for the same people never waits.
 * On SQLite every write runs one transaction at a time anyway: short batches
 * keep the claim's wait short.
 */
@Injectable()
export class CampaignRetentionService {
  private readonly dialect: SqlDialect;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CAMPAIGN_CLOCK) private readonly clock: CampaignClock,
    private readonly idempotencyKeys: IdempotencyKeyService,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  /**
   * Deletes what finished more than `olderThanDays` ago, by the module's
   * clock (the database's on PostgreSQL, so that replicas agree).
   */
  async purge(options: RetentionPurgeOptions): Promise<RetentionPurgeResult> {
    const problems = retentionProblems(options);
    if (problems.length) {
      throw new RangeError(
        `CampaignRetentionService.purge: ${problems.join('; ')}`,
      );
    }
    const batchSize = options.batchSize ?? RETENTION_DEFAULT_BATCH_SIZE;
    const maxBatches = options.maxBatches ?? Infinity;
    const now = await this.clock.now();
    const cutoff = new Date(now.getTime() - options.olderThanDays * DAY_MS);
    const result: RetentionPurgeResult = {
      campaigns: 0,
      calls: 0,
      attempts: 0,
      events: 0,
      idempotencyKeys: 0,
      batches: 0,
    };
    while (result.batches < maxBatches && !options.signal?.aborted) {
      const batch = await runTransaction(this.dataSource, (m) =>
        this.purgeBatch(m, cutoff, batchSize),
      );
      if (!batch) break;
      result.campaigns += batch.campaigns;
      result.calls += batch.calls;
      result.attempts += batch.attempts;
      result.events += batch.events;
      result.batches++;
      await yieldToEventLoop();
    }
    if (!options.signal?.aborted) {
      result.idempotencyKeys = await this.idempotencyKeys.purgeExpired(now);
    }
    return result;
  }

  /**
   * One transaction: up to `size` finished campaigns, up to `size` of their
   * calls (a campaign at a time) with their attempts, then those of the
   * campaigns with no call left. Null when it found nothing to delete.
   */
  private async purgeBatch(
    m: EntityManager,
    cutoff: Date,
    size: number,
  ): Promise<BatchCounts | null> {
    const campaignIds = await this.pickFinished(m, cutoff, size);
    if (campaignIds.length === 0) return null;
    const d = this.dialect;
    const p = new SqlParams(d);
    const callIds = (
      await m.query<{ id: string }[]>(
        `SELECT c.id FROM campaign_calls c WHERE c.campaign_id IN ${p.list(campaignIds)}
        ORDER BY c.campaign_id LIMIT ${p.add(size)} ${d.skipLocked('c')}`,
        p.values,
      )
    ).map((r) => r.id);
    const counts: BatchCounts = {
      campaigns: 0,
      calls: 0,
      attempts: 0,
      events: 0,
    };
    if (callIds.length) {
      counts.attempts = await this.deleteReturning(
        m,
        'campaign_call_attempts',
        'call_id',
        callIds,
      );
      counts.calls = await this.deleteReturning(
        m,
        'campaign_calls',
        'id',
        callIds,
      );
    }
    const e = new SqlParams(d);
    const eventIds = (
      await m.query<{ id: string }[]>(
        `SELECT id FROM campaign_events WHERE campaign_id IN ${e.list(campaignIds)}
        LIMIT ${e.add(size * EVENTS_PER_CALL)}`,
        e.values,
      )
    ).map((r) => r.id);
    if (eventIds.length) {
      counts.events = await this.deleteReturning(
        m,
        'campaign_events',
        'id',
        eventIds,
      );
    }
    const deleted = await d.deleteReturningIds(m, {
      table: 'campaigns',
      where: (q) => `id IN ${q.list(campaignIds)}
        AND NOT EXISTS (SELECT 1 FROM campaign_calls c WHERE c.campaign_id = campaigns.id)
        AND NOT EXISTS (SELECT 1 FROM campaign_events e WHERE e.campaign_id = campaigns.id)`,
    });
    counts.campaigns = deleted.length;
    if (deleted.length) {
      const s = new SqlParams(d);
      await m.query(
        `DELETE FROM campaign_event_streams WHERE campaign_id IN ${s.list(deleted)}`,
        s.values,
      );
      await this.deleteWebhookDeliveries(m, deleted);
    }
    return counts.campaigns || counts.calls || counts.events ? counts : null;
  }

  /**
   * Finished campaigns past the cutoff with no open call: completed ones by
   * `completed_at`, cancelled ones by `updated_at` (the cancel, the last
   * write a cancelled campaign gets).
   */
  private async pickFinished(
    m: EntityManager,
    cutoff: Date,
    size: number,
  ): Promise<string[]> {
    const d = this.dialect;
    const p = new SqlParams(d);
    const rows = await m.query<{ id: string }[]>(
      `SELECT k.id FROM campaigns k
      WHERE k.status IN ${p.list(FINISHED_STATUSES)}
        AND COALESCE(k.completed_at, k.updated_at) < ${p.add(d.date(cutoff))}
        AND NOT EXISTS (SELECT 1 FROM campaign_calls c
          WHERE c.campaign_id = k.id AND c.status IN ${sqlStatusList(OPEN_CALL_STATUSES)})
        AND NOT EXISTS (SELECT 1 FROM campaign_events e
          WHERE e.campaign_id = k.id AND e.delivered_at IS NULL)
      LIMIT ${p.add(size)}
      ${d.skipLocked('k')}`,
      p.values,
    );
    return rows.map((r) => r.id);
  }

  /** The webhook deliveries of deleted campaigns, with their delivery log. */
  private async deleteWebhookDeliveries(
    m: EntityManager,
    campaignIds: readonly string[],
  ): Promise<void> {
    const p = new SqlParams(this.dialect);
    await m.query(
      `DELETE FROM campaign_webhook_attempts WHERE delivery_id IN
        (SELECT id FROM campaign_webhook_deliveries WHERE campaign_id IN ${p.list(campaignIds)})`,
      p.values,
    );
    const q = new SqlParams(this.dialect);
    await m.query(
      `DELETE FROM campaign_webhook_deliveries WHERE campaign_id IN ${q.list(campaignIds)}`,
      q.values,
    );
  }

  /** Deletes the rows whose `column` is one of `values`; returns how many. */
  private async deleteReturning(
    m: EntityManager,
    table: 'campaign_call_attempts' | 'campaign_calls' | 'campaign_events',
    column: 'call_id' | 'id',
    values: readonly string[],
  ): Promise<number> {
    const deleted = await this.dialect.deleteReturningIds(m, {
      table,
      where: (p) => `${column} IN ${p.list(values)}`,
    });
    return deleted.length;
  }
}
