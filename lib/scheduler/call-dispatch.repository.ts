import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import { CONTACT_TEXT_FIELDS } from '../campaigns/new-campaign.interface';
import { insertRows } from '../database/multi-row-insert';
import { returnedRows } from '../database/query-result';
import { SqlParams } from '../database/sql-params';
import { sqlDialectOf, type SqlDialect } from '../database/sql-dialect';
import type { DialRequest } from '../dialer/campaign-dialer.interface';
import type { CustomFields } from '../entities/contact.entity';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { nextCallingTime, resolveZone } from './calling-window';
import type {
  AttemptResult,
  ResultFence,
  StartedAttempt,
} from './dispatch.interfaces';
import { nextCallState } from './recall-policy';
import { runTransaction } from '../database/run-transaction';

/** Call statuses that still have work to do. */
const OPEN_CALL_STATUSES = `('queued', 'retry_pending', 'dialing')`;

type ClaimRow = Record<string, unknown> & {
  id: string;
  campaign_id: string;
  account_id: string;
  playbook_id: string;
  attempt_count: number | string;
  recall: unknown;
  first_attempt_at: unknown;
  phone: string;
  timezone: string | null;
};

/** A call or campaign a write changed, with what events need. */
export interface ChangedRow {
  id: string;
  campaignId: string;
  accountId: string;
}

export interface RecordedResults {
  /** Results that moved their call on (stale or fenced-off results are not here). */
  recorded: (AttemptResult & ChangedRow)[];
  completedCampaigns: ChangedRow[];
}

export interface ClaimOutcome {
  started: StartedAttempt[];
  /** Calls outside the calling window, moved to its next opening. */
  deferred: number;
  /** Calls to numbers on the do-not-call list, ended `opted_out` undialed. */
  optedOut: number;
  completedCampaigns: ChangedRow[];
}

type ClaimedInTransaction = Omit<ClaimOutcome, 'completedCampaigns'> & {
  /** Campaigns of calls ended `opted_out`: to check for completion after commit. */
  blockedCampaigns: string[];
};

export interface ClaimRequest {
  owner: string;
  now: Date;
  limit: number;
  leaseUntil: Date;
}

/** The dialing loop's SQL: every state change of a call is fenced. */
@Injectable()
export class CallDispatchRepository {
  readonly dialect: SqlDialect;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  /** Scheduled campaigns whose launch time has come start running. */
  async activateDueCampaigns(now: Date): Promise<ChangedRow[]> {
    const p = new SqlParams(this.dialect);
    const sql = `UPDATE campaigns SET status = 'running', started_at = ${p.add(this.dialect.date(now))},
      updated_at = ${p.add(this.dialect.date(now))}
      WHERE status = 'scheduled' AND launch_at <= ${p.add(this.dialect.date(now))}
      RETURNING id, account_id`;
    return returnedRows<{ id: string; account_id: string }>(
      await runTransaction(this.dataSource, (m) => m.query(sql, p.values)),
    ).map((r) => ({ id: r.id, campaignId: r.id, accountId: r.account_id }));
  }

  /**
   * Claims due calls of running campaigns, skipping rows other replicas hold,
   * and in the same transaction either records their next attempt as started
   * (the attempt row exists before anyone dials) or, outside the calling
   * window, moves their due time to the next opening.
   */
  async claimAndStart(claim: ClaimRequest): Promise<ClaimOutcome> {
    const { blockedCampaigns, ...claimed } = await runTransaction(
      this.dataSource,
      (manager) => this.claimInTransaction(manager, claim),
    );
    return {
      ...claimed,
      completedCampaigns: await this.completeCampaigns(
        blockedCampaigns,
        claim.now,
      ),
    };
  }

  private async claimInTransaction(
    manager: EntityManager,
    claim: ClaimRequest,
  ): Promise<ClaimedInTransaction> {
    const capacity = await this.accountCapacity(manager);
    const rows = await this.selectDue(manager, claim, capacity);
    const limit = this.options.scheduler.maxInFlightPerAccount;
    const perAccount = new Map<string, number>();
    const toStart: ClaimRow[] = [];
    const blocked: ClaimRow[] = [];
    const deferrals = new Map<number, string[]>();
    // Every row shares `claim.now`: one window computation per zone.
    const openings = new Map<string, Date>();
    for (const row of rows) {
      if (row.do_not_call) {
        blocked.push(row);
        continue;
      }
      const zone = resolveZone(row.timezone, this.options.defaultTimezone);
      let opens = openings.get(zone);
      if (!opens) {
        opens = nextCallingTime(claim.now, zone, this.options.callingWindow);
        openings.set(zone, opens);
      }
      if (opens.getTime() > claim.now.getTime()) {
        const ids = deferrals.get(opens.getTime()) ?? [];
        ids.push(row.id);
        deferrals.set(opens.getTime(), ids);
        continue;
      }
      const taken = perAccount.get(row.account_id) ?? 0;
      if (taken >= (capacity.get(row.account_id) ?? limit)) continue;
      perAccount.set(row.account_id, taken + 1);
      toStart.push(row);
    }
    await this.defer(manager, deferrals, claim.now);
    await this.endOptedOut(manager, blocked, claim.now);
    const started = await this.start(manager, toStart, claim);
    return {
      started,
      deferred: [...deferrals.values()].reduce((n, ids) => n + ids.length, 0),
      optedOut: blocked.length,
      blockedCampaigns: blocked.map((r) => r.campaign_id),
    };
  }

  /**
   * Records how attempts ended and moves their calls on by the recall policy.
   * A result whose call is no longer in that attempt, or whose fence fails,
   * changes nothing.
   */
  async recordResults(
    results: AttemptResult[],
    fence: ResultFence,
    now: Date,
  ): Promise<RecordedResults> {
    if (results.length === 0) return { recorded: [], completedCampaigns: [] };
    const recorded = await runTransaction(this.dataSource, (m) =>
      this.record(m, results, fence, now),
    );
    return {
      recorded,
      completedCampaigns: await this.completeCampaigns(
        recorded.map((r) => r.campaignId),
        now,
      ),
    };
  }

  /** The writes of {@link recordResults}, in the caller's transaction. */
  private async record(
    m: EntityManager,
    results: AttemptResult[],
    fence: ResultFence,
    now: Date,
  ): Promise<RecordedResults['recorded']> {
    if (results.length === 0) return [];
    const moved = new Map(
      (await this.moveCalls(m, results, fence, now)).map((r) => [r.id, r]),
    );
    const recorded = results.flatMap((r) => {
      const row = moved.get(r.callId);
      return row ? [{ ...r, ...row }] : [];
    });
    await this.endAttempts(m, recorded, now);
    await this.cancelRetriesOfCancelledCampaigns(m, [...moved.keys()], now);
    await this.addOptedOutToDoNotCall(
      m,
      recorded.filter((r) => r.outcome === 'opted_out').map((r) => r.id),
    );
    return recorded;
  }

  /**
   * The dialer accepted the call without an outcome: keep the attempt open
   * until `outcomeUntil` for a later report.
   */
  async awaitOutcomes(
    accepted: { callId: string; attempt: number; providerCallId?: string }[],
    owner: string,
    outcomeUntil: Date,
    now: Date,
  ): Promise<void> {
    if (accepted.length === 0) return;
    await runTransaction(this.dataSource, async (m) => {
      const p = new SqlParams(this.dialect);
      const values = p.rows(
        accepted.map((a) => [a.callId, a.attempt]),
        ['uuid', 'int'],
      );
      await m.query(
        `WITH v (id, attempt) AS (VALUES ${values})
        UPDATE campaign_calls SET lease_expires_at = ${p.add(this.dialect.date(outcomeUntil))},
          updated_at = ${p.add(this.dialect.date(now))}
        FROM v WHERE campaign_calls.id = v.id AND campaign_calls.attempt_count = v.attempt
          AND campaign_calls.status = 'dialing' AND campaign_calls.lease_owner = ${p.add(owner)}`,
        p.values,
      );
      const withIds = accepted.filter((a) => a.providerCallId);
      if (withIds.length === 0) return;
      const q = new SqlParams(this.dialect);
      const ids = q.rows(
        withIds.map((a) => [a.callId, a.attempt, a.providerCallId]),
        ['uuid', 'int', 'varchar'],
      );
      await m.query(
        `WITH v (call_id, attempt, provider_call_id) AS (VALUES ${ids})
        UPDATE campaign_call_attempts SET provider_call_id = v.provider_call_id
        FROM v WHERE campaign_call_attempts.call_id = v.call_id
          AND campaign_call_attempts.attempt_number = v.attempt
          AND campaign_call_attempts.ended_at IS NULL`,
        q.values,
      );
    });
  }

  /**
   * Attempts whose lease expired (their replica died or lost the database)
   * end as `interrupted`; the recall policy decides what comes next. They are
   * never dialed again as the same attempt.
   */
  async interruptExpired(now: Date, limit: number): Promise<RecordedResults> {
    const recorded = await runTransaction(this.dataSource, async (m) => {
      const p = new SqlParams(this.dialect);
      const rows = (await m.query(
        `SELECT c.id, c.attempt_count, c.recall, c.first_attempt_at FROM campaign_calls c
        WHERE c.status = 'dialing' AND c.lease_expires_at <= ${p.add(this.dialect.date(now))}
        ORDER BY c.lease_expires_at LIMIT ${p.add(limit)} ${this.dialect.skipLocked('c')}`,
        p.values,
      )) as ClaimRow[];
      const results: AttemptResult[] = rows.map((row) => ({
        callId: row.id,
        attempt: Number(row.attempt_count),
        outcome: 'interrupted',
        details: { reason: 'lease expired' },
        recall: this.dialect.readJson<number[]>(row.recall),
        firstAttemptAt: this.dialect.readDate(row.first_attempt_at ?? now),
      }));
      return this.record(m, results, { leaseExpiredBy: now }, now);
    });
    return {
      recorded,
      completedCampaigns: await this.completeCampaigns(
        recorded.map((r) => r.campaignId),
        now,
      ),
    };
  }

  /** The open attempt of a call, for a late outcome report. */
  async findOpenAttempt(
    callId: string,
    attempt: number,
  ): Promise<Omit<AttemptResult, 'outcome'> | null> {
    const p = new SqlParams(this.dialect);
    const [row] = (await this.dataSource.query(
      `SELECT c.id, c.attempt_count, c.recall, c.first_attempt_at FROM campaign_calls c
      WHERE c.id = ${p.add(callId)} AND c.status = 'dialing' AND c.attempt_count = ${p.add(attempt)}`,
      p.values,
    )) as ClaimRow[];
    if (!row) return null;
    return {
      callId,
      attempt,
      recall: this.dialect.readJson<number[]>(row.recall),
      firstAttemptAt: this.dialect.readDate(row.first_attempt_at),
    };
  }

  /**
   * Running campaigns (of `campaignIds`, or all of them) with no call left
   * to make become completed. Runs after the writes that ended their calls
   * have committed: inside them, two transactions ending a campaign's last
   * two calls would each still see the other's call open.
   */
  async completeCampaigns(
    campaignIds: string[] | 'all',
    now: Date,
  ): Promise<ChangedRow[]> {
    const ids = campaignIds === 'all' ? [] : [...new Set(campaignIds)];
    if (campaignIds !== 'all' && ids.length === 0) return [];
    const p = new SqlParams(this.dialect);
    const sql = `UPDATE campaigns SET status = 'completed', completed_at = ${p.add(this.dialect.date(now))},
        updated_at = ${p.add(this.dialect.date(now))}
      WHERE status = 'running' ${ids.length ? `AND id IN ${p.list(ids)}` : ''}
        AND NOT EXISTS (SELECT 1 FROM campaign_calls c
          WHERE c.campaign_id = campaigns.id AND c.status IN ${OPEN_CALL_STATUSES})
      RETURNING id, account_id`;
    const result: unknown = await runTransaction(this.dataSource, (m) =>
      m.query(sql, p.values),
    );
    return returnedRows<{ id: string; account_id: string }>(result).map(
      (r) => ({ id: r.id, campaignId: r.id, accountId: r.account_id }),
    );
  }

  /** How many more calls each account with calls in flight may start. */
  private async accountCapacity(
    manager: EntityManager,
  ): Promise<Map<string, number>> {
    const rows = (await manager.query(
      `SELECT account_id, COUNT(*) AS n FROM campaign_calls WHERE status = 'dialing' GROUP BY account_id`,
    )) as { account_id: string; n: string | number }[];
    const limit = this.options.scheduler.maxInFlightPerAccount;
    return new Map(
      rows.map((r) => [r.account_id, Math.max(0, limit - Number(r.n))]),
    );
  }

  private async selectDue(
    manager: EntityManager,
    claim: ClaimRequest,
    remaining: Map<string, number>,
  ): Promise<ClaimRow[]> {
    const p = new SqlParams(this.dialect);
    const full = [...remaining].filter(([, n]) => n === 0).map(([id]) => id);
    const contactColumns = [...CONTACT_TEXT_FIELDS, 'custom_fields']
      .map((f) => `ct.${f}`)
      .join(', ');
    const sql = `SELECT c.id, c.campaign_id, c.account_id, c.attempt_count, c.recall,
        c.first_attempt_at, k.playbook_id, ct.phone, ${contactColumns},
        d.phone AS do_not_call
      FROM campaign_calls c
      JOIN campaigns k ON k.id = c.campaign_id
      JOIN campaign_contacts ct ON ct.id = c.contact_id
      LEFT JOIN campaign_do_not_call d
        ON d.account_id = c.account_id AND d.phone = ct.phone
      WHERE c.status IN ('queued', 'retry_pending')
        AND c.due_at <= ${p.add(this.dialect.date(claim.now))}
        AND k.status = 'running'
        ${full.length ? `AND c.account_id NOT IN ${p.list(full)}` : ''}
      ORDER BY c.due_at
      LIMIT ${p.add(claim.limit)}
      ${this.dialect.skipLocked('c', 'k')}`;
    return (await manager.query(sql, p.values)) as ClaimRow[];
  }

  private async defer(
    manager: EntityManager,
    deferrals: Map<number, string[]>,
    now: Date,
  ): Promise<void> {
    for (const [opens, ids] of deferrals) {
      const p = new SqlParams(this.dialect);
      await manager.query(
        `UPDATE campaign_calls SET due_at = ${p.add(this.dialect.date(new Date(opens)))},
          updated_at = ${p.add(this.dialect.date(now))} WHERE id IN ${p.list(ids)}`,
        p.values,
      );
    }
  }

  private async start(
    manager: EntityManager,
    rows: ClaimRow[],
    claim: ClaimRequest,
  ): Promise<StartedAttempt[]> {
    if (rows.length === 0) return [];
    const d = this.dialect;
    const p = new SqlParams(d);
    await manager.query(
      `UPDATE campaign_calls SET status = 'dialing', attempt_count = attempt_count + 1,
        first_attempt_at = COALESCE(first_attempt_at, ${p.add(d.date(claim.now))}),
        lease_owner = ${p.add(claim.owner)}, lease_expires_at = ${p.add(d.date(claim.leaseUntil))},
        updated_at = ${p.add(d.date(claim.now))}
      WHERE id IN ${p.list(rows.map((r) => r.id))}`,
      p.values,
    );
    const started = rows.map((row) => this.toStartedAttempt(row, claim.now));
    await insertRows(
      manager,
      d,
      {
        table: 'campaign_call_attempts',
        columns: ['id', 'call_id', 'attempt_number', 'started_at'],
      },
      started.map((s) => [
        randomUUID(),
        s.request.callId,
        s.request.attempt,
        d.date(claim.now),
      ]),
      this.options.insertChunkSize,
    );
    return started;
  }

  private toStartedAttempt(row: ClaimRow, now: Date): StartedAttempt {
    const contact = Object.fromEntries(
      CONTACT_TEXT_FIELDS.map((f) => [f, (row[f] as string | null) ?? null]),
    ) as Omit<DialRequest['contact'], 'custom_fields'>;
    const request: DialRequest = {
      callId: row.id,
      attempt: Number(row.attempt_count) + 1,
      campaignId: row.campaign_id,
      accountId: row.account_id,
      playbookId: row.playbook_id,
      phone: row.phone,
      contact: {
        ...contact,
        custom_fields:
          row.custom_fields == null
            ? null
            : this.dialect.readJson<CustomFields>(row.custom_fields),
      },
    };
    return {
      request,
      recall: this.dialect.readJson<number[]>(row.recall),
      firstAttemptAt: row.first_attempt_at
        ? this.dialect.readDate(row.first_attempt_at)
        : now,
    };
  }

  private async moveCalls(
    m: EntityManager,
    results: AttemptResult[],
    fence: ResultFence,
    now: Date,
  ): Promise<ChangedRow[]> {
    const d = this.dialect;
    const p = new SqlParams(d);
    const values = p.rows(
      results.map((r) => {
        const next = nextCallState({
          outcome: r.outcome,
          attemptNumber: r.attempt,
          recall: r.recall,
          firstAttemptAt: r.firstAttemptAt,
          now,
          retryVoicemail: this.options.retryVoicemail,
        });
        return next.status === 'retry_pending'
          ? [r.callId, r.attempt, next.status, d.date(next.dueAt), r.outcome, 0]
          : [r.callId, r.attempt, next.status, null, r.outcome, 1];
      }),
      ['uuid', 'int', 'varchar', 'timestamptz', 'varchar', 'int'],
    );
    const sql = `WITH v (id, attempt, status, due_at, outcome, final) AS (VALUES ${values})
      UPDATE campaign_calls SET status = v.status,
        due_at = COALESCE(v.due_at, campaign_calls.due_at), last_outcome = v.outcome,
        lease_owner = NULL, lease_expires_at = NULL,
        completed_at = CASE WHEN v.final = 1 THEN ${p.add(d.date(now), 'timestamptz')} ELSE NULL END,
        updated_at = ${p.add(d.date(now))}
      FROM v WHERE campaign_calls.id = v.id AND campaign_calls.attempt_count = v.attempt
        AND campaign_calls.status = 'dialing'
        ${fence.leaseOwner ? `AND campaign_calls.lease_owner = ${p.add(fence.leaseOwner)}` : ''}
        ${fence.leaseExpiredBy ? `AND campaign_calls.lease_expires_at <= ${p.add(d.date(fence.leaseExpiredBy))}` : ''}
      RETURNING campaign_calls.id, campaign_calls.campaign_id, campaign_calls.account_id`;
    return returnedRows<{
      id: string;
      campaign_id: string;
      account_id: string;
    }>(await m.query(sql, p.values)).map((r) => ({
      id: r.id,
      campaignId: r.campaign_id,
      accountId: r.account_id,
    }));
  }

  /** Ends calls to do-not-call numbers as `opted_out` without dialing them. */
  private async endOptedOut(
    manager: EntityManager,
    rows: ClaimRow[],
    now: Date,
  ): Promise<void> {
    if (rows.length === 0) return;
    const d = this.dialect;
    const p = new SqlParams(d);
    await manager.query(
      `UPDATE campaign_calls SET status = 'opted_out', last_outcome = 'opted_out',
        completed_at = ${p.add(d.date(now))}, updated_at = ${p.add(d.date(now))}
      WHERE id IN ${p.list(rows.map((r) => r.id))}`,
      p.values,
    );
  }

  /** A retry of a campaign cancelled while its attempt was dialing ends `cancelled`. */
  private async cancelRetriesOfCancelledCampaigns(
    manager: EntityManager,
    callIds: string[],
    now: Date,
  ): Promise<void> {
    if (callIds.length === 0) return;
    const d = this.dialect;
    const p = new SqlParams(d);
    await manager.query(
      `UPDATE campaign_calls SET status = 'cancelled',
        completed_at = ${p.add(d.date(now))}, updated_at = ${p.add(d.date(now))}
      WHERE id IN ${p.list(callIds)} AND status = 'retry_pending'
        AND campaign_id IN (SELECT id FROM campaigns WHERE status = 'cancelled')`,
      p.values,
    );
  }

  /** A person who said "stop calling" goes on the account's do-not-call list. */
  private async addOptedOutToDoNotCall(
    manager: EntityManager,
    callIds: string[],
  ): Promise<void> {
    if (callIds.length === 0) return;
    const p = new SqlParams(this.dialect);
    await manager.query(
      `INSERT INTO campaign_do_not_call (account_id, phone, reason)
      SELECT c.account_id, ct.phone, 'opted_out' FROM campaign_calls c
      JOIN campaign_contacts ct ON ct.id = c.contact_id
      WHERE c.id IN ${p.list(callIds)}
      ON CONFLICT (account_id, phone) DO NOTHING`,
      p.values,
    );
  }

  private async endAttempts(
    m: EntityManager,
    results: readonly AttemptResult[],
    now: Date,
  ): Promise<void> {
    if (results.length === 0) return;
    const p = new SqlParams(this.dialect);
    const values = p.rows(
      results.map((r) => [
        r.callId,
        r.attempt,
        r.outcome,
        r.providerCallId ?? null,
        r.details ? JSON.stringify(r.details) : null,
      ]),
      ['uuid', 'int', 'varchar', 'varchar', 'jsonb'],
    );
    await m.query(
      `WITH v (call_id, attempt, outcome, provider_call_id, details) AS (VALUES ${values})
      UPDATE campaign_call_attempts SET ended_at = ${p.add(this.dialect.date(now))},
        outcome = v.outcome,
        provider_call_id = COALESCE(v.provider_call_id, campaign_call_attempts.provider_call_id),
        details = v.details
      FROM v WHERE campaign_call_attempts.call_id = v.call_id
        AND campaign_call_attempts.attempt_number = v.attempt
        AND campaign_call_attempts.ended_at IS NULL`,
      p.values,
    );
  }
}
