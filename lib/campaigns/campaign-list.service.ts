import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { DataSource } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';
import { encodeCallCursor, encodeCampaignCursor } from '../database/cursor';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import { SqlParams } from '../database/sql-params';
import {
  OPEN_CALL_STATUSES,
  type CallStatus,
  type CampaignStatus,
} from '../entities/campaign-status';
import type { CampaignAccount } from '../options/campaign-module-options.interface';
import type { CallingWindow } from '../scheduler/calling-window.interface';
import {
  CALL_LIST_QUERY,
  CAMPAIGN_LIST_QUERY,
} from '../validation/list-queries';
import { parseListQuery } from '../validation/list-query.parser';
import type { CampaignDetails } from './campaign-query.service';

/** Statuses in which a call still has a next attempt due. */
const PENDING_CALL_STATUSES: ReadonlySet<CallStatus> = new Set(
  OPEN_CALL_STATUSES,
);

/** One page of a list; `next_cursor` is null on the last page. */
export interface CursorPage<T> {
  data: T[];
  next_cursor: string | null;
}

export interface ListPageOptions {
  /** 1 to 200, default 50. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
}

export interface ListCampaignCallsOptions extends ListPageOptions {
  status?: CallStatus;
}

export interface ListCampaignsOptions extends ListPageOptions {
  status?: CampaignStatus;
  /** Also count each campaign's calls by status (`calls.by_status`). Default false. */
  counts?: boolean;
}

/** One dial of a call, in `GET /campaign/:id/calls`. */
export interface CallAttemptSummary {
  number: number;
  started_at: string;
  ended_at: string | null;
  outcome: string | null;
  provider_call_id: string | null;
  /** What it was dialed under: zones, rules, local times (null before the calling rules). */
  verdict: Record<string, unknown> | null;
}

/** One call of a campaign, in `GET /campaign/:id/calls`. */
export interface CampaignCallSummary {
  call_id: string;
  contact_id: string;
  phone: string;
  first_name: string | null;
  last_name: string | null;
  status: CallStatus;
  attempt_count: number;
  /** When the next attempt is due; null once the call is final. */
  due_at: string | null;
  last_outcome: string | null;
  /**
   * A waiting call held back by the calling rules, a cap, another call in
   * progress or the host's hook: `{ reason, until, rule, zone, message }`; a
   * `blocked` call: why it is never dialed. Else null.
   */
  waiting: Record<string, unknown> | null;
  /** In attempt order. */
  attempts: CallAttemptSummary[];
}

/**
 * One campaign in `GET /campaign`: `GET /campaign/:id` without the counts by
 * outcome, and by status only when asked for (`counts`).
 */
export interface CampaignSummary extends Omit<CampaignDetails, 'calls'> {
  calls: {
    total: number;
    by_status?: Partial<Record<CallStatus, number>>;
  };
}

interface CallRow {
  id: string;
  contact_id: string;
  phone: string;
  first_name: string | null;
  last_name: string | null;
  status: CallStatus;
  attempt_count: number | string;
  due_at: unknown;
  last_outcome: string | null;
  wait_detail: unknown;
}

interface AttemptRow {
  call_id: string;
  attempt_number: number | string;
  started_at: unknown;
  ended_at: unknown;
  outcome: string | null;
  provider_call_id: string | null;
  verdict: unknown;
}

interface CampaignRow {
  id: string;
  playbook_id: string;
  status: CampaignStatus;
  launch_at: unknown;
  recall: unknown;
  timezone: string | null;
  calling_window: unknown;
  calls_count: number | string;
  created_at: unknown;
  started_at: unknown;
  completed_at: unknown;
  cursor_key: string;
}

/**
 * The read side of the lists: the account's campaigns, and a campaign's calls
 * with their attempts. Keyset (cursor) pagination, a fixed number of queries
 * per page whatever its size.
 */
@Injectable()
export class CampaignListService {
  private readonly dialect: SqlDialect;
  /** `created_at` as the campaigns cursor holds it, at the stored precision. */
  private readonly createdAtKey: string;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    this.dialect = sqlDialectOf(dataSource);
    this.createdAtKey = this.dialect.timestampKey('created_at');
  }

  /**
   * A page of the campaign's calls, ordered by call id, or null when the
   * campaign is not the account's (or the id is not a UUID). Throws
   * {@link InvalidCampaignRequestException} for a bad limit, cursor or status.
   */
  async listCalls(
    account: CampaignAccount,
    campaignId: string,
    options: ListCampaignCallsOptions = {},
  ): Promise<CursorPage<CampaignCallSummary> | null> {
    const { limit, cursor, params } = parseListQuery(CALL_LIST_QUERY, {
      ...options,
    });
    if (!isUUID(campaignId)) return null;
    const id = campaignId.toLowerCase();
    const owner = new SqlParams(this.dialect);
    const owned = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM campaigns WHERE id = ${owner.add(id)} AND account_id = ${owner.add(account.id)}`,
      owner.values,
    );
    if (!owned.length) return null;

    const p = new SqlParams(this.dialect);
    const where = [`c.campaign_id = ${p.add(id)}`];
    if (params.status) where.push(`c.status = ${p.add(params.status)}`);
    if (cursor) where.push(`c.id > ${p.add(cursor.id)}`);
    const rows = await this.dataSource.query<CallRow[]>(
      `SELECT c.id, c.contact_id, ct.phone, ct.first_name, ct.last_name,
              c.status, c.attempt_count, c.due_at, c.last_outcome, c.wait_detail
         FROM campaign_calls c
         JOIN campaign_contacts ct ON ct.id = c.contact_id
        WHERE ${where.join(' AND ')}
        ORDER BY c.id
        LIMIT ${p.add(limit + 1)}`,
      p.values,
    );
    const page = rows.slice(0, limit);
    const attempts = await this.attemptsOf(page.map((row) => row.id));
    return {
      data: page.map((row) => this.toCall(row, attempts.get(row.id) ?? [])),
      next_cursor:
        rows.length > limit
          ? encodeCallCursor({ id: page[page.length - 1].id })
          : null,
    };
  }

  /**
   * A page of the account's campaigns, newest first (created_at desc, then
   * id desc). Throws {@link InvalidCampaignRequestException} for a bad
   * limit, cursor or status.
   */
  async listCampaigns(
    account: CampaignAccount,
    options: ListCampaignsOptions = {},
  ): Promise<CursorPage<CampaignSummary>> {
    const { limit, cursor, params } = parseListQuery(CAMPAIGN_LIST_QUERY, {
      ...options,
    });
    const p = new SqlParams(this.dialect);
    const where = [`account_id = ${p.add(account.id)}`];
    if (params.status) where.push(`status = ${p.add(params.status)}`);
    if (cursor) {
      where.push(
        `(created_at, id) < (${p.add(cursor.createdAt, 'timestamptz')}, ${p.add(cursor.id, 'uuid')})`,
      );
    }
    const rows = await this.dataSource.query<CampaignRow[]>(
      `SELECT id, playbook_id, status, launch_at, recall, timezone,
              calling_window, calls_count,
              created_at, started_at, completed_at,
              ${this.createdAtKey} AS cursor_key
         FROM campaigns
        WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, id DESC
        LIMIT ${p.add(limit + 1)}`,
      p.values,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const counts = params.counts
      ? await this.countsByStatus(page.map((row) => row.id))
      : null;
    return {
      data: page.map((row) => {
        const campaign = this.toCampaign(row);
        if (counts) campaign.calls.by_status = counts.get(row.id) ?? {};
        return campaign;
      }),
      next_cursor:
        rows.length > limit
          ? encodeCampaignCursor({ createdAt: last.cursor_key, id: last.id })
          : null,
    };
  }

  /** Calls of these campaigns by status, in one query (on the campaign/status index). */
  private async countsByStatus(
    campaignIds: string[],
  ): Promise<Map<string, Partial<Record<CallStatus, number>>>> {
    const byCampaign = new Map<string, Partial<Record<CallStatus, number>>>();
    if (!campaignIds.length) return byCampaign;
    const p = new SqlParams(this.dialect);
    const rows = await this.dataSource.query<
      { campaign_id: string; status: CallStatus; n: string | number }[]
    >(
      `SELECT campaign_id, status, COUNT(*) AS n
         FROM campaign_calls
        WHERE campaign_id IN ${p.list(campaignIds)}
        GROUP BY campaign_id, status`,
      p.values,
    );
    for (const row of rows) {
      const counts = byCampaign.get(row.campaign_id) ?? {};
      counts[row.status] = Number(row.n);
      byCampaign.set(row.campaign_id, counts);
    }
    return byCampaign;
  }

  /** The attempts of these calls, in one query, by call id. */
  private async attemptsOf(
    callIds: string[],
  ): Promise<Map<string, CallAttemptSummary[]>> {
    const byCall = new Map<string, CallAttemptSummary[]>();
    if (!callIds.length) return byCall;
    const p = new SqlParams(this.dialect);
    const rows = await this.dataSource.query<AttemptRow[]>(
      `SELECT call_id, attempt_number, started_at, ended_at, outcome, provider_call_id, verdict
         FROM campaign_call_attempts
        WHERE call_id IN ${p.list(callIds)}
        ORDER BY call_id, attempt_number`,
      p.values,
    );
    for (const row of rows) {
      const list = byCall.get(row.call_id) ?? [];
      list.push({
        number: Number(row.attempt_number),
        started_at: this.iso(row.started_at) as string,
        ended_at: this.iso(row.ended_at),
        outcome: row.outcome,
        provider_call_id: row.provider_call_id,
        verdict:
          row.verdict == null
            ? null
            : this.dialect.readJson<Record<string, unknown>>(row.verdict),
      });
      byCall.set(row.call_id, list);
    }
    return byCall;
  }

  private toCall(
    row: CallRow,
    attempts: CallAttemptSummary[],
  ): CampaignCallSummary {
    return {
      call_id: row.id,
      contact_id: row.contact_id,
      phone: row.phone,
      first_name: row.first_name,
      last_name: row.last_name,
      status: row.status,
      attempt_count: Number(row.attempt_count),
      due_at: PENDING_CALL_STATUSES.has(row.status)
        ? this.iso(row.due_at)
        : null,
      last_outcome: row.last_outcome,
      waiting:
        row.wait_detail == null
          ? null
          : this.dialect.readJson<Record<string, unknown>>(row.wait_detail),
      attempts,
    };
  }

  private toCampaign(row: CampaignRow): CampaignSummary {
    return {
      campaign_id: row.id,
      status: row.status,
      playbook_id: row.playbook_id,
      launch_at: this.iso(row.launch_at),
      recall: this.dialect.readJson<number[]>(row.recall),
      timezone: row.timezone,
      calling_window:
        row.calling_window === null || row.calling_window === undefined
          ? null
          : this.dialect.readJson<CallingWindow>(row.calling_window),
      created_at: this.iso(row.created_at) as string,
      started_at: this.iso(row.started_at),
      completed_at: this.iso(row.completed_at),
      calls: { total: Number(row.calls_count) },
    };
  }

  private iso(value: unknown): string | null {
    return value === null || value === undefined
      ? null
      : this.dialect.readDate(value).toISOString();
  }
}
