import {
  MigrationExecutor,
  type DataSource,
  type Migration,
  type QueryRunner,
} from 'typeorm';

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
   * PostgreSQL advisory lock key (a signed 64-bit integer); default
   * CAMPAIGN_MIGRATIONS_LOCK_KEY. Every replica of one database must use the same.
   */
  lockKey?: bigint;
}

/**
 * Runs the data source's pending migrations (the module's and the host's) so
 * that many replicas can do it at once: on PostgreSQL one at a time under a
 * session-level advisory lock, so the first applies them and the others then
 * find nothing pending. On SQLite (one process per file) it just runs them.
 * Resolves with the migrations this call applied. The data source must be
 * initialized with `migrationsRun: false`.
 */
export async function runCampaignMigrations(
  dataSource: DataSource,
  options: RunCampaignMigrationsOptions = {},
): Promise<Migration[]> {
  const type = dataSource.options.type;
  const transaction =
    options.transaction ??
    dataSource.options.migrationsTransactionMode ??
    'all';
  switch (type) {
    case 'postgres':
      return withAdvisoryLock(dataSource, lockKeyOf(options), (runner) =>
        migrate(dataSource, transaction, runner),
      );
    case 'better-sqlite3':
      return migrate(dataSource, transaction);
    default:
      throw new Error(
        `nestjs-call-campaigns cannot run migrations safely on database type "${type}" (PostgreSQL or SQLite only)`,
      );
  }
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

/**
 * Session-level advisory lock: held until pg_advisory_unlock or the end of the
 * session, not released by COMMIT or ROLLBACK, so it covers migrations that run
 * in several transactions, and a crashed replica's lock goes with its
 * connection. See https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 * and https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS
 *
 * The migrations run on the lock's own connection (QueryRunner): one pooled
 * connection is enough, and the lock cannot outlive or miss the DDL's session.
 */
async function withAdvisoryLock<T>(
  dataSource: DataSource,
  key: bigint,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  const params = [key.toString()];
  try {
    await runner.query('SELECT pg_advisory_lock($1::bigint)', params);
    let failed = false;
    try {
      return await work(runner);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await runner
        .query('SELECT pg_advisory_unlock($1::bigint)', params)
        .catch((error: unknown) => {
          // Keep the migration's own error; a lost connection drops the lock anyway.
          if (!failed) throw error;
        });
    }
  } finally {
    await runner.release();
  }
}
