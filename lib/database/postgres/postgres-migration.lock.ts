import type { DataSource, QueryRunner } from 'typeorm';
import { withSessionLock } from '../session-lock';

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
export function withPostgresMigrationLock<T>(
  dataSource: DataSource,
  key: bigint,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const params = [key.toString()];
  return withSessionLock(
    dataSource,
    {
      take: async (runner) => {
        await runner.query('SELECT pg_advisory_lock($1::bigint)', params);
      },
      give: (runner) =>
        runner.query('SELECT pg_advisory_unlock($1::bigint)', params),
    },
    work,
  );
}
