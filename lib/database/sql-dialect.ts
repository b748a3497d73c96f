import type { DataSource } from 'typeorm';
import type { BatchStatements } from './batch-statements';
import { postgresBatchStatements } from './postgres/postgres-batch.statements';

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
  /**
   * A statement that waits for, then holds until the transaction ends, a
   * lock on the text `key` (an SQL expression, e.g. a placeholder). Null
   * where transactions already run one at a time (SQLite).
   */
  transactionLock(key: string): string | null;
  /** Row-lock clause that blocks writers of the rows but not inserts referencing them; '' where there are no row locks. */
  readonly lockForNoKeyUpdate: string;
  /** A query of the database's clock (one row, `now`), or null: use the process clock. */
  readonly clockQuery: string | null;
  /** Whether the database has LISTEN/NOTIFY (other replicas woken by a commit). */
  readonly notifies: boolean;
  /** Whether bulk writes bind arrays (`unnest`) instead of multi-row VALUES. */
  readonly bindsArrays: boolean;
  /** A timestamp column as a key that sorts and compares at full stored precision. */
  timestampKey(column: string): string;
  /** Refreshes planner statistics of tables after a bulk write, or null where not needed. */
  analyze(tables: readonly string[]): string | null;
  /** SQL of a shallow JSON object merge: `given`'s keys over `stored`'s (nulls kept); null `given` keeps `stored`. */
  mergeJsonObjects(stored: string, given: string): string;
  /** The hot writes in one statement each, where the database can; null: the callers' multi-statement form. */
  readonly batch: BatchStatements | null;
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
  transactionLock: (key) => `SELECT pg_advisory_xact_lock(hashtext(${key}))`,
  lockForNoKeyUpdate: 'FOR NO KEY UPDATE SKIP LOCKED',
  clockQuery: 'SELECT clock_timestamp() AS now',
  notifies: true,
  bindsArrays: true,
  // Microseconds kept (a JS Date would drop them).
  timestampKey: (column) =>
    `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  analyze: (tables) => `ANALYZE ${tables.join(', ')}`,
  mergeJsonObjects: (stored, given) =>
    `CASE WHEN ${given} IS NULL THEN ${stored} ELSE COALESCE(${stored}, '{}'::jsonb) || ${given} END`,
  batch: postgresBatchStatements,
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
  transactionLock: () => null,
  lockForNoKeyUpdate: '',
  clockQuery: null,
  notifies: false,
  bindsArrays: false,
  // The stored text already sorts as the instant it names.
  timestampKey: (column) => column,
  analyze: () => null,
  mergeJsonObjects: sqliteMergeJsonObjects,
  batch: null,
};

/**
 * SQLite has no shallow merge that keeps null values (json_patch drops
 * them): the object is rebuilt from the stored keys the given object does
 * not have, plus the given ones.
 */
function sqliteMergeJsonObjects(stored: string, given: string): string {
  const value = `CASE type WHEN 'text' THEN json_quote(value) WHEN 'true' THEN json('true') WHEN 'false' THEN json('false') WHEN 'object' THEN json(value) WHEN 'array' THEN json(value) ELSE value END`;
  return `CASE WHEN ${given} IS NULL THEN ${stored} WHEN ${stored} IS NULL THEN ${given} ELSE (
    SELECT json_group_object(key, ${value}) FROM (
      SELECT key, value, type FROM json_each(${stored})
        WHERE key NOT IN (SELECT key FROM json_each(${given}))
      UNION ALL SELECT key, value, type FROM json_each(${given}))) END`;
}

export function sqlDialectOf(dataSource: DataSource): SqlDialect {
  const type = dataSource.options.type;
  if (type === 'postgres') return postgres;
  if (type === 'better-sqlite3') return sqlite;
  throw new Error(
    `nestjs-call-campaigns supports PostgreSQL and SQLite (better-sqlite3), not "${type}"`,
  );
}
