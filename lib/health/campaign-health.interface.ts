/** Thresholds of one {@link CampaignHealthIndicator.isHealthy} call. */
export interface CampaignHealthOptions {
  /**
   * Most milliseconds since the dialing loop's last tick ended, in a replica
   * that runs the loop. Default 3 × `scheduler.tickIntervalMs` + 5 000.
   */
  maxTickAgeMs?: number;
  /**
   * Most milliseconds the oldest due waiting call may have waited past its
   * due time. Default 300 000 (5 minutes).
   */
  maxBacklogLagMs?: number;
  /**
   * Most milliseconds the oldest undelivered event (outbox) may have waited
   * since it was written. Default 60 000.
   */
  maxOutboxLagMs?: number;
  /** Bound on each database read of the check. Default 2 000 ms. */
  databaseTimeoutMs?: number;
}

export type CampaignCheckStatus = 'up' | 'down';

/** `SELECT 1` through the module's data source. */
export interface DatabaseHealth {
  status: CampaignCheckStatus;
  responseTimeMs: number;
  message?: string;
}

/**
 * `off`: this replica does not run the loop (its `reason` says why);
 * `starting`: no tick has ended yet, within the threshold; `ticking`: the
 * last tick ended within the threshold; `stalled`: it did not; `stopped`: the
 * loop should run here but is not scheduled (shutting down).
 */
export type LoopState = 'off' | 'starting' | 'ticking' | 'stalled' | 'stopped';

/** The dialing loop of this replica. */
export interface LoopHealth {
  status: CampaignCheckStatus;
  state: LoopState;
  reason?: string;
  lastTickEndedAt: string | null;
  lastTickAgeMs: number | null;
  maxTickAgeMs: number;
  message?: string;
}

/** The oldest call that is due and waiting to be dialed. */
export interface BacklogHealth {
  status: CampaignCheckStatus;
  /** Its due time; null when no call is due (or the read failed). */
  oldestDueAt: string | null;
  /** How long it has waited past its due time: 0 when no call is due, null when the read failed. */
  lagMs: number | null;
  maxLagMs: number;
  message?: string;
}

/** The outbox draining: events written and not delivered yet. */
export interface OutboxHealth {
  status: CampaignCheckStatus;
  /** Null when the read failed. */
  pending: number | null;
  /** When the oldest of them was written; null when none is pending. */
  oldestAt: string | null;
  /** Its age: 0 when none is pending, null when the read failed. */
  lagMs: number | null;
  maxLagMs: number;
  message?: string;
}

/** What `isHealthy` reports under its key (with terminus's `status`). */
export interface CampaignHealthDetails {
  database: DatabaseHealth;
  loop: LoopHealth;
  backlog: BacklogHealth;
  outbox: OutboxHealth;
  /** When down: which checks failed and why. */
  message?: string;
}
