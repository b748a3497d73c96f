import type {
  CallOutcome,
  DialRequest,
} from '../dialer/campaign-dialer.interface';

/** A call whose attempt was recorded as started, ready to be dialed. */
export interface StartedAttempt {
  request: DialRequest;
  recall: number[];
  firstAttemptAt: Date;
  /** When the call was due (its dial lag is the claim time minus this). */
  dueAt: Date;
}

/** How an attempt ended, with what the recall policy needs. */
export interface AttemptResult {
  callId: string;
  attempt: number;
  outcome: CallOutcome;
  providerCallId?: string | null;
  details?: Record<string, unknown> | null;
  recall: readonly number[];
  firstAttemptAt: Date;
}

/** Which writer may record a result: the lease holder, or anyone once the lease expired. */
export interface ResultFence {
  leaseOwner?: string;
  leaseExpiredBy?: Date;
}

/** What one tick did, for logs and tests. */
export interface TickReport {
  activated: number;
  interrupted: number;
  started: number;
  deferred: number;
  optedOut: number;
  blocked: number;
}
