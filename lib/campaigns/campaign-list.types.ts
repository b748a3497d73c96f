import type { CallStatus, CampaignStatus } from '../entities/campaign-status';
import type { CampaignDetails } from './campaign-query.service';

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
