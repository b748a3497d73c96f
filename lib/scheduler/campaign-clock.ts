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
  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect,
  ) {}

  async now(): Promise<Date> {
    if (this.dialect.type !== 'postgres') return new Date();
    const [row] = (await this.dataSource.query(
      'SELECT clock_timestamp() AS now',
    )) as { now: Date }[];
    return row.now;
  }
}
