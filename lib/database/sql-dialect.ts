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
  /** A placeholder with a type cast where the database cannot infer one (VALUES lists). */
  typed(index: number, postgresType: string): string;
  /** A stored date as read by a raw query. */
  readDate(value: unknown): Date;
  /** A stored JSON value as read by a raw query. */
  readJson<T>(value: unknown): T;
  /**
   * Row-lock clause of a claim: others skip the rows of `alias` one replica
   * holds; `sharedAliases` are locked for share (a campaign being paused or
   * cancelled is skipped until that commits).
   */
  readonly skipLocked: (alias: string, ...sharedAliases: string[]) => string;
  /**
   * A query taking a lock held until the transaction ends, when free; its
   * one row's `locked` says whether it was. Null where transactions already
   * run one at a time (SQLite).
   */
  tryTransactionLock(name: string): string | null;
}

/** A date as SQLite columns store it: UTC text `YYYY-MM-DD HH:MM:SS.SSS`. */
export const sqliteDateText = (value: Date): string =>
  value.toISOString().replace('T', ' ').replace('Z', '');

const readJson = <T>(value: unknown): T =>
  (typeof value === 'string' ? JSON.parse(value) : value) as T;

const postgres: SqlDialect = {
  type: 'postgres',
  maxParameters: 65_535,
  now: 'now()',
  placeholder: (index) => `$${index}`,
  date: (value) => value,
  typed: (index, type) => `$${index}::${type}`,
  readDate: (value) =>
    value instanceof Date ? value : new Date(String(value)),
  readJson,
  skipLocked: (alias, ...shared) =>
    [
      `FOR UPDATE OF ${alias} SKIP LOCKED`,
      ...shared.map((a) => `FOR SHARE OF ${a} SKIP LOCKED`),
    ].join(' '),
  tryTransactionLock: (name) =>
    `SELECT pg_try_advisory_xact_lock(hashtext('${name.replace(/'/g, "''")}')) AS locked`,
};

/** Dates are UTC text `YYYY-MM-DD HH:MM:SS.SSS`, the format TypeORM writes. */
const sqlite: SqlDialect = {
  type: 'sqlite',
  // SQLITE_MAX_VARIABLE_NUMBER of the SQLite bundled with better-sqlite3.
  maxParameters: 32_766,
  now: `strftime('%Y-%m-%d %H:%M:%f', 'now')`,
  placeholder: () => '?',
  date: (value) => sqliteDateText(value),
  typed: () => '?',
  readDate: (value) =>
    value instanceof Date
      ? value
      : new Date(`${String(value).replace(' ', 'T')}Z`),
  readJson,
  // One process: the claim's transaction is the lock.
  skipLocked: () => '',
  tryTransactionLock: () => null,
};

export function sqlDialectOf(dataSource: DataSource): SqlDialect {
  const type = dataSource.options.type;
  if (type === 'postgres') return postgres;
  if (type === 'better-sqlite3') return sqlite;
  throw new Error(
    `nestjs-call-campaigns supports PostgreSQL and SQLite (better-sqlite3), not "${type}"`,
  );
}
