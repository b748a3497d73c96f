import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import { CONTACT_TEXT_FIELDS } from '../campaigns/new-campaign.interface';
import { insertRows } from '../database/multi-row-insert';
import { SqlParams } from '../database/sql-params';
import type { SqlDialect, UpdateStatement } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import type {
  CampaignDialer,
  DialRequest,
  DialResult,
} from '../dialer/campaign-dialer.interface';
import type { CustomFields } from '../entities/contact.entity';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import {
  FINAL_CALL_STATUSES,
  OPEN_CALL_STATUSES,
  sqlStatusList,
  WAITING_CALL_STATUSES,
  type CallStatus,
} from '../entities/campaign-status';
import { CampaignEventOutbox } from '../events/campaign-event-outbox';
import type { BeforeDialDecision } from '../compliance/before-dial.interface';
import {
  planClaim,
  type ClaimCandidate,
  type ClaimDecision,
  type DialVerdict,
  type WaitExplanation,
  type WaitReason,
} from '../compliance/claim-plan';
import { CallingRulesService } from '../compliance/calling-rules.service';
import type { CallingWindow } from './calling-window.interface';
import type { PlaybookProviderConfig } from '../providers/provider.interface';
import type {
  AttemptResult,
  ResultFence,
  StartedAttempt,
} from './dispatch.interfaces';
import { nextCallState } from './recall-policy';
import { runStatement, runTransaction } from '../database/run-transaction';
import type { BatchStatements } from '../database/batch-statements';

const BEFORE_DIAL_FAILURE_WAIT_MS = 60_000;

type ClaimRow = Record<string, unknown> & {
  id: string;
  campaign_id: string;
  account_id: string;
  contact_id: string;
  playbook_id: string;
  attempt_count: number | string;
  recall: unknown;
  first_attempt_at: unknown;
  due_at?: unknown;
  phone: string;
  timezone: string | null;
  state: string | null;
  campaign_timezone: string | null;
  campaign_window: unknown;
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
  /** Calls held back (calling hours, holiday, cap, in progress, hook), moved to when they may be dialed. */
  deferred: number;
  /** `deferred` by why the calls wait. */
  deferredByReason: Partial<Record<WaitReason, number>>;
  /** Calls to numbers on the do-not-call list, ended `opted_out` undialed. */
  optedOut: number;
  /** Calls the rules never allow (or the host denied), ended `blocked` undialed. */
  blocked: number;
  completedCampaigns: ChangedRow[];
}

type ClaimedInTransaction = Omit<ClaimOutcome, 'completedCampaigns'> & {
  /** Campaigns of calls ended undialed: to check for completion after commit. */
  endedCampaigns: string[];
};

type Wait = Extract<ClaimDecision, { kind: 'wait' }>;

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
  private readonly logger = new Logger('CampaignDialingLoop');

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
    private readonly callingRules: CallingRulesService,
    private readonly outbox: CampaignEventOutbox,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  /** Scheduled campaigns whose launch time has come start running. */
  async activateDueCampaigns(now: Date): Promise<ChangedRow[]> {
    const d = this.dialect;
    const update: UpdateStatement = {
      table: 'campaigns',
      set: (p) =>
        `status = 'running', started_at = ${p.add(d.date(now))}, updated_at = ${p.add(d.date(now))}`,
      where: (p) =>
        `status = 'scheduled' AND launch_at <= ${p.add(d.date(now))}`,
      returning: ['id', 'account_id'],
    };
    return this.changeCampaigns(update, 'campaign.started', now);
  }

  /** Fresh planner statistics of `tables` (nothing where the database needs none). */
  async refreshStatistics(tables: readonly string[]): Promise<void> {
    const sql = this.dialect.analyze(tables);
    if (sql) await this.dataSource.query(sql);
  }

  /** A campaign status change, with its events in the same transaction. */
  private async changeCampaigns(
    update: UpdateStatement,
    type: 'campaign.started' | 'campaign.completed',
    now: Date,
  ): Promise<ChangedRow[]> {
    const batch = this.dialect.batch;
    const changed = await (batch
      ? runStatement(this.dataSource, async (m) =>
          (await batch.changeCampaigns(m, update, type, now)).map((r) => ({
            id: r.id,
            campaignId: r.id,
            accountId: r.account_id,
          })),
        )
      : this.changeCampaignsInTransaction(update, type, now));
    if (changed.length) this.outbox.committed();
    return changed;
  }

  private changeCampaignsInTransaction(
    update: UpdateStatement,
    type: 'campaign.started' | 'campaign.completed',
    now: Date,
  ): Promise<ChangedRow[]> {
    return runTransaction(this.dataSource, async (m) => {
      const rows = (await this.dialect.update(m, update)).map((r) => ({
        id: String(r.id),
        campaignId: String(r.id),
        accountId: String(r.account_id),
      }));
      await this.outbox.append(
        m,
        rows.map((r) => ({ type, ...r, at: now })),
      );
      return rows;
    });
  }

  /**
   * Claims due calls of running campaigns, skipping rows other replicas hold,
   * and in the same transaction either records their next attempt as started
   * (the attempt row exists before anyone dials) or, outside the calling
   * window, moves their due time to the next opening.
   */
  async claimAndStart(claim: ClaimRequest): Promise<ClaimOutcome> {
    const { endedCampaigns, ...claimed } = await runTransaction(
      this.dataSource,
      (manager) => this.claimInTransaction(manager, claim),
    );
    if (endedCampaigns.length) this.outbox.committed();
    return {
      ...claimed,
      completedCampaigns: await this.completeCampaigns(
        endedCampaigns,
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
    const facts = await this.contactFacts(manager, rows, claim.now);
    const limit = this.options.scheduler.maxInFlightPerAccount;
    const policy = await this.callingRules.policy(
      claim.now,
      (account) => capacity.get(account) ?? limit,
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    const decisions = await this.askHost(
      planClaim(
        rows.map((row) => this.candidateOf(row, facts)),
        policy,
      ),
      claim.now,
    );
    const waits: Wait[] = [];
    const optedOut: ClaimRow[] = [];
    const blocked: { row: ClaimRow; reason: string }[] = [];
    const toStart: { row: ClaimRow; verdict: DialVerdict }[] = [];
    for (const decision of decisions) {
      const row = byId.get(decision.candidate.id)!;
      if (decision.kind === 'wait') waits.push(decision);
      else if (decision.kind === 'opted_out') optedOut.push(row);
      else if (decision.kind === 'blocked') {
        blocked.push({ row, reason: decision.reason });
      } else if (decision.kind === 'start') {
        toStart.push({ row, verdict: decision.verdict });
      }
    }
    const deferredByReason: Partial<Record<WaitReason, number>> = {};
    for (const { why } of waits) {
      deferredByReason[why.reason] = (deferredByReason[why.reason] ?? 0) + 1;
    }
    await this.holdBack(manager, waits, claim.now);
    await this.endUndialed(manager, optedOut, 'opted_out', claim.now);
    await this.block(manager, blocked, claim.now);
    const started = await this.start(
      manager,
      await this.withinAccountCaps(manager, toStart),
      claim,
    );
    return {
      started,
      deferred: waits.length,
      deferredByReason,
      optedOut: optedOut.length,
      blocked: blocked.length,
      endedCampaigns: [...optedOut, ...blocked.map((b) => b.row)].map(
        (r) => r.campaign_id,
      ),
    };
  }

  private candidateOf(
    row: ClaimRow,
    facts: Map<string, { inFlight: boolean; starts: Date[] }>,
  ): ClaimCandidate {
    const fact = facts.get(row.contact_id);
    return {
      id: row.id,
      campaignId: row.campaign_id,
      accountId: row.account_id,
      contactId: row.contact_id,
      phone: row.phone,
      contactTimezone: row.timezone,
      contactState: row.state,
      campaignTimezone: row.campaign_timezone ?? null,
      campaignWindow:
        row.campaign_window == null
          ? null
          : this.dialect.readJson<CallingWindow>(row.campaign_window),
      onDoNotCallList: Boolean(row.do_not_call),
      inFlight: fact?.inFlight ?? false,
      recentStarts: fact?.starts ?? [],
    };
  }

  /**
   * For the claimed calls' people, across all their calls: whether one is
   * being dialed now, and the starts of their attempts within the longest
   * cap. On PostgreSQL the claim holds their contact rows, so no other
   * replica starts a call to them until it commits.
   */
  private async contactFacts(
    manager: EntityManager,
    rows: ClaimRow[],
    now: Date,
  ): Promise<Map<string, { inFlight: boolean; starts: Date[] }>> {
    const facts = new Map<string, { inFlight: boolean; starts: Date[] }>();
    if (rows.length === 0) return facts;
    const contacts = [...new Set(rows.map((r) => r.contact_id))];
    const d = this.dialect;
    const p = new SqlParams(d);
    const hours = this.callingRules.longestCapHours;
    const since = new Date(now.getTime() - hours * 3_600_000);
    // Placeholders in text order (SQLite's are positional).
    const sql = `SELECT contact_id, NULL AS started_at FROM campaign_calls
        WHERE contact_id IN ${p.list(contacts)} AND status = 'dialing'
      ${
        hours > 0
          ? `UNION ALL SELECT c.contact_id, a.started_at FROM campaign_call_attempts a
        JOIN campaign_calls c ON c.id = a.call_id
        WHERE c.contact_id IN ${p.list(contacts)} AND a.started_at > ${p.add(d.date(since))}`
          : ''
      }`;
    const found = await manager.query<
      {
        contact_id: string;
        started_at: unknown;
      }[]
    >(sql, p.values);
    for (const row of found) {
      const fact = facts.get(row.contact_id) ?? { inFlight: false, starts: [] };
      if (row.started_at == null) fact.inFlight = true;
      else fact.starts.push(d.readDate(row.started_at));
      facts.set(row.contact_id, fact);
    }
    return facts;
  }

  /** The host's `beforeDial` on each call the rules allow; fails closed. */
  private async askHost(
    decisions: ClaimDecision[],
    now: Date,
  ): Promise<ClaimDecision[]> {
    const hook = this.options.beforeDial;
    if (!hook) return decisions;
    return Promise.all(
      decisions.map(async (decision): Promise<ClaimDecision> => {
        if (decision.kind !== 'start') return decision;
        const { candidate } = decision;
        let answer: BeforeDialDecision;
        try {
          answer = await withTimeout(
            Promise.resolve(
              hook({
                callId: candidate.id,
                campaignId: candidate.campaignId,
                accountId: candidate.accountId,
                phone: candidate.phone,
                verdict: decision.verdict,
              }),
            ),
            this.options.beforeDialTimeoutMs,
          );
        } catch (error) {
          this.logger.warn(
            `beforeDial failed for call ${candidate.id}: ${error instanceof Error ? error.message : String(error)}; deferred`,
          );
          answer = {
            action: 'defer',
            until: new Date(now.getTime() + BEFORE_DIAL_FAILURE_WAIT_MS),
            reason: 'beforeDial failed or timed out',
          };
        }
        return hostDecision(decision, answer, now);
      }),
    );
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
    // With arrays the writes are one statement: no transaction of their own.
    const recorded = await (
      this.dialect.bindsArrays ? runStatement : runTransaction
    )(this.dataSource, (m) => this.record(m, results, fence, now));
    if (recorded.length) this.outbox.committed();
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
    if (this.dialect.batch) {
      return this.recordInOneStatement(
        m,
        this.dialect.batch,
        results,
        fence,
        now,
      );
    }
    const moved = new Map(
      (await this.moveCalls(m, results, fence, now)).map((r) => [r.id, r]),
    );
    const recorded = results.flatMap((r) => {
      const row = moved.get(r.callId);
      return row ? [{ ...r, ...row }] : [];
    });
    await this.endAttempts(m, recorded, now);
    await this.outbox.append(m, [
      ...recorded.map((r) => ({
        type: 'call.attempt.finished' as const,
        callId: r.callId,
        campaignId: r.campaignId,
        accountId: r.accountId,
        attempt: r.attempt,
        outcome: r.outcome,
        at: now,
      })),
      ...recorded
        .filter((r) => FINAL_CALL_STATUSES.includes(r.status))
        .map((r) => ({
          type: 'call.finished' as const,
          callId: r.callId,
          campaignId: r.campaignId,
          accountId: r.accountId,
          status: r.status,
          outcome: r.outcome,
          at: now,
        })),
    ]);
    await this.cancelRetriesOfCancelledCampaigns(m, [...moved.keys()], now);
    await this.addOptedOutToDoNotCall(
      m,
      recorded.filter((r) => r.outcome === 'opted_out').map((r) => r.id),
    );
    return recorded;
  }

  private async recordInOneStatement(
    m: EntityManager,
    batch: BatchStatements,
    results: AttemptResult[],
    fence: ResultFence,
    now: Date,
  ): Promise<RecordedResults['recorded']> {
    const moved = await batch.recordResults(
      m,
      results.map((r) => {
        const next = this.nextState(r, now);
        return {
          callId: r.callId,
          attempt: r.attempt,
          status: next.status,
          dueAt: next.status === 'retry_pending' ? next.dueAt : null,
          outcome: r.outcome,
          providerCallId: r.providerCallId ?? null,
          details: r.details ? JSON.stringify(r.details) : null,
        };
      }),
      fence,
      now,
    );
    const byId = new Map(results.map((r) => [r.callId, r]));
    return moved.map((row) => ({
      ...byId.get(row.id)!,
      id: row.id,
      campaignId: row.campaign_id,
      accountId: row.account_id,
      status: row.status,
    }));
  }

  private nextState(r: AttemptResult, now: Date) {
    return nextCallState({
      outcome: r.outcome,
      attemptNumber: r.attempt,
      recall: r.recall,
      firstAttemptAt: r.firstAttemptAt,
      now,
      retryVoicemail: this.options.retryVoicemail,
    });
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
    const d = this.dialect;
    await runTransaction(this.dataSource, async (m) => {
      await d.update(m, {
        table: 'campaign_calls',
        values: {
          columns: ['id', 'attempt'],
          rows: accepted.map((a) => [a.callId, a.attempt]),
          types: ['uuid', 'int'],
        },
        set: (p) =>
          `lease_expires_at = ${p.add(d.date(outcomeUntil))}, updated_at = ${p.add(d.date(now))}`,
        where: (
          p,
        ) => `campaign_calls.id = v.id AND campaign_calls.attempt_count = v.attempt
          AND campaign_calls.status = 'dialing' AND campaign_calls.lease_owner = ${p.add(owner)}`,
      });
      const withIds = accepted.filter((a) => a.providerCallId);
      if (withIds.length === 0) return;
      // v's columns never share a name with a SET target (MySQL would find it ambiguous).
      await d.update(m, {
        table: 'campaign_call_attempts',
        values: {
          columns: ['call_id', 'attempt', 'provider_id'],
          rows: withIds.map((a) => [a.callId, a.attempt, a.providerCallId]),
          types: ['uuid', 'int', 'varchar'],
        },
        set: () => 'provider_call_id = v.provider_id',
        where: () => `campaign_call_attempts.call_id = v.call_id
          AND campaign_call_attempts.attempt_number = v.attempt
          AND campaign_call_attempts.ended_at IS NULL`,
      });
    });
  }

  /**
   * Attempts whose lease expired (their replica died or lost the database)
   * are never dialed again as the same attempt. With a dialer that can look
   * calls up, the provider is asked what became of each first, and its
   * answer is recorded (still in progress: the attempt waits for its
   * outcome); only an attempt the provider has no trace of, or without a
   * lookup, ends `interrupted` and the recall policy decides what comes next.
   */
  async interruptExpired(
    now: Date,
    limit: number,
    reconcile?: { dialer: CampaignDialer; timeoutMs: number },
  ): Promise<RecordedResults> {
    const d = this.dialect;
    const p = new SqlParams(d);
    const expired = await this.dataSource.query<ClaimRow[]>(
      `SELECT c.id, c.attempt_count, c.recall, c.first_attempt_at, k.provider_config,
          a.provider_call_id, a.started_at, ct.phone
        FROM campaign_calls c
        JOIN campaigns k ON k.id = c.campaign_id
        JOIN campaign_contacts ct ON ct.id = c.contact_id
        LEFT JOIN campaign_call_attempts a
          ON a.call_id = c.id AND a.attempt_number = c.attempt_count
        WHERE c.status = 'dialing' AND c.lease_expires_at <= ${p.add(d.date(now))}
        ORDER BY c.lease_expires_at LIMIT ${p.add(limit)}`,
      p.values,
    );
    if (expired.length === 0) return { recorded: [], completedCampaigns: [] };
    const answers = reconcile
      ? await Promise.all(
          expired.map((row) => this.lookUp(row, reconcile, now)),
        )
      : expired.map(() => null);
    const results: AttemptResult[] = [];
    const stillOpen: {
      callId: string;
      attempt: number;
      providerCallId?: string;
    }[] = [];
    expired.forEach((row, i) => {
      // Past the outcome timeout the provider is not waited for any more.
      const overdue =
        now.getTime() - d.readDate(row.started_at ?? now).getTime() >
        this.options.scheduler.outcomeTimeoutMs;
      const answer = overdue && !answers[i]?.outcome ? null : answers[i];
      const base = {
        callId: row.id,
        attempt: Number(row.attempt_count),
        recall: d.readJson<number[]>(row.recall),
        firstAttemptAt: d.readDate(row.first_attempt_at ?? now),
      };
      if (answer && !answer.outcome) {
        stillOpen.push({
          callId: base.callId,
          attempt: base.attempt,
          providerCallId: answer.providerCallId,
        });
        return;
      }
      results.push(
        answer?.outcome
          ? {
              ...base,
              outcome: answer.outcome,
              providerCallId: answer.providerCallId ?? null,
              details: { ...answer.details, reconciled: true },
            }
          : {
              ...base,
              outcome: 'interrupted',
              details: { reason: 'lease expired' },
            },
      );
    });
    const recorded = await runTransaction(this.dataSource, async (m) => {
      if (stillOpen.length) {
        await this.extendExpired(m, stillOpen, now);
      }
      return this.record(m, results, { leaseExpiredBy: now }, now);
    });
    if (recorded.length) this.outbox.committed();
    return {
      recorded,
      completedCampaigns: await this.completeCampaigns(
        recorded.map((r) => r.campaignId),
        now,
      ),
    };
  }

  /** What the provider says of an expired attempt; a failed lookup counts as no trace only when it says so. */
  private async lookUp(
    row: ClaimRow,
    { dialer, timeoutMs }: { dialer: CampaignDialer; timeoutMs: number },
    now: Date,
  ): Promise<DialResult | null> {
    const d = this.dialect;
    try {
      return await withTimeout(
        dialer.lookup!({
          callId: row.id,
          attempt: Number(row.attempt_count),
          providerCallId: (row.provider_call_id as string | null) ?? null,
          phone: row.phone,
          startedAt: d.readDate(row.started_at ?? now),
          playbook:
            row.provider_config == null
              ? null
              : d.readJson<PlaybookProviderConfig>(row.provider_config),
        }),
        timeoutMs,
      );
    } catch (error) {
      // Not knowing is not "no trace": keep the attempt open, ask again.
      this.logger.warn(
        `could not look up call ${row.id} attempt ${String(row.attempt_count)} at the provider: ${error instanceof Error ? error.message : String(error)}`,
      );
      return { outcome: undefined };
    }
  }

  /** Expired attempts the provider says are still in progress wait for their outcome. */
  private async extendExpired(
    m: EntityManager,
    open: { callId: string; attempt: number; providerCallId?: string }[],
    now: Date,
  ): Promise<void> {
    const d = this.dialect;
    const until = new Date(now.getTime() + this.options.scheduler.leaseMs);
    await d.update(m, {
      table: 'campaign_calls',
      values: {
        columns: ['id', 'attempt'],
        rows: open.map((o) => [o.callId, o.attempt]),
        types: ['uuid', 'int'],
      },
      set: (p) =>
        `lease_expires_at = ${p.add(d.date(until))}, updated_at = ${p.add(d.date(now))}`,
      where: (
        p,
      ) => `campaign_calls.id = v.id AND campaign_calls.attempt_count = v.attempt
        AND campaign_calls.status = 'dialing'
        AND campaign_calls.lease_expires_at <= ${p.add(d.date(now))}`,
    });
  }

  /**
   * Dials the provider did not place (its limits): the attempt is given
   * back (its row removed, the count restored, the first-attempt time too
   * if it was the first), and the call waits until the provider allows it.
   * Fenced by lease owner and attempt number.
   */
  async releaseNotPlaced(
    dials: { callId: string; attempt: number; reason: string; retryAt: Date }[],
    owner: string,
    now: Date,
  ): Promise<void> {
    if (dials.length === 0) return;
    const d = this.dialect;
    await runTransaction(this.dataSource, async (m) => {
      const released = await d.update(m, {
        table: 'campaign_calls',
        values: {
          columns: ['id', 'attempt', 'retry_at', 'detail'],
          rows: dials.map((r) => [
            r.callId,
            r.attempt,
            d.date(r.retryAt),
            JSON.stringify({
              reason: 'provider_limit',
              until: r.retryAt.toISOString(),
              rule: null,
              zone: null,
              message: r.reason.slice(0, 500),
            }),
          ]),
          types: ['uuid', 'int', 'timestamptz', 'jsonb'],
        },
        set: (
          p,
        ) => `status = CASE WHEN v.attempt = 1 THEN 'queued' ELSE 'retry_pending' END,
            attempt_count = v.attempt - 1,
            first_attempt_at = CASE WHEN v.attempt = 1 THEN NULL ELSE campaign_calls.first_attempt_at END,
            due_at = v.retry_at, lease_owner = NULL, lease_expires_at = NULL,
            wait_reason = 'provider_limit', wait_detail = v.detail,
            updated_at = ${p.add(d.date(now))}`,
        where: (
          p,
        ) => `campaign_calls.id = v.id AND campaign_calls.attempt_count = v.attempt
            AND campaign_calls.status = 'dialing' AND campaign_calls.lease_owner = ${p.add(owner)}`,
        returning: ['id'],
      });
      const ids = new Set(released.map((r) => String(r.id)));
      const gone = dials.filter((r) => ids.has(r.callId));
      if (gone.length === 0) return;
      const q = new SqlParams(d);
      const attempts = gone
        .map((r) => `(${q.add(r.callId)}, ${q.add(r.attempt)})`)
        .join(', ');
      await m.query(
        `DELETE FROM campaign_call_attempts WHERE ended_at IS NULL
          AND (call_id, attempt_number) IN (${attempts})`,
        q.values,
      );
    });
  }

  /** The call and attempt a provider's call id belongs to (indexed), open or not. */
  async findAttemptByProviderCallId(
    providerCallId: string,
  ): Promise<{ callId: string; attempt: number } | null> {
    const p = new SqlParams(this.dialect);
    const [row] = await this.dataSource.query<
      { call_id: string; attempt_number: number | string }[]
    >(
      `SELECT call_id, attempt_number FROM campaign_call_attempts
      WHERE provider_call_id = ${p.add(providerCallId)}
      ORDER BY started_at DESC LIMIT 1`,
      p.values,
    );
    return row
      ? { callId: row.call_id, attempt: Number(row.attempt_number) }
      : null;
  }

  /** The open attempt of a call, for a late outcome report. */
  async findOpenAttempt(
    callId: string,
    attempt: number,
  ): Promise<Omit<AttemptResult, 'outcome'> | null> {
    const p = new SqlParams(this.dialect);
    const [row] = await this.dataSource.query<ClaimRow[]>(
      `SELECT c.id, c.attempt_count, c.recall, c.first_attempt_at FROM campaign_calls c
      WHERE c.id = ${p.add(callId)} AND c.status = 'dialing' AND c.attempt_count = ${p.add(attempt)}`,
      p.values,
    );
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
    const d = this.dialect;
    const update: UpdateStatement = {
      table: 'campaigns',
      set: (p) =>
        `status = 'completed', completed_at = ${p.add(d.date(now))}, updated_at = ${p.add(d.date(now))}`,
      where: (
        p,
      ) => `status = 'running' ${ids.length ? `AND id IN ${p.list(ids)}` : ''}
        AND NOT EXISTS (SELECT 1 FROM campaign_calls c
          WHERE c.campaign_id = campaigns.id AND c.status IN ${sqlStatusList(OPEN_CALL_STATUSES)})`,
      returning: ['id', 'account_id'],
    };
    return this.changeCampaigns(update, 'campaign.completed', now);
  }

  /**
   * Keeps `maxInFlightPerAccount` a hard cap across replicas: the last step
   * of claims that start one account's calls takes turns (until each
   * commits), and the calls in flight are counted again in the turn, other
   * claims' starts included; calls over the cap stay due. Accounts in
   * sorted order, so that two claims cannot wait on each other.
   */
  private async withinAccountCaps<T extends { row: ClaimRow }>(
    manager: EntityManager,
    toStart: T[],
  ): Promise<T[]> {
    const accounts = [...new Set(toStart.map((s) => s.row.account_id))].sort();
    for (const account of accounts) {
      const locked = await this.dialect.transactionLock(
        manager,
        `nestjs-call-campaigns:claim:${account}`,
      );
      // Transactions one at a time: the capacity read at the claim's start holds.
      if (!locked) return toStart;
    }
    if (accounts.length === 0) return toStart;
    const capacity = await this.accountCapacity(manager);
    const limit = this.options.scheduler.maxInFlightPerAccount;
    return toStart.filter(({ row }) => {
      const left = capacity.get(row.account_id) ?? limit;
      capacity.set(row.account_id, left - 1);
      return left > 0;
    });
  }

  /** How many more calls each account with calls in flight may start. */
  private async accountCapacity(
    manager: EntityManager,
  ): Promise<Map<string, number>> {
    const rows = await manager.query<
      { account_id: string; n: string | number }[]
    >(
      `SELECT account_id, COUNT(*) AS n FROM campaign_calls WHERE status = 'dialing' GROUP BY account_id`,
    );
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
    const sql = `SELECT c.id, c.campaign_id, c.account_id, c.contact_id, c.attempt_count, c.recall,
        c.first_attempt_at, c.due_at, k.playbook_id, k.timezone AS campaign_timezone,
        k.calling_window AS campaign_window, k.provider_config, ct.phone, ${contactColumns},
        d.phone AS do_not_call
      FROM campaign_calls c
      JOIN campaigns k ON k.id = c.campaign_id
      JOIN campaign_contacts ct ON ct.id = c.contact_id
      LEFT JOIN campaign_do_not_call d
        ON d.account_id = c.account_id AND d.phone = ct.phone
      WHERE c.status IN ${sqlStatusList(WAITING_CALL_STATUSES)}
        AND c.due_at <= ${p.add(this.dialect.date(claim.now))}
        AND k.status = 'running'
        ${full.length ? `AND c.account_id NOT IN ${p.list(full)}` : ''}
      ORDER BY c.due_at
      LIMIT ${p.add(claim.limit)}
      ${this.dialect.skipLocked('c, ct', 'k')}`;
    return await manager.query<ClaimRow[]>(sql, p.values);
  }

  /** Calls that may not be dialed now wait until they may, with why. */
  private async holdBack(
    manager: EntityManager,
    waits: Wait[],
    now: Date,
  ): Promise<void> {
    const groups = new Map<string, { why: WaitExplanation; ids: string[] }>();
    for (const wait of waits) {
      const key = JSON.stringify(wait.why);
      const group = groups.get(key) ?? { why: wait.why, ids: [] };
      group.ids.push(wait.candidate.id);
      groups.set(key, group);
    }
    const d = this.dialect;
    for (const { why, ids } of groups.values()) {
      const p = new SqlParams(d);
      await manager.query(
        `UPDATE campaign_calls SET due_at = ${p.add(d.date(new Date(why.until)))},
          wait_reason = ${p.add(why.reason)}, wait_detail = ${p.add(JSON.stringify(why), 'jsonb')},
          updated_at = ${p.add(d.date(now))} WHERE id IN ${p.list(ids)}`,
        p.values,
      );
    }
  }

  /** Calls that must never be dialed end `blocked`, with the reason. */
  private async block(
    manager: EntityManager,
    blocked: { row: ClaimRow; reason: string }[],
    now: Date,
  ): Promise<void> {
    const byReason = new Map<string, ClaimRow[]>();
    for (const { row, reason } of blocked) {
      byReason.set(reason, [...(byReason.get(reason) ?? []), row]);
    }
    for (const [reason, rows] of byReason) {
      await this.endUndialed(manager, rows, 'blocked', now, {
        reason: 'blocked',
        message: reason,
      });
    }
  }

  private async start(
    manager: EntityManager,
    toStart: { row: ClaimRow; verdict: DialVerdict }[],
    claim: ClaimRequest,
  ): Promise<StartedAttempt[]> {
    if (toStart.length === 0) return [];
    const d = this.dialect;
    if (d.batch) {
      await d.batch.startCalls(
        manager,
        toStart.map(({ row, verdict }) => ({
          id: row.id,
          verdict: JSON.stringify(verdict),
        })),
        claim,
      );
      return toStart.map(({ row }) => this.toStartedAttempt(row, claim.now));
    }
    const p = new SqlParams(d);
    await manager.query(
      `UPDATE campaign_calls SET status = 'dialing', attempt_count = attempt_count + 1,
        first_attempt_at = COALESCE(first_attempt_at, ${p.add(d.date(claim.now))}),
        lease_owner = ${p.add(claim.owner)}, lease_expires_at = ${p.add(d.date(claim.leaseUntil))},
        wait_reason = NULL, wait_detail = NULL, updated_at = ${p.add(d.date(claim.now))}
      WHERE id IN ${p.list(toStart.map((s) => s.row.id))}`,
      p.values,
    );
    const started = toStart.map(({ row }) =>
      this.toStartedAttempt(row, claim.now),
    );
    await insertRows(
      manager,
      d,
      {
        table: 'campaign_call_attempts',
        columns: ['id', 'call_id', 'attempt_number', 'started_at', 'verdict'],
      },
      started.map((s, i) => [
        randomUUID(),
        s.request.callId,
        s.request.attempt,
        d.date(claim.now),
        JSON.stringify(toStart[i].verdict),
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
      playbook:
        row.provider_config == null
          ? null
          : this.dialect.readJson<PlaybookProviderConfig>(row.provider_config),
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
      dueAt: row.due_at ? this.dialect.readDate(row.due_at) : now,
    };
  }

  private async moveCalls(
    m: EntityManager,
    results: AttemptResult[],
    fence: ResultFence,
    now: Date,
  ): Promise<(ChangedRow & { status: CallStatus })[]> {
    const d = this.dialect;
    const rows = results.map((r) => {
      const next = this.nextState(r, now);
      return next.status === 'retry_pending'
        ? [r.callId, r.attempt, next.status, d.date(next.dueAt), r.outcome, 0]
        : [r.callId, r.attempt, next.status, null, r.outcome, 1];
    });
    const moved = await d.update(m, {
      table: 'campaign_calls',
      values: {
        columns: [
          'id',
          'attempt',
          'next_status',
          'retry_at',
          'outcome',
          'final',
        ],
        rows,
        types: ['uuid', 'int', 'varchar', 'timestamptz', 'varchar', 'int'],
      },
      set: (p) => `status = v.next_status,
        due_at = COALESCE(v.retry_at, campaign_calls.due_at), last_outcome = v.outcome,
        lease_owner = NULL, lease_expires_at = NULL,
        completed_at = CASE WHEN v.final = 1 THEN ${p.add(d.date(now), 'timestamptz')} ELSE NULL END,
        updated_at = ${p.add(d.date(now))}`,
      where: (
        p,
      ) => `campaign_calls.id = v.id AND campaign_calls.attempt_count = v.attempt
        AND campaign_calls.status = 'dialing'
        ${fence.leaseOwner ? `AND campaign_calls.lease_owner = ${p.add(fence.leaseOwner)}` : ''}
        ${fence.leaseExpiredBy ? `AND campaign_calls.lease_expires_at <= ${p.add(d.date(fence.leaseExpiredBy))}` : ''}`,
      returning: ['id', 'campaign_id', 'account_id', 'status'],
    });
    return moved.map((r) => ({
      id: String(r.id),
      campaignId: String(r.campaign_id),
      accountId: String(r.account_id),
      status: r.status as CallStatus,
    }));
  }

  /**
   * Ends calls without dialing them: `opted_out` (do-not-call list) or
   * `blocked` (never allowed), with why.
   */
  private async endUndialed(
    manager: EntityManager,
    rows: ClaimRow[],
    status: 'opted_out' | 'blocked',
    now: Date,
    detail: Record<string, unknown> | null = null,
  ): Promise<void> {
    if (rows.length === 0) return;
    const d = this.dialect;
    const p = new SqlParams(d);
    await manager.query(
      `UPDATE campaign_calls SET status = ${p.add(status)},
        last_outcome = ${status === 'opted_out' ? `'opted_out'` : 'NULL'},
        wait_reason = NULL, wait_detail = ${p.add(detail ? JSON.stringify(detail) : null, 'jsonb')},
        completed_at = ${p.add(d.date(now))}, updated_at = ${p.add(d.date(now))}
      WHERE id IN ${p.list(rows.map((r) => r.id))}`,
      p.values,
    );
    await this.outbox.append(
      manager,
      rows.map((r) => ({
        type: 'call.finished' as const,
        callId: r.id,
        campaignId: r.campaign_id,
        accountId: r.account_id,
        status,
        outcome: status === 'opted_out' ? ('opted_out' as const) : null,
        at: now,
      })),
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
    const { verb, suffix } = this.dialect.insertIgnore;
    await manager.query(
      `${verb} INTO campaign_do_not_call (account_id, phone, reason)
      SELECT c.account_id, ct.phone, 'opted_out' FROM campaign_calls c
      JOIN campaign_contacts ct ON ct.id = c.contact_id
      WHERE c.id IN ${p.list(callIds)}
      ${suffix}`,
      p.values,
    );
  }

  private async endAttempts(
    m: EntityManager,
    results: readonly AttemptResult[],
    now: Date,
  ): Promise<void> {
    if (results.length === 0) return;
    const d = this.dialect;
    await d.update(m, {
      table: 'campaign_call_attempts',
      values: {
        columns: [
          'call_id',
          'attempt',
          'result',
          'provider_id',
          'result_details',
        ],
        rows: results.map((r) => [
          r.callId,
          r.attempt,
          r.outcome,
          r.providerCallId ?? null,
          r.details ? JSON.stringify(r.details) : null,
        ]),
        types: ['uuid', 'int', 'varchar', 'varchar', 'jsonb'],
      },
      set: (p) => `ended_at = ${p.add(d.date(now))},
        outcome = v.result,
        provider_call_id = COALESCE(v.provider_id, campaign_call_attempts.provider_call_id),
        details = v.result_details`,
      where: () => `campaign_call_attempts.call_id = v.call_id
        AND campaign_call_attempts.attempt_number = v.attempt
        AND campaign_call_attempts.ended_at IS NULL`,
    });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${ms} ms`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A start decision as the host's `beforeDial` answer changes it. */
function hostDecision(
  decision: Extract<ClaimDecision, { kind: 'start' }>,
  answer: BeforeDialDecision,
  now: Date,
): ClaimDecision {
  const { candidate } = decision;
  switch (answer?.action) {
    case 'allow':
      return decision;
    case 'deny':
      return {
        kind: 'blocked',
        candidate,
        reason: `beforeDial: ${String(answer.reason ?? 'denied').slice(0, 500)}`,
      };
    case 'defer': {
      const until =
        answer.until instanceof Date && answer.until.getTime() > now.getTime()
          ? answer.until
          : new Date(now.getTime() + BEFORE_DIAL_FAILURE_WAIT_MS);
      return {
        kind: 'wait',
        candidate,
        until,
        why: {
          reason: 'hook',
          until: until.toISOString(),
          rule: 'beforeDial',
          zone: null,
          message: String(answer.reason ?? 'deferred by beforeDial').slice(
            0,
            500,
          ),
        },
      };
    }
    default:
      // Not an answer: fail closed.
      return hostDecision(
        decision,
        {
          action: 'defer',
          until: new Date(0),
          reason: 'beforeDial gave no valid answer',
        },
        now,
      );
  }
}
