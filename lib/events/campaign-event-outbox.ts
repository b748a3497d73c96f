import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import { insertRows } from '../database/multi-row-insert';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import type {
  CallAttemptFinishedEvent,
  CallFinishedEvent,
  CampaignLifecycleEvent,
} from './campaign-event.interface';

type Unsequenced<T> = Omit<T, 'id' | 'sequence'>;

/**
 * An event as a write appends it: the relay gives it its sequence, and a
 * `call.finished` its attempts (a finished call's attempts never change).
 */
export type NewCampaignEvent =
  | Unsequenced<CampaignLifecycleEvent>
  | Unsequenced<CallAttemptFinishedEvent>
  | Omit<Unsequenced<CallFinishedEvent>, 'attempts'>;

const COLUMNS = [
  'id',
  'campaign_id',
  'account_id',
  'type',
  'data',
  'occurred_at',
] as const;

/** What `data` keeps of an event: the fields its type adds. */
function eventData(event: NewCampaignEvent): Record<string, unknown> {
  switch (event.type) {
    case 'call.attempt.finished':
      return {
        callId: event.callId,
        attempt: event.attempt,
        outcome: event.outcome,
      };
    case 'call.finished':
      return {
        callId: event.callId,
        status: event.status,
        outcome: event.outcome,
      };
    default:
      return {};
  }
}

/**
 * The outbox's write side: every write that changes what an event reports
 * appends the event in its own transaction, so the two commit together.
 * After the commit the writer calls {@link committed}, which wakes the relay
 * of this process at once (other replicas find the events on their poll).
 */
@Injectable()
export class CampaignEventOutbox {
  private readonly dialect: SqlDialect;
  private readonly wakers = new Set<() => void>();

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) dataSource: DataSource,
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  /** Appends events in the caller's transaction. */
  async append(
    manager: EntityManager,
    events: readonly NewCampaignEvent[],
  ): Promise<void> {
    if (events.length === 0) return;
    await insertRows(
      manager,
      this.dialect,
      { table: 'campaign_events', columns: COLUMNS },
      events.map((event) => [
        randomUUID(),
        event.campaignId,
        event.accountId,
        event.type,
        JSON.stringify(eventData(event)),
        this.dialect.date(event.at),
      ]),
      this.options.insertChunkSize,
    );
  }

  /** Tells the relay that a transaction with events has committed. */
  committed(): void {
    for (const wake of this.wakers) wake();
  }

  /** The relay's hook on {@link committed}; returns its removal. */
  onCommitted(wake: () => void): () => void {
    this.wakers.add(wake);
    return () => this.wakers.delete(wake);
  }
}
