import type { DataSource } from 'typeorm';

export type CampaignDatabaseType = 'postgres' | 'sqlite';

/** The few places where the module's raw SQL differs between databases. */
export interface SqlDialect {
  readonly type: CampaignDatabaseType;
  /** Most bind parameters one statement may carry. */
  readonly maxParameters: number;
  /** SQL for "now" in the stored date format. */
  readonly now: string;
  placeholder(index: number): string;
  /** A date as a bind parameter in the stored format. */
  date(value: Date): Date | string;
}

const postgres: SqlDialect = {
  type: 'postgres',
  maxParameters: 65_535,
  now: 'now()',
  placeholder: (index) => `$${index}`,
  date: (value) => value,
};

/** Dates are UTC text `YYYY-MM-DD HH:MM:SS.SSS`, the format TypeORM writes. */
const sqlite: SqlDialect = {
  type: 'sqlite',
  // SQLITE_MAX_VARIABLE_NUMBER of the SQLite bundled with better-sqlite3.
  maxParameters: 32_766,
  now: `strftime('%Y-%m-%d %H:%M:%f', 'now')`,
  placeholder: () => '?',
  date: (value) => value.toISOString().replace('T', ' ').replace('Z', ''),
};

export function sqlDialectOf(dataSource: DataSource): SqlDialect {
  const type = dataSource.options.type;
  if (type === 'postgres') return postgres;
  if (type === 'better-sqlite3') return sqlite;
  throw new Error(
    `nestjs-call-campaigns supports PostgreSQL and SQLite (better-sqlite3), not "${type}"`,
  );
}
