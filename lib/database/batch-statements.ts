import type { EntityManager } from 'typeorm';
import type { CallStatus } from '../entities/campaign-status';
import type { UpdateStatement } from './sql-dialect';

/**
 * The dialing loop's and the outbox relay's hot writes as one statement
 * each, where the database has data-modifying CTEs and array binds
 * (PostgreSQL: lib/database/postgres/postgres-batch.statements.ts). The
 * callers keep the multi-statement form of the same writes for the others.
 */
export interface BatchStatements {
  /** Marks the calls dialing (next attempt, lease) and inserts their attempt rows. */
  startCalls(
    manager: EntityManager,
    rows: readonly StartRow[],
    claim: { owner: string; now: Date; leaseUntil: Date },
  ): Promise<void>;
  /**
   * Records results: each call still in that attempt (and passing the
   * fence) moves to its next status, its attempt ends, its events are
   * appended in result order (`call.attempt.finished`s, then
   * `call.finished`s), a retry of a campaign cancelled meanwhile ends
   * `cancelled` (reported with the status the policy gave) and an opt-out
   * goes on the do-not-call list. Resolves with the calls that moved.
   */
  recordResults(
    manager: Pick<EntityManager, 'query'>,
    rows: readonly ResultRow[],
    fence: { leaseOwner?: string; leaseExpiredBy?: Date },
    now: Date,
  ): Promise<MovedRow[]>;
  /** A campaign status change (an update of `campaigns` returning id and account_id) with its lifecycle events. */
  changeCampaigns(
    manager: Pick<EntityManager, 'query'>,
    update: Pick<UpdateStatement, 'table' | 'set' | 'where'>,
    type: 'campaign.started' | 'campaign.completed',
    now: Date,
  ): Promise<{ id: string; account_id: string }[]>;
  /**
   * A relay lease: the oldest free undelivered events taken, each
   * campaign's stream grown by its count of new events, the new ones
   * numbered from it in write order, the batch leased (or, with
   * `deliveredAt`, marked delivered). The caller holds the
   * relay lock. Rows come back in write order.
   */
  leaseEvents(
    manager: EntityManager,
    lease: EventLease,
  ): Promise<LeasedEventRow[]>;
}

export interface EventLease {
  owner: string;
  now: Date;
  leaseUntil: Date;
  limit: number;
  /** Mark the batch delivered at once (no listener to wait for), instead of leasing it. */
  deliveredAt?: Date;
}

export interface StartRow {
  id: string;
  /** JSON of what the attempt is dialed under. */
  verdict: string;
}

export interface ResultRow {
  callId: string;
  attempt: number;
  /** The call's next status by the recall policy. */
  status: CallStatus;
  /** Its next due time, for a retry. */
  dueAt: Date | null;
  outcome: string;
  providerCallId: string | null;
  /** JSON of the attempt's details, or null. */
  details: string | null;
}

export interface MovedRow {
  id: string;
  campaign_id: string;
  account_id: string;
  status: CallStatus;
}

export interface LeasedEventRow {
  position: string | number;
  id: string;
  campaign_id: string;
  account_id: string;
  type: string;
  sequence: number | string;
  data: unknown;
  occurred_at: unknown;
  /** Leased for the first time: its sequence was given by this statement. */
  fresh: boolean;
}
