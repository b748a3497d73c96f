import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import type { EventEmitter } from 'node:events';
import type { DataSource, EntityManager } from 'typeorm';
import { CAMPAIGN_DATA_SOURCE } from '../campaign.constants';
import { sqlDialectOf } from '../database/sql-dialect-of';

/** The PostgreSQL channel a write with calls due now notifies. */
export const DUE_CALLS_CHANNEL = 'nestjs_call_campaigns_due';

const RECONNECT_MS = [100, 500, 2_000, 5_000] as const;

interface ListenClient extends EventEmitter {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

type ClientClass = new (config: object) => ListenClient;

/**
 * Wakes the dialing loops when calls become due now (an immediate campaign
 * is created, a campaign resumes), so their first dial does not wait for
 * the next tick; the tick stays the safety net. In this process directly;
 * on PostgreSQL also every other replica, by `NOTIFY` in the writing
 * transaction (sent on commit) and a `LISTEN` on a connection of its own
 * (not one of the host's pool).
 */
@Injectable()
export class DueCallsNotifier implements BeforeApplicationShutdown {
  private readonly logger = new Logger('CampaignDialingLoop');
  private readonly wakers = new Set<() => void>();
  private listener: ListenClient | null = null;
  private stopped = false;
  private readonly notifies: boolean;

  constructor(
    @Inject(CAMPAIGN_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    this.notifies = sqlDialectOf(dataSource).notifies;
  }

  /** In the writing transaction: other replicas hear of it on commit. */
  async notify(manager: EntityManager): Promise<void> {
    if (!this.notifies) return;
    await manager.query(`SELECT pg_notify('${DUE_CALLS_CHANNEL}', '')`);
  }

  /** After the commit: wakes this process's loop. */
  committed(): void {
    for (const wake of this.wakers) wake();
  }

  /**
   * The loop's hook: called on every wake-up, local or (PostgreSQL) from
   * another replica. Returns its removal.
   */
  onDue(wake: () => void): () => void {
    this.wakers.add(wake);
    if (this.wakers.size === 1) void this.listen(0);
    return () => this.wakers.delete(wake);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const client = this.listener;
    this.listener = null;
    await client?.end().catch(() => undefined);
  }

  private async listen(failures: number): Promise<void> {
    const Client = this.clientClass();
    if (!Client || this.stopped) return;
    const pool = (this.dataSource.driver as { master?: { options: object } })
      .master;
    const client = new Client({ ...pool?.options });
    const retry = (error: unknown) => {
      if (this.stopped || this.listener !== client) return;
      this.listener = null;
      void client.end().catch(() => undefined);
      const wait = RECONNECT_MS[Math.min(failures, RECONNECT_MS.length - 1)];
      this.logger.warn(
        `LISTEN ${DUE_CALLS_CHANNEL} lost (${error instanceof Error ? error.message : String(error)}); again in ${wait} ms (the tick still runs)`,
      );
      setTimeout(() => void this.listen(failures + 1), wait).unref();
    };
    this.listener = client;
    client.on('error', retry);
    client.on('end', () => retry(new Error('connection ended')));
    client.on('notification', () => {
      for (const wake of this.wakers) wake();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${DUE_CALLS_CHANNEL}`);
      if (this.stopped) await client.end();
      else if (failures > 0)
        this.logger.log(`LISTEN ${DUE_CALLS_CHANNEL} back`);
    } catch (error) {
      retry(error);
    }
  }

  /** The `pg` module TypeORM loaded for the host's data source. */
  private clientClass(): ClientClass | null {
    if (!this.notifies) return null;
    const pg = (this.dataSource.driver as { postgres?: { Client?: unknown } })
      .postgres;
    return typeof pg?.Client === 'function' ? (pg.Client as ClientClass) : null;
  }
}
