import type { DataSource, QueryRunner } from 'typeorm';

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
export async function withPostgresMigrationLock<T>(
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
