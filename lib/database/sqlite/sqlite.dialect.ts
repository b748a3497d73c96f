import type { SqlDialect } from '../sql-dialect';
import { returningMembers } from '../returning-sql';
import { sqliteMergeJsonObjects } from './sqlite-json-merge';
import { runSqliteTransaction } from './sqlite-transaction.queue';
import { CAMPAIGN_SQLITE_MIGRATIONS } from './sqlite.migrations';

/** A date as SQLite columns store it: UTC text `YYYY-MM-DD HH:MM:SS.SSS`. */
export const sqliteDateText = (value: Date): string =>
  value.toISOString().replace('T', ' ').replace('Z', '');

/** Dates are UTC text `YYYY-MM-DD HH:MM:SS.SSS`, the format TypeORM writes. */
export const sqliteDialect: SqlDialect = {
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
  readJson: <T>(value: unknown): T =>
    (typeof value === 'string' ? JSON.parse(value) : value) as T,
  // One process: the claim's transaction is the lock.
  skipLocked: () => '',
  tryTransactionLock: () => Promise.resolve(true),
  transactionLock: () => Promise.resolve(false),
  lockForNoKeyUpdate: '',
  clockQuery: null,
  notifies: false,
  bindsArrays: false,
  // The stored text already sorts as the instant it names.
  timestampKey: (column) => column,
  analyze: () => null,
  insertIgnore: { verb: 'INSERT', suffix: 'ON CONFLICT DO NOTHING' },
  migrations: CAMPAIGN_SQLITE_MIGRATIONS,
  batch: null,
  runTransaction: runSqliteTransaction,
  runStatement: runSqliteTransaction,
  // One process per file: nothing to wait for.
  withMigrationLock: (_dataSource, _options, work) => work(),
  onModuleInit: () => undefined,
  ...returningMembers(() => sqliteDialect, sqliteMergeJsonObjects),
};
