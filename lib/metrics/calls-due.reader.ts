import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SqlParams } from '../database/sql-params';
import type { SqlDialect } from '../database/sql-dialect';
import { sqlDialectOf } from '../database/sql-dialect-of';
import {
  sqlStatusList,
  WAITING_CALL_STATUSES,
} from '../entities/campaign-status';
import type { CampaignClock } from '../scheduler/campaign-clock';

/** How long a count answers scrapes before the database is asked again. */
export const CALLS_DUE_MAX_AGE_MS = 5_000;

/**
 * The number of waiting calls due now, for the `calls_due` gauge: one COUNT
 * on the claim's partial index (`idx_campaign_calls_waiting`), at most every
 * {@link CALLS_DUE_MAX_AGE_MS} however often the metrics are scraped. A
 * failed count keeps the last one (a scrape never fails on it, nor retries
 * it before the next period).
 */
export class CallsDueReader {
  private readonly logger = new Logger('CampaignMetrics');
  private readonly dialect: SqlDialect;
  private value = 0;
  private readAt = -Infinity;
  private reading: Promise<number> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: CampaignClock,
    private readonly maxAgeMs = CALLS_DUE_MAX_AGE_MS,
  ) {
    this.dialect = sqlDialectOf(dataSource);
  }

  read(): Promise<number> {
    if (performance.now() - this.readAt < this.maxAgeMs) {
      return Promise.resolve(this.value);
    }
    this.reading ??= this.count().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async count(): Promise<number> {
    try {
      const p = new SqlParams(this.dialect);
      const sql = `SELECT COUNT(*) AS n FROM campaign_calls
        WHERE status IN ${sqlStatusList(WAITING_CALL_STATUSES)}
          AND due_at <= ${p.add(this.dialect.date(await this.clock.now()))}`;
      const [row] = await this.dataSource.query<
        {
          n: string | number;
        }[]
      >(sql, p.values);
      this.value = Number(row.n);
    } catch (error) {
      this.logger.warn(
        `could not count the calls due: ${(error as Error).message}`,
      );
    }
    // Failed or not: no new count before maxAgeMs.
    this.readAt = performance.now();
    return this.value;
  }
}
