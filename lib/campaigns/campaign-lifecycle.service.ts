import { ConflictException, Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';
import { SqlParams } from '../database/sql-params';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import {
  sqlStatusList,
  WAITING_CALL_STATUSES,
  type CampaignStatus,
} from '../entities/campaign-status';
import type { CampaignLifecycleEventType } from '../events/campaign-event.interface';
import { CampaignEventOutbox } from '../events/campaign-event-outbox';
import { DueCallsNotifier } from '../scheduler/due-calls.notifier';
import type { CampaignAccount } from '../options/campaign-module-options.interface';
import { CAMPAIGN_CLOCK } from '../scheduler/campaign-clock.provider';
import type { CampaignClock } from '../scheduler/campaign-clock';
import {
  CampaignQueryService,
  type CampaignDetails,
} from './campaign-query.service';
import { runTransaction } from '../database/run-transaction';

export type CampaignAction = 'cancel' | 'pause' | 'resume';

interface Transition {
  /** Statuses the action moves from. */
  from: CampaignStatus[];
  /** Statuses where the action is already done: answered as they are. */
  done: CampaignStatus[];
  event: CampaignLifecycleEventType;
}

const TRANSITIONS: Record<CampaignAction, Transition> = {
  cancel: {
    from: ['scheduled', 'running', 'paused'],
    done: ['cancelled'],
    event: 'campaign.cancelled',
  },
  pause: {
    from: ['scheduled', 'running'],
    done: ['paused'],
    event: 'campaign.paused',
  },
  resume: {
    from: ['paused'],
    done: ['scheduled', 'running'],
    event: 'campaign.resumed',
  },
};

/**
 * Cancel, pause and resume. Each is idempotent; an impossible transition
 * (resume a completed campaign) is a 409. The dialing loop claims calls only
 * of running campaigns, under a share lock of the campaign row, so no attempt
 * starts after a pause or cancel has committed.
 */
@Injectable()
export class CampaignLifecycleService {
  private readonly dialect: SqlDialect;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CAMPAIGN_CLOCK) private readonly clock: CampaignClock,
    private readonly queries: CampaignQueryService,
    private readonly outbox: CampaignEventOutbox,
    private readonly dueCalls: DueCallsNotifier,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  /** The campaign after the action, or null when the account has no such campaign. */
  async apply(
    account: CampaignAccount,
    campaignId: string,
    action: CampaignAction,
  ): Promise<CampaignDetails | null> {
    const before = await this.queries.find(account, campaignId);
    if (!before) return null;
    const transition = TRANSITIONS[action];
    if (transition.done.includes(before.status)) return before;
    const now = await this.clock.now();
    const changed = await runTransaction(this.dataSource, async (m) => {
      const d = this.dialect;
      const rows = await d.update(m, {
        table: 'campaigns',
        set: (p) => {
          const next =
            action === 'cancel'
              ? `'cancelled'`
              : action === 'pause'
                ? `'paused'`
                : `CASE WHEN launch_at > ${p.add(d.date(now))} THEN 'scheduled' ELSE 'running' END`;
          const startedAt =
            action === 'resume'
              ? `, started_at = CASE WHEN launch_at > ${p.add(d.date(now))} THEN started_at
              ELSE COALESCE(started_at, ${p.add(d.date(now))}) END`
              : '';
          return `status = ${next}${startedAt}, updated_at = ${p.add(d.date(now))}`;
        },
        where: (p) =>
          `id = ${p.add(before.campaign_id)} AND status IN ${p.list(transition.from)}`,
        returning: ['id'],
      });
      if (rows.length && action === 'cancel') {
        // Calls not dialing now end here; one dialing ends when its attempt does.
        const q = new SqlParams(d);
        await m.query(
          `UPDATE campaign_calls SET status = 'cancelled', completed_at = ${q.add(d.date(now))},
            updated_at = ${q.add(d.date(now))}
          WHERE campaign_id = ${q.add(before.campaign_id)} AND status IN ${sqlStatusList(WAITING_CALL_STATUSES)}`,
          q.values,
        );
      }
      if (rows.length && action === 'resume') await this.dueCalls.notify(m);
      if (rows.length) {
        await this.outbox.append(m, [
          {
            type: transition.event,
            campaignId: before.campaign_id,
            accountId: account.id,
            at: now,
          },
        ]);
      }
      return rows.length > 0;
    });
    if (changed) {
      this.outbox.committed();
      if (action === 'resume') this.dueCalls.committed();
    }
    const after = await this.queries.find(account, campaignId);
    if (!after) return null;
    if (changed) return after;
    if (transition.done.includes(after.status)) return after;
    throw new ConflictException(
      `Cannot ${action} a campaign that is ${after.status}`,
    );
  }
}
