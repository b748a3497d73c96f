import type { DataSource } from 'typeorm';
import type { SqlDialect } from '../database/sql-dialect';

/** Where the dialing loop reads the time. Replace it in tests with a fake clock. */
export interface CampaignClock {
  now(): Promise<Date>;
}

/**
 * The database's clock on PostgreSQL, so that replicas with drifting clocks
 * agree on due times and lease expiry; the process clock on SQLite (one process).
 */
export class DatabaseClock implements CampaignClock {
  /** Database time minus process time, read at most once a second. */
  private offsetMs = 0;
  private readAt = -Infinity;

  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect,
  ) {}

  async now(): Promise<Date> {
    const clockQuery = this.dialect.clockQuery;
    if (!clockQuery) return new Date();
    if (performance.now() - this.readAt > OFFSET_MAX_AGE_MS) {
      const [row] = await this.dataSource.query<{ now: Date }[]>(clockQuery);
      this.offsetMs = row.now.getTime() - Date.now();
      this.readAt = performance.now();
    }
    return new Date(Date.now() + this.offsetMs);
  }
}

const OFFSET_MAX_AGE_MS = 1_000;
