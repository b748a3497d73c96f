import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import { SqlParams } from '../database/sql-params';
import type {
  CampaignEventFanout,
  DurableCampaignEvent,
} from '../events/campaign-event-fanout.interface';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import { webhookBody } from './webhook-payload';

const DELIVERY_COLUMNS = [
  'id',
  'endpoint_id',
  'account_id',
  'campaign_id',
  'event_id',
  'event_type',
  'event_sequence',
  'payload',
  'status',
  'next_attempt_at',
  'created_at',
] as const;

/**
 * The outbox relay's fan-out (`CAMPAIGN_EVENT_FANOUT`): in the relay's
 * transaction, one pending delivery per enabled endpoint of the event's
 * account that subscribes to its type. An event handed over twice queues
 * nothing the second time (unique endpoint and event).
 */
@Injectable()
export class WebhookFanout implements CampaignEventFanout {
  private readonly dialect: SqlDialect;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) dataSource: DataSource,
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  async enqueue(
    manager: EntityManager,
    events: readonly DurableCampaignEvent[],
    now: Date,
  ): Promise<void> {
    if (!events.length) return;
    const d = this.dialect;
    const p = new SqlParams(d);
    const accounts = [...new Set(events.map((e) => e.accountId))];
    const endpoints = (
      await manager.query<
        { id: string; account_id: string; event_types: unknown }[]
      >(
        `SELECT id, account_id, event_types FROM campaign_webhook_endpoints
         WHERE account_id IN ${p.list(accounts)} AND disabled_at IS NULL`,
        p.values,
      )
    ).map((row) => ({
      id: row.id,
      accountId: row.account_id,
      types: new Set(d.readJson<string[]>(row.event_types)),
    }));
    if (!endpoints.length) return;
    const at = d.date(now);
    const rows: unknown[][] = [];
    for (const event of events) {
      let body: string | null = null;
      for (const endpoint of endpoints) {
        if (endpoint.accountId !== event.accountId) continue;
        if (!endpoint.types.has(event.type)) continue;
        body ??= webhookBody(event);
        rows.push([
          randomUUID(),
          endpoint.id,
          event.accountId,
          event.campaignId,
          event.id,
          event.type,
          event.sequence,
          body,
          'pending',
          at,
          at,
        ]);
      }
    }
    if (!rows.length) return;
    await d.insertIgnoring(
      manager,
      { table: 'campaign_webhook_deliveries', columns: DELIVERY_COLUMNS },
      rows,
      this.options.insertChunkSize,
    );
  }
}
