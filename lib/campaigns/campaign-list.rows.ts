import type { SqlDialect } from '../database/sql-dialect';
import {
  OPEN_CALL_STATUSES,
  type CallStatus,
  type CampaignStatus,
} from '../entities/campaign-status';
import type { CallingWindow } from '../scheduler/calling-window.interface';
import type {
  CallAttemptSummary,
  CampaignCallSummary,
  CampaignSummary,
} from './campaign-list.types';

/** Statuses in which a call still has a next attempt due. */
const PENDING_CALL_STATUSES: ReadonlySet<CallStatus> = new Set(
  OPEN_CALL_STATUSES,
);

export interface CallRow {
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

export interface AttemptRow {
  call_id: string;
  attempt_number: number | string;
  started_at: unknown;
  ended_at: unknown;
  outcome: string | null;
  provider_call_id: string | null;
  verdict: unknown;
}

export interface CampaignRow {
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

/** The lists' rows as the API answers them. */
export class CampaignListRows {
  constructor(private readonly dialect: SqlDialect) {}

  toAttempt(row: AttemptRow): CallAttemptSummary {
    return {
      number: Number(row.attempt_number),
      started_at: this.iso(row.started_at) as string,
      ended_at: this.iso(row.ended_at),
      outcome: row.outcome,
      provider_call_id: row.provider_call_id,
      verdict:
        row.verdict == null
          ? null
          : this.dialect.readJson<Record<string, unknown>>(row.verdict),
    };
  }

  toCall(row: CallRow, attempts: CallAttemptSummary[]): CampaignCallSummary {
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

  toCampaign(row: CampaignRow): CampaignSummary {
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
