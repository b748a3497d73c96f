import {
  MigrationExecutor,
  type DataSource,
  type Migration,
  type QueryRunner,
} from 'typeorm';
import { sqlDialectOf } from '../database/sql-dialect-of';

/**
 * The default PostgreSQL advisory lock key for the module's migrations: the
 * first 8 bytes of SHA-256("nestjs-call-campaigns") read as a signed 64-bit
 * big-endian integer (0x0f58b21b2b6679de). Advisory locks are per database,
 * so replicas of different databases never wait for each other.
 */
export const CAMPAIGN_MIGRATIONS_LOCK_KEY = 1105829538281454046n;

const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;

export interface RunCampaignMigrationsOptions {
  /**
   * How the pending migrations are wrapped in transactions (TypeORM's
   * `migrationsTransactionMode`); default: the data source's, else `'all'`.
   */
  transaction?: 'all' | 'each' | 'none';
  /**
   * Migration lock key (a signed 64-bit integer): PostgreSQL's advisory lock
   * key, part of the GET_LOCK name on MariaDB/MySQL; default
   * CAMPAIGN_MIGRATIONS_LOCK_KEY. Every replica of one database must use the same.
   */
  lockKey?: bigint;
}

/**
 * Runs the data source's pending migrations (the module's and the host's) so
 * that many replicas can do it at once: one at a time under the database's
 * migration lock (PostgreSQL: a session-level advisory lock; MariaDB/MySQL:
 * GET_LOCK), so the first applies them and the others then find nothing
 * pending. On SQLite (one process per file) it just runs them. On
 * MariaDB/MySQL DDL commits implicitly, so `transaction` only groups the
 * rows of TypeORM's migrations table.
 * Resolves with the migrations this call applied. The data source must be
 * initialized with `migrationsRun: false`.
 */
export async function runCampaignMigrations(
  dataSource: DataSource,
  options: RunCampaignMigrationsOptions = {},
): Promise<Migration[]> {
  const transaction =
    options.transaction ??
    dataSource.options.migrationsTransactionMode ??
    'all';
  return sqlDialectOf(dataSource).withMigrationLock(
    dataSource,
    { lockKey: lockKeyOf(options) },
    (runner) => migrate(dataSource, transaction, runner),
  );
}

function lockKeyOf(options: RunCampaignMigrationsOptions): bigint {
  const key = options.lockKey ?? CAMPAIGN_MIGRATIONS_LOCK_KEY;
  if (typeof key !== 'bigint' || key < BIGINT_MIN || key > BIGINT_MAX) {
    throw new Error(
      `lockKey must be a bigint in the signed 64-bit range, not ${String(key)}`,
    );
  }
  return key;
}

async function migrate(
  dataSource: DataSource,
  transaction: 'all' | 'each' | 'none',
  runner?: QueryRunner,
): Promise<Migration[]> {
  const executor = new MigrationExecutor(dataSource, runner);
  executor.transaction = transaction;
  return executor.executePendingMigrations();
}
