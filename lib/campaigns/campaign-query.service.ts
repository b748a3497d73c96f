import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { DataSource } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';
import { SqlParams } from '../database/sql-params';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import { CampaignEntity } from '../entities/campaign.entity';
import type { CampaignStatus, CallStatus } from '../entities/campaign-status';
import type { CampaignAccount } from '../options/campaign-module-options.interface';
import type { CallingWindow } from '../scheduler/calling-window.interface';

/** Body of `GET /campaign/:id`. */
export interface CampaignDetails {
  campaign_id: string;
  status: CampaignStatus;
  playbook_id: string;
  launch_at: string | null;
  recall: number[];
  /** Extension to the seed: the campaign's zone; null: the module default. */
  timezone: string | null;
  /** Extension to the seed: narrows the module's window; null: none given. */
  calling_window: CallingWindow | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  calls: {
    total: number;
    by_status: Partial<Record<CallStatus, number>>;
    /** Calls by `last_outcome` (the latest attempt's, or `opted_out` from the do-not-call list); calls without one are not counted. */
    by_outcome: Record<string, number>;
  };
}

@Injectable()
export class CampaignQueryService {
  private readonly dialect: SqlDialect;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  /** The account's campaign, or null (also for another account's or a malformed id). */
  async find(
    account: CampaignAccount,
    campaignId: string,
  ): Promise<CampaignDetails | null> {
    if (!isUUID(campaignId)) return null;
    const campaign = await this.dataSource
      .getRepository(CampaignEntity)
      .findOneBy({ id: campaignId.toLowerCase(), accountId: account.id });
    if (!campaign) return null;
    const p = new SqlParams(this.dialect);
    const rows = await this.dataSource.query<
      {
        status: CallStatus;
        last_outcome: string | null;
        n: string | number;
      }[]
    >(
      `SELECT status, last_outcome, COUNT(*) AS n FROM campaign_calls WHERE campaign_id = ${p.add(campaign.id)} GROUP BY status, last_outcome`,
      p.values,
    );
    const byStatus: Partial<Record<CallStatus, number>> = {};
    const byOutcome: Record<string, number> = {};
    for (const row of rows) {
      const n = Number(row.n);
      byStatus[row.status] = (byStatus[row.status] ?? 0) + n;
      if (row.last_outcome !== null) {
        byOutcome[row.last_outcome] = (byOutcome[row.last_outcome] ?? 0) + n;
      }
    }
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      campaign_id: campaign.id,
      status: campaign.status,
      playbook_id: campaign.playbookId,
      launch_at: iso(campaign.launchAt),
      recall: campaign.recall,
      timezone: campaign.timezone,
      calling_window: campaign.callingWindow,
      created_at: campaign.createdAt.toISOString(),
      started_at: iso(campaign.startedAt),
      completed_at: iso(campaign.completedAt),
      calls: {
        total: rows.reduce((n, r) => n + Number(r.n), 0),
        by_status: byStatus,
        by_outcome: byOutcome,
      },
    };
  }
}
