import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { DataSource } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';
import { encodeCallCursor, encodeCampaignCursor } from '../database/cursor';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import { SqlParams } from '../database/sql-params';
import type { CallStatus } from '../entities/campaign-status';
import type { CampaignAccount } from '../options/campaign-module-options.interface';
import {
  CALL_LIST_QUERY,
  CAMPAIGN_LIST_QUERY,
} from '../validation/list-queries';
import { parseListQuery } from '../validation/list-query.parser';
import {
  CampaignListRows,
  type AttemptRow,
  type CallRow,
  type CampaignRow,
} from './campaign-list.rows';
import type {
  CallAttemptSummary,
  CampaignCallSummary,
  CampaignSummary,
  CursorPage,
  ListCampaignCallsOptions,
  ListCampaignsOptions,
} from './campaign-list.types';

/**
 * The read side of the lists: the account's campaigns, and a campaign's calls
 * with their attempts. Keyset (cursor) pagination, a fixed number of queries
 * per page whatever its size.
 */
@Injectable()
export class CampaignListService {
  private readonly dialect: SqlDialect;
  private readonly rows: CampaignListRows;
  /** `created_at` as the campaigns cursor holds it, at the stored precision. */
  private readonly createdAtKey: string;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    this.dialect = sqlDialectOf(dataSource);
    this.rows = new CampaignListRows(this.dialect);
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
      data: page.map((row) =>
        this.rows.toCall(row, attempts.get(row.id) ?? []),
      ),
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
        const campaign = this.rows.toCampaign(row);
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
      list.push(this.rows.toAttempt(row));
      byCall.set(row.call_id, list);
    }
    return byCall;
  }
}
