import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE, CAMPAIGN_OPTIONS } from '../campaign.constants';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import { SqlParams } from '../database/sql-params';
import type { BatchStatements, EventLease } from '../database/batch-statements';
import type { CallOutcome } from '../dialer/campaign-dialer.interface';
import type { ResolvedCampaignOptions } from '../options/campaign-module-options.interface';
import type {
  DurableCampaignEvent,
  FinishedCallAttempt,
} from './campaign-event.interface';

interface EventRow {
  position: string | number;
  id: string;
  campaign_id: string;
  account_id: string;
  type: DurableCampaignEvent['type'];
  sequence: number | string | null;
  data: unknown;
  occurred_at: unknown;
}

interface AttemptRow {
  call_id: string;
  attempt_number: number | string;
  started_at: unknown;
  ended_at: unknown;
  outcome: CallOutcome | null;
  provider_call_id: string | null;
}

export interface LeasedEvents {
  /** The batch, in write order. */
  events: DurableCampaignEvent[];
  /** Those leased for the first time (their sequence given now): for the fan-out. */
  fresh: DurableCampaignEvent[];
}

/** The outbox's SQL on the relay side: leases, sequences, delivery marks. */
@Injectable()
export class CampaignEventStore {
  private readonly dialect: SqlDialect;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CAMPAIGN_OPTIONS) private readonly options: ResolvedCampaignOptions,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  /**
   * Takes up to `limit` undelivered events whose lease is free, oldest
   * first, under this replica's lease; numbers the new ones per campaign.
   * The caller holds the relay lock, so sequences follow write order.
   */
  async lease(m: EntityManager, lease: EventLease): Promise<LeasedEvents> {
    const d = this.dialect;
    if (d.batch) return this.leaseInOneStatement(m, d.batch, lease);
    const p = new SqlParams(d);
    const rows = await m.query<EventRow[]>(
      `SELECT position, id, campaign_id, account_id, type, sequence, data, occurred_at
      FROM campaign_events
      WHERE delivered_at IS NULL
        AND (lease_expires_at IS NULL OR lease_expires_at <= ${p.add(d.date(lease.now))})
      ORDER BY position LIMIT ${p.add(lease.limit)}`,
      p.values,
    );
    if (rows.length === 0) return { events: [], fresh: [] };
    const sequences = await this.number(
      m,
      rows.filter((r) => r.sequence == null),
    );
    await d.update(m, {
      table: 'campaign_events',
      values: {
        columns: ['event_position', 'event_sequence'],
        rows: rows.map((r) => [
          Number(r.position),
          r.sequence == null ? sequences.get(r.id) : Number(r.sequence),
        ]),
        types: ['bigint', 'int'],
      },
      set: (q) => `sequence = v.event_sequence,
        lease_owner = ${q.add(lease.owner)},
        lease_expires_at = ${q.add(d.date(lease.leaseUntil))},
        deliveries = deliveries + 1`,
      where: () => 'campaign_events.position = v.event_position',
    });
    const attempts = await this.attemptsOf(
      m,
      rows.filter((r) => r.type === 'call.finished'),
    );
    const events = rows.map((r) =>
      this.toEvent(
        r,
        r.sequence == null ? sequences.get(r.id)! : Number(r.sequence),
        attempts,
      ),
    );
    const fresh = new Set(
      rows.filter((r) => r.sequence == null).map((r) => r.id),
    );
    if (lease.deliveredAt) {
      await this.markDelivered(
        m,
        rows.map((r) => r.id),
        lease.owner,
        lease.deliveredAt,
      );
    }
    return { events, fresh: events.filter((e) => fresh.has(e.id)) };
  }

  private async leaseInOneStatement(
    m: EntityManager,
    batch: BatchStatements,
    lease: EventLease,
  ): Promise<LeasedEvents> {
    const rows = await batch.leaseEvents(m, lease);
    const attempts = await this.attemptsOf(
      m,
      rows.filter((r) => r.type === 'call.finished') as EventRow[],
    );
    const events = rows.map((r) =>
      this.toEvent(r as EventRow, Number(r.sequence), attempts),
    );
    return { events, fresh: events.filter((_, i) => rows[i].fresh) };
  }

  async markDelivered(
    m: EntityManager,
    ids: readonly string[],
    owner: string,
    at: Date,
  ): Promise<void> {
    const p = new SqlParams(this.dialect);
    await m.query(
      `UPDATE campaign_events SET delivered_at = ${p.add(this.dialect.date(at))},
        lease_owner = NULL, lease_expires_at = NULL
      WHERE id IN ${p.list(ids)} AND lease_owner = ${p.add(owner)} AND delivered_at IS NULL`,
      p.values,
    );
  }

  async backlog(): Promise<{ pending: number; oldestAt: Date | null }> {
    const [row] = await this.dataSource.query<
      { n: string | number; oldest: unknown }[]
    >(
      `SELECT COUNT(*) AS n, MIN(occurred_at) AS oldest FROM campaign_events WHERE delivered_at IS NULL`,
    );
    return {
      pending: Number(row?.n ?? 0),
      oldestAt: row?.oldest == null ? null : this.dialect.readDate(row.oldest),
    };
  }

  /**
   * The next numbers of each campaign's stream, one statement for the
   * batch: `last_sequence` grows by the campaign's count of new events.
   */
  private async number(
    m: EntityManager,
    fresh: readonly EventRow[],
  ): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const r of fresh) {
      counts.set(r.campaign_id, (counts.get(r.campaign_id) ?? 0) + 1);
    }
    const sequences = new Map<string, number>();
    if (counts.size === 0) return sequences;
    const returned = await this.dialect.upsert(m, {
      table: 'campaign_event_streams',
      columns: ['campaign_id', 'last_sequence'],
      rows: [...counts],
      key: ['campaign_id'],
      onConflict: { last_sequence: 'add' },
      returning: ['campaign_id', 'last_sequence'],
      chunkSize: this.options.insertChunkSize,
    });
    const next = new Map(
      returned.map((r) => {
        const campaignId = String(r.campaign_id);
        return [
          campaignId,
          Number(r.last_sequence) - counts.get(campaignId)! + 1,
        ];
      }),
    );
    for (const r of fresh) {
      const sequence = next.get(r.campaign_id)!;
      sequences.set(r.id, sequence);
      next.set(r.campaign_id, sequence + 1);
    }
    return sequences;
  }

  private async attemptsOf(
    m: EntityManager,
    finished: readonly EventRow[],
  ): Promise<Map<string, FinishedCallAttempt[]>> {
    const byCall = new Map<string, FinishedCallAttempt[]>();
    const callIds = [
      ...new Set(
        finished.map(
          (r) => this.dialect.readJson<{ callId: string }>(r.data).callId,
        ),
      ),
    ];
    if (callIds.length === 0) return byCall;
    const d = this.dialect;
    const p = new SqlParams(d);
    const rows = await m.query<AttemptRow[]>(
      `SELECT call_id, attempt_number, started_at, ended_at, outcome, provider_call_id
      FROM campaign_call_attempts WHERE call_id IN ${p.list(callIds)}
      ORDER BY call_id, attempt_number`,
      p.values,
    );
    for (const a of rows) {
      const list = byCall.get(a.call_id) ?? [];
      list.push({
        attempt: Number(a.attempt_number),
        startedAt: d.readDate(a.started_at),
        endedAt: a.ended_at == null ? null : d.readDate(a.ended_at),
        outcome: a.outcome ?? null,
        providerCallId: a.provider_call_id ?? null,
      });
      byCall.set(a.call_id, list);
    }
    return byCall;
  }

  private toEvent(
    row: EventRow,
    sequence: number,
    attempts: Map<string, FinishedCallAttempt[]>,
  ): DurableCampaignEvent {
    const base = {
      id: row.id,
      sequence,
      campaignId: row.campaign_id,
      accountId: row.account_id,
      at: this.dialect.readDate(row.occurred_at),
    };
    const data = this.dialect.readJson<Record<string, unknown>>(row.data);
    switch (row.type) {
      case 'call.attempt.finished':
        return {
          ...base,
          type: row.type,
          callId: String(data.callId),
          attempt: Number(data.attempt),
          outcome: data.outcome as CallOutcome,
        };
      case 'call.finished':
        return {
          ...base,
          type: row.type,
          callId: String(data.callId),
          status: data.status as Extract<
            DurableCampaignEvent,
            { type: 'call.finished' }
          >['status'],
          outcome: (data.outcome as CallOutcome | null) ?? null,
          attempts: attempts.get(String(data.callId)) ?? [],
        };
      default:
        return { ...base, type: row.type };
    }
  }
}
